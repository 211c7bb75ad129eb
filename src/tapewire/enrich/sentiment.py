"""Headline sentiment (pure): one small trained model that reads a finance lexicon and phrase rules.

How model and rules combine: the lexicon's weights and the phrase-rule hits
(``sentiment_lexicon``: "beats/misses estimates", "cuts/raises guidance", "downgraded",
"price target raised", "falls short", "record loss", "down 5%", negation) are features of the
logistic regression in ``sentiment_model`` next to hashed stem n-grams, so the weight each gets
is learned from the MIT tweet set rather than set by hand. The score is
``P(positive) - P(negative)`` in [-1, 1]; the label is positive above the band, negative below
minus the band, else neutral, where the band is chosen by cross-validation on the tweet training
split (``scripts/train_sentiment.py``) and shipped in the model file.

Measured by ``bench/sentiment/run.py`` beside VADER on sets it was not trained on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from io import BytesIO
from typing import Literal

import numpy as np

from tapewire.enrich.sentiment_lexicon import mark_negation, stem, term_hits
from tapewire.enrich.sentiment_model import predict_proba, words_of

MODEL_NAME = "hashlr-v4+lexicon+own-sentences"
Label = Literal["positive", "neutral", "negative"]


@dataclass(frozen=True, slots=True)
class SentimentScore:
    score: float  # P(positive) - P(negative), in [-1, 1]
    label: Label


@functools.cache
@functools.cache
def neutral_band() -> float:
    """The |score| at or below which a text is neutral (chosen by CV on tweets, shipped)."""
    raw = resources.files("tapewire.enrich").joinpath("data/sentiment.npz").read_bytes()
    with np.load(BytesIO(raw)) as data:
        return float(data["band"])


def score_text(text: str) -> SentimentScore:
    return score_texts([text])[0]


def score_texts(texts: Sequence[str]) -> list[SentimentScore]:
    """Scores for many texts at once (the model runs vectorized)."""
    probs = predict_proba(texts)
    scores = (probs[:, 2] - probs[:, 0]).astype(float).round(4).tolist()
    band = neutral_band()
    return [SentimentScore(s, label_of(s, band)) for s in scores]


def label_of(score: float, band: float) -> Label:
    if score > band:
        return "positive"
    return "negative" if score < -band else "neutral"


def lexicon_score(text: str) -> float:
    """The finance lexicon alone, in [-1, 1] (for inspection; the model weighs it itself)."""
    words = words_of(text)
    pos, neg = term_hits([stem(w) for w in words], mark_negation(words))
    return max(-1.0, min(1.0, (pos - neg) / (pos + neg + 1.0))) if pos or neg else 0.0
