"""The deterministic writer's stable choice among phrasings (the banks live with the situations
they word, in ``writers.situations``).

A choice depends on (instrument, as_of, slot) only, so briefs vary across instruments and days
while a rerun writes the very same text. Every number in a phrase is formatted from the fact sheet
and checked by the verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any


def pick(options: Sequence[str], facts: dict[str, Any], slot: str) -> str:
    """A stable choice per (instrument, as_of, slot)."""
    key = f"{facts['instrument']['symbol']}|{facts['as_of']}|{slot}".encode()
    return options[int(hashlib.sha256(key).hexdigest(), 16) % len(options)]
