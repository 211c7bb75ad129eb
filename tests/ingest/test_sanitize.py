"""Normalization: canonical URLs, publishers, titles, plain-text summaries."""

from __future__ import annotations

import pytest

from tapewire.ingest.sanitize import canonical_url, clean_title, publisher_domain, summary_text


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.example.com/a/b", "https://www.example.com/a/b"),
        ("HTTPS://Example.COM/a?utm_source=x&utm_medium=y&id=3#frag", "https://example.com/a?id=3"),
        ("https://example.com/a?b=2&a=1&fbclid=zz", "https://example.com/a?a=1&b=2"),
        ("https://m.example.com/story/1", "https://example.com/story/1"),
        ("https://amp.example.com/story/1", "https://example.com/story/1"),
        ("https://example.com/story/1/amp", "https://example.com/story/1"),
        ("https://example.com/story/1.amp", "https://example.com/story/1"),
        ("https://example.com/story/1?outputType=amp", "https://example.com/story/1"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/x  ", "https://example.com/x"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


def test_publisher_domain() -> None:
    assert publisher_domain("https://www.reuters.com/markets/x") == "reuters.com"
    assert publisher_domain("https://m.cnbc.com/x") == "cnbc.com"


@pytest.mark.parametrize(
    ("title", "publisher", "clean"),
    [
        ("Stocks rally as Fed holds - Reuters", None, "Stocks rally as Fed holds"),
        ("Stocks rally as Fed holds | CNBC", None, "Stocks rally as Fed holds"),
        ("Gold slips \u2014 Bloomberg", None, "Gold slips"),
        ("Acme beats estimates - The Daily Ledger", "The Daily Ledger", "Acme beats estimates"),
        ("Risk-on - or not", None, "Risk-on - or not"),  # not an outlet
        ("S&amp;P 500   hits   a record", None, "S&P 500 hits a record"),
    ],
)
def test_clean_title(title: str, publisher: str | None, clean: str) -> None:
    assert clean_title(title, publisher=publisher) == clean


def test_summary_is_plain_safe_text() -> None:
    dirty = (
        '<p onclick="steal()">Acme <b>rallies</b> &amp; climbs</p><script>alert(1)</script>'
        '<style>p{}</style><a href="javascript:alert(2)">link</a> &lt;script&gt;alert(3)&lt;/script&gt; done'
    )
    text = summary_text(dirty)
    assert text == "Acme rallies & climbs link done"
    assert summary_text("plain   text\n here") == "plain text here"
    assert len(summary_text("x" * 5000)) == 2000
