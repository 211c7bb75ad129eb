"""Group items about the same event into stories (pure).

Titles become sets of normalized tokens (lower-cased, possessives and plurals folded, a few
finance synonyms merged: "eurozone" = "euro area", "U.S." = "us"), weighted by IDF over the
items being grouped. Two items are candidates when they are within ``WINDOW`` of each other,
come from different publishers or share a rare token; clusters are merged greedily, best pair
first, only while the *average* similarity between the two clusters stays above ``SIMILARITY``
(average linkage: one loose pair cannot chain two unrelated stories together). A pair sharing a
rare name ("Amkor", "ImmunoGen") gets ``ANCHOR_BONUS``. Automated price-move blurbs ("X stock
rises Thursday, outperforms market") are left alone: they are data, not events.

Measured on 200 hand-labelled pairs of the real 2023-12-01 multi-outlet set
(``tests/enrich/test_stories_quality.py`` prints precision, recall and F1): the constants were
chosen on the even-numbered pairs (F1 0.85) and score F1 0.83 (precision 0.90, recall 0.76) on
the odd-numbered ones. The misses are paraphrases with no shared rare word ("Disinflation will
hasten rate cuts from the ECB" / "Eurozone inflation fell more than expected").
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SIMILARITY = 0.2  # average cosine between two clusters needed to merge them
MIN_EDGE = 0.1  # pairs less similar than this are never considered
ANCHOR_BONUS = 0.1  # added when two titles share a rare name
ANCHOR_MAX_DF = 3  # a token in at most this many titles is a rare name
WINDOW = timedelta(hours=36)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
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
        "i",
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
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "must",
        "about",
        "out",
        "off",
        "just",
        "still",
        "also",
        "while",
        "when",
        "where",
        "which",
        "there",
        "here",
        "then",
        "them",
        "these",
        "those",
        "get",
        "gets",
    ]
)
_SYNONYMS = (
    ("eurozone", "euro area"),
    ("euro-area", "euro area"),
    ("u.s.", "us"),
    ("u.k.", "uk"),
    ("britain", "uk"),
    ("british", "uk"),
    ("opec+", "opec"),
    ("bn", "billion"),
    ("mn", "million"),
    ("chinese", "china"),
    ("german", "germany"),
    ("french", "france"),
    ("european", "europe"),
    ("japanese", "japan"),
)
_SYNONYM_RE = [(re.compile(rf"(?<![\w]){re.escape(a)}(?![\w])"), b) for a, b in _SYNONYMS]
_WORD = re.compile(r"\$?\d+(?:\.\d+)?|[a-z][a-z0-9+]*")
_BOILERPLATE = re.compile(
    r"(outperforms?|underperforms?) (the )?(market|competitors)|compared to competitors"
    r"|on strong trading day|\b(rises|falls|increases|decreases|steady) (mon|tues|wednes|thurs|fri)day\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StoryInput:
    item_id: int
    title: str
    published_at: datetime
    publisher: str
    instrument_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class StoryGroup:
    key: str
    title: str
    item_ids: tuple[int, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    outlet_count: int


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def title_tokens(title: str) -> frozenset[str]:
    """Normalized tokens of a title (pure, exposed for tests)."""
    text = title.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, replacement in _SYNONYM_RE:
        text = pattern.sub(replacement, text)
    text = re.sub(r"'s\b", "", text)
    return frozenset(_stem(w.lstrip("$")) for w in _WORD.findall(text) if w not in _STOP)


def is_boilerplate(title: str) -> bool:
    return bool(_BOILERPLATE.search(title))


class _Vectors:
    """IDF-weighted, L2-normalized sparse vectors of the titles being grouped."""

    def __init__(self, tokens: Sequence[frozenset[str]]) -> None:
        self.df = Counter(t for toks in tokens for t in toks)
        n = len(tokens)
        idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in self.df.items()}
        self.vectors: list[dict[str, float]] = []
        for toks in tokens:
            norm = math.sqrt(sum(idf[t] ** 2 for t in toks)) or 1.0
            self.vectors.append({t: idf[t] / norm for t in toks})

    def cosine(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        if len(va) > len(vb):
            va, vb = vb, va
        return sum(w * vb[t] for t, w in va.items() if t in vb)


def _candidate_edges(
    items: Sequence[StoryInput],
    tokens: Sequence[frozenset[str]],
    vec: _Vectors,
    skip: Sequence[bool],
) -> list[tuple[float, int, int]]:
    """Pairs within the window sharing a token, scored; an inverted index keeps this sparse."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(tokens):
        if not skip[i]:
            for t in toks:
                postings[t].append(i)
    pairs: set[tuple[int, int]] = set()
    common = max(50, len(items) // 20)  # very common tokens ("stocks") do not make candidates
    for members in postings.values():
        if len(members) <= common:
            pairs.update((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
    edges = []
    for a, b in pairs:
        if abs(items[a].published_at - items[b].published_at) > WINDOW:
            continue
        if (
            items[a].instrument_ids
            and items[b].instrument_ids
            and not (items[a].instrument_ids & items[b].instrument_ids)
        ):
            continue
        score = vec.cosine(a, b)
        if any(vec.df[t] <= ANCHOR_MAX_DF and not t[0].isdigit() for t in tokens[a] & tokens[b]):
            score += ANCHOR_BONUS
        if score >= MIN_EDGE:
            edges.append((score, a, b))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    return edges


def find_stories(items: Sequence[StoryInput]) -> list[StoryGroup]:
    """Average-linkage grouping of items (deterministic); every item lands in one story."""
    ordered = sorted(items, key=lambda i: (i.published_at, i.item_id))
    tokens = [title_tokens(i.title) for i in ordered]
    skip = [is_boilerplate(i.title) for i in ordered]
    vec = _Vectors(tokens)
    members: dict[int, list[int]] = {i: [i] for i in range(len(ordered))}
    owner = list(range(len(ordered)))
    pair_score: dict[tuple[int, int], float] = {}
    for score, a, b in _candidate_edges(ordered, tokens, vec, skip):
        pair_score[(a, b)] = score
    for (a, b), _score in sorted(pair_score.items(), key=lambda kv: (-kv[1], kv[0])):
        ca, cb = owner[a], owner[b]
        if ca == cb:
            continue
        group_a, group_b = members[ca], members[cb]
        total = sum(pair_score.get((min(x, y), max(x, y)), 0.0) for x in group_a for y in group_b)
        if total / (len(group_a) * len(group_b)) >= SIMILARITY:
            for m in group_b:
                owner[m] = ca
            group_a.extend(group_b)
            del members[cb]
    return [_group([ordered[j] for j in sorted(g)]) for g in sorted(members.values(), key=min)]


def _group(group: list[StoryInput]) -> StoryGroup:
    first = group[0]
    key = hashlib.sha256(f"{first.item_id}:{first.title}".encode()).hexdigest()[:32]
    return StoryGroup(
        key=key,
        title=first.title,
        item_ids=tuple(m.item_id for m in group),
        first_seen_at=first.published_at,
        last_seen_at=max(m.published_at for m in group),
        outlet_count=len({m.publisher for m in group}),
    )
