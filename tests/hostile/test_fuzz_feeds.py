"""A fuzz suite over the feed parsers (issue #17): RSS 2.0, RSS 1.0 (RDF), Atom, JSON Feed, news
sitemaps and odd documents, built from fuzzed fields (dates, titles with control characters and
lone surrogates, JSON values of every type, deep nesting), then cut and corrupted at random.

The property: ``parse_feed`` gives a feed or a clean ``SourceError``, never another exception,
and the items it gives normalize and are storable. Hypothesis runs a fixed budget, derandomized
(the same examples every run, so CI stays a few seconds and a failure reproduces). The same
properties run once more in a subprocess under a 1 GB address-space limit: bounded memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapewire.errors import SourceError
from tapewire.ingest.parse import ParsedFeed, parse_date, parse_feed
from tapewire.ingest.stage import _columns, normalize_items

BUDGET = settings(
    max_examples=int(os.environ.get("TAPEWIRE_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
WEIRD_DATES = [
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "2026-13-45T99:00:00Z",
    "2026-02-30",
    "Thu, 19 Nov 2026 21:00:00 GMT",
    "1e308",
    "99999999999999999999",
    "",
    "   ",
    "Thu, 19 Nov 2026 21:00:00 +9999",
    "2026-11-19T21:00:00.123456789Z",
    "\x00",
]
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "&amp;", "&bogus;", "]]>", "<b>x</b>", "\u202e", "\ufeff"]
)
dates = st.sampled_from(WEIRD_DATES) | texts
urls = st.sampled_from(
    [
        "https://wire.example/a",
        "/relative/path",
        "http://[x",
        "http://h:99999/",
        "javascript:alert(1)",
        "",
        "https://" + "a" * 3000,
    ]
) | texts.map(lambda t: "https://wire.example/" + t)


def xml_text(value: str) -> str:
    """XML 1.0 cannot hold most control characters: drop them (the fuzz is of the feed)."""
    return escape("".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20))


@st.composite
def rss(draw: Any) -> bytes:
    items = draw(st.lists(st.tuples(texts, urls, dates, texts), max_size=5))
    body = "".join(
        f"<item><title>{xml_text(t)}</title><link>{xml_text(u)}</link>"
        f"<pubDate>{xml_text(d)}</pubDate><description>{xml_text(s)}</description></item>"
        for t, u, d, s in items
    )
    title = xml_text(draw(texts))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


@st.composite
def atom(draw: Any) -> bytes:
    items = draw(st.lists(st.tuples(texts, urls, dates), max_size=5))
    body = "".join(
        f'<entry><title>{xml_text(t)}</title><link href="{xml_text(u)}"/>'
        f"<updated>{xml_text(d)}</updated><id>{xml_text(u)}</id></entry>"
        for t, u, d in items
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{body}</feed>'.encode()


@st.composite
def rdf(draw: Any) -> bytes:
    items = draw(st.lists(st.tuples(texts, urls, dates), max_size=5))
    body = "".join(
        f'<item rdf:about="{xml_text(u)}"><title>{xml_text(t)}</title><link>{xml_text(u)}</link>'
        f"<dc:date>{xml_text(d)}</dc:date></item>"
        for t, u, d in items
    )
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>x</title></channel>{body}</rdf:RDF>"
    ).encode()


@st.composite
def sitemap(draw: Any) -> bytes:
    items = draw(st.lists(st.tuples(texts, urls, dates), max_size=5))
    body = "".join(
        f"<url><loc>{xml_text(u)}</loc><news:news><news:publication><news:name>P</news:name>"
        f"</news:publication><news:publication_date>{xml_text(d)}</news:publication_date>"
        f"<news:title>{xml_text(t)}</news:title></news:news></url>"
        for t, u, d in items
    )
    return (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>'
    ).encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts | urls | dates,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def json_feed(draw: Any) -> bytes:
    keys = ["id", "url", "external_url", "title", "summary", "content_html", "date_published"]
    items = draw(
        st.lists(st.dictionaries(st.sampled_from(keys), json_values, max_size=7), max_size=5)
    )
    doc: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    for key in ("title", "home_page_url", "language"):
        if draw(st.booleans()):
            doc[key] = draw(json_values)
    text = json.dumps(doc)
    if draw(st.booleans()):  # a lone surrogate escape, as the probe sent
        text = text.replace('"items"', '"\\ud800": 1, "items"', 1)
        text = text.replace('"title": "', '"title": "\\udfff', 1)
    return text.encode()


@st.composite
def mutated(draw: Any, documents: st.SearchStrategy[bytes]) -> bytes:
    """A document, maybe cut short, maybe with bytes flipped or inserted."""
    doc: bytes = draw(documents)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cut", "flip", "insert", "nest"]))
        at = draw(st.integers(0, max(0, len(doc))))
        if kind == "cut":
            doc = doc[:at]
        elif kind == "flip" and doc:
            at = min(at, len(doc) - 1)
            doc = doc[:at] + bytes([doc[at] ^ draw(st.integers(1, 255))]) + doc[at + 1 :]
        elif kind == "insert":
            doc = doc[:at] + draw(st.binary(max_size=8)) + doc[at:]
        else:
            depth = draw(st.integers(1, 3000))
            doc = doc[:at] + draw(st.sampled_from([b"[", b'{"a":', b"<a>"])) * depth + doc[at:]
    return doc


def check(body: bytes) -> None:
    """The property: a feed whose items normalize and store, or a clean SourceError."""
    try:
        feed = parse_feed(body, url="https://fuzz.example/feed")
    except SourceError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 1000, message
        return
    assert isinstance(feed, ParsedFeed)
    for item in normalize_items(feed, fetched_at=NOW, base_url="https://fuzz.example/feed"):
        columns = _columns(item)
        for value in columns.values():
            if isinstance(value, str):
                value.encode("utf-8")  # no lone surrogate reaches a store
                assert "\x00" not in value


@BUDGET
@given(mutated(st.one_of(rss(), atom(), rdf(), sitemap())))
def test_xml_feeds(body: bytes) -> None:
    check(body)


@BUDGET
@given(mutated(json_feed()))
def test_json_feeds(body: bytes) -> None:
    check(body)


@BUDGET
@given(
    st.binary(max_size=200)
    | st.tuples(
        st.sampled_from(
            [b"<rss>", b"{", b"[", b"<?xml version='1.0'?>", b"\xef\xbb\xbf<feed>", b"'<?xml\\n"]
        ),
        st.binary(max_size=200),
    ).map(lambda t: t[0] + t[1])
)
def test_odd_bytes(body: bytes) -> None:
    check(body)


@BUDGET
@given(dates | st.integers() | st.floats() | st.none() | st.lists(st.integers(), max_size=2))
def test_dates_are_a_utc_datetime_or_none(value: object) -> None:
    parsed = parse_date(value)
    assert parsed is None or parsed.tzinfo == UTC


@pytest.mark.timeout(300)
@pytest.mark.skipif(os.environ.get("TAPEWIRE_FUZZ_LIMITED") == "1", reason="the limited run")
def test_the_fuzz_runs_in_bounded_memory(tmp_path: Path) -> None:
    """The properties above, again, in a process limited to 1 GB of address space: a parser
    that buffered a bomb or recursed without end would die there with MemoryError."""
    limit = 1 << 30
    script = (
        "import resource, sys, pytest\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:randomly', '-p', 'no:cacheprovider', "
        f"'{__file__}', '-k', 'not bounded_memory']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "TAPEWIRE_FUZZ_LIMITED": "1", "TAPEWIRE_FUZZ_EXAMPLES": "25"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != limit  # only the child was limited
