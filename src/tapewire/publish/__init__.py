"""Publish: briefs rendered as pages, JSON documents and Atom entries (pure renderers)."""

from __future__ import annotations

from tapewire.publish.atom import AtomEntry, render_atom

__all__ = ["AtomEntry", "render_atom"]
