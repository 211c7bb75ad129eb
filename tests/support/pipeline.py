"""Move the demo world one day on: new bars and news arrive over HTTP and new briefs are written."""

from __future__ import annotations

from datetime import datetime

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo


def analyse_and_write(settings: Settings, as_of: datetime) -> None:
    """The whole demo pipeline as of ``as_of`` into the settings' database."""
    run_demo(settings, as_of=as_of, clock=FixedClock(as_of))
