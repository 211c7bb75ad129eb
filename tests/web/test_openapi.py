"""The OpenAPI schema checked by schemathesis against the real app (ASGI, demo data)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tapewire.config import load_settings

    tmp = tmp_path_factory.mktemp("openapi")
    s = load_settings(
        data_dir=tmp, db={"url": str(tmp / "api.db")}, http={"allow_private_urls": True}
    )
    run_demo(s, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    return s


@pytest.fixture(scope="module")
def api_schema(demo_settings: Settings) -> Iterator[Any]:
    store = open_store(demo_settings.database_url())
    app = create_app(demo_settings, store=store)
    # The live stream never ends by design; it has its own tests.
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(path="/api/stream")
    store.close()


def test_api_conforms_to_its_schema(api_schema: Any) -> None:
    """Every operation, with generated parameters: no 5xx, responses match the schema."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # A cursor is opaque: a schema-valid string we never handed out gets a documented 400.
            skip = [positive_data_acceptance] if case.operation.path == "/api/briefs" else []
            response = case.call_and_validate(excluded_checks=skip)
            assert response.status_code < 500
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}  # errors are JSON with one clear message

        check()
