"""API keys: printed once, stored as a salted SHA-256; scopes ``read``, ``alerts:write``, ``admin``.

A key reads ``tw_<prefix>_<secret>``: the prefix finds the row, the secret is checked against
the salted hash in constant time. Keys are 256-bit random, so a fast salted hash is enough
(a slow KDF defends guessable passwords; these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tapewire.alerts.models import ApiKey
from tapewire.alerts.reads import SCOPES as SCOPES  # the views are read through Core (#16)
from tapewire.alerts.reads import KeyView as KeyView
from tapewire.alerts.reads import key_view as _view
from tapewire.errors import TapewireError


class AuthError(TapewireError):
    """A missing, unknown, revoked or under-scoped API key."""


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _new_secret(row: ApiKey) -> str:
    secret = secrets.token_urlsafe(32)
    row.salt = secrets.token_hex(16)
    row.hash = _hash(row.salt, secret)
    return f"tw_{row.prefix}_{secret}"


def check_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """The scopes, validated (one clear error on an unknown one)."""
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise AuthError(f"unknown scope {bad[0]!r}: use {', '.join(SCOPES)}" if bad else "no scope")
    return list(dict.fromkeys(scopes))


def create_key(s: Session, *, name: str, scopes: list[str], now: datetime) -> tuple[KeyView, str]:
    """A new key; returns its view and the key text (shown once, never stored)."""
    row = ApiKey(name=name[:255], prefix=secrets.token_hex(6), scopes=check_scopes(scopes))
    row.created_at = now
    text = _new_secret(row)
    s.add(row)
    s.flush()
    return _view(row), text


def rotate_key(s: Session, key_id: int) -> tuple[KeyView, str]:
    """A new secret for the key (same id, scopes and rules); the old text stops working."""
    row = _row(s, key_id)
    text = _new_secret(row)
    return _view(row), text


def revoke_key(s: Session, key_id: int, *, now: datetime) -> KeyView:
    row = _row(s, key_id)
    row.revoked_at = row.revoked_at or now
    return _view(row)


def authenticate(s: Session, text: str | None, *, scope: str, now: datetime) -> KeyView:
    """The key's view if ``text`` is a live key allowing ``scope``.

    Raises:
        AuthError: missing, malformed, unknown, revoked or without the scope (the message never
            repeats the key).
    """
    if not text:
        raise AuthError("an API key is required (Authorization: Bearer <key>)")
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "tw":
        raise AuthError("malformed API key")
    row = s.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or not hmac.compare_digest(row.hash, _hash(row.salt, parts[2])):
        raise AuthError("unknown API key")
    if row.revoked_at is not None:
        raise AuthError("revoked API key")
    view = _view(row)
    if not view.allows(scope):
        raise AuthError(f"this key lacks the {scope!r} scope")
    row.last_used_at = now
    return view


def _row(s: Session, key_id: int) -> ApiKey:
    row = s.get(ApiKey, key_id)
    if row is None:
        raise AuthError(f"no API key with id {key_id}")
    return row
