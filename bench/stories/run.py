"""Story grouping speed and quality, tapewire vs a TF-IDF single-link baseline.

Both run on the real 2023-12-01 multi-outlet set (1,557 items; the window the enrich stage
groups is the last 7 days, so this is about one pass). The baseline is the textbook grouping:
TF-IDF cosine over plain lower-cased title words and connected components of the pairs above
``BASELINE_COSINE`` (single link). Prints items/s (best of ``RUNS``, one core) and pairwise
precision, recall and F1 of both on the 430 hand-labelled pairs of tests/data/stories.

    .venv/bin/python bench/stories/run.py
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.enrich.test_stories_quality import load_items, load_pairs, scores  # noqa: E402

from tapewire.enrich.stories import StoryInput, find_stories  # noqa: E402

RUNS = 7
BASELINE_COSINE = 0.3  # the best of 0.2, 0.3, 0.4, 0.5 for the baseline on these labels (F1)
_WORD = re.compile(r"[a-z0-9]+")


def baseline_groups(items: Sequence[StoryInput]) -> list[list[int]]:
    """TF-IDF cosine >= BASELINE_COSINE, single link (union-find)."""
    bags = [Counter(_WORD.findall(i.title.lower())) for i in items]
    df = Counter(w for bag in bags for w in bag)
    idf = {w: math.log(len(items) / n) for w, n in df.items()}
    vectors = []
    for bag in bags:
        vec = {w: c * idf[w] for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    postings: dict[str, list[int]] = defaultdict(list)
    for n, vec in enumerate(vectors):
        for w in vec:
            postings[w].append(n)
    parent = list(range(len(items)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, vec in enumerate(vectors):
        seen = {b for w in vec for b in postings[w] if b > a}
        for b in seen:
            if sum(v * vectors[b].get(w, 0.0) for w, v in vec.items()) >= BASELINE_COSINE:
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for n, item in enumerate(items):
        groups[root(n)].append(item.item_id)
    return list(groups.values())


def tapewire_groups(items: Sequence[StoryInput]) -> list[list[int]]:
    return [list(story.item_ids) for story in find_stories(items)]


def measure(
    name: str, group: Callable[[Sequence[StoryInput]], list[list[int]]]
) -> tuple[float, str]:
    items, url_of = load_items()
    group(items)  # warm: shipped word lists load on first use
    best = math.inf
    for _ in range(RUNS):
        start = time.perf_counter()
        groups = group(items)
        best = min(best, time.perf_counter() - start)
    story_of = {item_id: k for k, g in enumerate(groups) for item_id in g}
    pairs = load_pairs()
    together = {p.row: story_of[url_of[p.url_a]] == story_of[url_of[p.url_b]] for p in pairs}
    precision, recall, f1, _ = scores(pairs, together)
    rate = len(items) / best
    line = (
        f"{name:32s} {len(items)} items in {best:.3f} s = {rate:7,.0f} items/s; "
        f"{len(groups)} stories; pairs P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    )
    return rate, line


def main() -> int:
    if not (ROOT.parent / "shared" / "data" / "news").is_dir():
        print("../shared/data/news not found: the benchmark needs the real 2023-12-01 set")
        return 1
    ours, line = measure("tapewire find_stories", tapewire_groups)
    print(line)
    base, line = measure(f"TF-IDF single link >= {BASELINE_COSINE}", baseline_groups)
    print(line)
    print(f"speed ratio tapewire / baseline: {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
