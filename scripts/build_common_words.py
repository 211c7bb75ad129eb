"""Build src/tapewire/enrich/data/common_words.txt: everyday finance-news words.

Story grouping (enrich/stories.py) must tell a story's own words ("Cybertruck", "Kissinger")
from the words every market headline uses ("stocks", "month", "rate"). This list is the second
kind: the lower-cased words found in at least MIN_TWEETS of the MIT-licensed financial tweet set
(zeroshot/twitter-financial-news-sentiment, training split; the shared copy is
../shared/data/sentiment/twitter_financial_news_sentiment/sent_train.csv). Links and $cashtags
are dropped first. Only the word list is shipped, not the tweets.

    .venv/bin/python scripts/build_common_words.py
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (
    ROOT.parent
    / "shared"
    / "data"
    / "sentiment"
    / "twitter_financial_news_sentiment"
    / "sent_train.csv"
)
OUT = ROOT / "src" / "tapewire" / "enrich" / "data" / "common_words.txt"
MIN_TWEETS = 30  # of 9,543: about one tweet in 300
WORD = re.compile(r"[a-z][a-z0-9+]*")


def main() -> int:
    counts: Counter[str] = Counter()
    with SOURCE.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        text = re.sub(r"https?://\S+|\$[A-Za-z.]+", " ", row["text"]).lower()
        counts.update(set(WORD.findall(text.replace("\u2019", "'"))))
    words = sorted(w for w, n in counts.items() if n >= MIN_TWEETS)
    header = (
        f"# Words in >= {MIN_TWEETS} of {len(rows)} finance-news tweets (zeroshot/"
        "twitter-financial-news-sentiment, MIT); built by scripts/build_common_words.py\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(words)} words -> {OUT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
