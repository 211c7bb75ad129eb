"""Phrase banks of the deterministic writer: headlines, hooks and takes, chosen by a stable hash.

A choice depends on (instrument, as_of, slot) only, so briefs vary across instruments and days
while a rerun writes the very same text. No phrase holds a number: numbers are formatted from the
fact sheet by the writer (``writers.base.fmt_*``) and checked by the verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any


def pick(options: Sequence[str], facts: dict[str, Any], slot: str) -> str:
    """A stable choice per (instrument, as_of, slot)."""
    key = f"{facts['instrument']['symbol']}|{facts['as_of']}|{slot}".encode()
    return options[int(hashlib.sha256(key).hexdigest(), 16) % len(options)]


UP_SMALL = ("rises", "climbs", "gains", "advances", "firms")
UP_BIG = ("jumps", "rallies", "surges", "leaps")
DOWN_SMALL = ("slips", "eases", "dips", "edges lower", "softens")
DOWN_BIG = ("falls", "slides", "drops", "tumbles", "sinks")

HOOK_NEUTRAL = ("in a mixed tape", "with no clear trend", "as traders wait for a break")
HOOK_WITH_TREND = ("with momentum on its side", "extending its trend", "as the trend holds")
HOOK_AGAINST = (
    "against a {direction} read",
    "but the broader read stays {direction}",
    "in a move against its {direction} trend",
)

BREAK_DOWN = (
    "{name} breaks support at {level}",
    "{name} slips through its {level} floor",
    "Support gives way: {name} closes under {level}",
)
BREAK_UP = (
    "{name} clears resistance at {level}",
    "{name} breaks out above {level}",
    "Resistance falls: {name} closes over {level}",
)
TURN = (
    "{name} turns {direction} as Pulse flips from {previous}",
    "Pulse flips to {direction} on {name}",
    "{name}: the read moves from {previous} to {direction}",
)
STORY = (
    "{name} in focus as {outlets} outlets run the same story",
    "One story, {outlets} outlets: {name} draws a crowd",
    "{name} heats up: {outlets} outlets on one story",
)
# {price} is the bar's high (low): an intraday extreme, said so (``template._extreme`` picks
# only a full year on record and a close that set the year's closing extreme too).
EXTREME_HIGH = (
    "{name} hits a 52-week high of {price} intraday",
    "{name} sets a one-year intraday high of {price}",
)
EXTREME_LOW = (
    "{name} sinks to a 52-week intraday low of {price}",
    "{name} marks a one-year low of {price} intraday",
)

TAKE = {
    ("Bullish", "calm"): (
        "The tape favours the bulls while support holds.",
        "Trend and momentum agree: the bias is up while support holds.",
        "Buyers are in control; a close under support would be the first crack.",
    ),
    ("Bullish", "rough"): (
        "The bias is up, but the ride is rough: size positions for the volatility.",
        "Bullish, with risk elevated: respect the nearest support.",
    ),
    ("Bearish", "calm"): (
        "Sellers have the upper hand until resistance is reclaimed.",
        "The bias is down; a reclaim of resistance would change that.",
        "Rallies into resistance are for selling until the trend turns.",
    ),
    ("Bearish", "rough"): (
        "Bearish and volatile: the path of least resistance is lower until a floor holds.",
        "Sellers lead and risk is high: wait for a base before buying.",
    ),
    ("Neutral", "calm"): (
        "No edge either way: let the levels decide.",
        "A range-bound read: wait for a break of the levels above or below.",
        "Balanced for now; the next close outside the range sets the tone.",
    ),
    ("Neutral", "rough"): (
        "No clear direction and a choppy tape: the levels matter more than the mood.",
        "Mixed signals in a volatile market: smaller size until a side wins.",
    ),
}
