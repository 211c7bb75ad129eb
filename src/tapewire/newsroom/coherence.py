"""Coherence rules: a brief must not contradict itself (pure), run on every brief before it is
published, after the verifier has grounded each claim on its own.

Rules (``RULES``; each finding names its rule, the text and why):

- ``take_components``: the Take agrees with the components it cites. "Trend and momentum agree"
  needs the trend and momentum components of Pulse and the MACD (histogram) all pointing the
  Take's way; a bullish Take ("buyers", "bulls", "the bias is up") needs a Bullish read, a
  bearish one a Bearish read, a no-edge one a Neutral read; "while support holds" needs a level
  below the close, "reclaim of resistance" one above it.
- ``risk_regime``: Risk agrees with the regime it names. A text naming the VIX regime names the
  fact sheet's regime; "the VIX regime is elevated" (or stressed) beside Risk "Low" must say why
  Risk stays Low (an explicit "Risk stays Low" / "but").
- ``direction``: headline, dek and body tell the same direction. The headline's move verb
  ("rises", "slides", "breaks out") has the sign of the day's change (a break: of the close
  against the level); a direction label the text gives the read ("reads Bearish", "turns
  Bullish", "(Neutral)") is the signal's; a headline does not call a high on a down day or a low
  on an up day.
- ``twin``: an instrument and its fund (``TWINS``: ^GSPC and SPY, ^RUT and IWM, ...) on the same
  day do not read opposite ways (Bullish against Bearish) unless the text names the twin and says
  why (``facts["twin"]``: its direction, Pulse and components as of the same ``as_of``).

A brief that fails is rewritten once (``rewrite``: the failing part dropped, or replaced by a
plain sentence built from the facts), then checked again (and verified again by the caller); if
it still fails it is not published (``CoherenceError``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from tapewire.errors import VerificationError
from tapewire.newsroom.verify import Verification, verify_draft
from tapewire.newsroom.writers.base import Draft, fmt_pct, fmt_price

RULES = ("take_components", "risk_regime", "direction", "twin")
# An index and the fund that tracks it (both ways).
TWIN_PAIRS = (
    ("^GSPC", "SPY"),
    ("^RUT", "IWM"),
    ("^NDX", "QQQ"),
    ("^DJI", "DIA"),
    ("GC=F", "GLD"),
    ("SI=F", "SLV"),
    ("CL=F", "USO"),
)
TWINS = dict(TWIN_PAIRS) | {fund: index for index, fund in TWIN_PAIRS}
STEADY_PCT = 0.05  # a smaller day change reads as "holds steady", no direction


class CoherenceError(VerificationError):
    """The brief contradicts itself even after one rewrite: it is not published."""


@dataclass(frozen=True, slots=True)
class Incoherence:
    rule: str  # one of RULES
    part: str  # headline | dek | analysis | watch | risks | opportunities | take
    text: str
    why: str

    def line(self) -> str:
        return f"{self.rule}: {self.why} ({self.part}: {self.text[:80]!r})"


_UP_VERBS = (
    r"rises|climbs|gains|advances|firms|jumps|rallies|surges|leaps|edges higher|"
    r"breaks out|clears resistance|closes over|closes above"
)
_DOWN_VERBS = (
    r"slips|eases|dips|edges lower|softens|falls|slides|drops|tumbles|sinks|"
    r"breaks support|slips through|closes under|closes below|gives way"
)
_UP = re.compile(rf"\b(?:{_UP_VERBS})\b|\bResistance falls\b", re.IGNORECASE)
_DOWN = re.compile(rf"\b(?:{_DOWN_VERBS})\b", re.IGNORECASE)
_LABEL = re.compile(
    r"\b(?:reads?|turns?|turned|flips? to|is now|stays?|remains?|moves? to|to)\s+"
    r"(?P<label>Bullish|Bearish|Neutral)\b|\((?P<paren>Bullish|Bearish|Neutral)\)"
)
_REGIME = re.compile(
    r"\bVIX(?: regime)?(?: at [\d,.]+)?(?: is| reads| sits)? (calm|normal|elevated|stressed)\b"
)
_WHY_LOW = re.compile(r"\bRisk (?:stays|remains|is still|holds at) Low\b|\bbut\b", re.IGNORECASE)
_TAKE_BULL = re.compile(r"\b(?:bulls?|buyers|bias is up|favours the bulls|upside)\b", re.IGNORECASE)
_TAKE_BEAR = re.compile(r"\b(?:bears?|sellers|bias is down|for selling|lower)\b", re.IGNORECASE)
_TAKE_FLAT = re.compile(
    r"\b(?:no edge|range-bound|balanced|no clear direction|mixed signals)\b", re.IGNORECASE
)
_AGREE = re.compile(r"\btrend and momentum agree\b|\bmomentum on its side\b", re.IGNORECASE)
_SUPPORT_HOLDS = re.compile(
    r"\bsupport holds\b|\bnearest support\b|\bclose under support\b", re.IGNORECASE
)
_RESISTANCE = re.compile(
    r"\b(?:reclaim|into) (?:of )?resistance\b|\bresistance is reclaimed\b", re.IGNORECASE
)


def cohere(draft: Draft, facts: dict[str, Any]) -> tuple[Draft, Verification | None]:
    """The draft if it is coherent (verification None: the caller's stands), else its one
    rewrite, checked again and verified again.

    Raises:
        CoherenceError: the rewrite still contradicts itself or fails verification.
    """
    problems = check_coherence(draft, facts)
    if not problems:
        return draft, None
    fixed = rewrite(draft, problems, facts)
    left = check_coherence(fixed, facts)
    verification = verify_draft(fixed, facts)
    if left or not verification.ok:
        why = "; ".join(p.line() for p in left) or ", ".join(
            c.text for c in verification.failed[:5]
        )
        raise CoherenceError(
            f"{facts['instrument']['symbol']}: brief rejected: incoherent after one rewrite: {why}"
        )
    return fixed, verification


def check_coherence(draft: Draft, facts: dict[str, Any]) -> list[Incoherence]:
    """Every finding of every rule, in reading order of the rules."""
    return [
        *_take_components(draft, facts),
        *_risk_regime(draft, facts),
        *_direction(draft, facts),
        *_twin(draft, facts),
    ]


def _parts(draft: Draft) -> Iterator[tuple[str, str]]:
    yield "headline", draft.headline
    yield "dek", draft.dek
    for key in ("analysis", "watch", "risks", "opportunities"):
        for text in draft.sections.get(key, []):
            yield key, str(text)
    yield "take", str(draft.sections.get("take", ""))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sign(value: float | None) -> int:
    return 0 if value is None or value == 0 else (1 if value > 0 else -1)


def _direction_sign(direction: str) -> int:
    return {"Bullish": 1, "Bearish": -1}.get(direction, 0)


def _components(facts: dict[str, Any]) -> dict[str, float | None]:
    return {c["name"]: c.get("value") for c in facts["signals"]["components"].get("pulse", [])}


# ---------------------------------------------------------------- rules


def _take_components(draft: Draft, facts: dict[str, Any]) -> Iterator[Incoherence]:
    take = str(draft.sections.get("take", ""))
    if not take:
        return
    direction = facts["signals"]["direction"]
    want = _direction_sign(direction)
    if _AGREE.search(take):
        comps = _components(facts)
        macd = (facts.get("price") or {}).get("macd_hist")
        signs = {
            "trend": _sign(comps.get("trend")),
            "momentum": _sign(comps.get("momentum")),
            "MACD": _sign(macd),
        }
        against = [name for name, sign in signs.items() if sign != want or want == 0]
        if against:
            yield Incoherence(
                "take_components",
                "take",
                take,
                f"the Take says trend and momentum agree on a {direction} read, but "
                f"{_join(against)} {'does' if len(against) == 1 else 'do'} not point that way",
            )
    bull, bear = bool(_TAKE_BULL.search(take)), bool(_TAKE_BEAR.search(take))
    flat = bool(_TAKE_FLAT.search(take))
    stance = 1 if bull and not bear else -1 if bear and not bull else 0
    if flat and direction != "Neutral":
        yield Incoherence("take_components", "take", take, f"a no-edge Take on a {direction} read")
    elif not flat and stance != 0 and stance != want:
        yield Incoherence(
            "take_components",
            "take",
            take,
            f"a {'bullish' if stance > 0 else 'bearish'} Take on a {direction} read",
        )
    close = float(facts["price"]["close"])
    levels = facts.get("levels") or []
    if _SUPPORT_HOLDS.search(take) and not any(lv["price"] < close for lv in levels):
        yield Incoherence(
            "take_components", "take", take, "it cites support, but no level is below"
        )
    if _RESISTANCE.search(take) and not any(lv["price"] > close for lv in levels):
        yield Incoherence(
            "take_components", "take", take, "it cites resistance, but no level is above"
        )


def _risk_regime(draft: Draft, facts: dict[str, Any]) -> Iterator[Incoherence]:
    risk = facts["signals"]["components"].get("risk") or {}
    regime, label = risk.get("vix_regime"), facts["signals"].get("risk")
    for part, text in _parts(draft):
        for match in _REGIME.finditer(text):
            named = match.group(1)
            if named != regime:
                yield Incoherence(
                    "risk_regime",
                    part,
                    text,
                    f"it names a {named} VIX regime; the fact sheet's is {regime or 'none'}",
                )
            elif (
                named in ("elevated", "stressed")
                and label == "Low"
                and part != "watch"
                and not _WHY_LOW.search(text)
            ):
                yield Incoherence(
                    "risk_regime",
                    part,
                    text,
                    f"Risk is Low beside an {named} VIX regime, and the text does not say why",
                )


def _direction(draft: Draft, facts: dict[str, Any]) -> Iterator[Incoherence]:
    p, s = facts["price"], facts["signals"]
    change = float(p.get("change_pct") or 0.0)
    day = 0 if abs(change) < STEADY_PCT else _sign(change)
    headline = draft.headline
    breaks = [
        e
        for e in (facts.get("trigger") or {}).get("events", [])
        if e.get("kind") == "level_break" and e.get("price") is not None
    ]
    up, down = bool(_UP.search(headline)), bool(_DOWN.search(headline))
    said = 1 if up and not down else -1 if down and not up else 0
    if said != 0:
        truth = day
        if breaks and re.search(
            r"break|clears|through|gives way|Resistance falls|closes", headline
        ):
            truth = -1 if breaks[0]["price"] > float(p["close"]) else 1
        if truth != said:
            yield Incoherence(
                "direction",
                "headline",
                headline,
                f"the headline moves {'up' if said > 0 else 'down'}, the close "
                f"{'rose' if truth > 0 else 'fell' if truth < 0 else 'held steady'}",
            )
    if re.search(r"\bhigh\b", headline, re.IGNORECASE) and day < 0 and not down:
        yield Incoherence(
            "direction", "headline", headline, "a high in the headline on a down close"
        )
    if re.search(r"\blow\b", headline, re.IGNORECASE) and day > 0 and not up:
        yield Incoherence("direction", "headline", headline, "a low in the headline on an up close")
    twin = (facts.get("twin") or {}).get("symbol")
    for part, text in _parts(draft):
        for sentence in re.split(r"(?<=[.;:])\s+", text):
            if twin and twin in sentence:
                continue  # the twin's own read, said as such
            for match in _LABEL.finditer(sentence):
                label = match.group("label") or match.group("paren")
                before = sentence[: match.start()].lower()
                if re.search(r"\bfrom\s*$|\bprevious\b|\bwas\s*$", before):
                    continue
                if label != s["direction"]:
                    yield Incoherence(
                        "direction",
                        part,
                        text,
                        f"it calls the read {label}; the signal reads {s['direction']}",
                    )


def _twin(draft: Draft, facts: dict[str, Any]) -> Iterator[Incoherence]:
    twin = facts.get("twin")
    if not twin:
        return
    mine, theirs = facts["signals"]["direction"], twin.get("direction")
    if _direction_sign(mine) * _direction_sign(str(theirs)) >= 0:
        return  # the same way, or one of them neutral
    if any(twin["symbol"] in text for _, text in _parts(draft)):
        return  # the text names the twin (the rewrite's sentence says why)
    yield Incoherence(
        "twin",
        "analysis",
        draft.headline,
        f"{facts['instrument']['symbol']} reads {mine} while {twin['symbol']} reads {theirs} "
        "on the same day, and the text does not say why",
    )


# ---------------------------------------------------------------- rewrite


def rewrite(draft: Draft, problems: list[Incoherence], facts: dict[str, Any]) -> Draft:
    """One rewrite: each failing part dropped or replaced by a plain sentence from the facts."""
    sections = {k: list(v) if isinstance(v, list) else v for k, v in draft.sections.items()}
    headline, dek = draft.headline, draft.dek
    for problem in problems:
        if problem.rule == "twin":
            sections["analysis"] = [*sections.get("analysis", []), twin_sentence(facts)]
        elif problem.part == "headline":
            headline = plain_headline(facts)
        elif problem.part == "dek":
            dek = plain_dek(facts)
        elif problem.part == "take":
            sections["take"] = plain_take(facts)
        else:
            sections[problem.part] = [
                t for t in sections.get(problem.part, []) if t != problem.text
            ]
    notes = (*draft.notes, *(f"coherence rewrite: {p.line()}" for p in problems))
    return replace(draft, headline=headline, dek=dek, sections=sections, notes=notes)


def plain_headline(facts: dict[str, Any]) -> str:
    name, p = facts["instrument"]["name"], facts["price"]
    change = float(p["change_pct"])
    if abs(change) < STEADY_PCT:
        return f"{name} holds steady at {fmt_price(p['close'])}"
    verb = "rises" if change > 0 else "falls"
    return f"{name} {verb} {fmt_pct(change)} to {fmt_price(p['close'])}"


def plain_dek(facts: dict[str, Any]) -> str:
    s = facts["signals"]
    return (
        f"Pulse {s['pulse']:.0f}/100 reads {s['direction']}; risk {s['risk']}, "
        f"Threat Level {s['threat']}/5."
    )


def plain_take(facts: dict[str, Any]) -> str:
    """A Take that names only what the components say: the read, what leads it, what disagrees."""
    direction = facts["signals"]["direction"]
    want = _direction_sign(direction)
    comps = {k: v for k, v in _components(facts).items() if v is not None and k != "news"}
    names = {"trend": "trend", "momentum": "momentum", "relative_strength": "relative strength"}
    with_read = [names.get(k, k) for k, v in comps.items() if want != 0 and _sign(v) == want]
    against = [names.get(k, k) for k, v in comps.items() if want != 0 and _sign(v) == -want]
    if want == 0:
        return "The components pull both ways: let the levels above and below decide."
    text = f"The read is {direction}"
    if with_read:
        text += ", led by " + " and ".join(with_read)
    if against:
        text += "; " + " and ".join(against) + " point the other way, so the case is not clean"
    return text + "."


def twin_sentence(facts: dict[str, Any]) -> str:
    """Why an instrument and its fund read opposite ways: the Pulse component that differs most."""
    twin, s = facts["twin"], facts["signals"]
    mine = {c["name"]: (c.get("value") or 0.0) * c["weight"] for c in s["components"]["pulse"]}
    theirs = {c["name"]: (c.get("value") or 0.0) * c["weight"] for c in twin.get("components", [])}
    gap = max(mine, key=lambda k: abs(mine[k] - theirs.get(k, 0.0)), default=None)
    text = (
        f"{twin['symbol']}, its {'fund' if twin.get('is_fund') else 'index'} twin, reads "
        f"{twin['direction']} (Pulse {twin['pulse']:.0f}/100) on the same day"
    )
    if gap is not None:
        text += f": the two part ways on {gap.replace('_', ' ')}"
        if gap == "news":
            text += ", as different news items are linked to each"
        elif gap == "relative_strength":
            text += ", each measured against its own benchmark"
    return text + "."
