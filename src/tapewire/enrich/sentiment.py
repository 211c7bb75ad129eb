"""Headline sentiment (pure): a small trained model plus a finance lexicon with negation.

score = P(positive) - P(negative) from ``sentiment_model`` (hashed n-grams, trained on the MIT
tweet set) + the lexicon's score, clipped to [-1, 1]; above +0.1 positive, below -0.1 negative.
Measured by ``bench/sentiment/run.py`` beside VADER on sets it was not trained on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tapewire.enrich.sentiment_model import predict_proba

MODEL_NAME = "hashlr-v1+lexicon"
Label = Literal["positive", "neutral", "negative"]

_POSITIVE = {
    "beat": 1.0,
    "beats": 1.0,
    "gain": 0.6,
    "gains": 0.6,
    "rally": 1.0,
    "rallies": 1.0,
    "jump": 0.9,
    "jumps": 0.9,
    "surge": 1.0,
    "surges": 1.0,
    "climb": 0.7,
    "climbs": 0.7,
    "rise": 0.6,
    "rises": 0.6,
    "record": 0.5,
    "upgrade": 0.9,
    "upgrades": 0.9,
    "strong": 0.6,
    "rebound": 0.7,
    "rebounds": 0.7,
    "optimism": 0.7,
    "bullish": 1.0,
    "higher": 0.5,
    "advance": 0.6,
    "advances": 0.6,
    "soar": 1.0,
    "soars": 1.0,
    "outperform": 0.7,
}
_NEGATIVE = {
    "miss": 1.0,
    "misses": 1.0,
    "fall": 0.7,
    "falls": 0.7,
    "drop": 0.7,
    "drops": 0.7,
    "slide": 0.8,
    "slides": 0.8,
    "plunge": 1.0,
    "plunges": 1.0,
    "tumble": 1.0,
    "tumbles": 1.0,
    "sink": 0.8,
    "sinks": 0.8,
    "slump": 0.9,
    "slumps": 0.9,
    "downgrade": 0.9,
    "downgrades": 0.9,
    "cut": 0.5,
    "cuts": 0.5,
    "weak": 0.6,
    "fear": 0.7,
    "fears": 0.7,
    "selloff": 0.9,
    "sell-off": 0.9,
    "bearish": 1.0,
    "lower": 0.5,
    "loss": 0.6,
    "losses": 0.6,
    "warn": 0.7,
    "warns": 0.7,
    "retreat": 0.6,
    "retreats": 0.6,
    "slip": 0.5,
    "slips": 0.5,
    "lose": 0.6,
}
_NEGATORS = {"not", "no", "never", "without", "fails", "despite"}
_WORD = re.compile(r"[a-z][a-z'-]*")
NEUTRAL_BAND = 0.1


@dataclass(frozen=True, slots=True)
class SentimentScore:
    score: float  # in [-1, 1]
    label: Label


def score_text(text: str) -> SentimentScore:
    return score_texts([text])[0]


def score_texts(texts: Sequence[str]) -> list[SentimentScore]:
    """Scores for many texts at once (the model runs vectorized)."""
    probs = predict_proba(texts)
    out = []
    for text, (negative, _neutral, positive) in zip(texts, probs, strict=True):
        score = max(-1.0, min(1.0, float(positive - negative) + lexicon_score(text)))
        out.append(SentimentScore(round(score, 4), _label(score)))
    return out


def _label(score: float) -> Label:
    return (
        "positive" if score > NEUTRAL_BAND else "negative" if score < -NEUTRAL_BAND else "neutral"
    )


def lexicon_score(text: str) -> float:
    """The finance lexicon alone, in [-1, 1] (negation within two words flips a term)."""
    words = _WORD.findall(text.lower())
    total = 0.0
    hits = 0
    for i, word in enumerate(words):
        weight = _POSITIVE.get(word, 0.0) - _NEGATIVE.get(word, 0.0)
        if not weight:
            continue
        if any(w in _NEGATORS for w in words[max(0, i - 2) : i]):
            weight = -weight
        total += weight
        hits += 1
    return max(-1.0, min(1.0, total / (hits + 1.0))) if hits else 0.0
