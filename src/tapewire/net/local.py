"""Fetch results and local files: what ``HttpClient.fetch`` returns, and its reading of ``file://``
URLs and plain paths, without httpx (a CLI command that loads a local CSV never imports it,
issue #16)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tapewire.errors import BadInputError


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 200, or 304 when the conditional GET says nothing changed
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_local_path(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def read_file(url: str, cap: int) -> FetchResult:
    """A regular file, at most ``cap`` bytes. ``/dev/zero``, a FIFO, a socket or a directory is
    refused before it is opened (opening a FIFO would wait for a writer forever)."""
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file://") else Path(url)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise BadInputError(f"cannot read {path}: Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise BadInputError(
                f"cannot read {path}: not a regular file (a device, FIFO or socket)"
            )
        if info.st_size > cap:
            raise BadInputError(f"file of {info.st_size} bytes over the {cap}-byte cap: {path}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            body = handle.read(cap + 1)  # the file may have grown since stat
    except FileNotFoundError:
        raise BadInputError(f"no such file: {path}") from None
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror}") from None
    if len(body) > cap:
        raise BadInputError(f"file over the {cap}-byte cap: {path}")
    return FetchResult(str(path), 200, body, None, None, None)
