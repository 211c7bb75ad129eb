"""``HttpClient.post_json`` over real loopback sockets: one attempt, no redirects, the private
guard with its one-request exemption for a configured host, caps and timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tapewire.config import load_settings
from tapewire.errors import BadInputError, TemporarySourceError
from tapewire.net import HttpClient
from tests.support.chat_server import Reply, fixed, serve_chat


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """The client as shipped: private and loopback addresses refused, two retries on GET."""
    settings = load_settings(http={"allow_private_urls": False, "retries": 2, "timeout_s": 5.0})
    with HttpClient(settings.http, sleep=lambda _s: None) as client:
        yield client


def test_posts_json_and_returns_the_answer(http: HttpClient) -> None:
    with serve_chat(fixed(Reply(body=b'{"ok": true}'))) as server:
        result = http.post_json(
            server.base_url + "/echo",
            {"n": 1, "text": "é"},
            headers={"X-Test": "yes"},
            trusted_host=True,
        )
    (request,) = server.requests
    assert (result.status, json.loads(result.body)) == (200, {"ok": True})
    assert request.body == {"n": 1, "text": "é"} and request.headers["x-test"] == "yes"
    assert request.path == "/v1/echo"


def test_loopback_is_refused_unless_the_host_is_trusted(http: HttpClient) -> None:
    with serve_chat(fixed(Reply(body=b"{}"))) as server:
        with pytest.raises(BadInputError, match="private or loopback"):
            http.post_json(server.base_url + "/x", {})
        assert server.requests == []
        http.post_json(server.base_url + "/x", {}, trusted_host=True)
        with pytest.raises(BadInputError, match="private or loopback"):
            http.post_json(server.base_url + "/x", {})  # the exemption was for one request
    assert len(server.requests) == 1


def test_a_redirect_is_not_followed(http: HttpClient) -> None:
    with serve_chat(fixed(Reply(body=b"{}"))) as target:
        moved = Reply(status=307, headers={"Location": target.base_url + "/steal"})
        with (
            serve_chat(fixed(moved)) as server,
            pytest.raises(BadInputError, match=r"HTTP 307 redirect .* not followed"),
        ):
            http.post_json(server.base_url + "/x", {}, trusted_host=True)
    assert target.requests == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, TemporarySourceError), (429, TemporarySourceError), (400, BadInputError)],
)
def test_an_error_status_is_raised_after_one_attempt(
    http: HttpClient, status: int, error: type[Exception]
) -> None:
    failing = fixed(Reply(status=status, body=b"{}"))
    with serve_chat(failing) as server, pytest.raises(error, match=f"HTTP {status}") as caught:
        http.post_json(server.base_url + "/x", {}, trusted_host=True)
    assert len(server.requests) == 1  # a POST is not retried by the client
    assert getattr(caught.value, "status", None) == status


def test_a_body_over_the_cap_is_refused(http: HttpClient) -> None:
    big = fixed(Reply(body=b"x" * 5000))
    with serve_chat(big) as server, pytest.raises(BadInputError, match="over the 4000-byte cap"):
        http.post_json(server.base_url + "/x", {}, max_bytes=4000, trusted_host=True)


def test_a_slow_server_times_out(http: HttpClient) -> None:
    slow = fixed(Reply(body=b"{}", delay_s=1.0))
    with serve_chat(slow) as server, pytest.raises(TemporarySourceError, match="timed out"):
        http.post_json(server.base_url + "/x", {}, timeout_s=0.2, trusted_host=True)
