"""Train the shipped sentiment model on the MIT-licensed financial tweet set.

Source: zeroshot/twitter-financial-news-sentiment (MIT; the shared copy is
../shared/data/sentiment/twitter_financial_news_sentiment/sent_train.csv, labels 0=Bearish
1=Bullish 2=Neutral). Only the training split is used; the validation split and the FiQA and
SemEval headline sets are for evaluation (bench/sentiment/run.py). Writes
src/tapewire/enrich/data/sentiment.npz (float16).

    .venv/bin/python scripts/train_sentiment.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

from tapewire.enrich.sentiment_model import train

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


def main() -> int:
    with SOURCE.open(encoding="utf-8", errors="replace") as handle:
        rows = [(r["text"], TWEET_TO_CLASS[int(r["label"])]) for r in csv.DictReader(handle)]
    weights, bias = train([t for t, _ in rows], [y for _, y in rows])
    np.savez_compressed(OUT, W=weights.astype(np.float16), b=bias.astype(np.float16))
    sys.stdout.write(f"trained on {len(rows)} tweets -> {OUT} ({OUT.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
