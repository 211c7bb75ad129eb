"""The in-process scheduler of ``tapewire run``: one pipeline pass as of now, every interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tapewire.context import StageReport

log = logging.getLogger(__name__)


class Scheduler:
    """Calls ``job`` now and then every ``interval_s`` seconds until stopped.

    A failing pass is logged and the next one still runs: one bad source never stops the loop.
    """

    def __init__(self, job: Callable[[], list[StageReport]], *, interval_s: float) -> None:
        self._job, self._interval_s = job, interval_s
        self._stop = threading.Event()
        self.passes = 0

    def run_forever(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._interval_s)

    def run_once(self) -> list[StageReport]:
        try:
            reports = self._job()
        except Exception:
            log.exception("pipeline pass failed; the next pass runs on schedule")
            reports = []
        self.passes += 1
        return reports

    def stop(self) -> None:
        self._stop.set()
