"""Draw the second batch of candidate pairs to label by hand (the procedure in README.md).

Prints TSV rows (url_a, url_b, stratum, baseline Dice, both titles) for pairs not in the v1
batch of pairs_2023-12-01.tsv (rerunning it reproduces the v2 batch); a person then read each
pair and wrote its label. The baseline score is deliberately not tapewire's: Dice overlap of
plain lower-cased words (no stemming, synonyms or IDF), so the strata do not follow the
algorithm being measured.

    .venv/bin/python tests/data/stories/draw_pairs.py > /tmp/candidates.tsv
"""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV = HERE.parents[3] / "shared" / "data" / "news" / "news_sitemap_items_2023-12-01.csv"
LABELS = HERE / "pairs_2023-12-01.tsv"
SEED = 20231201
STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "as",
        "at",
        "by",
        "with",
        "from",
        "is",
        "are",
        "its",
        "it",
        "after",
        "amid",
        "how",
        "why",
        "what",
        "who",
        "will",
        "be",
        "this",
        "that",
        "has",
        "have",
        "not",
        "new",
        "says",
        "say",
        "said",
        "over",
        "into",
        "than",
        "more",
        "up",
        "down",
        "his",
        "her",
        "their",
        "our",
        "your",
        "you",
        "we",
        "he",
        "she",
        "they",
        "was",
        "were",
        "but",
        "or",
        "if",
        "so",
        "do",
        "can",
    ]
)
BLURB = re.compile(
    r"\b(outperforms|underperforms)\b|\b(rises|falls|steady) thursday\b", re.IGNORECASE
)
QUOTA = {"x-high": 40, "x-mid": 50, "x-low": 40, "meta": 40, "same-outlet": 30, "random": 30}
META_MAX_ITEMS = 8  # a keyword or ticker on more items than this is a topic, not a story
ITEM_CAP = (
    2  # an item appears in at most this many new pairs, so one headline cannot fill a stratum
)


def load_rows() -> list[dict[str, str]]:
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        r
        for r in rows
        if r["published_at"] >= "2023-11-30T06" and r["publisher"] != "Finance & economics"
    ]


def words(title: str) -> frozenset[str]:
    found = re.findall(r"[a-z0-9]+", title.lower().replace("\u2019", "'"))
    return frozenset(w for w in found if w not in STOP and len(w) > 1)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def meta_tags(row: dict[str, str]) -> set[str]:
    """Sitemap tickers (exchange prefix dropped: "NYSE:ABBV" = "abbv") and keywords."""
    raw = row["tickers"].split(",") + row["keywords"].split(",")
    tags = {t.strip().lower().rsplit(":", 1)[-1] for t in raw}
    return tags - {"", "null"}


def strata(rows: list[dict[str, str]]) -> dict[str, list[tuple[int, int, float]]]:
    bag = [words(r["title"]) for r in rows]
    tag_items: dict[str, list[int]] = defaultdict(list)
    for n, r in enumerate(rows):
        for tag in meta_tags(r):
            tag_items[tag].append(n)
    meta_pairs = {
        (a, b)
        for members in tag_items.values()
        if len(members) <= META_MAX_ITEMS
        for a, b in itertools.combinations(members, 2)
    }
    out: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for a, b in itertools.combinations(range(len(rows)), 2):
        d = dice(bag[a], bag[b])
        same = rows[a]["publisher"] == rows[b]["publisher"]
        if (a, b) in meta_pairs and d < 0.2 and not same:
            out["meta"].append((a, b, d))
        if same and d >= 0.3:
            if not (BLURB.search(rows[a]["title"]) and BLURB.search(rows[b]["title"])):
                out["same-outlet"].append((a, b, d))
        elif not same and d >= 0.4:
            out["x-high"].append((a, b, d))
        elif not same and d >= 0.2:
            out["x-mid"].append((a, b, d))
        elif not same and d > 0:
            out["x-low"].append((a, b, d))
    return out


def main() -> None:
    rows = load_rows()
    labelled = set()  # the v1 batch: the v2 draw excluded it, so rerunning redraws v2 exactly
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "url_a")):
            url_a, url_b, _same, stratum = line.split("\t")[:4]
            if stratum == "v1":
                labelled |= {(url_a, url_b), (url_b, url_a)}
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    chosen: set[tuple[int, int]] = set()
    uses: Counter[int] = Counter()
    pools = strata(rows)
    pools["random"] = [
        (a, b, 0.0) for a, b in (rng.sample(range(len(rows)), 2) for _ in range(500))
    ]
    for name, quota in QUOTA.items():
        pool = [p for p in pools[name] if (rows[p[0]]["url"], rows[p[1]]["url"]) not in labelled]
        rng.shuffle(pool)
        taken = 0
        for a, b, d in pool:
            if taken == quota:
                break
            key = (min(a, b), max(a, b))
            if key in chosen or rows[a]["url"] == rows[b]["url"]:
                continue
            if uses[a] >= ITEM_CAP or uses[b] >= ITEM_CAP:
                continue
            chosen.add(key)
            uses.update(key)
            taken += 1
            print(
                "\t".join(
                    [
                        rows[a]["url"],
                        rows[b]["url"],
                        name,
                        f"{d:.2f}",
                        rows[a]["title"],
                        rows[b]["title"],
                    ]
                )
            )


if __name__ == "__main__":
    main()
