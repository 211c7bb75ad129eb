"""Briefs as Atom 1.0 (RFC 4287) documents (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, slots=True)
class AtomEntry:
    slug: str
    title: str
    summary: str
    body: str  # plain text; escaped into the content element
    url: str
    published: datetime
    updated: datetime
    categories: tuple[str, ...]


def entry_id(slug: str, published: datetime) -> str:
    """A stable tag: URI (RFC 4151): the same brief keeps its id wherever the site is served."""
    return f"tag:tapewire,{published:%Y-%m-%d}:brief/{slug}"


def render_atom(
    entries: Sequence[AtomEntry],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    site_url: str,
    updated: datetime,
) -> bytes:
    """A complete Atom feed; every text is XML-escaped, every timestamp is RFC 3339 UTC."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"<id>{escape(feed_id)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{_ts(updated)}</updated>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(site_url)}/>',
        "<author><name>tapewire newsroom</name></author>",
        '<generator uri="https://github.com/tapewire">tapewire</generator>',
    ]
    parts += [_entry(e) for e in entries]
    parts.append("</feed>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def _entry(e: AtomEntry) -> str:
    cats = "".join(f"<category term={quoteattr(c)}/>" for c in e.categories)
    return (
        "<entry>"
        f"<id>{escape(entry_id(e.slug, e.published))}</id>"
        f"<title>{escape(e.title)}</title>"
        f'<link rel="alternate" type="text/html" href={quoteattr(e.url)}/>'
        f"<published>{_ts(e.published)}</published>"
        f"<updated>{_ts(e.updated)}</updated>"
        f"<summary>{escape(e.summary)}</summary>"
        f'<content type="text">{escape(e.body)}</content>'
        f"{cats}"
        "</entry>"
    )


def _ts(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
