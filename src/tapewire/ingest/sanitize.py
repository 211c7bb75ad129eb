"""Feed text made safe and tidy (pure): canonical URLs, publishers, titles, plain-text summaries.

Summaries are kept as plain text: tags, scripts, styles and event handlers are all dropped, and
the web layer escapes what is left. Plain text is the smallest safe subset of HTML.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "smid",
        "taid",
        "yptr",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "igshid",
        "sr_share",
        "ref_src",
        "cid",
        "amp",
        "outputtype",
        "amp_js_v",
        "usqp",
    }
)
AMP_PATH = re.compile(r"(/amp/?|\.amp|/amp\.html)$", re.IGNORECASE)
MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.IGNORECASE)
SUMMARY_MAX_CHARS = 2000  # a summary is a snippet, not the article
_DROP_BLOCKS = re.compile(
    r"<(script|style|iframe|object|noscript|template)\b.*?</\1\s*>", re.I | re.S
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# " - Reuters", " | CNBC", " (em dash) Bloomberg": a wire or outlet tag at the end of a title
_WIRE_SUFFIX = re.compile(r"\s+[-|\u2013\u2014]\s+([A-Z][\w.&' ]{1,40})$")


def canonical_url(url: str) -> str:
    """One URL per article: lower-case scheme and host, no ``www.``/``m.``/``amp.`` host, no AMP
    path, no fragment, no tracking parameters, no default port, sorted query."""
    url = url.strip()
    return url if _already_canonical(url) else _slow_canonical(url)


def _already_canonical(url: str) -> bool:
    """The common case, decided without parsing: lower-case https, a path, nothing to strip."""
    return (
        url.startswith("https://")
        and "?" not in url
        and "#" not in url
        and url.islower()
        and "/" in url[8:]
        and not MOBILE_HOST.match(url[8:])
        and not AMP_PATH.search(url)
        and ":" not in url[8:].split("/", 1)[0]
    )


def _slow_canonical(url: str) -> str:
    parts = urlsplit(url)
    host = MOBILE_HOST.sub("", (parts.hostname or "").lower())
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    )
    path = AMP_PATH.sub("", parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


def publisher_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return MOBILE_HOST.sub("", host.removeprefix("www."))


def clean_title(title: str, *, publisher: str | None = None) -> str:
    """Unescape, collapse whitespace, and drop a trailing " - Outlet" that names the publisher."""
    text = " ".join(html.unescape(title).split()) if "&" in title else " ".join(title.split())
    match = _WIRE_SUFFIX.search(text)
    if match and _names_publisher(match.group(1), publisher):
        text = text[: match.start()].rstrip()
    return text


def _names_publisher(suffix: str, publisher: str | None) -> bool:
    words = suffix.lower().replace("the ", "").split()
    known = {
        "reuters",
        "ap",
        "afp",
        "bloomberg",
        "cnbc",
        "marketwatch",
        "barron's",
        "axios",
        "wsj",
        "forbes",
        "fortune",
        "yahoo",
        "finance",
    }
    if words and words[0] in known:
        return True
    return bool(publisher) and suffix.lower() in (publisher or "").lower()


def summary_text(summary_html: str) -> str:
    """HTML summary -> plain text (scripts, styles and all tags dropped), whitespace collapsed."""
    text = summary_html
    if "<" in text:
        text = _TAG.sub(" ", _DROP_BLOCKS.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # escaped markup ("&lt;script&gt;") is markup too
            text = _TAG.sub(" ", _DROP_BLOCKS.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:SUMMARY_MAX_CHARS]
