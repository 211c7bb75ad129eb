"""Link news text to instruments (pure): what an item is about, with the words that say so.

Four kinds of evidence, strongest first:

- ``cashtag``: ``$NVDA``, ``$BRK.B``;
- ``ticker``: an exchange ticker in text (``(NASDAQ: NVDA)``, ``NYSE:JPM``), or a bare ticker in
  capitals (``JPM``) that is a stored symbol, has three letters or more and is not a word;
- ``name``: a company's legal name, short name or brand ("Meta", "Facebook", "Google",
  "JPMorgan", "Berkshire"), possessives ("Apple's") and plurals ("Teslas") included, or an
  asset's own market ("oil prices", "the dollar", "bitcoin");
- ``market``: an index or the broad market ("S&P 500", "the Dow", "small caps", "Wall Street
  closes lower", "stocks fall").

Names come from ``data/aliases.tsv`` (built by ``scripts/build_aliases.py`` from the S&P 500
constituents list, public domain, plus hand-maintained brands and market names) and from each
stored instrument's own aliases. Company names match case-sensitively (proper nouns); market
and asset names ignore case. Matching is a longest-match token lookup (one regex pass to
tokenize, then dictionary lookups), so a longer name wins ("Dow Inc." is the company, not the
index; "Nasdaq 100" is not the Composite).

Disambiguation, each rule named where it is applied below:

- *weak names* (ordinary words: "Target", "Visa", "Ball", "Delta") count only with a company
  cue in the same sentence ("Target Corp", "Visa shares", "Delta flights") or when the item
  names the company unambiguously elsewhere;
- *negative contexts*: "Apple pie", "Amazon rainforest", "Harrison Ford", "Oracle of Omaha";
- *the broad market*: "stocks", "equities", "Wall Street" link ``^GSPC`` only when unqualified
  ("tech stocks", "Chinese stocks", "10 stocks to own" are not the market) and the sentence
  says the market moved; "Wall Street Journal", "disappoints Wall Street" never do;
- *a listing venue is not the index*: "Nasdaq debut", "Nasdaq-listed", "(Nasdaq: XYZ)", "listed
  on the Nasdaq" are not ``^IXIC``; "S&P" the rating agency and "S&P 500 stocks" are not
  ``^GSPC``;
- *assets*: "oil", "gold", "the dollar", "the euro" need a price or market cue in the sentence
  and are never "oil stocks", "an oil spill", "the euro zone" or "a billion-dollar deal";
- *lists*: a company named among four or more companies in one sentence, or in an "N stocks
  to buy" piece, or given as an example ("Amazon, Walmart or other sellers", "such as
  Chipotle"), keeps only a weak relevance (below the store's threshold);
- *sources*: a firm named last after ":"/"says" in the title is the source of a view, and
  stays the source when the summary introduces the speaker; "<role> at <firm>" ("vice chairman
  at Blackstone") is the speaker's employer, not the subject;

Relevance (0..1): ``KIND_WEIGHT`` by kind x ``SUMMARY_FACTOR`` when only the summary names it,
+``EXTRA_MENTION`` per further mention (at most +0.1), x ``LIST_FACTOR`` for list mentions.
The store keeps links with relevance ≥ ``STORE_THRESHOLD`` (0.45): any title mention and a
single unlisted summary mention pass; list mentions do not.

Non-English items (``language`` not ``en``) are linked only by cashtags and exchange tickers.
Cashtags and exchange tickers of symbols the store does not have are returned as candidates
(``ItemLinks.candidates``) for ``tapewire instruments suggest``.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources

STORE_THRESHOLD = (
    0.45  # links below this are not stored (documented in docs/design-notes.md, issue #10 part 2)
)
KIND_WEIGHT = {"cashtag": 1.0, "ticker": 0.95, "name": 0.9, "weak": 0.85, "market": 0.85}
SUMMARY_FACTOR = 0.6
EXTRA_MENTION = 0.05  # per further mention, up to +0.1
LIST_FACTOR = 0.4
SERVICE_FACTOR = 0.6  # a consumer service piece ranks below news, never below the threshold
LIST_SIZE = 4  # this many companies named in one sentence make it a list

US_VENUES = frozenset(
    ["NYSE", "NASDAQ", "Nasdaq", "AMEX", "NYSE American", "NYSE Arca", "NYSEARCA", "Cboe", "BATS"]
)
_CASHTAG = re.compile(r"(?<![\w$])\$([A-Z]{1,6}(?:\.[A-Z]{1,2})?)(?!\w)")
_EXCHANGE = re.compile(
    r"\b(NYSE American|NYSE Arca|NYSEARCA|NYSE|NASDAQ|Nasdaq|AMEX|Cboe|BATS|OTC|OTCQX|OTCMKTS|"
    r"TSX|TSXV|LSE|LON|ASX|HKG|HKEX|NSE|BSE|TYO|ETR|EPA|FRA|SIX)\s?:\s?"
    r"([A-Z0-9]{1,6}(?:[.\-][A-Z]{1,2})?)\b"
)
_TOKEN = re.compile(r"[$^]?[^\W_](?:[\w.&'\u2019+\ufffd]*[\w+])?|[&\-:,;!?()\"“”]")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = frozenset([";", "!", "?"])
_ABBREVIATIONS = frozenset(
    {"Corp", "Inc", "Co", "Cos", "Ltd", "Bros", "Plc", "Cl", "St", "Mr", "Mrs", "Ms", "Dr"}
    | {"Jr", "Sr", "No", "vs", "U.S", "U.K", "U.N", "E.U", "Gov", "Sen", "Rep", "Gen", "Mt"}
)

_NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve fifteen twenty dozen"
_LISTICLE = re.compile(
    rf"\b(?:\d+|{_NUMBER_WORDS.replace(' ', '|')})\b[\w\s'\u2019&-]{{0,40}}\b(?:stocks|stock picks|"
    r"companies|names)\b|\bstocks? (?:to (?:buy|own|watch|sell|avoid)|that hit)\b",
    re.IGNORECASE,
)


# Consumer service pieces: what to stream, buy or know, not news about the company ("Here's
# everything coming to Amazon's Prime Video and Freevee in December 2023", a real MarketWatch
# title that led Amazon's brief). The link stands; it ranks below the company's news.
_SERVICE = re.compile(
    r"^(?:how to (?:watch|stream|buy|get|save)|what to (?:watch|stream))\b"
    r"|^the best\b.*\b(?:deals?|gifts?|shows|movies|series)\b"
    r"|\beverything (?:coming|new|leaving) (?:to|on)\b"
    r"|\b(?:gift guide|deals? of the day|to stream (?:this|in|on))\b",
    re.IGNORECASE,
)


@functools.cache
def _word_lists() -> dict[str, frozenset[str]]:
    """The linker's word lists from ``data/link_words.tsv`` (read once, on first use)."""
    text = (
        resources.files("tapewire.enrich")
        .joinpath("data/link_words.tsv")
        .read_text(encoding="utf-8")
    )
    lists = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, listed = line.split("\t")
            lists[name] = frozenset(listed.split())
    return lists


@functools.cache
def foreign_place_words() -> frozenset[str]:
    """Words naming a place outside the US (from ``data/places.tsv``): "Chinese stocks",
    "Hong Kong stock market", "Toronto stocks" are not the US market."""
    text = (
        resources.files("tapewire.enrich").joinpath("data/places.tsv").read_text(encoding="utf-8")
    )
    out: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        place, _broader, names = line.split("\t")
        if place in ("us", "north-america"):
            continue
        for name in names.split(";"):
            out.add(name.split()[-1])
    return frozenset(out)


def word_list(name: str) -> frozenset[str]:
    """One word list (empty when the file has none by that name)."""
    return _word_lists().get(name, frozenset())


@dataclass(frozen=True, slots=True)
class Alias:
    """One way text names an instrument (a row of the alias table or an instrument's own)."""

    symbol: str
    kind: str  # name | market | asset
    strength: str  # strong | weak
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    instrument_id: int
    relevance: float
    kind: str  # cashtag | ticker | name | market
    field: str  # title | summary
    evidence: str  # the exact words matched

    @property
    def matched(self) -> str:
        return self.evidence


@dataclass(frozen=True, slots=True)
class ItemLinks:
    links: list[Link]
    candidates: list[str]  # cashtags / exchange tickers of symbols the store does not have


@dataclass(slots=True)
class Linker:
    """The compiled lookup: stored symbols and every alias by its normalized tokens."""

    ids: dict[str, int]  # stored symbol -> instrument id
    exact: dict[tuple[str, ...], list[Alias]]  # case-sensitive names
    folded: dict[tuple[str, ...], list[Alias]]  # case-insensitive names
    longest: dict[str, int] = field(default_factory=dict)  # first token (lower) -> max length


@functools.cache
def alias_table() -> dict[str, tuple[Alias, ...]]:
    """symbol -> its aliases from the shipped table (read once, on first use)."""
    text = (
        resources.files("tapewire.enrich").joinpath("data/aliases.tsv").read_text(encoding="utf-8")
    )
    table: dict[str, list[Alias]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        symbol, kind, strength, alias = line.split("\t")
        table.setdefault(symbol, []).append(Alias(symbol, kind, strength, alias))
    return {symbol: tuple(rows) for symbol, rows in table.items()}


def company_name(symbol: str) -> str | None:
    """A listed company's name from the shipped table (its first strong name: "Apple Inc." for
    AAPL), for an instrument registered without one; None for a symbol the table lacks."""
    for alias in alias_table().get(symbol.upper(), ()):
        if alias.kind == "name" and alias.strength == "strong":
            return re.sub(r"\s*\([^)]*\)$", "", alias.text) or alias.text  # "(Class A)" off
    return None


def _normalize(token: str) -> str:
    token = token.replace("\u2019", "'").rstrip(".")
    if token.endswith("'s") and len(token) > 2:
        return token[:-2]
    return token.rstrip("'") or token


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(normalized token, start, end): words keep inner dots/&/apostrophes; possessives drop."""
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if raw[0] in "$^" and len(raw) > 1:
            raw = raw[1:]
        out.append((_normalize(raw), m.start(), m.end()))
    return out


def compile_aliases(instruments: Iterable[tuple[int, str, Sequence[str]]]) -> Linker:
    """(id, symbol, own aliases) -> the linker: the shipped table (for every symbol, so that
    a longer name of an instrument the store lacks still wins over a shorter one) plus each
    stored instrument's own aliases (case-insensitive, strong)."""
    linker = Linker(ids={}, exact={}, folded={})
    rows: list[Alias] = [a for aliases in alias_table().values() for a in aliases]
    for inst_id, symbol, own in instruments:
        linker.ids[symbol] = inst_id
        rows += [Alias(symbol, "name_folded", "strong", alias) for alias in own]
    for alias in rows:
        key = tuple(t for t, _, _ in _tokens(alias.text))
        if not key:
            continue
        if alias.kind == "name":
            linker.exact.setdefault(key, []).append(alias)
        else:
            key = tuple(t.lower() for t in key)
            linker.folded.setdefault(key, []).append(alias)
        first = key[0].lower()
        linker.longest[first] = max(linker.longest.get(first, 0), len(key))
    return linker


@dataclass(slots=True)
class _Hit:
    symbol: str
    kind: str
    field: str
    evidence: str
    strength: str
    weight: float
    company: bool = False
    listed: bool = False
    start: int = -1  # first token of a name hit in its field


@dataclass(slots=True)
class _Text:
    tokens: list[str]
    lower: list[str]
    spans: list[tuple[int, int]]
    sentence: list[int]  # sentence number of each token
    raw: str
    sentence_words: list[set[str]] = field(default_factory=list)  # per sentence, lower case

    @classmethod
    def of(cls, raw: str) -> _Text:
        toks = _tokens(raw)
        sentence, n = [], 0
        for k, (tok, _start, end) in enumerate(toks):
            sentence.append(n)
            # a sentence ends at ; ! ? or a full stop followed by a capital (the full stop may
            # be left out of the token: "..., says JPMorgan. Here's where to hide."), not at
            # the full stop of an abbreviation ("Chevron Corp. Stock Falls")
            if tok in _SENTENCE_END or (
                "." in raw[end - 1 : end + 1]
                and tok not in _ABBREVIATIONS
                and k + 1 < len(toks)
                and toks[k + 1][0][:1].isupper()
            ):
                n += 1
        return cls(
            [t for t, _, _ in toks],
            [t.lower() for t, _, _ in toks],
            [(s, e) for _, s, e in toks],
            sentence,
            raw,
        )

    def words(self, i: int) -> set[str]:
        """Lower-cased tokens of token i's sentence."""
        if not self.sentence_words:
            self.sentence_words = [set() for _ in range(self.sentence[-1] + 1)]
            for k, word in enumerate(self.lower):
                self.sentence_words[self.sentence[k]].add(word)
        return self.sentence_words[self.sentence[i]]

    def prev(self, i: int) -> str:
        return self.lower[i - 1] if i > 0 and self.sentence[i - 1] == self.sentence[i] else ""

    def next(self, j: int) -> str:
        return (
            self.lower[j]
            if j < len(self.lower) and self.sentence[j] == self.sentence[j - 1]
            else ""
        )


def find_links(title: str, summary: str, linker: Linker, language: str | None = None) -> list[Link]:
    """Every stored instrument the item is about, with its best relevance (all relevances;
    the stage keeps those ≥ ``STORE_THRESHOLD``)."""
    return link_item(title, summary, linker, language).links


def link_item(title: str, summary: str, linker: Linker, language: str | None = None) -> ItemLinks:
    english = language is None or language.lower().startswith("en")
    hits: list[_Hit] = []
    candidates: list[str] = []
    listicle = bool(_LISTICLE.search(title))
    sources: set[str] = set()  # firms the title names as the source of a view
    for field_name, raw in (("title", title), ("summary", summary)):
        if not raw:
            continue
        if "&" in raw:
            raw = html.unescape(raw)
        hits += _symbol_hits(raw, field_name, linker, candidates)
        if english:
            found = _name_hits(_Text.of(raw), field_name, linker, listicle, sources)
            if field_name == "summary":
                # "...: Blackstone" + "Byron Wien, vice chairman at Blackstone, weighs in": the
                # summary introduces the speaker; the firm is still not the subject
                found = [h for h in found if h.symbol not in sources]
            hits += found
    links = _score(hits, linker)
    if _SERVICE.search(title):
        links = [_as_service(link) for link in links]
    return ItemLinks(links, list(dict.fromkeys(candidates)))


def _as_service(link: Link) -> Link:
    """The link of a service piece, ranked lower (kept if it was kept, dropped if it was)."""
    if link.relevance < STORE_THRESHOLD:
        return link
    lowered = max(STORE_THRESHOLD, round(link.relevance * SERVICE_FACTOR, 3))
    return replace(link, relevance=lowered)


def _symbol_hits(raw: str, field_name: str, linker: Linker, candidates: list[str]) -> list[_Hit]:
    hits = []
    for m in _CASHTAG.finditer(raw):
        symbol = m.group(1).replace(".", "-")
        if symbol in linker.ids:
            hits.append(_Hit(symbol, "cashtag", field_name, m.group(), "strong", 1.0))
        else:
            candidates.append(symbol)
    for m in _EXCHANGE.finditer(raw):
        venue, symbol = m.group(1), m.group(2).replace(".", "-")
        if venue not in US_VENUES and not venue.startswith("OTC"):
            candidates.append(f"{venue}:{symbol}")
        elif symbol in linker.ids:
            hits.append(_Hit(symbol, "ticker", field_name, m.group(), "strong", 0.95))
        else:
            candidates.append(symbol)
    return hits


def _name_hits(
    text: _Text, field_name: str, linker: Linker, listicle: bool, sources: set[str] | None = None
) -> list[_Hit]:
    hits: list[_Hit] = []
    i, n = 0, len(text.tokens)
    while i < n:
        longest = linker.longest.get(text.lower[i], 0)
        found: list[Alias] = []
        length = 0
        for size in range(min(longest, n - i), 0, -1):
            found = linker.exact.get(tuple(text.tokens[i : i + size]), []) + linker.folded.get(
                tuple(text.lower[i : i + size]), []
            )
            if found:
                length = size
                break
        token = text.tokens[i]
        if not found and len(token) > 4 and token[-1] == "s" and token[0].isupper():
            found = [  # the plural of a strong one-word company name ("Teslas")
                a for a in linker.exact.get((token[:-1],), []) if a.strength == "strong"
            ]
            length = 1
        if not found:
            if (
                len(token) >= 3
                and token.isupper()
                and token.isalpha()
                and token in linker.ids
                and token not in word_list("not_ticker")
                and not _mostly_capitals(text.raw)
            ):
                start, end = text.spans[i]
                hits.append(_Hit(token, "ticker", field_name, text.raw[start:end], "strong", 0.95))
            i += 1
            continue
        evidence = text.raw[text.spans[i][0] : text.spans[i + length - 1][1]]
        for alias in found:
            kind = "market" if alias.kind == "market" else "name"
            if not _counts(alias, text, i, i + length):
                if sources is not None and _source_of_view(alias, text, i, i + length):
                    sources.add(alias.symbol)
                continue
            strength = alias.strength
            if (
                strength == "weak"
                and alias.kind == "name"
                and not _has_cue(alias, text, i, i + length)
            ):
                strength = "unconfirmed"  # stands only if the item names it unambiguously too
            weight = KIND_WEIGHT["weak" if strength == "weak" else kind]
            company = alias.kind in ("name", "name_folded") and not alias.symbol.startswith("^")
            hits.append(
                _Hit(alias.symbol, kind, field_name, evidence, strength, weight, company, start=i)
            )
        i += length
    _mark_lists(hits, listicle)
    _mark_examples(hits, text)
    return hits


def _source_of_view(alias: Alias, text: _Text, i: int, j: int) -> bool:
    """Is this company match the source of a view (named last after ':'/'says', or the
    employer in "<role> at <firm>")?"""
    if alias.kind not in ("name", "name_folded"):
        return False
    prev = text.prev(i)
    if _sentence_end(text, j) and prev in word_list("source_before") and i > 2:
        return True
    return _employer(text, i) or _market_view(text, j)


def _market_view(text: _Text, j: int) -> bool:
    """ "JPMorgan's S&P 500 Outlook for 2024 Is Grimmest on Wall Street", "Goldman's oil
    forecast": the firm's view of a market, named by its possessive, then market words, then a
    view word; the firm is the source, not the subject. "Nvidia's forecast" (its own guidance) and
    "Apple's iPhone forecast" (no market word between) stay the company's."""
    start, end = text.spans[j - 1]
    possessive = ("'s", "\u2019s")
    if not (text.raw[start:end].endswith(possessive) or text.raw[end : end + 2] in possessive):
        return False
    market, k = False, j
    while k < min(len(text.lower), j + 5) and text.sentence[k] == text.sentence[j - 1]:
        word = text.lower[k]
        if word in word_list("view_word"):
            return market
        if word not in word_list("view_market") and not word.isdigit():
            return False
        market = market or word in word_list("view_market")
        k += 1
    return False


def _sentence_end(text: _Text, j: int) -> bool:
    """Tokens [.., j) end their sentence: "..., says JPMorgan. Here's where to hide." names
    JPMorgan last in its sentence, as "..., says JPMorgan" does in a one-sentence title."""
    return j == len(text.tokens) or text.sentence[j] != text.sentence[j - 1]


def _employer(text: _Text, i: int) -> bool:
    """ "vice chairman at Blackstone", "chief economist at Goldman": the speaker's employer."""
    if text.prev(i) != "at" or i < 2:
        return False
    n = text.sentence[i]
    before = {text.lower[k] for k in range(max(0, i - 4), i - 1) if text.sentence[k] == n}
    return bool(before & word_list("role"))


def _mark_examples(hits: list[_Hit], text: _Text) -> None:
    """Companies given as examples ("from Amazon, Walmart or other sellers", "such as Chipotle,
    Netflix") are not what the sentence is about: they count as list mentions."""
    for k in range(len(text.lower) - 1):
        pair = (text.lower[k], text.lower[k + 1])
        if pair in (("or", "other"), ("and", "other")):
            span = range(max(0, k - 8), k)
        elif pair == ("such", "as") or pair[0] in ("e.g", "e.g."):
            span = range(k + 1, min(len(text.lower), k + 10))
        else:
            continue
        for h in hits:
            if h.company and h.start in span and text.sentence[h.start] == text.sentence[k]:
                h.listed = True


def _mostly_capitals(raw: str) -> bool:
    """An all-caps headline: its capitals are not tickers."""
    letters: list[str] = _LETTERS.findall(raw)
    return sum(w.isupper() for w in letters) > 0.5 * len(letters)


def _counts(alias: Alias, text: _Text, i: int, j: int) -> bool:
    """Does this match of ``alias`` at tokens [i, j) name the instrument here?"""
    prev, nxt = text.prev(i), text.next(j)
    if alias.kind in ("name", "name_folded"):
        bad = word_list(f"negative:{alias.text}")
        if bad and ({prev, nxt, text.next(j + 1) if nxt else ""} & bad):
            return False
        if _sentence_end(text, j) and prev in word_list("source_before") and i > 2:
            return False  # the source of a view, named last: "...: Citi", "..., says Goldman"
        if _employer(text, i):
            return False  # the speaker's employer: "vice chairman at Blackstone"
        if _market_view(text, j):
            return False  # the firm's view of a market: "JPMorgan's S&P 500 outlook"
        return prev not in ("former", "ex")
    if alias.kind == "market":
        return _market_counts(alias, text, i, prev, nxt)
    words, name = text.words(i), alias.text.lower()
    # assets
    if (
        nxt in word_list("asset_not_next")
        or prev in word_list("asset_not_prev")
        or prev.startswith("$")
    ):
        return False
    if alias.strength == "strong":
        return True
    if name in ("dollar", "greenback", "euro", "yen", "pound"):
        return not prev.isdigit() and bool(
            words & (word_list("move") | word_list("fx_cue")) - {name}
        )
    # the cue is another word than the name itself ("crude" is a price cue of "oil" only)
    return bool(words & (word_list("move") | word_list("price_cue")) - {name})


def _has_cue(alias: Alias, text: _Text, i: int, j: int) -> bool:
    """A weak name counts with a company word next to it or a name-specific cue in its
    sentence ("Target Corp", "Visa shares", "Delta flights")."""
    extra = word_list(f"cue:{alias.text}")
    window = {text.lower[k] for k in range(max(0, i - 2), min(len(text.lower), j + 3))}
    return bool(window & (word_list("company_cue") | extra)) or bool(text.words(i) & extra)


BROAD_MARKET = frozenset(
    ["stocks", "equities", "stock market", "wall street", "us stocks", "u.s. stocks",
     "us equities", "u.s. equities"]
)  # fmt: skip


def _market_counts(alias: Alias, text: _Text, i: int, prev: str, nxt: str) -> bool:
    name, words = alias.text.lower(), text.words(i)
    if alias.symbol == "^GSPC" and "s&p" in name:
        if name == "the s&p":  # the rating agency is "S&P" too
            return nxt not in ("global", "ratings", "dow") and bool(words & word_list("move"))
        if prev in word_list("s_and_p_member_before") or nxt in word_list("s_and_p_member_after"):
            return False  # index membership news: "Macy's to be replaced on S&P 500 by ..."
        return nxt not in word_list("s_and_p_not_index")  # "S&P 500 stocks" are companies
    if name == "nasdaq":  # the Composite, not the listing venue
        if nxt in word_list("venue_after") or (
            prev in ("on", "the") and text.prev(i - 1) in ("on", "listed")
        ):
            return False
        return not set(text.lower) & word_list("venue_word") and bool(words & word_list("move"))
    if name in ("dow", "dow jones"):
        return nxt not in ("inc", "chemical", "&", "newswires", "indices", "corning") and bool(
            words & word_list("move") or name == "dow jones"
        )
    if name in BROAD_MARKET:
        return _broad_market_counts(name, text, i, prev, nxt, words)
    return True


def _broad_market_counts(
    name: str, text: _Text, i: int, prev: str, nxt: str, words: set[str]
) -> bool:
    """ "Stocks fall", "Wall Street closes lower": unqualified, and the market moved."""
    if nxt in word_list("market_not_after") or prev in word_list("market_not_before"):
        return False
    if name == "wall street" and set(text.lower) & word_list("venue_word"):
        return False  # a listing: "soars in Wall Street debut"
    if name == "wall street" and text.raw[text.spans[i + 1][1] - 2 :].startswith(("'s", "\u2019s")):
        # "Wall Street's rising interest" is investors; "Wall Street's worst day" the market
        return nxt in word_list("possessive_market_after")
    if name in ("us stocks", "u.s. stocks", "us equities", "u.s. equities"):
        return True
    if (
        prev in word_list("market_qualifier")
        or prev.isdigit()
        or prev == "-"
        or prev.endswith("500")
    ):
        return False
    if i >= 2 and text.prev(i - 1) == "-":  # a compound qualifier: "low-beta stocks"
        return False
    n = text.sentence[i]
    before = {text.lower[k] for k in range(max(0, i - 3), i) if text.sentence[k] == n}
    if before & foreign_place_words():  # "Hong Kong stock market", "Taiwan stocks"
        return False
    if name in ("stocks", "equities") and _listicle_here(text, i):
        return False
    if name == "stock market":  # names the market itself; not a listing ("debut")
        return nxt not in word_list("venue_after")
    return bool(words & word_list("move"))


def _listicle_here(text: _Text, i: int) -> bool:
    n = text.sentence[i]
    sentence = " ".join(text.tokens[k] for k in range(len(text.tokens)) if text.sentence[k] == n)
    return bool(_LISTICLE.search(sentence))


def _mark_lists(hits: list[_Hit], listicle: bool) -> None:
    """Company names in a list (LIST_SIZE or more in one title or summary, or in an 'N stocks'
    piece)."""
    companies = [h for h in hits if h.company]
    if listicle:
        for h in companies:
            h.listed = True
        return
    if len({h.symbol for h in companies}) >= LIST_SIZE:
        for h in companies:
            h.listed = True


def _score(hits: list[_Hit], linker: Linker) -> list[Link]:
    confirmed = {h.symbol for h in hits if h.strength != "unconfirmed"}
    by_symbol: dict[str, list[_Hit]] = {}
    for h in hits:
        if h.symbol in confirmed:
            by_symbol.setdefault(h.symbol, []).append(h)
    links = []
    for symbol, found in by_symbol.items():
        inst_id = linker.ids.get(symbol)
        if inst_id is None:
            continue
        best = max(found, key=_hit_score)
        score = _hit_score(best) + min(0.1, EXTRA_MENTION * (len(found) - 1))
        links.append(
            Link(inst_id, round(min(1.0, score), 3), best.kind, best.field, best.evidence[:255])
        )
    return sorted(links, key=lambda link: link.instrument_id)


def _hit_score(hit: _Hit) -> float:
    weight = KIND_WEIGHT["weak"] if hit.strength == "unconfirmed" else hit.weight
    score = weight * (1.0 if hit.field == "title" else SUMMARY_FACTOR)
    return score * LIST_FACTOR if hit.listed else score
