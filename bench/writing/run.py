"""Variety of the written briefs, measured on real data (issue #11 part 7).

Loads 20 real instruments from ``../shared/data/prices`` (indices, the VIX, a Treasury yield, ETFs,
an FX pair, futures, large caps) and the real 2023-12-01 news sitemaps from ``../shared/data/feeds``,
then runs the pipeline (enrich, technicals, signals, newsroom) as of 20 sessions: four around
2023-12-01, where the stored news is, and sixteen in January 2026 (no stored news then). Every
brief's headline, summary (dek), Take and body paragraphs are reduced to a *skeleton*: numbers,
dates, quotes, instrument names and symbols, and outlets masked. It prints:

- the share of briefs using the most common skeleton, per slot (headline, summary, Take, each
  body paragraph by position, the first risk and the first opportunity);
- the distinct-4-gram ratio of the masked text across all briefs (distinct / total);
- verifier rejections (briefs the newsroom refused, with the reason) and briefs not accounted for;
- coherence failures, when ``tapewire.newsroom.coherence`` is importable.

Goals (issue #11): no skeleton in more than 20% of briefs for headline, summary and Take; 0 silent
drops.

    .venv/bin/python bench/writing/run.py [--show N] [--dump FILE]
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

from tapewire.clock import FixedClock  # noqa: E402
from tapewire.config import load_settings  # noqa: E402
from tapewire.context import RunContext  # noqa: E402
from tapewire.enrich import stage as enrich_stage  # noqa: E402
from tapewire.ingest import stage as ingest_stage  # noqa: E402
from tapewire.market.stage import (  # noqa: E402
    InstrumentSpec,
    load_bars,
    provider_for,
    save_instrument,
)
from tapewire.net import HttpClient  # noqa: E402
from tapewire.newsroom import queries as newsroom_queries  # noqa: E402
from tapewire.newsroom import stage as newsroom_stage  # noqa: E402
from tapewire.signals import stage as signals_stage  # noqa: E402
from tapewire.store import open_store  # noqa: E402
from tapewire.technicals import stage as technicals_stage  # noqa: E402

LONG = "prices/yahoo_long_to_2026-02"
NORM = "prices/daily_2015_to_2026-02-27_normalized"
MERGED = "prices/merged_index_series"
# symbol, file, name, asset class (as `prices load --asset-class`), benchmark
INSTRUMENTS = (
    ("^GSPC", f"{MERGED}/^GSPC.csv", "S&P 500", "Indices", None),
    ("^VIX", f"{MERGED}/^VIX.csv", "CBOE Volatility Index", "Indices", None),
    ("^RUT", f"{LONG}/^RUT.csv", "Russell 2000", "Indices", "^GSPC"),
    ("^DJI", f"{LONG}/^DJI.csv", "Dow Jones Industrial Average", "Indices", "^GSPC"),
    ("^TNX", f"{LONG}/^TNX.csv", "US 10-Year Treasury Yield", "Rates", None),
    ("SPY", f"{LONG}/SPY.csv", "SPDR S&P 500 ETF", "ETFs", "^GSPC"),
    ("QQQ", f"{LONG}/QQQ.csv", "Invesco QQQ Trust", "ETFs", "SPY"),
    ("IWM", f"{LONG}/IWM.csv", "iShares Russell 2000 ETF", "ETFs", "SPY"),
    ("TLT", f"{LONG}/TLT.csv", "iShares 20+ Year Treasury Bond ETF", "ETFs", None),
    ("HYG", f"{LONG}/HYG.csv", "iShares iBoxx High Yield Corporate Bond ETF", "ETFs", None),
    ("XLE", f"{LONG}/XLE.csv", "Energy Select Sector SPDR", "ETFs", "SPY"),
    ("XLK", f"{LONG}/XLK.csv", "Technology Select Sector SPDR", "ETFs", "SPY"),
    ("EURUSD=X", f"{LONG}/EURUSD=X.csv", "Euro / US Dollar", "Forex", None),
    ("GC=F", f"{LONG}/GC=F.csv", "Gold Futures", "Commodities", None),
    ("CL=F", f"{LONG}/CL=F.csv", "Crude Oil WTI Futures", "Commodities", None),
    ("AAPL", f"{NORM}/AAPL.csv", "Apple", "Stocks", "^GSPC"),
    ("JPM", f"{NORM}/JPM.csv", "JPMorgan Chase", "Stocks", "^GSPC"),
    ("XOM", f"{NORM}/XOM.csv", "Exxon Mobil", "Stocks", "^GSPC"),
    ("NVDA", f"{NORM}/NVDA.csv", "NVIDIA", "Stocks", "^GSPC"),
    ("MSFT", f"{NORM}/MSFT.csv", "Microsoft", "Stocks", "^GSPC"),
)
FEEDS = "feeds/news_sitemaps_2023-12-01_mangled"


def sessions() -> list[datetime]:
    """Four as-ofs around the stored news of 2023-12-01, then sixteen weekdays of January 2026."""
    out = [datetime(2023, 11, d, tzinfo=UTC) for d in (29, 30)]
    out += [datetime(2023, 12, 1, 20, tzinfo=UTC), datetime(2023, 12, 2, tzinfo=UTC)]
    day = date(2026, 1, 7)
    while len(out) < 20:
        if day.weekday() < 5:
            out.append(datetime(day.year, day.month, day.day, tzinfo=UTC))
        day += timedelta(days=1)
    return out


# ---------------------------------------------------------------- masking and measures

_QUOTE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_DATE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}\b|\b\d{4}-\d{2}-\d{2}\b"
)
_NUM = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?(?:%|bp)?")


def mask(text: str, names: list[str]) -> str:
    """The sentence skeleton: quotes, dates, names and numbers replaced by placeholders."""
    text = _QUOTE.sub("<Q>", text)
    text = _DATE.sub("<D>", text)
    for name in names:
        text = text.replace(name, "<N>")
    return _NUM.sub("<#>", text)


def names_of(facts: dict[str, Any]) -> list[str]:
    inst = facts["instrument"]
    names = [inst["name"], inst["symbol"], *(n["outlet"] for n in facts.get("news", []))]
    if facts.get("benchmark"):
        names.append(facts["benchmark"]["symbol"])
    names += [s for s, *_ in INSTRUMENTS]
    return sorted({n for n in names if n}, key=len, reverse=True)


def top_share(values: list[str]) -> tuple[float, str]:
    if not values:
        return 0.0, ""
    skeleton, n = Counter(values).most_common(1)[0]
    return n / len(values), skeleton


def four_gram_ratio(texts: list[str]) -> float:
    grams: list[tuple[str, ...]] = []
    for text in texts:
        words = text.lower().split()
        grams += [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    return len(set(grams)) / len(grams) if grams else 0.0


def coherence_checker() -> Any:
    """The verifier branch's coherence check, if it is there: ``check_draft(draft, facts)`` (or
    ``check_brief``/``check``) returning an object with ``ok`` or a sequence of problems."""
    try:
        module = importlib.import_module("tapewire.newsroom.coherence")
    except ImportError:
        return None
    for name in ("check_draft", "check_brief", "check_coherence", "check"):
        if callable(getattr(module, name, None)):
            return getattr(module, name)
    return None


def coherence_failures(check: Any, view: Any) -> list[str]:
    from tapewire.newsroom.writers.base import Draft

    draft = Draft(view.headline, view.dek, dict(view.sections), tuple(view.tags), view.writer)
    result = check(draft, view.facts)
    if hasattr(result, "ok"):
        return [] if result.ok else [str(getattr(result, "problems", result))]
    return [str(p) for p in result or []]


# ---------------------------------------------------------------- the replay


def load(ctx: RunContext) -> None:
    for symbol, path, name, asset_class, bench in INSTRUMENTS:
        source = str(DATA / path)
        with ctx.store.write() as s:
            spec = InstrumentSpec(
                symbol=symbol,
                name=name,
                asset_class=asset_class,
                benchmark_symbol=bench,
                member_of=("^GSPC",) if asset_class == "Stocks" else (),
                provider="csvfile",
                source_url=source,
            )
            inst_id = save_instrument(s, spec)
        provider = provider_for(ctx, "csvfile", source)
        load_bars(ctx, inst_id, symbol, provider, source=f"csvfile:{symbol}", full_history=True)
    with ctx.store.write() as s:
        for feed in sorted((DATA / FEEDS).glob("*.xml")):
            ingest_stage.add_feed(s, str(feed), now=ctx.clock.now())
    ingest_stage.run(ctx)


def main() -> int:  # noqa: C901 (one linear report)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print N sample briefs in full")
    parser.add_argument("--dump", type=Path, help="write every brief as JSON lines to FILE")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="tapewire-writing-"))
    settings = load_settings(data_dir=tmp, db={"url": str(tmp / "bench.db")})
    store = open_store(settings.database_url())
    http = HttpClient(settings.http)
    days = sessions()
    first = days[-1]
    load(
        RunContext(store=store, settings=settings, as_of=first, http=http, clock=FixedClock(first))
    )
    check = coherence_checker()
    views: list[Any] = []
    rejected: list[str] = []
    unaccounted = 0
    incoherent: list[str] = []
    for as_of in days:
        ctx = RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
        )
        for stage in (enrich_stage.run, technicals_stage.run, signals_stage.run):
            stage(ctx)
        report = newsroom_stage.run(ctx)
        rejected += [e for e in report.errors if "ungrounded" in e or "coheren" in e]
        written = newsroom_queries.list_briefs(store, limit=500, until=as_of)
        todays = [b for b in written if b.as_of.replace(tzinfo=UTC) == as_of]
        accounted = sum(report.counts.values()) + len(report.errors)
        # every instrument is tried twice (session brief, story brief); a story brief that does
        # not qualify says nothing, so count only session outcomes against instruments
        if report.counts.get("briefs", 0) != len(todays):
            unaccounted += abs(report.counts.get("briefs", 0) - len(todays))
        del accounted
        for b in todays:
            view = newsroom_queries.get_brief(store, b.slug)
            assert view is not None
            if not view.instruments:
                continue  # the daily market brief: its own writer, not an instrument brief
            views.append(view)
            if check is not None:
                incoherent += [f"{b.slug}: {p}" for p in coherence_failures(check, view)]
    http.close()
    store.close()
    elapsed = time.perf_counter() - started

    slots: dict[str, list[str]] = {"headline": [], "summary": [], "take": []}
    masked_all: list[str] = []
    for view in views:
        names = names_of(view.facts)
        slots["headline"].append(mask(view.headline, names))
        slots["summary"].append(mask(view.dek, names))
        slots["take"].append(mask(view.sections.get("take", ""), names))
        for i, para in enumerate(view.sections.get("analysis", [])):
            slots.setdefault(f"body[{i}]", []).append(mask(para, names))
        for key in ("risks", "opportunities"):
            items = view.sections.get(key) or []
            if items:
                slots.setdefault(f"{key}[0]", []).append(mask(items[0], names))
        masked_all.append(
            " ".join(
                mask(t, names)
                for t in [
                    view.headline,
                    view.dek,
                    *view.sections.get("analysis", []),
                    *view.sections.get("risks", []),
                    *view.sections.get("opportunities", []),
                    view.sections.get("take", ""),
                ]
            )
        )
    symbols = sorted({v.instruments[0] for v in views})
    print(
        f"{len(views)} briefs, {len(symbols)} instruments, {len(days)} sessions "
        f"({days[0]:%Y-%m-%d} .. {days[-1]:%Y-%m-%d}), {elapsed:.0f} s"
    )
    print(f"{'slot':<18} {'briefs':>6} {'top skeleton share':>19}  top skeleton")
    for slot, values in slots.items():
        share, skeleton = top_share(values)
        goal = " (goal <= 20%)" if slot in ("headline", "summary", "take") else ""
        print(f"{slot:<18} {len(values):>6} {share:>18.0%}{goal}  {skeleton[:90]!r}")
    print(f"distinct 4-gram ratio across briefs: {four_gram_ratio(masked_all):.3f}")
    with_news = sum(1 for v in views if v.facts.get("news"))
    print(f"briefs with linked news: {with_news}")
    print(f"verifier rejections: {len(rejected)}")
    for line, n in Counter(re.sub(r"\d", "#", r) for r in rejected).most_common(10):
        print(f"  - {n} x {line[:200]}")
    print(f"silent drops (briefs counted but not stored, or stored but not counted): {unaccounted}")
    if check is None:
        print("coherence failures: n/a (tapewire.newsroom.coherence not importable)")
    else:
        print(f"coherence failures: {len(incoherent)}")
        for line in incoherent[:10]:
            print(f"  - {line[:200]}")
    for view in views[: args.show]:
        print("\n" + "=" * 80)
        print(view.headline)
        print(view.dek)
        for para in view.sections.get("analysis", []):
            print("  " + para)
        for key in ("risks", "opportunities"):
            for line in view.sections.get(key, []):
                print(f"  [{key}] {line}")
        print("  Take: " + view.sections.get("take", ""))
    if args.dump:
        with args.dump.open("w") as out:
            for view in views:
                out.write(
                    json.dumps(
                        {
                            "slug": view.slug,
                            "headline": view.headline,
                            "dek": view.dek,
                            "sections": view.sections,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
