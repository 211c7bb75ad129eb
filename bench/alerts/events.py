"""CPU cost of evaluating many events in one transaction (a stage emitting one per new link).

    .venv/bin/python bench/alerts/events.py [--events 10000]

Prints the CPU seconds of N ``item_linked`` events with no keyword rule, then with one that
does not match (so every event reads the rules but none fires).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime

from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.net import HttpClient
from tapewire.store import open_store

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    n = parser.parse_args().events
    base = Settings()
    settings = base.model_copy(
        update={"alerts": base.alerts.model_copy(update={"allow_private_targets": True})}
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/events.db")
        with store.write() as s:
            save_instrument(s, InstrumentSpec(symbol="ACME", name="Acme", asset_class="Stocks"))
        http = HttpClient(settings.http)
        ctx = RunContext(store, settings, NOW, http, FixedClock(NOW))

        def run() -> float:
            t0 = time.process_time()
            with store.write() as s:
                for i in range(n):
                    data = {"symbol": "ACME", "headline": f"Acme item {i}", "story_id": i}
                    ctx.emit(s, "item_linked", data | {"bar": NOW.date()})
            return time.process_time() - t0

        print(f"load average {os.getloadavg()[0]:.1f}")
        print(f"{n} item_linked events, no keyword rule: {run():.3f} s CPU")
        spec = RuleSpec("keyword", "webhook", "http://127.0.0.1:9/h", params={"keyword": "zzzz"})
        add_rule(store, settings, spec, api_key_id=None, now=NOW)
        print(f"{n} item_linked events, one keyword rule (no match): {run():.3f} s CPU")
        http.close()
        store.close()


if __name__ == "__main__":
    main()
