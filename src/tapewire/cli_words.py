"""The CLI's summaries in plain words (issue #15 part 7): what a pass did, what failed and why,
and what to do next. Pure functions over stage reports; ``cli.py`` prints what they return.

A report is the pipeline's ``StageReport`` (``stage``, ``counts``, ``errors`` as
``"<source>: <reason>"``). The newsroom's ``errors`` hold the reason of each brief not written
or rejected; the other stages' hold one line per source (feed, price series) that failed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

MAX_LISTED = 5  # failures listed one per line; the rest are counted


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def merge_reports(reports: Iterable[Any]) -> list[Any]:
    """Reports of the same stage summed (the days of a replay): one per stage, in first-seen
    order; counts added, errors kept in order."""
    from tapewire.context import StageReport

    merged: dict[str, StageReport] = {}
    for report in reports:
        into = merged.setdefault(report.stage, StageReport(report.stage))
        for key, n in report.counts.items():
            into.add(key, n)
        into.errors.extend(report.errors)
    return list(merged.values())


def _split(error: str) -> tuple[str, str]:
    """``"SYM: reason"`` -> (``SYM``, ``reason``); the source may itself hold ``": "`` (a URL)."""
    source, sep, reason = error.partition(": ")
    if "://" in source or not sep:  # a URL: split after its host and path
        match = re.match(r"(\S+?): (.*)", error)
        return (match.group(1), match.group(2)) if match else ("", error)
    return source, reason


def _reason_key(reason: str) -> str:
    """A reason without the particulars that differ between instruments (dates, numbers), so
    that "stale data" of two instruments groups under one reason."""
    return re.sub(r"\d[\d,.:-]*", "#", reason.removeprefix("brief rejected: ")).strip()


def grouped_reasons(errors: Sequence[str]) -> list[str]:
    """``n  reason (SYM, SYM, ...)`` per distinct reason, most frequent first; the reason shown is
    the first instrument's own (its dates)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for error in errors:
        source, reason = _split(error)
        groups.setdefault(_reason_key(reason), []).append((source, reason))
    lines = []
    for members in sorted(groups.values(), key=lambda m: -len(m)):
        counts: dict[str, int] = {}  # an instrument failing on several days is named once
        for source, _ in members:
            if source:
                counts[source] = counts.get(source, 0) + 1
        names = [s if n == 1 else f"{s} {n} times" for s, n in counts.items()]
        shown = ", ".join(names[:MAX_LISTED]) + (
            f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
        )
        lines.append(f"{len(members)} {members[0][1]}" + (f" ({shown})" if shown else ""))
    return lines


def _source_failures(errors: Sequence[str]) -> list[str]:
    lines = [f"{source}: {reason}" for source, reason in map(_split, errors[:MAX_LISTED])]
    if len(errors) > MAX_LISTED:
        lines.append(f"... and {len(errors) - MAX_LISTED} more")
    return lines


def pass_summary(reports: Sequence[Any]) -> tuple[list[str], list[str]]:
    """(lines of what was done and what failed, lines of what to do next) for a pipeline pass
    (or a replay's merged reports)."""
    lines: list[str] = []
    todo: list[str] = []
    for report in merge_reports(reports):
        words = _STAGE_WORDS.get(report.stage, _other_lines)
        lines += words(report, todo)
    return lines, todo


def _ingest_lines(ingest: Any, todo: list[str]) -> list[str]:
    c = ingest.counts
    text = f"feeds: {c.get('feeds', 0):,} fetched, {plural(c.get('new_items', 0), 'new item')}"
    if c.get("not_due"):
        text += f" ({c['not_due']} not due yet: polled every feeds.poll_minutes)"
    if ingest.errors:
        todo.append("see each feed's health and last error: tapewire feeds list")
    elif not c.get("feeds") and not c.get("not_due"):
        todo.append("no feeds to poll: add one with tapewire feeds add URL")
    failures = [f"  {x}" for x in _source_failures(ingest.errors)]
    return [text + _failed(ingest.errors, "failed"), *failures]


def _market_lines(market: Any, todo: list[str]) -> list[str]:
    c = market.counts
    if market.errors:
        todo.append(
            "check a failing price source by hand: tapewire prices load SYMBOL SOURCE "
            "(the instrument keeps its stored bars meanwhile)"
        )
    head = (
        f"bars: {plural(c.get('instruments', 0), 'instrument')} brought up to date, "
        f"{plural(c.get('new_bars', 0), 'new bar')}" + _failed(market.errors, "failed")
    )
    return [head, *(f"  {x}" for x in _source_failures(market.errors))]


def _enrich_lines(enrich: Any, _todo: list[str]) -> list[str]:
    c = enrich.counts
    head = (
        f"news: {plural(c.get('items', 0), 'item')} read into "
        f"{plural(c.get('stories', 0), 'story', 'stories')}, "
        f"{plural(c.get('links', 0), 'new link')} to instruments"
        + _failed(enrich.errors, "not enriched")
    )
    return [head, *(f"  {x}" for x in _source_failures(enrich.errors))]


def _per_instrument_lines(report: Any, _todo: list[str]) -> list[str]:
    head = f"{report.stage}: {plural(report.counts.get('instruments', 0), 'instrument')}"
    head += _failed(report.errors, "skipped")
    return [head, *(f"  {x}" for x in grouped_reasons(report.errors))]


def _scorecard_lines(card: Any, _todo: list[str]) -> list[str]:
    done = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in card.counts.items() if n)
    return [f"scorecard: {done or 'nothing new to grade'}"]


def _other_lines(report: Any, _todo: list[str]) -> list[str]:
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in report.counts.items())
    head = f"{report.stage}: {counts or 'done'}" + _failed(report.errors, "failed")
    return [head, *(f"  {x}" for x in _source_failures(report.errors))]


def _failed(errors: Sequence[str], verb: str) -> str:
    return f"; {len(errors)} {verb}:" if errors else ""


def _newsroom_lines(news: Any, todo: list[str]) -> list[str]:
    c = news.counts
    published = c.get("briefs", 0)
    rejections = [e for e in news.errors if "brief rejected" in e]
    reasons = [e for e in news.errors if "brief rejected" not in e]
    quiet = max(0, c.get("not_written", 0) - len(reasons))  # not on the watchlist, nothing new
    text = f"briefs: {published:,} published"
    if c.get("rewritten"):
        text += f" ({c['rewritten']} rewritten for coherence)"
    lines = [text]
    not_written = Counter[str]()
    if c.get("no_new_session"):
        not_written["no new bar since the last brief (it still stands)"] = c["no_new_session"]
    if c.get("already_written"):
        not_written["already written by an earlier run"] = c["already_written"]
    if quiet:
        not_written[
            "not on the watchlist and nothing happened (no level break, turn or hot story)"
        ] = quiet
    total = sum(not_written.values()) + len(reasons)
    if total:
        lines.append(f"  {plural(total, 'brief')} not written:")
        lines += [f"    {n} {why}" for why, n in not_written.most_common()]
        lines += [f"    {x}" for x in grouped_reasons(reasons)]
    if rejections:
        lines.append(f"  {len(rejections)} rejected by the verifier (not published):")
        lines += [f"    {x}" for x in grouped_reasons(rejections)]
        todo.append(
            "a rejected brief is kept out of the site; its reason is above "
            "(tapewire brief SYMBOL writes one and prints the verifier's notes)"
        )
    if any("stale" in e or "behind" in e for e in reasons):
        todo.append("bring stale series up to date: tapewire prices load SYMBOL SOURCE")
    if not published and c.get("no_new_session") and not reasons and not rejections:
        todo.append("nothing new to write: the next briefs come with the next session's bars")
    return lines


_STAGE_WORDS: dict[str, Callable[[Any, list[str]], list[str]]] = {
    "ingest": _ingest_lines,
    "market": _market_lines,
    "enrich": _enrich_lines,
    "technicals": _per_instrument_lines,
    "signals": _per_instrument_lines,
    "newsroom": _newsroom_lines,
    "scorecard": _scorecard_lines,
}
