"""An item's language (pure): what the feed declares, else a small offline stop-word guess.

Declared first: the item's ``xml:lang`` or ``dc:language``, then the feed's ``<language>``,
``xml:lang`` or a news sitemap's ``news:language``. Undeclared, the title and summary are
matched against the commonest function words of seven languages (a word shared by several
languages, such as "as" in English and Portuguese, splits its hit between them); the language
with the most hits wins when it has at least ``MIN_HITS`` and beats the runner-up by ``MARGIN`` (or has the
only hit in a headline of ``MIN_WORDS_FOR_ONE`` words or more). Otherwise
None: short or mixed text is not guessed (a headline "Nvidia Q3" is no language at all).
"""

from __future__ import annotations

import functools
import re

MIN_HITS = 2
MARGIN = 1
MIN_WORDS_FOR_ONE = 6  # a single function word decides only in a headline this long
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_NAMES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "german": "de",
    "deutsch": "de",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "japanese": "ja",
    "chinese": "zh",
}
_THREE_TO_TWO = {"eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de"}
_STOP_WORDS = {
    "en": "the of and to in is for on with that by from at as are was this be has have will "
    "its it after over says about into than but not new more stocks a an up down how why what "
    "amid after",
    "es": "el la los las de del y en que por con para una un se su al es más como tras sobre "
    "sus pero lo este esta según años ante hasta desde",
    "fr": "le la les des du de et en un une pour sur dans est par au aux que qui avec plus "
    "ses son pas cette selon après entre",
    "de": "der die das und den dem des ist im mit von zu für auf ein eine nicht sich bei aus "
    "nach wie auch mehr über vor gegen",
    "it": "il lo la gli le di del della e che per con una un nel alla dei delle sono più "
    "non sul dopo anche come tra",
    "pt": "o a os as de do da dos das e em que para com uma um no na por mais não são ao "
    "sobre após como pelo pela",
    "nl": "de het een en van in is op te dat met voor niet zijn aan er ook bij naar om uit "
    "wordt over door",
}
_LANGS = tuple(_STOP_WORDS)
# word -> indexes (in _LANGS) of the languages it is a function word of
_LANGS_OF: dict[str, tuple[int, ...]] = {
    word: tuple(n for n, lang in enumerate(_LANGS) if word in _STOP_WORDS[lang].split())
    for word in {w for words in _STOP_WORDS.values() for w in words.split()}
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@functools.lru_cache(maxsize=1024)
def language_tag(value: str | None) -> str | None:
    """``en-US``, ``EN``, ``eng``, ``English`` -> ``en``; junk -> None (ISO 639-1 where known)."""
    if not value:
        return None
    text = value.strip().lower()
    if text in _NAMES:
        return _NAMES[text]
    match = _TAG.match(text)
    if match is None:
        return None
    code = match.group(1)
    if len(code) == 3:
        return _THREE_TO_TWO.get(code)
    return code


def guess_language(text: str) -> str | None:
    """The language of a headline and snippet by its function words, or None when unsure."""
    counts = [0.0] * len(_LANGS)
    words = _WORD.findall(text.lower())
    for word in words:
        langs = _LANGS_OF.get(word, ())
        for n in langs:
            counts[n] += 1.0 / len(langs)  # "as" is English and Portuguese: half to each
    ranked = sorted(zip(_LANGS, counts, strict=True), key=lambda kv: (-kv[1], kv[0]))
    (best, hits), (_, second) = ranked[0], ranked[1]
    if hits >= MIN_HITS and hits - second >= MARGIN:
        return best
    if hits >= 1 and hits - second >= 1 and len(words) >= MIN_WORDS_FOR_ONE:
        return best  # a full headline with one function word, of one language only
    return None


def item_language(*declared: str | None, text: str = "") -> str | None:
    """The first declared language that reads as a tag, else the guess from ``text``."""
    for value in declared:
        tag = language_tag(value)
        if tag is not None:
            return tag
    return guess_language(text)
