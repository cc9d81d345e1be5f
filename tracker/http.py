"""Polite HTTP: one shared async client per crawl.

`PoliteClient` wraps an `httpx.AsyncClient` and adds what a well-behaved crawler owes the sites it reads:

- a per-host rate limit (token bucket, default 1 request/s; `host_rates` overrides per host) and a global
  concurrency cap across hosts; consecutive requests to one host are spaced by the bucket measured from the
  moment each request is actually sent, so waiting for the global cap never lets a burst through;
- timeouts, and retries with exponential backoff and jitter on 429, 5xx, connect/read errors and timeouts,
  honouring `Retry-After` (seconds or HTTP-date) up to `retry_after_cap_s`; a server asking for a longer
  pause makes the fetch fail at once (waiting less than asked would be impolite); after the retries the
  fetch **raises**: a failed page is an error, never an empty result;
- a response size cap enforced on `Content-Length`, while streaming, and on the decompressed bytes
  (a gzip bomb is stopped after `max_response_bytes` of output);
- robots.txt, fetched once per host and cached for the life of the client; 4xx means "no robots.txt"
  (allow all); 5xx or an unreachable host after the retries means disallow all (RFC 9309, section 2.3.1.4);
  `Crawl-delay` lowers the host's rate; with `respect_robots` a disallowed URL raises `RobotsDisallowed`;
- conditional requests: `ETag` / `Last-Modified` remembered per URL (in `validator_cache`, a plain dict
  by default) and sent back as `If-None-Match` / `If-Modified-Since`; a 304 returns the remembered body;
- redirects followed by hand (each hop is rate-limited and robots-checked) up to `max_redirects`; a loop
  raises `TooManyRedirects`, a hop to a login wall (`/authwall`, `/signup`, `/login`) `BlockedByAuthwall`;
- connections kept alive in one small pool per host (`PerHostTransport`), at most
  `max_keepalive_connections` hosts' pools kept; a `transport=` passed in replaces all of that (tests).

httpx errors are translated into the project's `FetchError` tree at this boundary.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import random
import ssl
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from tracker.config import DEFAULT_USER_AGENT as DEFAULT_USER_AGENT  # re-exported
from tracker.config import PLACEHOLDER_CONTACT
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

AUTHWALL_SEGMENTS = frozenset({"authwall", "signup", "login"})
"""Path segments of a redirect target that mean the site wants a login: the page is blocked."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512_000
"""RFC 9309 asks crawlers to parse at least 500 KiB of robots.txt; more is ignored."""
RETRY_AFTER_STATUSES = frozenset({429, 503})
DISALLOW_ALL = ["User-agent: *", "Disallow: /"]

Params = Mapping[str, str | int | float] | None
Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class CrawlStats:
    """Counters for one client's lifetime (one crawl)."""

    requests: int = 0
    """HTTP requests sent, robots.txt and retries included."""
    retries: int = 0
    bytes: int = 0
    """Body bytes received after decompression."""
    not_modified: int = 0
    """304 answers served from the validator cache."""
    robots_fetches: int = 0
    robots_skips: int = 0
    """URLs refused because robots.txt disallows them."""
    failures: int = 0
    """Fetches that raised after the retries."""
    by_host: dict[str, int] = field(default_factory=dict)
    """Requests sent per host (netloc)."""


class BoundedCache(MutableMapping[str, "CachedBody"]):
    """A least-recently-used mapping of URL to validators and body, bounded in entries and bytes."""

    def __init__(self, max_entries: int = 2000, max_bytes: int = 200_000_000) -> None:
        self._data: OrderedDict[str, CachedBody] = OrderedDict()
        self._bytes = 0
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def __getitem__(self, key: str) -> CachedBody:
        value = self._data[key]
        self._data.move_to_end(key)
        return value

    def __setitem__(self, key: str, value: CachedBody) -> None:
        if key in self._data:
            self._bytes -= len(self._data.pop(key).body)
        self._data[key] = value
        self._bytes += len(value.body)
        while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
            _, old = self._data.popitem(last=False)
            self._bytes -= len(old.body)

    def __delitem__(self, key: str) -> None:
        self._bytes -= len(self._data.pop(key).body)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(slots=True, frozen=True)
class CachedBody:
    """A remembered response body with its validators."""

    etag: str | None
    last_modified: str | None
    body: bytes
    encoding: str | None


@dataclass(slots=True, frozen=True)
class FetchResult:
    """A successful fetch: the final URL after redirects, status, headers and the decoded body bytes."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    encoding: str | None
    from_cache: bool = False

    def text(self) -> str:
        """Decode the body with the declared charset (UTF-8 when none), replacing bad bytes."""
        try:
            return self.body.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class TokenBucket:
    """A token bucket (kept as a theoretical arrival time, GCRA) for one host."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.rate = rate
        self.burst = burst
        self._tat = float("-inf")

    @property
    def interval(self) -> float:
        """Seconds per token."""
        return 1.0 / self.rate

    def delay(self, now: float) -> float:
        """Seconds to wait before a request may be sent at `now`."""
        allowed_at = self._tat - (self.burst - 1) * self.interval
        return max(0.0, allowed_at - now)

    def commit(self, sent_at: float) -> None:
        """Record that a request was sent at `sent_at`."""
        self._tat = max(self._tat, sent_at) + self.interval

    def defer_until(self, t: float) -> None:
        """Send nothing before `t` (a Retry-After from the server)."""
        self._tat = max(self._tat, t + (self.burst - 1) * self.interval)


@dataclass(slots=True)
class _Host:
    bucket: TokenBucket
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(slots=True)
class _Robots:
    parser: RobotFileParser
    reason: str
    """How the rules were obtained (for error messages)."""
    crawl_delay: float | None = None


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class PerHostTransport(httpx.AsyncBaseTransport):
    """One small connection pool per host, the least recently used beyond `max_hosts` closed.

    httpcore's pool scans all of its connections on every request (quadratic in the number of idle
    connections), so a single pool kept alive across hundreds of hosts burns CPU; small per-host pools
    keep each request's bookkeeping constant while connections are reused.
    """

    def __init__(self, max_hosts: int, per_host_keepalive: int = 2) -> None:
        self._max_hosts = max(1, max_hosts)
        self._per_host_keepalive = per_host_keepalive
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = OrderedDict()
        self._active: dict[tuple[bytes, bytes, int | None], int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Route the request to its host's pool."""
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = httpx.AsyncHTTPTransport(
                verify=_shared_ssl_context(),
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=self._per_host_keepalive),
            )
            self._pools[key] = pool
            await self._evict()
        self._pools.move_to_end(key)
        self._active[key] = self._active.get(key, 0) + 1
        try:
            return await pool.handle_async_request(request)
        finally:
            self._active[key] -= 1

    async def _evict(self) -> None:
        for key in list(self._pools):
            if len(self._pools) <= self._max_hosts:
                return
            if self._active.get(key, 0) == 0:
                await self._pools.pop(key).aclose()
                self._active.pop(key, None)

    async def aclose(self) -> None:
        """Close every pool."""
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()


@cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every pool: building one loads the CA bundle (tens of ms, about 1 MB)."""
    return httpx.create_ssl_context()


def _quiet_missing_sniffio() -> None:
    """Make httpcore's per-lock `import sniffio` fail fast when sniffio is not installed.

    httpcore imports sniffio inside every lock acquisition; when it is absent each attempt walks
    sys.path again (a measurable share of CPU at hundreds of requests/s). Caching the absence keeps
    behaviour identical.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


class PoliteClient:
    """Shared async HTTP client for one crawl: rate limits, retries, robots.txt, size caps, conditional GETs."""

    def __init__(
        self,
        *,
        user_agent: str,
        per_host_rate: float = 1.0,
        max_concurrency: int = 8,
        respect_robots: bool = True,
        timeout_s: float = 20.0,
        max_response_bytes: int = 10_000_000,
        max_retries: int = 4,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        retry_after_cap_s: float = 60.0,
        max_redirects: int = 10,
        host_rates: Mapping[str, float] | None = None,
        burst: int = 1,
        attempt_deadline_s: float | None = None,
        validator_cache: MutableMapping[str, CachedBody] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_keepalive_connections: int = 100,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not user_agent.strip():
            raise ConfigError(
                "scrape.user_agent: must not be empty; give a contact (e.g. +mailto:you@your.org)"
            )
        if PLACEHOLDER_CONTACT in user_agent:
            raise ConfigError(
                f"scrape.user_agent: still carries the placeholder contact {PLACEHOLDER_CONTACT}; "
                "set a real contact address or URL so site operators can reach you"
            )
        if per_host_rate <= 0:
            raise ConfigError("http.per_host_rate: must be > 0 requests per second")
        if max_concurrency < 1:
            raise ConfigError("http.max_concurrency: must be >= 1")
        for host, rate in (host_rates or {}).items():
            if rate <= 0:
                raise ConfigError(f"http.host_rates.{host}: must be > 0 requests per second")
        self.user_agent = user_agent
        self.per_host_rate = per_host_rate
        self.max_concurrency = max_concurrency
        self.respect_robots = respect_robots
        self.timeout_s = timeout_s
        self.max_response_bytes = max_response_bytes
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.retry_after_cap_s = retry_after_cap_s
        self.max_redirects = max_redirects
        self.burst = burst
        self.attempt_deadline_s = attempt_deadline_s if attempt_deadline_s is not None else 3 * timeout_s
        self.validator_cache: MutableMapping[str, CachedBody] = (
            validator_cache if validator_cache is not None else {}
        )
        self.stats = CrawlStats()
        self._host_rates = {k.lower(): v for k, v in (host_rates or {}).items()}
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        _quiet_missing_sniffio()
        self._client = httpx.AsyncClient(
            # In-flight requests are capped by our semaphore; the pools only bound idle connections.
            transport=transport
            if transport is not None
            # never fewer pools than requests in flight, so no pool is closed under a streaming body
            else PerHostTransport(max(max_keepalive_connections, 2 * max_concurrency)),
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connections."""
        await self._client.aclose()

    def set_host_rate(self, host: str, rate: float) -> None:
        """Override the request rate (requests/s) for one host (a netloc or a URL)."""
        if rate <= 0:
            raise ConfigError(f"http.host_rates.{host}: must be > 0 requests per second")
        key = _host_key(host) if "://" in host else host.lower()
        self._host_rates[key] = rate
        known = self._hosts.get(key)
        if known is not None:
            known.bucket.rate = rate

    def host_rate(self, url: str) -> float:
        """The configured rate (requests/s) for the host of `url`."""
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        hostname = (parts.hostname or "").lower()
        return self._host_rates.get(netloc, self._host_rates.get(hostname, self.per_host_rate))

    async def get_json(
        self,
        url: str,
        *,
        params: Params = None,
        source: str | None = None,
        respect_robots: bool | None = None,
    ) -> Any:
        """GET `url` and parse the body as JSON; invalid JSON raises SourceFormatError."""
        result = await self.fetch(url, params=params, source=source, respect_robots=respect_robots)
        try:
            return json.loads(result.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceFormatError(f"invalid JSON: {exc}", url=result.url, source=source) from exc

    async def get_text(
        self,
        url: str,
        *,
        params: Params = None,
        source: str | None = None,
        respect_robots: bool | None = None,
    ) -> str:
        """GET `url` and return the body decoded as text."""
        result = await self.fetch(url, params=params, source=source, respect_robots=respect_robots)
        return result.text()

    async def fetch(
        self,
        url: str,
        *,
        params: Params = None,
        source: str | None = None,
        respect_robots: bool | None = None,
    ) -> FetchResult:
        """GET `url` politely (robots, rate limit, retries, redirects, size cap); raise FetchError on failure."""
        robots = self.respect_robots if respect_robots is None else respect_robots
        current = str(httpx.URL(url).copy_merge_params(params)) if params else url
        visited: set[str] = set()
        try:
            for _hop in range(self.max_redirects + 1):
                visited.add(current)
                if robots:
                    await self._check_robots(current, source)
                outcome = await self._fetch_with_retries(current, source, self.max_response_bytes)
                if isinstance(outcome, FetchResult):
                    return outcome
                target = outcome
                if _is_authwall(target):
                    raise BlockedByAuthwall(f"redirected to a login wall: {target}", url=url, source=source)
                if target in visited:
                    raise TooManyRedirects(f"redirect loop back to {target}", url=url, source=source)
                current = target
            raise TooManyRedirects(f"more than {self.max_redirects} redirects", url=url, source=source)
        except FetchError:
            self.stats.failures += 1
            raise

    # -- internals -----------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = _host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = _Host(TokenBucket(self.host_rate(url), self.burst))
            self._hosts[key] = host
        return host

    async def _fetch_with_retries(self, url: str, source: str | None, cap: int) -> FetchResult | str:
        """One hop: a FetchResult, or the absolute redirect target."""
        attempt = 0
        while True:
            try:
                return await self._attempt(url, source, cap)
            except _Retryable as failure:
                if failure.retry_after is not None and failure.retry_after > self.retry_after_cap_s:
                    raise self._give_up(
                        url,
                        source,
                        failure,
                        f"server asked to wait {failure.retry_after:.0f} s (Retry-After), "
                        f"beyond the cap of {self.retry_after_cap_s:.0f} s",
                    ) from failure
                if attempt >= self.max_retries:
                    raise self._give_up(
                        url, source, failure, f"{failure.reason} after {attempt + 1} attempts"
                    ) from failure
                backoff = min(self.backoff_max_s, self.backoff_base_s * 2**attempt)
                delay = backoff * (0.5 + 0.5 * self._jitter())
                if failure.retry_after is not None:
                    delay = max(delay, failure.retry_after)
                    self._host(url).bucket.defer_until(self._clock() + failure.retry_after)
                attempt += 1
                self.stats.retries += 1
                await self._sleep(delay)

    @staticmethod
    def _give_up(url: str, source: str | None, failure: _Retryable, message: str) -> FetchError:
        if failure.status is not None:
            return HTTPStatusFailure(message, status=failure.status, url=url, source=source)
        return FetchError(message, url=url, source=source)

    async def _acquire_slot(self, url: str) -> None:
        """Wait for the host's token, then for the global cap; hold the host lock until both are ours."""
        host = self._host(url)
        async with host.lock:
            # Re-check after sleeping: a Retry-After seen meanwhile may have pushed the bucket back.
            # Bounded, so an injected sleep that does not move the clock cannot spin.
            for _ in range(3):
                delay = host.bucket.delay(self._clock())
                if delay <= 0:
                    break
                await self._sleep(delay)
            await self._semaphore.acquire()
            host.bucket.commit(self._clock())

    async def _attempt(self, url: str, source: str | None, cap: int) -> FetchResult | str:
        await self._acquire_slot(url)
        try:
            async with asyncio.timeout(self.attempt_deadline_s):
                return await self._send(url, source, cap)
        except TimeoutError as exc:
            raise _Retryable(f"no complete response within {self.attempt_deadline_s:g} s") from exc
        finally:
            self._semaphore.release()

    async def _send(self, url: str, source: str | None, cap: int) -> FetchResult | str:
        headers: dict[str, str] = {}
        cached = self.validator_cache.get(url)
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        self.stats.requests += 1
        key = _host_key(url)
        self.stats.by_host[key] = self.stats.by_host.get(key, 0) + 1
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise HTTPStatusFailure(
                            f"HTTP {status} without a Location header", status=status, url=url, source=source
                        )
                    return urljoin(url, location)
                if status == 304 and cached is not None:
                    self.stats.not_modified += 1
                    return FetchResult(url, 304, response.headers, cached.body, cached.encoding, True)
                if status == 429 or status >= 500:
                    raise _Retryable(
                        f"HTTP {status}",
                        status=status,
                        retry_after=_retry_after(response.headers.get("Retry-After"))
                        if status in RETRY_AFTER_STATUSES
                        else None,
                    )
                if not 200 <= status < 300:
                    raise HTTPStatusFailure(f"HTTP {status}", status=status, url=url, source=source)
                body = await self._read_capped(response, url, source, cap)
                encoding = response.charset_encoding
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from exc
        except httpx.DecodingError as exc:
            raise SourceFormatError(f"undecodable body: {exc}", url=url, source=source) from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", url=url, source=source) from exc
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if etag or last_modified:
            self.validator_cache[url] = CachedBody(etag, last_modified, body, encoding)
        return FetchResult(url, status, response.headers, body, encoding)

    async def _read_capped(self, response: httpx.Response, url: str, source: str | None, cap: int) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(
                f"Content-Length {declared} passes the cap of {cap} bytes", url=url, source=source
            )
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():  # decompressed: a gzip bomb is counted as it inflates
            total += len(chunk)
            self.stats.bytes += len(chunk)
            if total > cap:
                raise ResponseTooLarge(
                    f"body passes the cap of {cap} bytes (after decompression)", url=url, source=source
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _check_robots(self, url: str, source: str | None) -> None:
        robots = await self._robots_for(url)
        if robots.parser.can_fetch(self.user_agent, url):
            return
        self.stats.robots_skips += 1
        raise RobotsDisallowed(
            f"robots.txt disallows this URL for user agent {_agent_token(self.user_agent)!r} ({robots.reason})",
            url=url,
            source=source,
        )

    async def _robots_for(self, url: str) -> _Robots:
        key = _host_key(url)
        known = self._robots.get(key)
        if known is not None:
            return known
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            known = self._robots.get(key)
            if known is None:
                known = await self._load_robots(url)
                self._robots[key] = known
                if known.crawl_delay:
                    rate = min(self.host_rate(url), 1.0 / known.crawl_delay)
                    self._host(url).bucket.rate = rate
            return known

    async def _load_robots(self, url: str) -> _Robots:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        self.stats.robots_fetches += 1
        try:
            result: FetchResult | str = robots_url
            for _hop in range(5):  # RFC 9309: follow at least five redirects
                assert isinstance(result, str)
                result = await self._fetch_with_retries(result, None, ROBOTS_MAX_BYTES)
                if isinstance(result, FetchResult):
                    break
            if not isinstance(result, FetchResult):
                raise TooManyRedirects("robots.txt redirects too often", url=robots_url)
        except ResponseTooLarge as exc:
            raise RobotsDisallowed(f"robots.txt at {robots_url} is too large", url=url) from exc
        except HTTPStatusFailure as exc:
            if 400 <= exc.status < 500:
                parser.parse([])
                return _Robots(parser, f"{robots_url} answered HTTP {exc.status}: no rules")
            parser.parse(DISALLOW_ALL)
            return _Robots(
                parser, f"{robots_url} unreachable (HTTP {exc.status}): disallow all, as RFC 9309 asks"
            )
        except FetchError as exc:
            parser.parse(DISALLOW_ALL)
            return _Robots(parser, f"{robots_url} unreachable ({exc}): disallow all, as RFC 9309 asks")
        lines = result.text().splitlines()
        parser.parse(lines)
        return _Robots(parser, f"rules from {robots_url}", _crawl_delay(lines, _agent_token(self.user_agent)))


def _host_key(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _agent_token(user_agent: str) -> str:
    return user_agent.split("/")[0].strip()


def _crawl_delay(lines: list[str], agent: str) -> float | None:
    """Crawl-delay (seconds, fractions allowed) of the group naming `agent`, else of the `*` group."""
    delays: dict[str, float] = {}
    group: list[str] = []
    in_rules = False
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                group, in_rules = [], False
            group.append(value.lower())
        elif key == "crawl-delay":
            in_rules = True
            try:
                delay = float(value)
            except ValueError:
                continue
            for name in group:
                delays.setdefault(name, delay)
        elif key:
            in_rules = True
    token = agent.lower()
    for name, delay in delays.items():
        if name != "*" and name in token:
            return delay if delay > 0 else None
    star = delays.get("*")
    return star if star and star > 0 else None


def _is_authwall(url: str) -> bool:
    segments = {s.lower() for s in urlsplit(url).path.split("/") if s}
    return bool(segments & AUTHWALL_SEGMENTS)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
