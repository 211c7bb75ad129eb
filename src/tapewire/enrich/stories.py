"""Group items about the same event into stories (pure).

A title becomes a set of normalized tokens: lower-cased, plurals and -ed/-ing folded, and
finance paraphrases mapped to one form by the shipped word list (``lexicon.py``: "lowers" =
"cuts", "takeover" = "buy", "euro area" = "eurozone"). Tokens are weighted by IDF over the
items being grouped. Two items are candidates when they share a token and are within
``WINDOW``; their score is the cosine of their vectors, decayed with the time between them
(``exp(-gap / DECAY)``: coverage of one event comes within hours, a storyline's next turn a day
later), times ``GENERIC_FACTOR`` when all they share is everyday finance words ("best month",
"rate cut": ``data/common_words.txt``), plus ``ANCHOR_BONUS`` when they share a rare token. Three rules keep unrelated items
apart whatever their words: headlines naming different places (Germany's jobless rate vs US
jobless claims), a publisher's series words (a newsletter's "The Bloomberg Open, Asia Edition"
vs "... Europe Edition") and a repeated title hours apart (a daily "Five Things You Need to
Know") never link. Clusters merge greedily, best pair first, while the *average* score between
them stays above ``SIMILARITY`` (missing pairs count 0: one loose pair cannot chain two stories).
A second pass joins clusters whose core words (in half their titles or more) share two tokens,
one of them a story word: rare in everyday finance news, not a place (the Kissinger obituary
and "China remembers Kissinger"). Automated price-move blurbs ("X stock rises Thursday,
outperforms market") are left alone: they are data, not events.

Measured on 430 hand-labelled pairs of the real 2023-12-01 multi-outlet set
(``tests/enrich/test_stories_quality.py`` prints precision, recall and F1 for the whole sample
and both halves; the labels, how they were drawn and the labelling rule are in
``tests/data/stories/README.md``): DECAY and SIMILARITY were chosen on the even-numbered pairs
(the best mean F1 over each setting and its grid neighbours), giving F1 0.92 there, 0.89 on the
odd-numbered pairs and 0.90 on the whole (precision 0.94, recall 0.87). The misses left are
paraphrases with no shared story word ("CIBC" / "Canadian Imperial Bank"), a day-long event
split in two (OPEC+'s deal and the oil market's doubts about it) and a storyline joined across
a turn (the truce's last day and the war resuming).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tapewire.enrich.lexicon import find_places, lexicon, places_conflict

SIMILARITY = 0.26  # average score between two clusters needed to merge them
MIN_EDGE = 0.1  # pairs scoring less than this are never considered
ANCHOR_BONUS = 0.1  # added when two titles share a rare token
ANCHOR_MAX_DF = 3  # a token in at most this many titles is rare
WINDOW = timedelta(hours=36)  # items further apart are never one story
DECAY = timedelta(hours=24)  # a pair's score is multiplied by exp(-gap / DECAY)
SERIES_MIN_TITLES = 3  # a token in this many of one publisher's titles and in no other
# publisher's titles names a series ("Roundup", "Bloomberg Open"), not a story
REPEAT_GAP = timedelta(hours=4)  # the same title from one publisher this far apart: a newsletter
GENERIC_FACTOR = 0.85  # a pair sharing only everyday finance words ("best month", "rate cut")
CORE_SHARE = 0.5  # a cluster's core words are in at least this share of its titles
CORE_MIN_SIZE = 3  # the second pass needs one side to have this many items
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
TRANSLATION_WINDOW = timedelta(hours=12)  # a translated copy follows its original within this
TRANSLATION_MIN_SCORE = 2  # words and numbers with a cognate in the other headline
COGNATE_PREFIX = 5  # two words are cognates when they share this long a prefix ("inflación")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_LETTERS = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?", re.UNICODE)
_EXONYMS = {
    "opep": "opec",
    "brasil": "brazil",
    "rusia": "russia",
    "russland": "russia",
    "ee.uu.": "us",
    "ee.uu": "us",
    "eeuu": "us",
    "eua": "us",
    "alemania": "germany",
    "deutschland": "germany",
    "europa": "europe",
    "eurozona": "euro",
    "ocde": "oecd",
    "fmi": "imf",
    "bce": "ecb",
    "ezb": "ecb",
}
# Function words of four letters or more in the languages ingest/language.py knows.
_TRANSLATION_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "after",
        "over",
        "says",
        "will",
        "have",
        "than",
        "into",
        "about",
        "what",
        "when",
        "where",
        "their",
        "para",
        "como",
        "sobre",
        "desde",
        "entre",
        "tras",
        "segun",
        "pero",
        "este",
        "esta",
        "estas",
        "estos",
        "hasta",
        "ante",
        "pelo",
        "pela",
        "mais",
        "apos",
        "pelos",
        "pelas",
        "nach",
        "uber",
        "gegen",
        "auch",
        "mehr",
        "nicht",
        "wird",
        "sind",
        "eine",
        "einer",
        "noch",
        "sich",
        "dans",
        "pour",
        "avec",
        "sont",
        "plus",
        "cette",
        "selon",
        "apres",
        "della",
        "delle",
        "sono",
        "dopo",
        "anche",
    ]
)
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
    publisher: str  # the outlet that wrote it (news_item.outlet), not the feed
    instrument_ids: frozenset[int]
    language: str | None = None  # ISO 639-1; a translated copy joins its original's story


@dataclass(frozen=True, slots=True)
class StoryGroup:
    key: str
    title: str  # the representative headline: the earliest item's title, verbatim
    item_ids: tuple[int, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    outlet_count: int
    headline_outlet: str = ""  # the outlet that ran ``title``
    outlets: tuple[str, ...] = ()  # distinct outlets, by first coverage


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def title_tokens(title: str) -> frozenset[str]:
    """Normalized tokens of a title (pure, exposed for tests)."""
    lex = lexicon()
    text = title.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = lex.phrase_pattern.sub(lambda m: f" {lex.phrases[m.group(1)]} ", text)
    text = re.sub(r"'s\b", "", text)
    words = (lex.words.get(w, w) for w in _WORD.findall(text) if w not in _STOP)
    return frozenset(_stem(w.lstrip("$")) for w in words)


def is_boilerplate(title: str) -> bool:
    return bool(_BOILERPLATE.search(title))


@functools.cache
def _weak_tokens() -> frozenset[str]:
    """Tokens that cannot make a core match: everyday finance words and place names."""
    lex = lexicon()
    words = lex.common | frozenset(lex.place_of)
    return frozenset(t for w in words for t in title_tokens(w))


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

    def dot(self, a: int, b: int, shared: frozenset[str]) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        return sum(va[t] * vb[t] for t in shared)


@dataclass(frozen=True, slots=True)
class _Context:
    items: Sequence[StoryInput]
    tokens: Sequence[frozenset[str]]
    vec: _Vectors
    places: Sequence[frozenset[str]]
    series: dict[str, frozenset[str]]  # publisher -> its series tokens
    weak: frozenset[str]  # everyday finance words and places (see _weak_tokens)


def _series_tokens(
    items: Sequence[StoryInput], tokens: Sequence[frozenset[str]], vec: _Vectors
) -> dict[str, frozenset[str]]:
    """Per publisher, the tokens of its recurring titles ("Roundup", "Bloomberg Open")."""
    by_publisher: dict[str, Counter[str]] = defaultdict(Counter)
    for item, toks in zip(items, tokens, strict=True):
        by_publisher[item.publisher].update(toks)
    return {
        publisher: frozenset(
            t for t, n in counts.items() if n >= SERIES_MIN_TITLES and n == vec.df[t]
        )
        for publisher, counts in by_publisher.items()
    }


def _candidate_pairs(
    tokens: Sequence[frozenset[str]], skip: Sequence[bool]
) -> Iterator[tuple[int, int]]:
    """Pairs ``(a, b)``, ``a < b``, sharing a token, each once; an inverted index keeps this
    sparse. Yielded item by item, so memory is the index (O(n·k)) plus one item's candidates,
    never the whole pair set (issue #17: a window of many titles sharing mid-frequency words
    made that set quadratic). Callers sort what they keep, so the order does not matter."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(tokens):
        if not skip[i]:
            for t in toks:
                postings[t].append(i)  # ascending: items are read in order
    common = max(50, len(tokens) // 20)  # very common tokens ("stocks") do not make candidates
    for a, toks in enumerate(tokens):
        if skip[a]:
            continue
        near: set[int] = set()
        for t in toks:
            members = postings[t]
            if len(members) <= common:
                near.update(members[bisect.bisect_right(members, a) :])
        for b in sorted(near):
            yield a, b


def _score(ctx: _Context, a: int, b: int) -> float | None:
    """The pair's score; None when the two must never share a story."""
    ia, ib = ctx.items[a], ctx.items[b]
    gap = abs(ia.published_at - ib.published_at)
    if gap > WINDOW or (
        ia.instrument_ids and ib.instrument_ids and not ia.instrument_ids & ib.instrument_ids
    ):
        return 0.0
    same_publisher = ia.publisher == ib.publisher
    if same_publisher and ia.title == ib.title and gap >= REPEAT_GAP:
        return None
    if places_conflict(ctx.places[a], ctx.places[b]):
        return None
    shared = ctx.tokens[a] & ctx.tokens[b]
    own = shared - ctx.series[ia.publisher] if same_publisher else shared
    score = ctx.vec.dot(a, b, own) * math.exp(-gap / DECAY)
    if all(t in ctx.weak or t[0].isdigit() for t in shared):
        score *= GENERIC_FACTOR
    if any(ctx.vec.df[t] <= ANCHOR_MAX_DF and not t[0].isdigit() for t in shared):
        score += ANCHOR_BONUS
    return score


def _edges(
    ctx: _Context, skip: Sequence[bool]
) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]]]:
    scores: dict[tuple[int, int], float] = {}
    cannot: set[tuple[int, int]] = set()
    for a, b in _candidate_pairs(ctx.tokens, skip):
        score = _score(ctx, min(a, b), max(a, b))
        if score is None:
            cannot.add((min(a, b), max(a, b)))
        elif score >= MIN_EDGE:
            scores[(min(a, b), max(a, b))] = score
    return scores, cannot


class _Clusters:
    """Union of item indexes with the cross-cluster checks both passes need."""

    def __init__(
        self, n: int, scores: dict[tuple[int, int], float], cannot: set[tuple[int, int]]
    ) -> None:
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.owner = list(range(n))
        self.scores = scores
        self.cannot = cannot

    def _pairs(self, ca: int, cb: int) -> Iterator[tuple[int, int]]:
        """Lazily: two clusters of 5,000 items are 25 million pairs."""
        return ((min(x, y), max(x, y)) for x in self.members[ca] for y in self.members[cb])

    def average(self, ca: int, cb: int) -> float:
        count = len(self.members[ca]) * len(self.members[cb])
        return sum(self.scores.get(p, 0.0) for p in self._pairs(ca, cb)) / count

    def forbidden(self, ca: int, cb: int) -> bool:
        return any(p in self.cannot for p in self._pairs(ca, cb))

    def merge(self, ca: int, cb: int) -> None:
        for m in self.members[cb]:
            self.owner[m] = ca
        self.members[ca].extend(self.members.pop(cb))

    def link(self) -> None:
        """Average linkage, best pair first (deterministic)."""
        for a, b in sorted(self.scores, key=lambda p: (-self.scores[p], p)):
            ca, cb = self.owner[a], self.owner[b]
            if ca != cb and not self.forbidden(ca, cb) and self.average(ca, cb) >= SIMILARITY:
                self.merge(ca, cb)


def _core(members: list[int], tokens: Sequence[frozenset[str]]) -> frozenset[str]:
    counts = Counter(t for m in members for t in tokens[m])
    need = math.ceil(CORE_SHARE * len(members))
    return frozenset(t for t, n in counts.items() if n >= need)


def _core_candidates(
    clusters: _Clusters, ctx: _Context, skip: Sequence[bool]
) -> Iterator[tuple[int, int, frozenset[str], frozenset[str]]]:
    """Cluster pairs whose cores share a story word (rare in everyday news, not a place), in
    order: by token, then by key.

    Lazily, and only pairs that can merge: one side must have ``CORE_MIN_SIZE`` items, so
    10,000 one-item clusters sharing "headline" yield nothing instead of 50 million pairs.
    Memory is the cores and their index, O(n·k) for n clusters of k core tokens. Only the
    cluster being looked at (``x``) can grow while one token's pairs are yielded (a merge
    keeps the first key), so the sizes read at each token's start stay right for the rest."""
    weak = ctx.weak
    cores = {k: _core(m, ctx.tokens) for k, m in clusters.members.items() if not skip[m[0]]}
    index: dict[str, list[int]] = defaultdict(list)
    for k in sorted(cores):
        for t in cores[k]:
            if len(t) >= 3 and not t[0].isdigit() and t not in weak:
                index[t].append(k)
    for t in sorted(index):
        yield from _token_pairs(index[t], clusters.members, cores)


def _token_pairs(
    keys: list[int], members: dict[int, list[int]], cores: dict[int, frozenset[str]]
) -> Iterator[tuple[int, int, frozenset[str], frozenset[str]]]:
    """The pairs ``(x, y)`` of one token's clusters (``x`` before ``y``) with a big side."""

    def size(key: int) -> int:
        return len(members.get(key, ()))

    big = [p for p, k in enumerate(keys) if size(k) >= CORE_MIN_SIZE]
    for i, x in enumerate(keys):
        if x not in members:
            continue
        p = bisect.bisect_right(big, i)
        j = i + 1
        while j < len(keys):
            if size(x) < CORE_MIN_SIZE:  # only big partners can merge with a small x
                while p < len(big) and big[p] < j:
                    p += 1
                if p == len(big):
                    break
                j = big[p]
            yield x, keys[j], cores[x], cores[keys[j]]
            if x not in members:
                break
            j += 1


def _span(ctx: _Context, group: list[int]) -> tuple[datetime, datetime]:
    times = [ctx.items[m].published_at for m in group]
    return min(times), max(times)


def _merge_cores(clusters: _Clusters, ctx: _Context, skip: Sequence[bool]) -> None:
    """Second pass: join parts of one event that average linkage left apart."""
    changed = True
    while changed:
        changed = False
        for ca, cb, core_a, core_b in _core_candidates(clusters, ctx, skip):
            if ca not in clusters.members or cb not in clusters.members:
                continue
            group_a, group_b = clusters.members[ca], clusters.members[cb]
            if max(len(group_a), len(group_b)) < CORE_MIN_SIZE or len(core_a & core_b) < 2:
                continue
            first, last = _span(ctx, group_a + group_b)
            if last - first > WINDOW or clusters.forbidden(ca, cb):
                continue
            clusters.merge(ca, cb)
            changed = True


def find_stories(items: Sequence[StoryInput]) -> list[StoryGroup]:
    """Group items into stories (deterministic); every item lands in one story."""
    if not items:  # nothing to group: skip loading the lexicon (a store without news, #16)
        return []
    ordered = sorted(items, key=lambda i: (i.published_at, i.item_id))
    tokens = [title_tokens(i.title) for i in ordered]
    skip = [is_boilerplate(i.title) for i in ordered]
    vec = _Vectors(tokens)
    places = [find_places(i.title) for i in ordered]
    ctx = _Context(
        ordered, tokens, vec, places, _series_tokens(ordered, tokens, vec), _weak_tokens()
    )
    scores, cannot = _edges(ctx, skip)
    clusters = _Clusters(len(ordered), scores, cannot)
    clusters.link()
    _merge_cores(clusters, ctx, skip)
    _merge_translations(clusters, ordered)
    groups = sorted(clusters.members.values(), key=min)
    return [_group([ordered[j] for j in sorted(g)]) for g in groups]


def _group(group: list[StoryInput]) -> StoryGroup:
    first = group[0]
    key = hashlib.sha256(f"{first.item_id}:{first.title}".encode()).hexdigest()[:32]
    outlets = tuple(dict.fromkeys(m.publisher for m in group))
    return StoryGroup(
        key=key,
        title=first.title,
        item_ids=tuple(m.item_id for m in group),
        first_seen_at=first.published_at,
        last_seen_at=max(m.published_at for m in group),
        outlet_count=len(outlets),
        headline_outlet=first.publisher,
        outlets=outlets,
    )


def _fold(text: str) -> str:
    """Lower case without accents ("Hamás" = "hamas")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def translation_words(title: str) -> frozenset[str]:
    """What a translation keeps of a headline: its numbers (decimal comma or point) and its
    content words of four letters or more, accent-folded, with a few names mapped across
    languages ("OPEP" = "OPEC", "Brasil" = "Brazil")."""
    numbers = {n.replace(",", ".") for n in _NUMBER.findall(title)}
    words = set()
    for raw in _LETTERS.findall(title):
        word = _fold(raw)
        word = _EXONYMS.get(word, word)
        if len(word) >= 4 and word not in _TRANSLATION_STOP:
            words.add(word)
    return frozenset(numbers | words)


def _cognate(a: str, b: str) -> bool:
    if a == b:
        return True
    if a[0].isdigit() or b[0].isdigit():
        return False
    shorter = min(len(a), len(b))
    need = min(COGNATE_PREFIX, shorter - 1)
    return shorter >= 5 and a[:need] == b[:need]


def translation_score(a: str, b: str) -> int:
    """How many of ``a``'s words and numbers have a cognate in ``b`` (pure)."""
    words_b = translation_words(b)
    return sum(1 for w in translation_words(a) if any(_cognate(w, v) for v in words_b))


def _best_translation(item: StoryInput, others: Sequence[StoryInput]) -> StoryInput | None:
    """``item``'s one translation among ``others`` (one other language, the same outlet, within
    the window): the best-scoring, when it scores ``TRANSLATION_MIN_SCORE`` or more and no other
    candidate scores as much."""
    scored = sorted(
        ((translation_score(item.title, o.title), n) for n, o in enumerate(others)),
        reverse=True,
    )
    if not scored or scored[0][0] < TRANSLATION_MIN_SCORE:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two equally good originals: not sure which
    return others[scored[0][1]]


def is_translation(a: StoryInput, b: StoryInput) -> bool:
    """One outlet, two known and different languages, within ``TRANSLATION_WINDOW``, and enough
    of the same words and numbers (``TRANSLATION_MIN_SCORE``)."""
    if a.publisher != b.publisher or not a.language or not b.language:
        return False
    if a.language == b.language or abs(a.published_at - b.published_at) > TRANSLATION_WINDOW:
        return False
    return translation_score(a.title, b.title) >= TRANSLATION_MIN_SCORE


def _merge_translations(clusters: _Clusters, items: Sequence[StoryInput]) -> None:
    """Third pass: a translated copy joins the story of its original (another language of one
    outlet's article, e.g. Bloomberg's Spanish edition of an English story)."""
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if item.language:
            by_outlet[item.publisher].append(i)
    for members in by_outlet.values():
        languages = Counter(items[i].language for i in members)
        if len(languages) < 2:
            continue
        for i in members:
            item = items[i]
            for language in languages:
                if language == item.language or languages[language] > languages[item.language]:
                    continue  # each pair is looked at from its rarer language's side
                others = [
                    j
                    for j in members
                    if items[j].language == language
                    and abs(items[j].published_at - item.published_at) <= TRANSLATION_WINDOW
                ]
                best = _best_translation(item, [items[j] for j in others])
                if best is None:
                    continue
                j = others[[items[k] for k in others].index(best)]
                ca, cb = clusters.owner[i], clusters.owner[j]
                if ca != cb:
                    clusters.merge(min(ca, cb), max(ca, cb))
