"""Sentiment quality and speed, tapewire vs VADER, on labelled sets tapewire was not trained on.

Sets: the tweet validation split (MIT; labels Bearish/Bullish/Neutral), FiQA 2018 headlines and
SemEval-2017 task 5 headlines (research data; scores mapped to labels: > +0.1 positive,
< -0.1 negative, else neutral). VADER's compound score uses its documented +/-0.05 cut-offs.
Prints accuracy, macro-F1 and sentences/s (one core) for each.

    .venv/bin/python bench/sentiment/run.py
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tapewire.enrich.sentiment import score_texts

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"
THRESHOLD = 0.1
Label = str


def label_of(score: float, cut: float) -> Label:
    return "positive" if score > cut else "negative" if score < -cut else "neutral"


def load_sets() -> dict[str, list[tuple[str, Label]]]:
    sets: dict[str, list[tuple[str, Label]]] = {}
    tweets = DATA / "twitter_financial_news_sentiment" / "sent_valid.csv"
    names = {"0": "negative", "1": "positive", "2": "neutral"}
    with tweets.open(encoding="utf-8", errors="replace") as handle:
        sets["tweets (valid)"] = [(r["text"], names[r["label"]]) for r in csv.DictReader(handle)]
    fiqa = []
    for split in ("train", "test"):
        doc = json.loads(
            (DATA / "fiqa_2018_task1" / f"task1_headline_ABSA_{split}.json").read_text()
        )
        fiqa += [
            (v["sentence"], label_of(float(v["info"][0]["sentiment_score"]), THRESHOLD))
            for v in doc.values()
        ]
    sets["FiQA headlines"] = fiqa
    semeval = json.loads(
        (DATA / "semeval2017_task5_subtask2" / "Headline_Trainingdata.json").read_text()
    )
    sets["SemEval headlines"] = [
        (r["title"], label_of(float(r["sentiment"]), THRESHOLD)) for r in semeval
    ]
    return sets


def scores(pred: Sequence[Label], gold: Sequence[Label]) -> tuple[float, float]:
    accuracy = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)
    f1s = []
    for label in ("negative", "neutral", "positive"):
        tp = sum(p == g == label for p, g in zip(pred, gold, strict=True))
        fp = sum(p == label != g for p, g in zip(pred, gold, strict=True))
        fn = sum(g == label != p for p, g in zip(pred, gold, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, sum(f1s) / 3


def tapewire_labels(texts: Sequence[str]) -> list[Label]:
    return [s.label for s in score_texts(texts)]


def vader_labels() -> Callable[[Sequence[str]], list[Label]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda texts: [label_of(analyzer.polarity_scores(t)["compound"], 0.05) for t in texts]


def main() -> int:
    if not DATA.is_dir():
        print(f"{DATA} not found: the benchmark needs ../shared/data")
        return 2
    sets = load_sets()
    systems = {"tapewire": tapewire_labels, "VADER": vader_labels()}
    print(f"{'set':<20} {'system':<9} {'n':>6} {'accuracy':>9} {'macro-F1':>9} {'sentences/s':>12}")
    for set_name, rows in sets.items():
        texts, gold = [t for t, _ in rows], [g for _, g in rows]
        for name, system in systems.items():
            start = time.perf_counter()
            pred = system(texts * 3)[: len(texts)]  # three passes for a steadier rate
            rate = 3 * len(texts) / (time.perf_counter() - start)
            accuracy, macro_f1 = scores(pred, gold)
            print(
                f"{set_name:<20} {name:<9} {len(texts):>6} {accuracy:>9.3f} {macro_f1:>9.3f} {rate:>12,.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
