"""PoliteClient against a real loopback server: retries, caps, robots, redirects, conditional GETs."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from tests.httpserver import FixtureServer, Reply
from tests.sources.conftest import fast_client, run
from tracker.errors import (
    BlockedByAuthwall,
    ConfigError,
    FetchError,
    HTTPStatusFailure,
    ResponseTooLarge,
    RobotsDisallowed,
    SourceFormatError,
    TooManyRedirects,
)
from tracker.http import (
    DEFAULT_USER_AGENT,
    PLACEHOLDER_CONTACT,
    PerHostTransport,
    PoliteClient,
    TokenBucket,
    _crawl_delay,
    _retry_after,
)


class RecordingSleep:
    """An injected sleep that records each delay and yields without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def test_default_user_agent_with_placeholder_contact_is_refused() -> None:
    assert PLACEHOLDER_CONTACT in DEFAULT_USER_AGENT
    with pytest.raises(ConfigError, match="placeholder contact"):
        PoliteClient(user_agent=DEFAULT_USER_AGENT)


def test_get_json_returns_parsed_body_and_sends_user_agent(server: FixtureServer) -> None:
    server.route("/data", Reply.json({"ok": [1, 2]}))

    async def go() -> Any:
        async with fast_client() as client:
            return await client.get_json(server.url("/data"), params={"a": "b c"})

    assert run(go()) == {"ok": [1, 2]}
    request = [r for r in server.requests if r.path == "/data"][0]
    assert request.headers["user-agent"].startswith("tracker-tests/1.0")
    assert request.query == {"a": "b c"}


def test_429_with_retry_after_seconds_is_honoured_then_succeeds(server: FixtureServer) -> None:
    server.route("/busy", [Reply(429, headers={"Retry-After": "3"}), Reply.json([1])])
    sleep = RecordingSleep()

    async def go() -> Any:
        async with fast_client(sleep=sleep) as client:
            return await client.get_json(server.url("/busy")), client.stats.retries

    assert run(go()) == ([1], 1)
    assert server.hits("/busy") == 2
    assert max(sleep.delays) >= 3.0


def test_429_with_retry_after_http_date_is_honoured(server: FixtureServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    server.route("/busy", [Reply(429, headers={"Retry-After": when}), Reply.json([2])])
    sleep = RecordingSleep()

    async def go() -> Any:
        async with fast_client(sleep=sleep) as client:
            return await client.get_json(server.url("/busy"))

    assert run(go()) == [2]
    assert 2.0 <= max(sleep.delays) <= 4.5


def test_retry_after_beyond_the_cap_fails_at_once(server: FixtureServer) -> None:
    server.route("/busy", Reply(429, headers={"Retry-After": "3600"}))

    async def go() -> None:
        async with fast_client(sleep=RecordingSleep()) as client:
            await client.get_json(server.url("/busy"))

    with pytest.raises(HTTPStatusFailure, match="beyond the cap") as info:
        run(go())
    assert info.value.status == 429
    assert server.hits("/busy") == 1


def test_500_then_success_is_retried(server: FixtureServer) -> None:
    server.route("/flaky", [Reply(500), Reply(502), Reply.json({"fine": True})])

    async def go() -> Any:
        async with fast_client() as client:
            return await client.get_json(server.url("/flaky"))

    assert run(go()) == {"fine": True}
    assert server.hits("/flaky") == 3


def test_persistent_503_raises_after_the_retries_never_returns_empty(server: FixtureServer) -> None:
    server.route("/down", Reply(503))

    async def go() -> None:
        async with fast_client(max_retries=3) as client:
            await client.get_json(server.url("/down"))

    with pytest.raises(HTTPStatusFailure) as info:
        run(go())
    assert info.value.status == 503
    assert info.value.url == server.url("/down")
    assert server.hits("/down") == 4


def test_404_is_not_retried(server: FixtureServer) -> None:
    async def go() -> None:
        async with fast_client() as client:
            await client.get_text(server.url("/missing"))

    with pytest.raises(HTTPStatusFailure) as info:
        run(go())
    assert info.value.status == 404
    assert server.hits("/missing") == 1


def test_slow_response_past_the_timeout_is_retried_then_raises(server: FixtureServer) -> None:
    server.route("/slow", Reply(200, b"[]", delay_s=1.5))

    async def go() -> None:
        async with fast_client(timeout_s=0.3, max_retries=1) as client:
            await client.get_json(server.url("/slow"))

    with pytest.raises(FetchError, match="timed out|no complete response") as info:
        run(go())
    assert not isinstance(info.value, HTTPStatusFailure)
    assert server.hits("/slow") == 2


def test_connection_refused_raises_fetch_error() -> None:
    with FixtureServer() as closed:
        url = closed.url("/gone")

    async def go() -> None:
        async with fast_client(max_retries=1) as client:
            await client.get_text(url, respect_robots=False)

    with pytest.raises(FetchError, match="ConnectError"):
        run(go())


def test_truncated_json_raises_source_format_error(server: FixtureServer) -> None:
    server.route(
        "/cut", Reply(200, b'{"jobs": [{"id": 1, "title": "Data Sci', {"Content-Type": "application/json"})
    )

    async def go() -> None:
        async with fast_client() as client:
            await client.get_json(server.url("/cut"))

    with pytest.raises(SourceFormatError, match="invalid JSON"):
        run(go())


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_20_mb_body_is_refused(server: FixtureServer, chunked: bool) -> None:
    server.route("/huge", Reply(200, b"x" * 20_000_000, {"Content-Type": "text/plain"}, chunked=chunked))

    async def go() -> None:
        async with fast_client() as client:
            await client.get_text(server.url("/huge"))

    with pytest.raises(ResponseTooLarge):
        run(go())


def test_gzip_bomb_is_stopped_after_decompression(server: FixtureServer) -> None:
    bomb = Reply.gzip(b"\0" * 64_000_000, content_type="text/html")
    assert len(bomb.body) < 100_000
    server.route("/bomb", bomb)

    async def go() -> None:
        async with fast_client(max_response_bytes=5_000_000) as client:
            await client.get_text(server.url("/bomb"))

    with pytest.raises(ResponseTooLarge, match="after decompression"):
        run(go())


def test_small_gzip_body_is_decompressed(server: FixtureServer) -> None:
    server.route("/gz", Reply.gzip(b'{"a": 1}'))

    async def go() -> Any:
        async with fast_client() as client:
            return await client.get_json(server.url("/gz"))

    assert run(go()) == {"a": 1}


def test_robots_disallow_raises_with_reason_and_never_fetches_the_page(server: FixtureServer) -> None:
    server.route("/robots.txt", Reply.text("User-agent: *\nDisallow: /private/\n"))
    server.route("/private/page", Reply.text("secret"))
    server.route("/public", Reply.text("hello"))

    async def go() -> tuple[str, int]:
        async with fast_client() as client:
            with pytest.raises(RobotsDisallowed, match="robots.txt disallows"):
                await client.get_text(server.url("/private/page"))
            text = await client.get_text(server.url("/public"))
            return text, client.stats.robots_skips

    assert run(go()) == ("hello", 1)
    assert server.hits("/private/page") == 0
    assert server.hits("/robots.txt") == 1


def test_robots_opt_out_per_call_fetches_a_disallowed_url(server: FixtureServer) -> None:
    server.route("/robots.txt", Reply.text("User-agent: *\nDisallow: /\n"))
    server.route("/page", Reply.text("ok"))

    async def go() -> str:
        async with fast_client() as client:
            return await client.get_text(server.url("/page"), respect_robots=False)

    assert run(go()) == "ok"


def test_robots_404_allows_everything(server: FixtureServer) -> None:
    server.route("/page", Reply.text("ok"))

    async def go() -> str:
        async with fast_client() as client:
            return await client.get_text(server.url("/page"))

    assert run(go()) == "ok"


def test_robots_5xx_disallows_everything_per_rfc_9309(server: FixtureServer) -> None:
    server.route("/robots.txt", Reply(503))
    server.route("/page", Reply.text("ok"))

    async def go() -> None:
        async with fast_client(max_retries=1) as client:
            await client.get_text(server.url("/page"))

    with pytest.raises(RobotsDisallowed, match="RFC 9309"):
        run(go())
    assert server.hits("/page") == 0


def test_redirect_is_followed(server: FixtureServer) -> None:
    server.route("/old", Reply.redirect("/new", 301))
    server.route("/new", Reply.json({"moved": True}))

    async def go() -> Any:
        async with fast_client() as client:
            return await client.fetch(server.url("/old"))

    result = run(go())
    assert result.url == server.url("/new")
    assert result.body == b'{"moved": true}'


def test_redirect_loop_raises(server: FixtureServer) -> None:
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect("/a"))

    async def go() -> None:
        async with fast_client() as client:
            await client.get_text(server.url("/a"))

    with pytest.raises(TooManyRedirects, match="loop"):
        run(go())


def test_endless_redirect_chain_raises(server: FixtureServer) -> None:
    server.route("/hop", lambda req: Reply.redirect(f"/hop?n={int(req.query.get('n', '0')) + 1}"))

    async def go() -> None:
        async with fast_client(max_redirects=5) as client:
            await client.get_text(server.url("/hop"))

    with pytest.raises(TooManyRedirects, match="more than 5"):
        run(go())


@pytest.mark.parametrize("wall", ["/authwall?trk=x", "/signup/cold-join?session_redirect=y", "/login"])
def test_redirect_to_a_login_wall_is_blocked(server: FixtureServer, wall: str) -> None:
    server.route("/jobs", Reply.redirect(wall))

    async def go() -> None:
        async with fast_client() as client:
            await client.get_text(server.url("/jobs"))

    with pytest.raises(BlockedByAuthwall):
        run(go())


def test_etag_and_last_modified_are_sent_back_and_304_returns_the_cached_body(server: FixtureServer) -> None:
    def conditional(req: Any) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply.json(
            {"v": 1}, headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
        )

    server.route("/cond", conditional)

    async def go() -> tuple[Any, Any, int]:
        async with fast_client() as client:
            first = await client.get_json(server.url("/cond"))
            second = await client.get_json(server.url("/cond"))
            return first, second, client.stats.not_modified

    assert run(go()) == ({"v": 1}, {"v": 1}, 1)
    second_request = [r for r in server.requests if r.path == "/cond"][1]
    assert second_request.headers["if-none-match"] == '"v1"'
    assert second_request.headers["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_per_host_rate_spaces_requests(server: FixtureServer) -> None:
    server.route("/r", Reply.text("ok"))

    async def go() -> float:
        async with fast_client(per_host_rate=20.0, respect_robots=False) as client:
            start = time.monotonic()
            await asyncio.gather(*(client.get_text(server.url("/r")) for _ in range(6)))
            return time.monotonic() - start

    # Six requests at 20/s need at least five intervals of 50 ms (a lower bound: load only adds time).
    assert run(go()) >= 0.24


def test_global_concurrency_cap_holds_across_hosts(server: FixtureServer) -> None:
    server.route("/slowish", Reply(200, b"ok", delay_s=0.15))

    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()
            self.active = 0
            self.peak = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.active += 1
            self.peak = max(self.peak, self.active)
            try:
                return await self.inner.handle_async_request(request)
            finally:
                self.active -= 1

        async def aclose(self) -> None:
            await self.inner.aclose()

    transport = Counting()
    port = server.base_url.rsplit(":", 1)[1]
    urls = [f"http://127.0.0.1:{port}/slowish", f"http://localhost:{port}/slowish"] * 4

    async def go() -> None:
        async with fast_client(max_concurrency=2, transport=transport, respect_robots=False) as client:
            await asyncio.gather(*(client.get_text(u) for u in urls))

    run(go())
    assert transport.peak <= 2
    assert server.hits("/slowish") == 8


def test_token_bucket_spaces_commits_by_the_interval() -> None:
    bucket = TokenBucket(rate=2.0)
    assert bucket.delay(10.0) == 0
    bucket.commit(10.0)
    assert bucket.delay(10.0) == pytest.approx(0.5)
    bucket.commit(10.7)  # sent late (waited for the global cap): the next slot counts from the real send
    assert bucket.delay(10.7) == pytest.approx(0.5)
    bucket.defer_until(20.0)
    assert bucket.delay(11.0) == pytest.approx(9.0)


def test_retry_after_parses_seconds_and_dates() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    assert _retry_after("Wed, 01 Jan 2020 00:00:00 GMT") == 0.0


def test_params_merge_with_a_query_already_in_the_url(server: FixtureServer) -> None:
    server.route("/q", Reply.text("ok"))

    async def go() -> None:
        async with fast_client() as client:
            await client.get_text(server.url("/q?a=1"), params={"b": 2})

    run(go())
    assert [r.query for r in server.requests if r.path == "/q"] == [{"a": "1", "b": "2"}]


def test_robots_crawl_delay_slows_the_host(server: FixtureServer) -> None:
    server.route("/robots.txt", Reply.text("User-agent: *\nCrawl-delay: 0.3\nAllow: /\n"))
    server.route("/p", Reply.text("ok"))

    async def go() -> float:
        async with fast_client() as client:
            start = time.monotonic()
            for _ in range(3):
                await client.get_text(server.url("/p"))
            return time.monotonic() - start

    assert run(go()) >= 0.55  # robots.txt, then three pages 0.3 s apart (lower bound only)


def test_per_host_pools_are_bounded_and_reused(server: FixtureServer) -> None:
    server.route("/x", Reply.text("ok"))
    port = server.base_url.rsplit(":", 1)[1]
    transport = PerHostTransport(max_hosts=1)

    async def go() -> int:
        async with fast_client(transport=transport, respect_robots=False) as client:
            for host in ("127.0.0.1", "localhost", "127.0.0.1"):
                await client.get_text(f"http://{host}:{port}/x")
            return len(transport._pools)

    assert run(go()) == 1
    assert server.hits("/x") == 3


def test_crawl_delay_prefers_our_agent_group() -> None:
    rules = [
        "User-agent: *",
        "Crawl-delay: 5",
        "",
        "User-agent: other",
        "User-agent: Tracker-Tests",
        "Crawl-delay: 0.5",
    ]
    assert _crawl_delay(rules, "tracker-tests") == 0.5
    assert _crawl_delay(rules, "somebot") == 5.0
    assert _crawl_delay(["User-agent: *", "Disallow: /x"], "tracker") is None
