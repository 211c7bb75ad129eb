"""A small sentiment model (pure numpy at run time): hashed word and word-pair features, a
three-class logistic regression trained by ``scripts/train_sentiment.py`` on the MIT-licensed
financial tweet set, shipped as ``data/sentiment.npz`` (float16 weights). Nothing is downloaded.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Iterable, Sequence
from importlib import resources
from io import BytesIO

import numpy as np
import numpy.typing as npt

BUCKETS = 1 << 16  # hashed feature space
LABELS = ("negative", "neutral", "positive")
_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"\$[a-z]+|[a-z][a-z'+-]*|\d+(?:\.\d+)?%?")
_NEGATORS = frozenset({"not", "no", "never", "without", "n't", "cannot", "fails", "failed"})


def features(text: str) -> list[int]:
    """Hashed unigrams and bigrams; a negation word marks the next two words ("not_rise")."""
    words = _TOKEN.findall(_URL.sub(" ", text.lower()))
    marked: list[str] = []
    negate = 0
    for word in words:
        if word.startswith("$"):
            word = "$ticker"
        elif word[0].isdigit():
            word = "<pct>" if word.endswith("%") else "<num>"
        marked.append(f"not_{word}" if negate else word)
        negate = 2 if word in _NEGATORS or word.endswith("n't") else max(0, negate - 1)
    grams = marked + [f"{a} {b}" for a, b in itertools.pairwise(marked)]
    return [zlib.crc32(g.encode()) & (BUCKETS - 1) for g in grams]


@functools.cache
def load_weights() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(W: BUCKETS x 3, b: 3), read once from the shipped file."""
    raw = resources.files("tapewire.enrich").joinpath("data/sentiment.npz").read_bytes()
    with np.load(BytesIO(raw)) as data:
        return data["W"].astype(np.float32), data["b"].astype(np.float32)


def predict_proba(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Class probabilities (negative, neutral, positive) per text."""
    weights, bias = load_weights()
    logits = np.empty((len(texts), 3), dtype=np.float32)
    for i, text in enumerate(texts):
        idx = features(text)
        logits[i] = weights[idx].sum(axis=0) + bias if idx else bias
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    probs: npt.NDArray[np.float32] = exp / exp.sum(axis=1, keepdims=True)
    return probs


def train(
    texts: Iterable[str],
    labels: Sequence[int],
    *,
    epochs: int = 8,
    lr: float = 0.5,
    l2: float = 1e-6,
    seed: int = 0,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Softmax regression by mini-batch SGD over sparse hashed features (deterministic)."""
    rows = [features(t) for t in texts]
    y = np.asarray(labels)
    weights = np.zeros((BUCKETS, 3), dtype=np.float32)
    bias = np.zeros(3, dtype=np.float32)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        step = lr / (1 + epoch)
        for i in rng.permutation(len(rows)):
            idx = rows[i]
            logits = (weights[idx].sum(axis=0) if idx else 0) + bias
            p = np.exp(logits - logits.max())
            p /= p.sum()
            p[y[i]] -= 1.0  # gradient of the cross-entropy w.r.t. the logits
            if idx:
                np.add.at(weights, idx, -step * p)
            bias -= step * p
        weights *= 1 - l2
    return weights, bias
