"""The one HTTP client over real loopback sockets: bodies, gzip, conditional GET, retries, caps,
redirects, timeouts, local files and the private-address guard."""

from __future__ import annotations

import gzip
import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tapewire.config import Settings
from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import build_world
from tapewire.errors import BadInputError, ConfigError, TemporarySourceError
from tapewire.net import HttpClient
from tests.support.loopback import Route, serve_routes
from tests.support.servers import logged

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
    b"<item><title>One</title><link>https://wire.example/1</link></item></channel></rss>"
)


def tuned(settings: Settings, **http: object) -> Settings:
    """A copy of ``settings`` with some ``http`` settings changed."""
    return settings.model_copy(update={"http": settings.http.model_copy(update=http)})


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def http(settings: Settings, sleeps: list[float]) -> Iterator[HttpClient]:
    """The client under the test settings (retries=1), recording its waits instead of sleeping."""
    with HttpClient(settings.http, sleep=sleeps.append) as client:
        yield client


def test_a_200_gives_the_body_and_its_validators(http: HttpClient) -> None:
    route = Route(
        body=FEED,
        headers={
            "Content-Type": "application/rss+xml",
            "ETag": '"v1"',
            "Last-Modified": "Thu, 19 Nov 2026 21:00:00 GMT",
        },
    )
    with serve_routes({"/feed.xml": route}) as base:
        result = http.fetch(base + "/feed.xml")
    assert result.status == 200 and not result.not_modified
    assert result.body == FEED
    assert result.url == base + "/feed.xml"
    assert result.etag == '"v1"'
    assert result.last_modified == "Thu, 19 Nov 2026 21:00:00 GMT"
    assert result.content_type == "application/rss+xml"
    assert route.hits == 1


def test_a_gzip_encoded_body_is_decoded(http: HttpClient) -> None:
    route = Route(body=gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    with serve_routes({"/feed.xml": route}) as base:
        assert http.fetch(base + "/feed.xml").body == FEED


def test_a_body_that_is_not_the_gzip_it_claims_is_bad_input(http: HttpClient) -> None:
    route = Route(body=b"plain bytes, no gzip here", headers={"Content-Encoding": "gzip"})
    with (
        serve_routes({"/feed.xml": route}) as base,
        pytest.raises(BadInputError, match="cannot decode the body"),
    ):
        http.fetch(base + "/feed.xml")
    assert route.hits == 1  # not retried


def test_conditional_get_over_the_demo_server(http: HttpClient) -> None:
    """The demo server gzips and honours If-None-Match: the second fetch costs no body."""
    world = build_world(seed=7, as_of=AS_OF, bar_days=30)
    expected = world.files["/feeds/dailyledger.xml"][0]
    with LoopbackServer(world.files) as server:
        first = http.fetch(server.base_url + "/feeds/dailyledger.xml")
        second = http.fetch(server.base_url + "/feeds/dailyledger.xml", etag=first.etag)
        requests = logged(server, 2)
    assert first.status == 200 and first.body == expected  # sent gzipped, read plain
    assert first.etag and first.etag.startswith('"') and first.last_modified
    assert second.status == 304 and second.not_modified and second.body == b""
    assert second.etag == first.etag
    assert requests == [("/feeds/dailyledger.xml", 200), ("/feeds/dailyledger.xml", 304)]


def test_a_changed_validator_gets_the_full_body_again(http: HttpClient) -> None:
    world = build_world(seed=7, as_of=AS_OF, bar_days=30)
    with LoopbackServer(world.files) as server:
        result = http.fetch(server.base_url + "/feeds/harborstreet.xml", etag='"stale"')
    assert result.status == 200 and result.body == world.files["/feeds/harborstreet.xml"][0]


def test_a_500_is_retried_then_raised_as_temporary(http: HttpClient, sleeps: list[float]) -> None:
    route = Route(status=500, body=b"boom")
    with (
        serve_routes({"/feed.xml": route}) as base,
        pytest.raises(TemporarySourceError, match=r"HTTP 500 from http://127\.0\.0\.1"),
    ):
        http.fetch(base + "/feed.xml")
    assert route.hits == 2  # retries=1: the first try and one retry
    assert sleeps == [0.5]


def test_backoff_doubles_between_retries(settings: Settings) -> None:
    waits: list[float] = []
    route = Route(status=503)
    with (
        serve_routes({"/feed.xml": route}) as base,
        HttpClient(tuned(settings, retries=3).http, sleep=waits.append) as http,
        pytest.raises(TemporarySourceError, match="HTTP 503"),
    ):
        http.fetch(base + "/feed.xml")
    assert route.hits == 4
    assert waits == [0.5, 1.0, 2.0]


def test_a_429_with_retry_after_zero_is_retried_at_once(
    http: HttpClient, sleeps: list[float]
) -> None:
    route = Route(status=429, headers={"Retry-After": "0"})
    with (
        serve_routes({"/feed.xml": route}) as base,
        pytest.raises(TemporarySourceError, match="HTTP 429"),
    ):
        http.fetch(base + "/feed.xml")
    assert route.hits == 2
    assert sleeps == [0.0]  # the server said "now", not "use your backoff"


def test_a_long_retry_after_is_capped(http: HttpClient, sleeps: list[float]) -> None:
    route = Route(status=429, headers={"Retry-After": "3600"})
    with serve_routes({"/feed.xml": route}) as base, pytest.raises(TemporarySourceError):
        http.fetch(base + "/feed.xml")
    assert sleeps == [30.0]


def test_a_retry_that_succeeds_gives_the_body(settings: Settings) -> None:
    """The server recovers while the client waits (the injected sleep is that moment)."""
    route = Route(status=429, headers={"Retry-After": "0"})

    def recover(_seconds: float) -> None:
        route.status, route.headers, route.body = 200, {}, FEED

    with (
        serve_routes({"/feed.xml": route}) as base,
        HttpClient(settings.http, sleep=recover) as http,
    ):
        result = http.fetch(base + "/feed.xml")
    assert result.status == 200 and result.body == FEED
    assert route.hits == 2


def test_a_404_is_bad_input_and_not_retried(http: HttpClient, sleeps: list[float]) -> None:
    route = Route(status=404, body=b"gone")
    with serve_routes({"/feed.xml": route}) as base, pytest.raises(BadInputError, match="HTTP 404"):
        http.fetch(base + "/feed.xml")
    assert route.hits == 1 and sleeps == []


def test_a_body_over_the_cap_with_content_length(settings: Settings) -> None:
    route = Route(body=b"x" * 5000)
    with (
        serve_routes({"/big.xml": route}) as base,
        HttpClient(tuned(settings, max_body_bytes=1000).http) as http,
        pytest.raises(BadInputError, match="body of 5000 bytes over the 1000-byte cap"),
    ):
        http.fetch(base + "/big.xml")
    assert route.hits == 1


def test_a_declared_500_mb_body_is_refused_before_reading(http: HttpClient) -> None:
    route = Route(body=b"<rss/>", declared_length=500_000_000)
    with (
        serve_routes({"/huge.xml": route}) as base,
        pytest.raises(BadInputError, match="body of 500000000 bytes over the"),
    ):
        http.fetch(base + "/huge.xml")


def test_a_chunked_body_over_the_cap_without_content_length(settings: Settings) -> None:
    route = Route(stream_bytes=2_000_000)  # chunked: the size shows only while reading
    with (
        serve_routes({"/endless.xml": route}) as base,
        HttpClient(tuned(settings, max_body_bytes=100_000).http) as http,
        pytest.raises(BadInputError, match="body over the 100000-byte cap"),
    ):
        http.fetch(base + "/endless.xml")


def test_a_chunked_body_under_the_cap_is_read_whole(http: HttpClient) -> None:
    route = Route(stream_bytes=200_000)
    with serve_routes({"/chunked.xml": route}) as base:
        body = http.fetch(base + "/chunked.xml").body
    piece = b"<x>" + b"a" * 65_530 + b"</x>"
    assert body == piece * 4  # 4 pieces of 65,537 bytes reach 200,000


def test_a_redirect_is_followed(http: HttpClient) -> None:
    routes = {
        "/old.xml": Route(status=301, headers={"Location": "/new.xml"}),
        "/new.xml": Route(body=FEED),
    }
    with serve_routes(routes) as base:
        result = http.fetch(base + "/old.xml")
    assert result.url == base + "/new.xml" and result.body == FEED


def test_a_redirect_loop_is_bad_input(http: HttpClient) -> None:
    route = Route(status=302, headers={"Location": "/loop"})
    with (
        serve_routes({"/loop": route}) as base,
        pytest.raises(BadInputError, match="too many redirects"),
    ):
        http.fetch(base + "/loop")
    assert route.hits == 6  # the request and 5 redirects, then it gives up; no retries


def test_a_slow_server_times_out_quickly(settings: Settings) -> None:
    route = Route(body=FEED, delay_s=3.0)
    with (
        serve_routes({"/slow.xml": route}) as base,
        HttpClient(tuned(settings, timeout_s=0.5, retries=0).http) as http,
    ):
        started = time.monotonic()
        with pytest.raises(TemporarySourceError, match="timed out fetching"):
            http.fetch(base + "/slow.xml")
        elapsed = time.monotonic() - started
    assert elapsed < 2.0


def test_a_slow_drip_is_cut_off_at_the_total_timeout(settings: Settings) -> None:
    route = Route(body=FEED * 20, drip_s=0.05)  # each piece in time, the whole far too slow
    with (
        serve_routes({"/drip.xml": route}) as base,
        HttpClient(tuned(settings, total_timeout_s=0.3, retries=0).http) as http,
    ):
        started = time.monotonic()
        with pytest.raises(TemporarySourceError, match=r"timed out fetching .*: too slow"):
            http.fetch(base + "/drip.xml")
        elapsed = time.monotonic() - started
    assert elapsed < 2.0


def test_a_file_path_and_a_file_url_are_read_from_disk(http: HttpClient, tmp_path: Path) -> None:
    path = tmp_path / "my feeds" / "wire feed.xml"
    path.parent.mkdir()
    path.write_bytes(FEED)
    by_path = http.fetch(str(path))
    by_url = http.fetch(path.as_uri())  # file:///.../my%20feeds/wire%20feed.xml
    assert by_path.body == by_url.body == FEED
    assert by_path.status == by_url.status == 200
    assert by_url.url == str(path)
    assert by_path.etag is None and not by_path.not_modified


def test_a_missing_file_is_bad_input(http: HttpClient, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        http.fetch(str(tmp_path / "missing.xml"))
    with pytest.raises(BadInputError, match="no such file"):
        http.fetch((tmp_path / "missing.xml").as_uri())


def test_an_oversized_file_and_a_directory_are_bad_input(
    settings: Settings, http: HttpClient, tmp_path: Path
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 2000)
    with (
        HttpClient(tuned(settings, max_body_bytes=1000).http) as capped,
        pytest.raises(BadInputError, match="file of 2000 bytes over the 1000-byte cap"),
    ):
        capped.fetch(str(big))
    with pytest.raises(BadInputError, match=r"cannot read .*: Is a directory"):
        http.fetch(str(tmp_path))


def test_private_addresses_are_refused_unless_allowed(settings: Settings) -> None:
    route = Route(body=FEED)
    with (
        serve_routes({"/feed.xml": route}) as base,
        HttpClient(tuned(settings, allow_private_urls=False).http) as http,
    ):
        with pytest.raises(BadInputError, match=r"set http\.allow_private_urls to allow it"):
            http.fetch(base + "/feed.xml")
        with pytest.raises(BadInputError, match="private or loopback"):
            http.fetch(base.replace("127.0.0.1", "localhost") + "/feed.xml")
    assert route.hits == 0  # refused before any connection


def test_a_public_url_cannot_redirect_to_a_private_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public host (reached here through a loopback proxy) redirects to a loopback address:
    the guard checks every hop, not only the URL it was given."""
    secret = Route(body=b"internal only")
    routes = {"/secret": secret}
    with serve_routes(routes) as proxy:
        routes["http://93.184.215.14/feed.xml"] = Route(
            status=302, headers={"Location": proxy + "/secret"}
        )
        routes["http://93.184.215.14/ok.xml"] = Route(body=FEED)
        routes[proxy + "/secret"] = secret  # what the proxy would serve if the hop went out
        monkeypatch.setenv("HTTP_PROXY", proxy)
        with HttpClient(tuned(settings, allow_private_urls=False).http) as http:
            assert http.fetch("http://93.184.215.14/ok.xml").body == FEED
            with pytest.raises(BadInputError, match=r"refused .*127\.0\.0\.1.*allow_private_urls"):
                http.fetch("http://93.184.215.14/feed.xml")
    assert secret.hits == 0


@pytest.mark.parametrize(
    "url",
    ["http://[::1/feed.xml", f"http://{'a' * 64}.example/feed.xml"],
    ids=["broken-ipv6", "label-over-63-chars"],
)
@pytest.mark.parametrize("allow_private", [True, False])
def test_a_malformed_url_is_bad_input(settings: Settings, url: str, allow_private: bool) -> None:
    with (
        HttpClient(tuned(settings, allow_private_urls=allow_private, retries=0).http) as http,
        pytest.raises(BadInputError, match="invalid"),
    ):
        http.fetch(url)


def test_an_unsupported_scheme_is_a_config_error(http: HttpClient) -> None:
    with pytest.raises(ConfigError, match="unsupported URL scheme 'ftp'"):
        http.fetch("ftp://wire.example/feed.xml")


def test_one_host_gets_one_request_at_a_time_with_a_delay_between(settings: Settings) -> None:
    """Four threads fetch from one host: the requests arrive one by one, the set delay apart,
    while another host (``localhost`` is another name, so another slot) is not held up."""
    polite = tuned(settings, per_host_connections=1, per_host_delay_s=0.3)
    one = Route(body=FEED, delay_s=0.05)
    other = Route(body=FEED)
    with serve_routes({"/one": one, "/other": other}) as base, HttpClient(polite.http) as http:
        started = time.monotonic()
        threads = [threading.Thread(target=http.fetch, args=(f"{base}/one",)) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        http.fetch(base.replace("127.0.0.1", "localhost") + "/other")
        for t in threads:
            t.join(timeout=10)
    assert one.hits == 4 and one.most_in_flight == 1
    gaps = [b - a for a, b in itertools.pairwise(sorted(one.arrivals))]
    assert all(gap >= 0.2 for gap in gaps), gaps  # 0.3 s apart (arrivals jitter a little)
    assert other.arrivals[0] - started < 0.25  # not queued behind the first host


def test_without_a_delay_a_host_may_get_several_requests_at_once(settings: Settings) -> None:
    busy = tuned(settings, per_host_connections=3, per_host_delay_s=0.0)
    slow = Route(body=FEED, delay_s=0.3)
    with serve_routes({"/slow": slow}) as base, HttpClient(busy.http) as http:
        threads = [threading.Thread(target=http.fetch, args=(f"{base}/slow",)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
    assert slow.hits == 3 and slow.most_in_flight == 3
