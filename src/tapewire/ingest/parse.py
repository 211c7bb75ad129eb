"""Feed bytes -> parsed items (pure): RSS 0.9x/1.0/2.0, Atom, JSON Feed and news sitemaps.

A fast path (lxml, no DTDs, no entity expansion, no network) reads well-formed documents; a
tolerant fallback (feedparser) reads broken ones and gives the same fields. Documents that
declare entities are refused before any parser sees them (XML bombs, external entities).
"""

from __future__ import annotations

import calendar
import codecs
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from feedparser.datetimes import _parse_date as feedparser_date  # no public name for it
from lxml import etree

from tapewire.errors import BadInputError

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM03 = "{http://purl.org/atom/ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body)", re.IGNORECASE)
_BARE_AMP = re.compile(rb"&(?!#?[A-Za-z0-9]+;)")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ITEM_TAGS = ("item", "entry", "url")  # RSS/RDF, Atom, sitemap
_CLOSE_TAG = re.compile(rb"</(?:[\w.-]+:)?(item|entry|url)\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedItem:
    title: str
    url: str
    guid: str | None
    summary_html: str
    published_at: datetime | None  # None when the item carries no usable date
    # Who wrote it, where the document says so (ingest/outlets.py picks the outlet from these)
    source_name: str | None = None  # RSS <source> text (aggregators name the outlet there)
    source_url: str | None = None  # RSS <source url="...">
    publication: str | None = None  # news sitemap news:publication/news:name
    publisher: str | None = None  # dc:publisher
    creator: str | None = None  # dc:creator (a person, or sometimes an outlet)
    language: str | None = None  # as declared on the item (xml:lang, dc:language, news:language)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    items: tuple[ParsedItem, ...]
    kind: str = "unknown"  # rss | rdf | atom | json | sitemap | tolerant
    warning: str | None = None  # read, but something was off (malformed XML read tolerantly)
    language: str | None = None  # as declared for the whole feed (<language>, xml:lang)


def parse_feed(body: bytes, *, url: str = "") -> ParsedFeed:
    """Parse a feed document.

    Raises:
        BadInputError: empty, an HTML page, entity declarations, truncated beyond repair,
            or not a feed at all; the message says which.
    """
    where = url or "input"
    try:
        return _parse_feed(body, url=url, where=where)
    except RecursionError:  # 100,000 nested "[" or elements: refused, not a crash
        raise BadInputError(f"not a feed: {where} is nested too deeply") from None


def _parse_feed(body: bytes, *, url: str, where: str) -> ParsedFeed:
    body = unmangle(body)
    if not body.strip():
        raise BadInputError(f"empty document from {where}")
    if _ENTITY_DECL.search(body[:65536]):
        raise BadInputError(
            f"refused {where}: the document declares XML entities (possible XML bomb)"
        )
    start = _strip_bom(body).lstrip()
    if start[:1] in (b"{", b"["):
        return parse_json_feed(body, where=where)
    if _HTML_START.match(start):
        raise BadInputError(f"not a feed: {where} is an HTML page")
    if not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body = start  # whitespace before "<?xml" is a fatal error to XML parsers, not to readers
    try:
        root = etree.fromstring(body, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        if (
            "excessive depth" in str(exc).lower()
        ):  # no feed nests 256 deep; feedparser is slow on it
            raise BadInputError(
                f"not a feed: {where} is nested too deeply (over 256 levels)"
            ) from None
        trimmed = _trim_cut_character(body)
        if trimmed != body:  # cut inside a multi-byte character: read what arrived whole
            return _parse_feed(trimmed, url=url, where=where)
        recovered = _parse_recovering(body, where, exc)
        if recovered is not None:
            return recovered
        log.debug("fast path failed for %s (%s); tolerant parse", where, exc)
        return _parse_tolerant(body, where, exc)
    return _parse_tree(root, where)


def _parse_recovering(body: bytes, where: str, exc: Exception) -> ParsedFeed | None:
    """lxml's recovering parser for merely malformed XML (a stray ``&``, an unclosed tag);
    encoding trouble is left to feedparser, which guesses encodings far better."""
    message = str(exc).lower()
    if "encoding" in message or "utf-8" in message or "char" in message:
        return None
    fixed = _BARE_AMP.sub(b"&amp;", body)  # the commonest breakage: "Red, Whine, & Blue"
    try:
        root = etree.fromstring(fixed, parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        try:
            root = etree.fromstring(fixed, parser=_parser(recover=True))
        except (etree.XMLSyntaxError, ValueError):
            return None
    if root is None:
        return None
    _drop_unclosed_item(root, fixed)
    try:
        feed = _parse_tree(root, where)
    except BadInputError:
        return None
    if not feed.items:
        return None
    reason = " ".join(str(exc).split())[:160]
    return ParsedFeed(
        feed.title,
        feed.site_url,
        feed.items,
        f"{feed.kind}+recovered",
        f"malformed XML ({reason}); read with the recovering parser",
    )


def _trim_cut_character(body: bytes) -> bytes:
    """Drop a UTF-8 character cut off at the very end: left in, it makes the whole document
    undecodable, and the tolerant parser then reads every item as Windows-1252 (mojibake).
    Only a document that is valid UTF-8 once trimmed is trimmed (so at most once)."""
    for back in range(1, min(4, len(body) + 1)):
        byte = body[-back]
        if byte < 0x80:
            return body
        if byte >= 0xC0:  # the lead byte of a 2-, 3- or 4-byte character
            size = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if size <= back:
                return body
            try:
                body[:-back].decode("utf-8")
            except UnicodeDecodeError:
                return body  # another encoding, or more wrong than a cut
            return body[:-back]
    return body


def _drop_unclosed_item(root: Any, body: bytes) -> None:
    """A truncated document ends inside its last item: recovered, that item has a cut link
    (``htt``), title or summary and no date. It is dropped, not stored wrong for good."""
    nodes = [n for n in root.iter() if isinstance(n.tag, str) and _local(n.tag) in _ITEM_TAGS]
    if not nodes:
        return
    last, name = nodes[-1], _local(nodes[-1].tag)
    opened = sum(1 for n in nodes if _local(n.tag) == name)
    closed = sum(1 for m in _CLOSE_TAG.finditer(body) if m.group(1).lower().decode() == name)
    if closed < opened and last.getparent() is not None:
        last.getparent().remove(last)


def _local(tag: str) -> str:
    """``{ns}entry`` or ``atom:entry`` -> ``entry`` (a recovered tree keeps unbound prefixes)."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def unmangle(body: bytes) -> bytes:
    """Undo a Python-repr dump of a feed (``'<?xml ...>\\n ...'``), as some scrapers store them.

    The dump may be of bytes (``\\xe2\\x80\\x99`` escapes) or of text that was already
    decoded as Latin-1 (``â`` then ``\\x80\\x99``); both come back as the original UTF-8.
    """
    head = body[:3]
    quoted = head[:1] in (b"'", b'"') or (head[:1] == b"b" and head[1:2] in (b"'", b'"'))
    if not quoted or b"\\n" not in body[:4096]:
        return body
    inner = body.strip()
    inner = inner[1:] if inner[:1] == b"b" else inner
    inner = inner[1:] if inner[:1] in (b"'", b'"') else inner
    inner = inner[:-1] if inner[-1:] in (b"'", b'"') else inner
    text = _PY_ESCAPE.sub(_unescape, inner.decode("utf-8", errors="replace"))
    try:
        original = text.encode("latin-1")  # every char is one byte of the original stream
    except UnicodeEncodeError:
        return text.strip().encode("utf-8")
    return repair_mixed_utf8(original.strip())


_PY_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[ntr'\"\\])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "'": "'", '"': '"', "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "xu" else _SIMPLE_ESCAPES[code]


def repair_mixed_utf8(body: bytes) -> bytes:
    """UTF-8 with stray single-byte characters (a 0xA0 among valid UTF-8) -> clean UTF-8.

    Each byte that is not part of valid UTF-8 is read as Windows-1252, the usual culprit.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="surrogateescape")
        fixed = "".join(
            bytes([ord(ch) - 0xDC00]).decode("cp1252", errors="replace")
            if "\udc80" <= ch <= "\udcff"
            else ch
            for ch in text
        )
        return fixed.encode("utf-8")
    return body


def _strip_bom(body: bytes) -> bytes:
    for bom in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :]
    return body


def _parser(*, recover: bool = False) -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers must not be shared across threads)."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _parse_tree(root: Any, where: str) -> ParsedFeed:
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "rss" or tag == "channel":
        return _parse_rss(root)
    if tag == f"{RDF}RDF":
        return _parse_rdf(root)
    if tag in (f"{ATOM}feed", f"{ATOM03}feed"):
        return _parse_atom(root, tag[: tag.index("}") + 1])
    if _local(tag) == "urlset":
        return _parse_sitemap(root)
    if tag.lower() in ("html", "{http://www.w3.org/1999/xhtml}html"):
        embedded = root.find(f".//{ATOM}feed")  # an Atom feed wrapped in XHTML, as some blogs serve
        if embedded is not None:
            return _parse_atom(embedded, ATOM)
        raise BadInputError(f"not a feed: {where} is an HTML page")
    raise BadInputError(f"not a feed: {where} has root element <{_local(tag)[:80]}>")


# ---------------------------------------------------------------- formats


def _text(node: Any) -> str:
    return "".join(node.itertext()) if node is not None else ""


def _inner_html(node: Any) -> str:
    """Element content as markup (Atom type="xhtml" and RSS descriptions with child elements)."""
    if node is None:
        return ""
    if len(node) == 0:
        return node.text or ""
    parts = [node.text or ""]
    for child in node:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _clean_title(text: str) -> str:
    return " ".join(text.split())


def _parse_rss(root: Any) -> ParsedFeed:
    channel = root.find("channel") if root.tag == "rss" else root
    if channel is None:
        channel = root
    items = tuple(i for i in (_rss_item(node) for node in channel.iter("item")) if i is not None)
    return ParsedFeed(
        _clean_title(channel.findtext("title") or "") or None,
        channel.findtext("link"),
        items,
        "rss",
        language=_declared_language(channel, root),
    )


def _declared_language(*nodes: Any) -> str | None:
    """A feed's declared language: ``<language>``, ``dc:language`` or ``xml:lang``."""
    for node in nodes:
        if node is None:
            continue
        value = node.findtext("language") or node.findtext(f"{DC}language") or node.get(XML_LANG)
        if value and str(value).strip():
            return str(value).strip()
    return None


def _dc_fields(node: Any) -> dict[str, Any]:
    """What an item says about its source, publisher, author and language (RSS and RDF)."""
    source = node.find("source")
    source_text = _clean_title(_text(source)) if source is not None else ""
    return {
        "source_name": source_text or None,
        "source_url": source.get("url") if source is not None else None,
        "publisher": _clean_title(node.findtext(f"{DC}publisher") or "") or None,
        "creator": _clean_title(node.findtext(f"{DC}creator") or "") or None,
        "language": node.get(XML_LANG) or node.findtext(f"{DC}language"),
    }


def _rss_item(node: Any) -> ParsedItem | None:
    guid_node = node.find("guid")
    guid = guid_node.text.strip() if guid_node is not None and guid_node.text else None
    link = (node.findtext("link") or "").strip()
    if not link and guid and guid.startswith("http"):
        link = guid  # even with isPermaLink="false", as feedparser and readers do
    title = _clean_title(_text(node.find("title")))
    if not link or not title:
        return None
    summary = node.find("description")
    if summary is None:
        summary = node.find(f"{CONTENT}encoded")
    date_text = (
        node.findtext("pubDate") or node.findtext(f"{DC}date") or node.findtext(f"{ATOM}updated")
    )
    return ParsedItem(
        title, link, guid, _inner_html(summary), parse_date(date_text), **_dc_fields(node)
    )


def _parse_rdf(root: Any) -> ParsedFeed:
    channel = root.find(f"{RSS1}channel")
    items = []
    for node in root.iter(f"{RSS1}item"):
        title = _clean_title(_text(node.find(f"{RSS1}title")))
        link = (node.findtext(f"{RSS1}link") or node.get(f"{RDF}about") or "").strip()
        if not title or not link:
            continue
        summary = node.find(f"{RSS1}description")
        if summary is None:
            summary = node.find(f"{CONTENT}encoded")
        items.append(
            ParsedItem(
                title,
                link,
                node.get(f"{RDF}about"),
                _inner_html(summary),
                parse_date(node.findtext(f"{DC}date")),
                **_dc_fields(node),
            )
        )
    title = _clean_title(channel.findtext(f"{RSS1}title") or "") if channel is not None else ""
    site = channel.findtext(f"{RSS1}link") if channel is not None else None
    language = _declared_language(channel, root) if channel is not None else None
    return ParsedFeed(title or None, site, tuple(items), "rdf", language=language)


def _atom_link(node: Any, ns: str) -> str:
    links = node.findall(f"{ns}link")
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href")).strip()
    return str(links[0].get("href") or "").strip() if links else ""


def _atom_content(node: Any) -> str:
    if node is None:
        return ""
    return _inner_html(node) if node.get("type") == "xhtml" else node.text or ""


def _parse_atom(root: Any, ns: str) -> ParsedFeed:
    items = []
    for node in root.iter(f"{ns}entry"):
        title = _clean_title(_text(node.find(f"{ns}title")))
        link = _atom_link(node, ns)
        if not link:
            entry_id = (node.findtext(f"{ns}id") or "").strip()
            link = entry_id if entry_id.startswith("http") else ""
        if not title or not link:
            continue
        summary = node.find(f"{ns}summary")
        if summary is None:
            summary = node.find(f"{ns}content")
        date_text = (
            node.findtext(f"{ns}published")
            or node.findtext(f"{ns}updated")
            or node.findtext(f"{ns}issued")
            or node.findtext(f"{ns}modified")
        )
        source = node.find(f"{ns}source")
        items.append(
            ParsedItem(
                title,
                link,
                node.findtext(f"{ns}id"),
                _atom_content(summary),
                parse_date(date_text),
                source_name=_clean_title(_text(source.find(f"{ns}title")))
                if source is not None
                else None,
                source_url=_atom_link(source, ns) or None if source is not None else None,
                publisher=_clean_title(node.findtext(f"{DC}publisher") or "") or None,
                creator=_clean_title(node.findtext(f"{DC}creator") or "") or None,
                language=node.get(XML_LANG) or node.findtext(f"{DC}language"),
            )
        )
    feed_title = _clean_title(_text(root.find(f"{ns}title"))) or None
    return ParsedFeed(
        feed_title,
        _atom_link(root, ns) or None,
        tuple(items),
        "atom",
        language=_declared_language(root),
    )


def _parse_sitemap(root: Any) -> ParsedFeed:
    """Google News sitemaps: <url><loc/><news:news><news:title/><news:publication_date/>."""
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""  # 0.9 URIs vary
    items = []
    publisher = None
    for node in root.iter(f"{ns}url"):
        news = node.find(f"{NEWS}news")
        loc = (node.findtext(f"{ns}loc") or "").strip()
        if news is None or not loc:
            continue
        title = _clean_title(news.findtext(f"{NEWS}title") or "")
        if not title:
            continue
        name = _clean_title(news.findtext(f"{NEWS}publication/{NEWS}name") or "") or None
        publisher = publisher or name
        items.append(
            ParsedItem(
                title,
                loc,
                loc,
                "",
                parse_date(news.findtext(f"{NEWS}publication_date")),
                publication=name,
                language=news.findtext(f"{NEWS}publication/{NEWS}language"),
            )
        )
    return ParsedFeed(publisher, None, tuple(items), "sitemap")


def parse_json_feed(body: bytes, *, where: str = "input") -> ParsedFeed:
    """JSON Feed 1.x (https://jsonfeed.org). A field of the wrong type (a number for a date, a
    list for a title) counts as absent; lone surrogates (``\\ud800``) become U+FFFD."""
    try:
        doc = json.loads(_strip_bom(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(
            f"not a feed: {where} is malformed JSON ({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from None
    except RecursionError:
        raise BadInputError(f"not a feed: {where} is JSON nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise BadInputError(f"not a feed: {where} is JSON without an items list")
    items = []
    for entry in doc["items"]:
        if not isinstance(entry, dict):
            continue
        link = (_json_text(entry.get("url")) or _json_text(entry.get("external_url"))).strip()
        title = _clean_title(_json_text(entry.get("title")))
        if not link or not title:
            continue
        summary = (
            _json_text(entry.get("summary"))
            or _json_text(entry.get("content_html"))
            or _json_text(entry.get("content_text"))
        )
        date_text = _json_text(entry.get("date_published")) or _json_text(
            entry.get("date_modified")
        )
        entry_id = entry.get("id")
        guid = str(entry_id) if isinstance(entry_id, int | float) else _json_text(entry_id)
        items.append(ParsedItem(title, link, guid or link, summary, parse_date(date_text)))
    return ParsedFeed(
        _json_text(doc.get("title")) or None,
        _json_text(doc.get("home_page_url")) or None,
        tuple(items),
        "json",
        language=_json_text(doc.get("language")) or None,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_text(value: object) -> str:
    """A JSON string field as text; anything else (number, list, object, null) is ``""``."""
    if not isinstance(value, str):
        return ""
    return _SURROGATE.sub("\ufffd", value)


# ---------------------------------------------------------------- tolerant path and dates


def _parse_tolerant(body: bytes, where: str, fast_error: Exception) -> ParsedFeed:
    try:
        parsed: Any = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    except UnicodeError as exc:  # feedparser decodes an <?xml encoding="..."?> of stray bytes
        reason = " ".join(str(exc).split())[:200]
        raise BadInputError(f"not a feed ({reason}): {where}") from None
    entries = parsed.get("entries", [])
    closed = sum(1 for m in _CLOSE_TAG.finditer(body) if m.group(1).lower() != b"url")
    entries = entries[:closed]  # a truncated document's last entry is cut off (see above)
    if not parsed.get("version") and not entries:
        reason = " ".join(str(parsed.get("bozo_exception") or fast_error).split())[:200]
        raise BadInputError(f"not a feed ({reason}): {where}")
    items = tuple(item for item in (_tolerant_entry(e) for e in entries) if item is not None)
    feed = parsed.get("feed", {})
    reason = " ".join(str(fast_error).split())[:160]
    warning = f"malformed XML ({reason}); read with the tolerant parser"
    return ParsedFeed(
        feed.get("title"),
        feed.get("link"),
        items,
        "tolerant",
        warning,
        language=feed.get("language"),
    )


def _tolerant_entry(entry: Any) -> ParsedItem | None:
    entry_id = str(entry.get("id", ""))
    link = entry.get("link") or (entry_id if entry_id.startswith("http") else None)
    title = _clean_title(str(entry.get("title", "")))
    if not link or not title:
        return None
    source = entry.get("source") or {}
    return ParsedItem(
        title,
        str(link).strip(),
        entry.get("id"),
        str(entry.get("summary") or ""),
        _entry_date(entry),
        source_name=_clean_title(str(source.get("title") or "")) or None,
        source_url=source.get("href") or source.get("url"),
        publisher=_clean_title(str(entry.get("publisher") or "")) or None,
        creator=_clean_title(str(entry.get("author") or "")) or None,
        language=entry.get("language"),
    )


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(
            entry, key
        )  # plain dict access: no feedparser fallback mapping (a warning)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):  # year 9999 at -12:00
                return None
    return None


def parse_date(text: object) -> datetime | None:
    """RFC 822, ISO 8601 and the many odd forms feeds use; naive times are UTC; junk is None,
    and so is a date that cannot be shown in UTC (year 9999 at -12:00, year 1 at +14:00)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return _parse_date(text)
    except (OverflowError, ValueError, OSError):  # out of datetime's range once in UTC
        return None


def _parse_date(text: str) -> datetime | None:
    text = text.strip()
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            struct = feedparser_date(text)
            parsed = datetime.fromtimestamp(calendar.timegm(struct), tz=UTC) if struct else None
            parsed = _same_calendar_day(text, parsed)
    if parsed is None:
        return None
    parsed = parsed.replace(
        microsecond=0
    )  # feeds' sub-second parts are noise; feedparser drops them
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def _same_calendar_day(text: str, parsed: datetime | None) -> datetime | None:
    """feedparser rolls "2026-13-45" over into 2027; an ISO-looking date must keep its own day."""
    match = _ISO_DAY.match(text)
    if parsed is None or match is None:
        return parsed
    year, month, day = (int(g) for g in match.groups())
    return parsed if (parsed.year, parsed.month, parsed.day) == (year, month, day) else None
