"""Feed text made safe and tidy: canonical URLs, publisher domains, plain-text summaries."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ref", "smid", "taid", "yptr"}
)
SUMMARY_MAX_CHARS = 2000  # a summary is a snippet, not the article


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))


def publisher_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def clean_title(title: str) -> str:
    return " ".join(html.unescape(title).split())


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "iframe", "object", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("p", "br", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def summary_text(summary_html: str) -> str:
    """HTML summary -> plain text (scripts and styles dropped), whitespace collapsed, capped."""
    extractor = _TextExtractor()
    extractor.feed(summary_html)
    extractor.close()
    text = re.sub(r"\s+", " ", "".join(extractor.parts)).strip()
    return text[:SUMMARY_MAX_CHARS]
