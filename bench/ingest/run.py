"""Parse + normalize throughput on the real feeds, tapewire vs plain feedparser, in one run.

Every file of ../shared/data/feeds that feedparser reads (plus the news sitemaps, which only
tapewire reads) is repeated until the corpus holds >= 50,000 items; each side parses the whole
corpus on one core. tapewire's number includes normalization (canonical URL, publisher, title
and summary cleanup); feedparser's is parsing alone. Goal (issue #3): >= 15x feedparser,
>= 20,000 items/s.

    .venv/bin/python bench/ingest/run.py [--items 50000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser

from tapewire.errors import BadInputError
from tapewire.ingest.parse import parse_feed, unmangle
from tapewire.ingest.stage import normalize_items

FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "feeds"
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def corpus(target_items: int) -> tuple[list[bytes], list[bytes], int]:
    """(all documents, the feedparser-readable subset, items per pass of all documents)."""
    docs, fp_docs, per_pass = [], [], 0
    for path in sorted(FEEDS.glob("*/*")):
        body = path.read_bytes()
        try:
            n = len(parse_feed(body).items)
        except BadInputError:
            continue
        docs.append(body)
        per_pass += n
        if feedparser.parse(unmangle(body)).entries:
            fp_docs.append(unmangle(body))
    repeat = -(-target_items // per_pass)
    return docs * repeat, fp_docs * repeat, per_pass * repeat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    if not FEEDS.is_dir():
        print(f"{FEEDS} not found: the benchmark needs ../shared/data")
        return 2
    docs, fp_docs, _ = corpus(args.items)

    start = time.perf_counter()
    ours = sum(len(normalize_items(parse_feed(body), fetched_at=NOW)) for body in docs)
    ours_s = time.perf_counter() - start

    start = time.perf_counter()
    theirs = sum(len(feedparser.parse(body).entries) for body in fp_docs)
    theirs_s = time.perf_counter() - start

    ours_rate, theirs_rate = ours / ours_s, theirs / theirs_s
    print(f"corpus: {len(docs)} documents from {FEEDS}")
    print(
        f"tapewire  (parse + normalize): {ours:>7,} items in {ours_s:6.2f} s = {ours_rate:>9,.0f} items/s"
    )
    print(
        f"feedparser (parse only)      : {theirs:>7,} items in {theirs_s:6.2f} s = {theirs_rate:>9,.0f} items/s"
    )
    print(f"ratio: {ours_rate / theirs_rate:.1f}x  (goal >= 15x and >= 20,000 items/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
