"""Train the shipped sentiment model on permissive data only: the MIT-licensed financial tweet
set plus headline and press-release sentences we wrote ourselves.

Sources:
- zeroshot/twitter-financial-news-sentiment (MIT; the shared copy is
  ../shared/data/sentiment/twitter_financial_news_sentiment/sent_train.csv, labels 0=Bearish
  1=Bullish 2=Neutral). Only the training split is read.
- ``scripts/sentiment_templates.py``: our own sentences, labelled by their words (always in the
  training part of every fold).
The constants shipped (L2 strength, class weighting, neutral band) are chosen by the mean of
two accuracies: 3-fold cross-validated accuracy on the tweet training split, and accuracy on
the *tune* half of our hand-labelled real headlines (tests/data/tone, read from
../shared/data/news), so the band fits both tweets and headlines. The tweet validation split,
the held-out half of our headlines and the FiQA and SemEval sets (research use only) are never
read here: they are for evaluation (bench/sentiment/run.py).

Writes src/tapewire/enrich/data/sentiment.npz: W (float16), b, and the chosen band.

    .venv/bin/python scripts/train_sentiment.py            # CV, then fit on all of the split
    .venv/bin/python scripts/train_sentiment.py --quick    # skip CV, use the shipped choices
    .venv/bin/python scripts/train_sentiment.py --quick --band 0.15   # ... with this band

v4 (branch tone3) was trained with ``--quick --band 0.15`` after a full run: the full run's
criterion put bands 0.20 (mean 0.7589) and 0.15 (0.7586) level, and the shipped band 0.15 was
kept (0.20 calls "Acme swings to a record loss", score -0.18, neutral).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tapewire.enrich.sentiment_model import BUCKETS, Row, features, pack, softmax

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sentiment_templates import generate  # a script beside this one

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (
    ROOT.parent
    / "shared"
    / "data"
    / "sentiment"
    / "twitter_financial_news_sentiment"
    / "sent_train.csv"
)
OUT = ROOT / "src" / "tapewire" / "enrich" / "data" / "sentiment.npz"
TWEET_TO_CLASS = {0: 0, 2: 1, 1: 2}  # Bearish -> negative, Neutral -> neutral, Bullish -> positive
TONE_SET = ROOT / "tests" / "data" / "tone" / "draw_headlines.py"
LABEL_TO_CLASS = {"negative": 0, "neutral": 1, "positive": 2}
L2_GRID = (1e-5, 1e-4)
CLASS_WEIGHTING = ("none",)
BAND_GRID = tuple(round(0.05 * i, 2) for i in range(13))
FOLDS = 3
STEPS = 300

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Choice:
    l2: float
    weighting: str
    band: float
    balanced: float  # the criterion: mean of tweet CV accuracy and tune-half headline accuracy


def load_rows() -> tuple[list[Row], npt.NDArray[np.intp]]:
    with SOURCE.open(encoding="utf-8", errors="replace") as handle:
        data = [(r["text"], TWEET_TO_CLASS[int(r["label"])]) for r in csv.DictReader(handle)]
    return [features(t) for t, _ in data], np.asarray([y for _, y in data], dtype=np.intp)


def load_templates() -> tuple[list[Row], npt.NDArray[np.intp]]:
    data = generate()
    return [features(t) for t, _ in data], np.asarray([y for _, y in data], dtype=np.intp)


def load_tune() -> tuple[list[Row], npt.NDArray[np.intp]]:
    """The tune half of our hand-labelled real headlines (never the held-out half)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("tone_set", TONE_SET)
    assert spec is not None and spec.loader is not None  # noqa: S101 (a file in the repo)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = [(t, LABEL_TO_CLASS[label]) for _, t, label in module.load_labelled("tune")]
    return [features(t) for t, _ in data], np.asarray([y for _, y in data], dtype=np.intp)


def class_weights(y: npt.NDArray[np.intp], weighting: str) -> Matrix:
    counts = np.bincount(y, minlength=3).astype(np.float32)
    if weighting == "none":
        return np.ones(3, dtype=np.float32)
    w: Matrix = (counts.sum() / (3 * counts)).astype(np.float32)
    return np.sqrt(w) if weighting == "sqrt" else w


def train(
    rows: Sequence[Row], y: npt.NDArray[np.intp], *, l2: float, weighting: str
) -> tuple[Matrix, Matrix]:
    """Weighted softmax regression, full-batch Adam on the mean loss + l2*|W|^2 (deterministic)."""
    index, values, starts = pack(rows)
    sample_w = class_weights(y, weighting)[y]
    sample_w /= sample_w.sum()
    return adam_softmax(index, values, starts, y, sample_w, l2=l2, buckets=BUCKETS, steps=STEPS)


def adam_softmax(
    index: npt.NDArray[np.intp],
    values: Matrix,
    starts: npt.NDArray[np.intp],
    y: npt.NDArray[np.intp],
    sample_w: Matrix,
    *,
    l2: float,
    buckets: int,
    steps: int,
    scale_at: Matrix | None = None,
) -> tuple[Matrix, Matrix]:
    """The optimiser of ``train`` (and of the experiment scripts): full-batch Adam on the weighted
    mean loss + l2*|W|^2. ``scale_at``, one row per feature occurrence, multiplies each feature's
    weight (NB-style scaling in ``sentiment_experiments3``); without it the sums are ``train``'s
    own, bit for bit."""
    row_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(index))))
    x = values[:, None] if scale_at is None else scale_at * values[:, None]
    onehot = np.eye(3, dtype=np.float32)[y]
    weights = np.zeros((buckets, 3), dtype=np.float32)
    bias = np.zeros(3, dtype=np.float32)
    m = np.zeros_like(weights)
    v = np.zeros_like(weights)
    mb = np.zeros_like(bias)
    vb = np.zeros_like(bias)
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        logits = np.add.reduceat(weights[index] * x, starts, axis=0) + bias
        grad_logits = (softmax(logits) - onehot) * sample_w[:, None]
        entry = grad_logits[row_of] * x
        grad = np.stack(
            [np.bincount(index, weights=entry[:, c], minlength=buckets) for c in range(3)], axis=1
        ).astype(np.float32)
        grad += 2 * l2 * weights
        grad_b = grad_logits.sum(axis=0)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        mb = beta1 * mb + (1 - beta1) * grad_b
        vb = beta2 * vb + (1 - beta2) * grad_b * grad_b
        fix1, fix2 = 1 - beta1**step, 1 - beta2**step
        weights -= lr * (m / fix1) / (np.sqrt(v / fix2) + 1e-8)
        bias -= lr * (mb / fix1) / (np.sqrt(vb / fix2) + 1e-8)
    return weights, bias


def predict(weights: Matrix, bias: Matrix, rows: Sequence[Row]) -> Matrix:
    index, values, starts = pack(rows)
    return softmax(np.add.reduceat(weights[index] * values[:, None], starts, axis=0) + bias)


def labels_of(probs: Matrix, band: float) -> npt.NDArray[np.intp]:
    score = probs[:, 2] - probs[:, 0]
    return np.where(score > band, 2, np.where(score < -band, 0, 1))


def macro_f1(pred: npt.NDArray[np.intp], gold: npt.NDArray[np.intp]) -> float:
    f1s = []
    for c in range(3):
        tp = np.sum((pred == c) & (gold == c))
        denom = np.sum(pred == c) + np.sum(gold == c)
        f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s))


def balanced_accuracy(pred: npt.NDArray[np.intp], gold: npt.NDArray[np.intp]) -> float:
    """Mean per-class recall: unlike accuracy and F1 it does not move with the class shares."""
    return float(np.mean([np.mean(pred[gold == c] == c) for c in range(3)]))


def cross_validate(
    rows: list[Row],
    y: npt.NDArray[np.intp],
    extra: tuple[list[Row], npt.NDArray[np.intp]],
    tune: tuple[list[Row], npt.NDArray[np.intp]],
) -> Choice:
    """Out-of-fold tweet probabilities (our sentences always in training) and tune-half headline
    probabilities (a fit on everything) for each (l2, weighting); then the band with the best
    mean of the two accuracies. Tweets are 65% neutral, our headlines 43%: a band chosen on
    tweets alone over-calls neutral on headlines, which the mean guards against."""
    fold = np.random.default_rng(0).permutation(len(rows)) % FOLDS
    extra_rows, extra_y = extra
    tune_rows, tune_y = tune
    best: Choice | None = None
    for l2, weighting in itertools.product(L2_GRID, CLASS_WEIGHTING):
        probs = np.zeros((len(rows), 3), dtype=np.float32)
        for k in range(FOLDS):
            train_i, test_i = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            w, b = train(
                [rows[i] for i in train_i] + extra_rows,
                np.concatenate([y[train_i], extra_y]),
                l2=l2,
                weighting=weighting,
            )
            probs[test_i] = predict(w, b, [rows[i] for i in test_i])
        w, b = train(rows + extra_rows, np.concatenate([y, extra_y]), l2=l2, weighting=weighting)
        tune_probs = predict(w, b, tune_rows)
        for band in BAND_GRID:
            tweets = float(np.mean(labels_of(probs, band) == y))
            headlines = float(np.mean(labels_of(tune_probs, band) == tune_y))
            criterion = (tweets + headlines) / 2
            sys.stdout.write(
                f"l2={l2:g} {weighting:<8} band={band:.2f} tweets-CV acc={tweets:.3f}"
                f" tune acc={headlines:.3f} mean={criterion:.3f}\n"
            )
            if best is None or criterion > best.balanced:
                best = Choice(l2, weighting, band, criterion)
    assert best is not None  # noqa: S101 (the grids are not empty)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip CV; use the shipped choices")
    parser.add_argument("--band", type=float, help="with --quick: this neutral band instead")
    args = parser.parse_args()
    rows, y = load_rows()
    extra = load_templates()
    if args.quick:
        with np.load(OUT) as shipped:  # back to the grids' values, however they were stored
            l2, band = float(f"{float(shipped['l2']):.3g}"), round(float(shipped["band"]), 2)
            choice = Choice(l2, str(shipped["weighting"]), band, 0.0)
        if args.band is not None:
            choice = Choice(choice.l2, choice.weighting, args.band, 0.0)
    else:
        choice = cross_validate(rows, y, extra, load_tune())
    sys.stdout.write(f"chosen: {choice}\n")
    weights, bias = train(
        rows + extra[0], np.concatenate([y, extra[1]]), l2=choice.l2, weighting=choice.weighting
    )
    np.savez_compressed(
        OUT,
        W=weights.astype(np.float16),
        b=bias.astype(np.float16),
        band=np.float64(choice.band),
        l2=np.float64(choice.l2),
        weighting=np.str_(choice.weighting),
    )
    sys.stdout.write(
        f"trained on {len(rows)} tweets + {len(extra[0])} own sentences -> {OUT} ({OUT.stat().st_size:,} bytes)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
