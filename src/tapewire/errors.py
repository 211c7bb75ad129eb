"""Exception tree; each branch encodes what the caller must do about it.

```
TapewireError
  SourceError             written to the source's health row; the pipeline continues
    TemporarySourceError  timeout, 5xx, 429: retried with backoff
    BadInputError         malformed, oversized, unsafe or wrong encoding: not retried
  ConfigError             needs a person; the CLI exits 2
  NotBuiltError           the command's stage is not built yet; the CLI exits 1 saying so
  NoDataError             not enough (fresh) data to make a claim; the CLI exits 1
    NoNewSessionError     no bar since the last brief: the last brief still stands
  VerificationError       text disagrees with its fact sheet: retry once, then the template writer
```
"""

from __future__ import annotations


class TapewireError(Exception):
    """Base of every error tapewire raises on purpose."""


class SourceError(TapewireError):
    """A feed or price source failed; recorded on its health row."""


class TemporarySourceError(SourceError):
    """Timeout, 5xx or 429: worth retrying later."""


class BadInputError(SourceError):
    """Malformed, oversized, unsafe or undecodable input: retrying will not help."""


class ConfigError(TapewireError):
    """A setting or argument is wrong; a person must fix it."""


class NotBuiltError(TapewireError):
    """The feature exists in the contract but its stage is not built yet."""


class NoDataError(TapewireError):
    """Missing or stale data: no claim is made."""


class NoNewSessionError(NoDataError):
    """No bar since the last brief (a weekend for equities): nothing new to write."""


class VerificationError(TapewireError):
    """A brief's text disagrees with its fact sheet."""
