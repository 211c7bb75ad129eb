"""The one redaction of credentials in URLs, used wherever a URL is shown or logged.

A feed URL may carry a secret: ``https://user:pw@host/rss`` or a token in its query string
(``?apikey=``, ``token=``, ``key=``...). The store keeps the URL whole (it is needed to fetch),
and everything that shows it (site, API, CLI, health reasons, logs) passes it through
:func:`redact_url`, or a free text holding URLs through :func:`redact_secrets`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# Query parameter names that hold a credential (compared lower-cased, "-" read as "_").
SECRET_PARAMS = frozenset(
    {
        "key",
        "apikey",
        "api_key",
        "token",
        "access_token",
        "auth",
        "auth_token",
        "authorization",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "pwd",
        "pass",
        "sig",
        "signature",
        "session",
        "sessionid",
        "private_token",
        "x_api_key",
    }
)
_URL = re.compile(r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s'"<>]*[^\s'"<>.,;:)\]]""")


def _secret_param(name: str) -> bool:
    name = name.lower().replace("-", "_")
    return name in SECRET_PARAMS or name.endswith(("_token", "_key", "_secret", "apikey"))


def redact_url(url: str) -> str:
    """``url`` with its user, password and credential query values replaced by ``***``.

    Anything that does not parse as a URL comes back unchanged, minus a ``user:pw@`` part."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@\s]*@", f"//{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_secret_param(k) for k, _ in pairs):
            query = urlencode([(k, MASK if _secret_param(k) else v) for k, v in pairs], safe="*/:")
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_secrets(text: str) -> str:
    """Every URL inside ``text`` (an error message, a log line) redacted by :func:`redact_url`."""
    return _URL.sub(lambda m: redact_url(m.group()), text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts URLs in a record's message and arguments (httpx logs
    every request's URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        return True


def _redacted(arg: object) -> object:
    if isinstance(arg, str):
        return redact_secrets(arg)
    if isinstance(arg, int | float | bytes) or arg is None:
        return arg
    text = str(arg)  # an httpx.URL
    return redact_secrets(text) if _URL.search(text) else arg


def install_log_redaction(*names: str) -> None:
    """Add :class:`RedactingFilter` to the named loggers (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
