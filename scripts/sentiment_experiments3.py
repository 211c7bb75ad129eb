"""Experiments for issue #10 part 4 (branch tone3): feature and decision variants of the sentence
sentiment model, each measured on tweets 3-fold CV (train split only) and on the *tune* half of
our labelled headlines. The held-out half and the tweet valid split are never read here.

    .venv/bin/python scripts/sentiment_experiments3.py base tri tick cues ...

Each name is a variant (see ``VARIANTS``); prints, per variant, the best band by the mean of the
two accuracies, the figures at band 0.15, and the two-stage decision (neutral when
P(neutral) > t, else the larger of P(pos), P(neg)).
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_sentiment as ts  # a script beside this one

from tapewire.enrich import tone
from tapewire.enrich.sentiment_lexicon import NEGATION_SPAN, is_negator, rule_hits, stem, term_hits
from tapewire.enrich.sentiment_model import normalize

Row = tuple[list[int], list[float]]
_MIX = 0x9E3779B1
_MASK32 = 0xFFFFFFFF
_TOKEN = re.compile(r"[a-z][a-z'&-]*[a-z]|[a-z]|[+-]?\d+(?:[.,]\d+)*%?")
_NOISE_KEEP = re.compile(r"https?://\S+|www\.\S+|@[A-Za-z][\w.]*|&amp;")
_CASHTAG = re.compile(r"\$[A-Za-z][\w.]*")
_MONEY = re.compile(r"\$\d[\d,.]*(?:\s*(?:billion|million|bn|mln|m|b|k)\b)?", re.I)
_QUARTER = re.compile(
    r"\b(?:q[1-4]|[1-4]q|first-quarter|second-quarter|third-quarter|fourth-quarter)\b"
)


def make_features(
    *,
    bits: int = 16,
    trigrams: bool = False,
    tickers: bool | str = False,
    cues: bool = False,
    binary: bool = False,
    skip: bool = False,
    dense_scale: float = 1.0,
    ngram_value: float = 1.0,
    subword: float = 0.0,
    neg_span: int = NEGATION_SPAN,
) -> tuple[Callable[[str], Row], int]:
    hashed = 1 << bits
    n_dense = 4 + (4 if cues else 0)

    def words(text: str) -> list[str]:
        if tickers:
            parts = "cmq" if tickers is True else str(tickers)
            if "c" in parts:
                text = _CASHTAG.sub(" tickertok ", text)
            if "m" in parts:
                text = _MONEY.sub(" moneytok ", text)
            text = normalize(text)
            if "q" in parts:
                text = _QUARTER.sub(" quartertok ", text)
        else:
            text = normalize(text)
        return [_fold(w) for w in _TOKEN.findall(text)]

    def feats(text: str) -> Row:
        stems: list[str] = []
        negated: list[bool] = []
        hashes: list[int] = []
        left = 0
        words_of_text = words(text)
        for word in words_of_text:
            root = stem(word)
            stems.append(root)
            negated.append(left > 0)
            hashes.append(zlib.crc32((b"not_" if left else b"") + root.encode()))
            left = neg_span if is_negator(word) else max(0, left - 1)
        index = [h & (hashed - 1) for h in hashes]
        index += [
            ((a * _MIX ^ b) * _MIX & _MASK32) >> (32 - bits) for a, b in itertools.pairwise(hashes)
        ]
        if trigrams:
            index += [
                (((a * _MIX ^ b) * _MIX ^ c) * _MIX & _MASK32) >> (32 - bits)
                for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)
            ]
        if skip:
            index += [
                (((a * _MIX ^ 7) * _MIX ^ c) * _MIX & _MASK32) >> (32 - bits)
                for a, c in zip(hashes, hashes[2:], strict=False)
            ]
        if subword:
            for word in words_of_text:
                index += _subwords(word, hashed)
        if binary:
            index = sorted(set(index))
        values = [ngram_value] * len(index)
        if subword:
            n_word = len(words_of_text)
            values = [1.0] * (2 * n_word - 1 if n_word else 0)
            values += [subword] * (len(index) - len(values))
        lex_pos, lex_neg = term_hits(stems, negated)
        rule_pos, rule_neg = rule_hits(stems, negated)
        dense = [lex_pos, lex_neg, float(rule_pos), float(rule_neg)]
        if cues:
            price = domain = 0.0
            for clause in tone._clauses(text):
                verdict = tone._score_clause(clause)
                if verdict.kind == tone.PRICE:
                    price += verdict.score
                else:
                    domain += verdict.score
            dense += [max(price, 0.0), max(-price, 0.0), max(domain, 0.0), max(-domain, 0.0)]
        for offset, value in enumerate(dense):
            if value:
                index.append(hashed + offset)
                values.append(value * dense_scale)
        return index, values

    return feats, hashed + n_dense


@functools.lru_cache(maxsize=1 << 16)
def _subwords(word: str, hashed: int) -> list[int]:
    """Hashed character 3- to 5-grams of "<word>" (fastText-style subwords)."""
    marked = f"<{word}>"
    return [
        zlib.crc32(b"#" + marked[i : i + n].encode()) & (hashed - 1)
        for n in (3, 4, 5)
        for i in range(len(marked) - n + 1)
    ]


def _fold(word: str) -> str:
    if word[0].isalpha():
        return word
    if not word.endswith("%"):
        return "<num>"
    return "<pct_up>" if word[0] == "+" else "<pct_down>" if word[0] == "-" else "<pct>"


def nb_ratios(
    index: npt.NDArray[np.intp],
    row_of: npt.NDArray[np.intp],
    y: npt.NDArray[np.intp],
    buckets: int,
    hashed: int,
    alpha: float,
    power: float,
) -> npt.NDArray[np.float32]:
    """Per-class NB log-count ratios |r_c| ** power (one class vs the rest, binarized counts);
    dense rows keep 1 (Wang & Manning 2012, the scaling folded into the weights at export)."""
    pairs = np.unique(np.stack([row_of, index]), axis=1)
    cls = y[pairs[0]]
    ratio = np.ones((buckets, 3), dtype=np.float32)
    for c in range(3):
        p = np.bincount(pairs[1][cls == c], minlength=buckets)[:hashed] + alpha
        q = np.bincount(pairs[1][cls != c], minlength=buckets)[:hashed] + alpha
        r = np.log(p / p.sum()) - np.log(q / q.sum())
        ratio[:hashed, c] = np.abs(r) ** power
    return ratio


def train(
    rows: Sequence[Row],
    y: npt.NDArray[np.intp],
    buckets: int,
    l2: float,
    steps: int = 300,
    nb: tuple[float, float] | None = None,
    n_own: int = 0,
    own_w: float = 1.0,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    index, values, starts = ts.pack(rows)
    row_of = np.repeat(np.arange(len(rows)), np.diff(np.append(starts, len(index))))
    hashed = buckets - (buckets & 0xFF)
    scale = (
        nb_ratios(index, row_of, y, buckets, hashed, *nb)
        if nb
        else np.ones((buckets, 3), dtype=np.float32)
    )
    sample_w = np.ones(len(rows), dtype=np.float32)
    if n_own:
        sample_w[len(rows) - n_own :] = own_w
    sample_w /= sample_w.sum()
    weights, bias = ts.adam_softmax(
        index,
        values,
        starts,
        y,
        sample_w,
        l2=l2,
        buckets=buckets,
        steps=steps,
        scale_at=scale[index],
    )
    return weights * scale, bias


VARIANTS: dict[str, dict[str, object]] = {
    "base": {},
    "tri": {"trigrams": True},
    "skip": {"skip": True},
    "tick": {"tickers": True},
    "cues": {"cues": True},
    "bin": {"binary": True},
    "b18": {"bits": 18},
    "l2lo": {"l2": 1e-5},
    "nb": {"nb": (1.0, 1.0)},
    "nb-l2lo": {"nb": (1.0, 1.0), "l2": 1e-5},
    "nb-l2hi": {"nb": (1.0, 1.0), "l2": 1e-3},
    "nb-sqrt": {"nb": (1.0, 0.5)},
    "tick+bin": {"tickers": True, "binary": True},
    "tick+bin+d3": {"tickers": True, "binary": True, "dense_scale": 3.0},
    "d3": {"dense_scale": 3.0},
    "d10": {"dense_scale": 10.0},
    "ng05": {"ngram_value": 0.5},
    "tb-s150": {"tickers": True, "binary": True, "steps": 150},
    "tb-s600": {"tickers": True, "binary": True, "steps": 600},
    "tb-c": {"tickers": "c", "binary": True},
    "tb-m": {"tickers": "m", "binary": True},
    "tb-q": {"tickers": "q", "binary": True},
    "tb-own05": {"tickers": True, "binary": True, "own": 0.5},
    "tb-own2": {"tickers": True, "binary": True, "own": 2.0},
    "tb-neg1": {"tickers": True, "binary": True, "neg_span": 1},
    "tb-neg3": {"tickers": True, "binary": True, "neg_span": 3},
    "tb-neg9": {"tickers": True, "binary": True, "neg_span": 9},
    "sub": {"subword": 0.3},
    "sub1": {"subword": 1.0},
    "tick+nb": {"tickers": True, "nb": (1.0, 1.0)},
    "l2hi": {"l2": 3e-4},
    "tri+cues": {"trigrams": True, "cues": True},
    "tick+cues": {"tickers": True, "cues": True},
    "tri+tick+cues": {"trigrams": True, "tickers": True, "cues": True},
    "b18+tri+cues": {"bits": 18, "trigrams": True, "cues": True},
}


def main() -> int:
    import csv

    with ts.SOURCE.open(encoding="utf-8", errors="replace") as handle:
        tweets = [(r["text"], ts.TWEET_TO_CLASS[int(r["label"])]) for r in csv.DictReader(handle)]
    own = ts.generate()
    spec_tune = ts.load_tune  # noqa: F841 (documentation: the same tune half as training)
    import importlib.util

    spec = importlib.util.spec_from_file_location("tone_set", ts.TONE_SET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tune = [(t, ts.LABEL_TO_CLASS[label]) for _, t, label in module.load_labelled("tune")]
    y = np.asarray([c for _, c in tweets], dtype=np.intp)
    y_own = np.asarray([c for _, c in own], dtype=np.intp)
    y_tune = np.asarray([c for _, c in tune], dtype=np.intp)
    fold = np.random.default_rng(0).permutation(len(tweets)) % ts.FOLDS
    for name in sys.argv[1:]:
        opts = dict(VARIANTS[name])
        l2 = float(opts.pop("l2", 1e-4))  # type: ignore[arg-type]
        nb = opts.pop("nb", None)
        steps = int(opts.pop("steps", 300))  # type: ignore[call-overload]
        own_w = float(opts.pop("own", 1.0))  # type: ignore[arg-type]
        feats, buckets = make_features(**opts)  # type: ignore[arg-type]
        start = time.process_time()
        rows = [feats(t) for t, _ in tweets]
        rows_own = [feats(t) for t, _ in own]
        rows_tune = [feats(t) for t, _ in tune]
        feat_cpu = time.process_time() - start
        rate = (len(rows) + len(rows_own) + len(rows_tune)) / feat_cpu
        probs = np.zeros((len(rows), 3), dtype=np.float32)
        for k in range(ts.FOLDS):
            tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            w, b = train(
                [rows[i] for i in tr] + rows_own,
                np.concatenate([y[tr], y_own]),
                buckets,
                l2,
                steps,
                nb,
                len(rows_own),
                own_w,
            )  # type: ignore[arg-type]
            probs[te] = ts.predict(w, b, [rows[i] for i in te])
        w, b = train(
            rows + rows_own,
            np.concatenate([y, y_own]),
            buckets,
            l2,
            steps,
            nb,
            len(rows_own),
            own_w,
        )  # type: ignore[arg-type]
        tune_probs = ts.predict(w, b, rows_tune)
        out = []
        best = (0.0, 0.0, 0.0, 0.0)
        for band in ts.BAND_GRID:
            a = float(np.mean(ts.labels_of(probs, band) == y))
            h = float(np.mean(ts.labels_of(tune_probs, band) == y_tune))
            if (a + h) / 2 > best[0]:
                best = ((a + h) / 2, band, a, h)
            if band in (0.1, 0.15, 0.2, 0.25, 0.3):
                out.append(f"{band:.2f}:{a:.3f}/{h:.3f}")
        two = []
        for t in (0.4, 0.5, 0.6):

            def two_stage(p: npt.NDArray[np.float32]) -> npt.NDArray[np.intp]:
                return np.where(p[:, 1] > t, 1, np.where(p[:, 2] > p[:, 0], 2, 0))

            a = float(np.mean(two_stage(probs) == y))
            h = float(np.mean(two_stage(tune_probs) == y_tune))
            two.append(f"t{t}:{a:.3f}/{h:.3f}")
        sys.stdout.write(
            f"{name:<16} best mean {best[0]:.3f} @{best[1]:.2f} (CV {best[2]:.3f} tune {best[3]:.3f})"
            f" | {' '.join(out)} | two-stage {' '.join(two)} | features {rate:,.0f}/cpu-s\n"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
