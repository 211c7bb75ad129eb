"""Story clustering on the real 2023-12-01 multi-outlet set against hand-labelled pairs.

The labels (tests/data/stories/pairs_2023-12-01.tsv) name items by URL; titles and times come
from ../shared/data/news/news_sitemap_items_2023-12-01.csv. Labelling rule (README.md beside the
labels): 1 when both items report the same underlying news event (one data release, deal,
death, ruling, launch, announcement, or one market's move in one session), including analysis
of that event written the same day; 0 for a shared topic, place, person or word only.

The test prints pairwise precision, recall and F1 for the whole sample, the tuning half (even
rows, on which the constants in enrich/stories.py were chosen), the held-out half (odd rows),
the first batch (v1) and the second batch, and holds the whole sample and the held-out half to
floors (a regression gate: raise the floors as clustering improves)."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass

import pytest

from tapewire.enrich.stories import StoryInput, find_stories
from tapewire.ingest.parse import parse_date
from tests.conftest import ROOT, shared_data

LABELS = ROOT / "tests" / "data" / "stories" / "pairs_2023-12-01.tsv"
PAIRS = 430
F1_FLOOR = 0.88  # whole sample; measured 0.902 on 2026-11-25 (the issue asks 0.90)
HELD_OUT_F1_FLOOR = 0.86  # odd rows, not used to choose constants; measured 0.887


@dataclass(frozen=True, slots=True)
class Pair:
    row: int
    url_a: str
    url_b: str
    same: bool
    stratum: str


def load_items() -> tuple[list[StoryInput], dict[str, int]]:
    """Items published 2023-11-30 06:00Z onward, all outlets but the Economist; url -> id."""
    path = shared_data("news", "news_sitemap_items_2023-12-01.csv")
    items, url_of = [], {}
    with path.open(encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            url_of[row["url"]] = n
            when = parse_date(row["published_at"])
            if (
                when
                and when.isoformat() >= "2023-11-30T06"
                and row["publisher"] != "Finance & economics"
            ):
                items.append(StoryInput(n, row["title"], when, row["publisher"], frozenset()))
    return items, url_of


def load_pairs() -> list[Pair]:
    lines = [
        ln for ln in LABELS.read_text().splitlines() if ln and not ln.startswith(("#", "url_a"))
    ]
    pairs = []
    for n, line in enumerate(lines):
        url_a, url_b, same, stratum, _note = line.split("\t")
        assert same in ("0", "1"), line
        pairs.append(Pair(n, url_a, url_b, same == "1", stratum))
    return pairs


def scores(pairs: list[Pair], together: dict[int, bool]) -> tuple[float, float, float, int]:
    tp = sum(together[p.row] and p.same for p in pairs)
    fp = sum(together[p.row] and not p.same for p in pairs)
    fn = sum(p.same and not together[p.row] for p in pairs)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall), len(pairs)


def test_pairwise_f1_on_hand_labelled_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    items, url_of = load_items()
    pairs = load_pairs()
    start = time.perf_counter()
    stories = find_stories(items)
    seconds = time.perf_counter() - start
    story_of = {item_id: k for k, s in enumerate(stories) for item_id in s.item_ids}
    together = {p.row: story_of[url_of[p.url_a]] == story_of[url_of[p.url_b]] for p in pairs}
    parts = {
        "whole": pairs,
        "tuning half (even rows)": [p for p in pairs if p.row % 2 == 0],
        "held-out half (odd rows)": [p for p in pairs if p.row % 2 == 1],
        "batch v1": [p for p in pairs if p.stratum == "v1"],
        "batch v2": [p for p in pairs if p.stratum != "v1"],
    }
    measured = {name: scores(part, together) for name, part in parts.items()}
    with capsys.disabled():
        print(f"\nstories on {len(items)} real items: {len(stories)} stories in {seconds:.2f} s")
        for name, (precision, recall, f1, n) in measured.items():
            print(f"  {name:26s} {n:3d} pairs: P {precision:.3f} R {recall:.3f} F1 {f1:.3f}")
    assert len(pairs) == PAIRS
    assert measured["whole"][2] >= F1_FLOOR
    assert measured["held-out half (odd rows)"][2] >= HELD_OUT_F1_FLOOR
    assert max(len(s.item_ids) for s in stories) < 40  # no runaway chaining
