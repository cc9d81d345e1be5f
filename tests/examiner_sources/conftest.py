"""Helpers for the examiner's source tests: a loopback server and a fast polite client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from tests.httpserver import FixtureServer
from tracker.http import PoliteClient
from tracker.raw import RawPosting

AGENT = "tracker-examiner/1.0 (+mailto:examiner@tracker.invalid)"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop."""
    return asyncio.run(coro)


def fast_client(**overrides: Any) -> PoliteClient:
    """A client with tiny backoff and timeouts."""
    settings: dict[str, Any] = {
        "user_agent": AGENT,
        "per_host_rate": 1000.0,
        "timeout_s": 2.0,
        "backoff_base_s": 0.01,
        "max_retries": 2,
        "retry_after_cap_s": 2.0,
    }
    settings.update(overrides)
    return PoliteClient(**settings)


async def drain(postings: AsyncIterator[RawPosting]) -> list[RawPosting]:
    """Every posting of one crawl."""
    return [p async for p in postings]


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A loopback server for one test."""
    with FixtureServer(max_lifetime_s=60) as srv:
        yield srv
