"""Alerts fixtures: settings that allow loopback targets, a store with one instrument."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tapewire.config import Settings
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import Store, open_store


@pytest.fixture
def asettings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "alerts": settings.alerts.model_copy(
                update={
                    "allow_private_targets": True,
                    "backoff_base_s": 0.05,
                    "backoff_cap_s": 0.2,
                    "timeout_s": 2.0,
                    "poll_s": 0.01,
                    "per_target_rate_per_s": 1000.0,
                }
            )
        }
    )


@pytest.fixture
def astore(asettings: Settings) -> Iterator[Store]:
    store = open_store(asettings.database_url())
    with store.write() as s:
        save_instrument(
            s, InstrumentSpec(symbol="ACME", name="Acme Robotics", asset_class="Stocks")
        )
    try:
        yield store
    finally:
        store.close()
