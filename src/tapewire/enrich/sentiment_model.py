"""The sentiment model (pure numpy at run time): a three-class logistic regression over hashed
stem n-grams plus the finance lexicon and phrase rules as features, trained by
``scripts/train_sentiment.py`` on the MIT-licensed financial tweet set and shipped as
``data/sentiment.npz`` (float16 weights). Nothing is downloaded.

Features of a text (lower-cased; URLs and @handles removed; a $cashtag becomes the word
``<ticker>``, a dollar amount with its unit ("$5 billion", "$12m") ``<money>``, a quarter ("Q3",
"3Q", "third-quarter") ``<quarter>``; other numbers folded to ``<num>``/``<pct>``):
- stems (``sentiment_lexicon.stem``), ``not_``-marked within two words after a negator, and
  pairs of adjacent marked stems, hashed (CRC-32; a pair mixes its two words' hashes) into
  ``HASHED`` rows, each row counted once per text (binary, not a count);
- four dense features in the last rows: the lexicon's positive and negative weight and the
  counts of positive and negative phrase-rule hits (``sentiment_lexicon``). They are shared by
  every sentence, so what the model learns about them on tweets carries to headlines whose
  words the tweets never used.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Sequence
from importlib import resources
from io import BytesIO

import numpy as np
import numpy.typing as npt

from tapewire.enrich.sentiment_lexicon import (
    NEGATION_SPAN,
    is_negator,
    rule_hits,
    stem,
    term_hits,
)

HASH_BITS = 16
HASHED = 1 << HASH_BITS  # hashed n-gram rows
DENSE = ("lexicon_pos", "lexicon_neg", "rule_pos", "rule_neg")
BUCKETS = HASHED + len(DENSE)  # rows of W
LABELS = ("negative", "neutral", "positive")
_NOISE = re.compile(r"https?://\S+|www\.\S+|@[A-Za-z][\w.]*|&amp;")
_DOLLAR = re.compile(  # a $cashtag, or a dollar amount with its unit ("$5 billion", "$12m")
    r"\$(?:(?P<ticker>[A-Za-z][\w.]*)|\d[\d,.]*(?:\s*(?:billion|million|bn|mln|m|b|k)\b)?)",
    re.IGNORECASE,
)
_QUARTER = re.compile(r"\b(?:q[1-4]|[1-4]q|(?:first|second|third|fourth)-quarter)\b")
_TOKEN = re.compile(r"<[a-z]+>|[a-z][a-z'&-]*[a-z]|[a-z]|[+-]?\d+(?:[.,]\d+)*%?")
_MIX = 0x9E3779B1  # golden-ratio multiplier: spreads a pair of word hashes over 32 bits
_MASK32 = 0xFFFFFFFF

Row = tuple[list[int], list[float]]


def normalize(text: str) -> str:
    """Lower-case text without URLs and @handles, $cashtags as <ticker>, dollar amounts as
    <money>, quarters as <quarter>; curly quotes made straight."""
    if "$" in text:  # the checks skip a regex pass over most texts
        text = _DOLLAR.sub(lambda m: " <ticker> " if m.group("ticker") else " <money> ", text)
    text = _NOISE.sub(" ", text).lower().replace("\u2019", "'").replace("\u2018", "'")
    return _QUARTER.sub(" <quarter> ", text) if "q" in text else text


def words_of(text: str) -> list[str]:
    """The word tokens of a text, numbers folded to <num>, <pct>, <pct_up> ("+5%"), <pct_down>;
    <ticker>, <money> and <quarter> as ``normalize`` marks them."""
    return [_fold(w) for w in _TOKEN.findall(normalize(text))]


def _fold(word: str) -> str:
    if word[0].isalpha() or word[0] == "<":
        return word
    if not word.endswith("%"):
        return "<num>"
    return "<pct_up>" if word[0] == "+" else "<pct_down>" if word[0] == "-" else "<pct>"


@functools.lru_cache(maxsize=1 << 16)
def _word(word: str) -> tuple[str, int, int, bool]:
    """(stem, hash of the stem, hash of "not_" + stem, is a negator), once per distinct word."""
    root = stem(word)
    return root, zlib.crc32(root.encode()), zlib.crc32(b"not_" + root.encode()), is_negator(word)


def features(text: str) -> Row:
    """(row indices, values) of one text: hashed stem n-grams (value 1) and the dense features."""
    stems: list[str] = []
    negated: list[bool] = []
    hashes: list[int] = []
    left = 0
    for word in words_of(text):
        root, plain, marked, negator = _word(word)
        stems.append(root)
        negated.append(left > 0)
        hashes.append(marked if left else plain)
        left = NEGATION_SPAN if negator else max(0, left - 1)
    index = [h & (HASHED - 1) for h in hashes]
    index += [
        ((a * _MIX ^ b) * _MIX & _MASK32) >> (32 - HASH_BITS) for a, b in itertools.pairwise(hashes)
    ]
    index = list(dict.fromkeys(index))  # binary: a repeated n-gram counts once
    values = [1.0] * len(index)
    lex_pos, lex_neg = term_hits(stems, negated)
    rule_pos, rule_neg = rule_hits(stems, negated)
    for offset, value in enumerate((lex_pos, lex_neg, float(rule_pos), float(rule_neg))):
        if value:
            index.append(HASHED + offset)
            values.append(value)
    return index, values


def pack(
    rows: Sequence[Row],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32], npt.NDArray[np.intp]]:
    """Concatenated indices and values, and each row's start (empty rows get one zero entry)."""
    index: list[int] = []
    values: list[float] = []
    starts = np.empty(len(rows), dtype=np.intp)
    for i, (idx, val) in enumerate(rows):
        starts[i] = len(index)
        if idx:
            index += idx
            values += val
        else:
            index.append(0)
            values.append(0.0)
    return np.asarray(index, dtype=np.intp), np.asarray(values, dtype=np.float32), starts


def compute_logits(
    weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32], rows: Sequence[Row]
) -> npt.NDArray[np.float32]:
    """Logits (n x 3) of packed feature rows: one gather and one segmented sum for the batch."""
    if not rows:
        return np.zeros((0, 3), dtype=np.float32)
    index, values, starts = pack(rows)
    contrib = weights[index] * values[:, None]
    logits: npt.NDArray[np.float32] = np.add.reduceat(contrib, starts, axis=0) + bias
    return logits


def softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs: npt.NDArray[np.float32] = exp / exp.sum(axis=1, keepdims=True)
    return probs


@functools.cache
def load_weights() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(W: BUCKETS x 3, b: 3), read once from the shipped file."""
    raw = resources.files("tapewire.enrich").joinpath("data/sentiment.npz").read_bytes()
    with np.load(BytesIO(raw)) as data:
        return data["W"].astype(np.float32), data["b"].astype(np.float32)


def predict_proba(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Class probabilities (negative, neutral, positive) per text."""
    weights, bias = load_weights()
    return softmax(compute_logits(weights, bias, [features(t) for t in texts]))
