"""Who wrote an item, as readers know the outlet (pure): "Reuters", not the feed it came through.

The feed is where an item came from (``news_item.feed_id``); the outlet is who wrote it. They
differ whenever a feed aggregates (Google News, Yahoo Finance, MSN) or names a section ("NYT >
Business"). ``find_outlet`` tries, in order, and takes the first that gives a name:

1. the item's ``<source>`` element (RSS 2.0; Google News and other aggregators fill it in);
2. the news sitemap's ``news:publication/news:name``;
3. ``dc:publisher``, and ``dc:creator`` only when it is a known outlet (a creator is usually a
   person);
4. the shipped map from the article's registered domain (``data/outlets.tsv``: reuters.com ->
   Reuters, nytimes.com -> The New York Times, ...);
5. on an aggregator's link, the article its redirect link wraps (Google Alerts'
   ``google.com/url?...&url=...``), else a " - Outlet" suffix of the title (Google News titles end
   with one), else the one site a search feed is restricted to (``"site:reuters.com markets" - Google News``);
6. the feed's own title, only when the feed is the publisher's own site (same registered domain,
   not an aggregator), cut at its section separator ("Calculated Risk > Blog" -> "Calculated Risk");
7. the article's registered domain (never an aggregator's);
8. ``UNKNOWN_OUTLET``.

An aggregator (a kind in the map) is never the outlet, whatever step names it. Names the map
knows under other spellings ("Reuters Staff", "WSJ", "AP") come back in the map's spelling.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import parse_qs, urlsplit

UNKNOWN_OUTLET = "unknown outlet"
MAX_OUTLET_CHARS = 120
# Public suffixes of two labels under which a registered domain has three (bbc.co.uk).
_TWO_LABEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.jp",
        "ne.jp",
        "or.jp",
        "com.br",
        "com.cn",
        "com.hk",
        "com.sg",
        "com.tw",
        "co.in",
        "co.kr",
        "co.nz",
        "co.za",
        "com.mx",
        "com.ar",
        "com.tr",
        "com.my",
    }
)
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|$)")
_MOBILE = re.compile(r"^(www\d?|m|mobile|amp)\.")
_SECTION = re.compile(r"\s+(?:>|\u00bb|\||-|\u2013|\u2014|:)\s+")
_TITLE_SUFFIX = re.compile(r"\s+[-|\u2013\u2014]\s+([^-|\u2013\u2014]{2,60})$")
_SITE_QUERY = re.compile(r"\bsite:([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^(?:https?://|www\.)|[<>{}]")


@dataclass(frozen=True, slots=True)
class OutletEntry:
    domain: str
    name: str
    aggregator: bool


@dataclass(frozen=True, slots=True)
class OutletMap:
    by_domain: dict[str, OutletEntry]
    by_name: dict[str, OutletEntry]  # normalized name or alias -> entry


def _key(name: str) -> str:
    """Case-, space- and apostrophe-blind key of a name (curly or straight apostrophes)."""
    text = name.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"^the\s+", "", text)
    return " ".join(text.split())


@functools.cache
def outlet_map() -> OutletMap:
    """The shipped map (``tapewire/ingest/data/outlets.tsv``), read once."""
    text = resources.files("tapewire.ingest").joinpath("data/outlets.tsv").read_text("utf-8")
    by_domain: dict[str, OutletEntry] = {}
    by_name: dict[str, OutletEntry] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        domain, kind, name = fields[0].strip(), fields[1].strip(), fields[2].strip()
        entry = OutletEntry(domain, name, kind == "aggregator")
        by_domain[domain] = entry
        others = fields[3].split(";") if len(fields) > 3 else []
        for alias in (name, domain, *others):
            if alias.strip():
                by_name.setdefault(_key(alias), entry)
    return OutletMap(by_domain, by_name)


def host_of(url: str) -> str:
    """The URL's host, lower case, without ``www.``/``m.`` ('' when there is none)."""
    match = _PLAIN_HOST.match(url)  # the common case, without urlsplit
    if match is not None:
        host = match.group(1).lower().rstrip(".")
        return _MOBILE.sub("", host) if host[:1] in "wma" else host
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return _MOBILE.sub("", host)


def registered_domain(host_or_url: str) -> str:
    """``finance.yahoo.com`` -> ``yahoo.com``; ``www.bbc.co.uk`` -> ``bbc.co.uk`` ('' if none)."""
    host = host_of(host_or_url) if "/" in host_or_url else _MOBILE.sub("", host_or_url.lower())
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2 or host.replace(".", "").isdigit() or host.startswith("["):
        return host
    keep = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


@functools.lru_cache(maxsize=4096)
def lookup_domain(host: str) -> OutletEntry | None:
    """The map's entry for a host or its nearest listed parent domain."""
    domains = outlet_map().by_domain
    labels = host.split(".")
    for start in range(len(labels) - 1):
        entry = domains.get(".".join(labels[start:]))
        if entry is not None:
            return entry
    return None


@functools.lru_cache(maxsize=4096)
def known_name(name: str) -> OutletEntry | None:
    """The map's entry for an outlet name or alias ("WSJ", "Reuters Staff"), else None."""
    return outlet_map().by_name.get(_key(name))


def is_aggregator(name_or_host: str) -> bool:
    entry = known_name(name_or_host) or lookup_domain(host_of(f"//{name_or_host}"))
    return entry is not None and entry.aggregator


@functools.lru_cache(maxsize=4096)
def _as_outlet(name: str | None) -> str | None:
    """A name from the item itself -> the outlet's name; None for an aggregator or no name."""
    if not name:
        return None
    text = " ".join(name.split())
    if not text or _NOT_A_NAME.search(text):
        return None
    entry = known_name(text)
    if entry is not None:
        return None if entry.aggregator else entry.name
    return text[:MAX_OUTLET_CHARS]


def _from_source_url(url: str | None) -> str | None:
    entry = lookup_domain(host_of(url)) if url else None
    return entry.name if entry is not None and not entry.aggregator else None


def title_suffix_outlet(title: str) -> str | None:
    """ "Stocks slide - Reuters" -> "Reuters" (the aggregators' way of naming the outlet)."""
    match = _TITLE_SUFFIX.search(title)
    return _as_outlet(match.group(1)) if match else None


def _wrapped_outlet(url: str) -> str | None:
    """The outlet of the article an aggregator's redirect link wraps (``url=``/``u=``/``q=``
    query parameter holding an absolute link): its map name, else its registered domain."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for key in ("url", "u", "q"):
        for value in query.get(key, []):
            host = host_of(value) if value.startswith(("http://", "https://")) else ""
            if not host:
                continue
            entry = lookup_domain(host)
            if entry is not None:
                return None if entry.aggregator else entry.name
            return registered_domain(host) or None
    return None


def _site_query_outlet(feed_title: str | None) -> str | None:
    """A search feed restricted to one site (Google News ``"site:reuters.com markets"``): every
    item it carries is from that site, so that site's outlet."""
    sites = _SITE_QUERY.findall(feed_title or "")
    if len(set(sites)) != 1:
        return None
    entry = lookup_domain(registered_domain(sites[0]))
    if entry is not None:
        return None if entry.aggregator else entry.name
    return registered_domain(sites[0]) or None


def _feed_title_outlet(feed_title: str | None, feed_url: str | None, host: str) -> str | None:
    """The feed's own name, only for the publisher's own feed (same registered domain)."""
    if not feed_title or not feed_url or not host:
        return None
    feed_domain = registered_domain(host_of(feed_url))
    if feed_domain != registered_domain(host) or lookup_domain(host_of(feed_url)) is not None:
        return None
    first = _SECTION.split(feed_title, maxsplit=1)[0]
    if '"' in first or "site:" in first:  # a search feed's query, not a name
        return None
    return _as_outlet(first)


def find_outlet(
    *,
    url: str,
    title: str = "",
    source_name: str | None = None,
    source_url: str | None = None,
    publication: str | None = None,
    publisher: str | None = None,
    creator: str | None = None,
    feed_title: str | None = None,
    feed_url: str | None = None,
) -> str:
    """The item's outlet as readers know it (the order is in the module doc); never empty."""
    host = host_of(url)
    entry = lookup_domain(host) if host else None
    creator_entry = known_name(creator) if creator else None
    for found in (
        _as_outlet(source_name),
        _from_source_url(source_url),
        _as_outlet(publication),
        _as_outlet(publisher),
        creator_entry.name if creator_entry and not creator_entry.aggregator else None,
    ):
        if found:
            return found
    if entry is not None and not entry.aggregator:
        return entry.name
    if entry is not None:  # an aggregator's link: the outlet only if the link it wraps (Google
        # Alerts: google.com/url?...&url=<article>), the title or the query names it
        return (
            _wrapped_outlet(url)
            or title_suffix_outlet(title)
            or _site_query_outlet(feed_title)
            or UNKNOWN_OUTLET
        )
    suffix = title_suffix_outlet(title)
    if suffix and known_name(suffix) is not None:
        return suffix
    domain = registered_domain(host) if host else ""
    return _feed_title_outlet(feed_title, feed_url, host) or domain or UNKNOWN_OUTLET


def recompute_outlet(
    url: str, title: str, publisher_domain: str, feed_title: str | None, feed_url: str | None
) -> str:
    """The outlet of a row stored before outlets existed (the migration), from what the row and
    its feed kept (the feed elements ``<source>`` etc. were not stored)."""
    return find_outlet(
        url=url or f"https://{publisher_domain}/",
        title=title,
        feed_title=feed_title,
        feed_url=feed_url,
    )
