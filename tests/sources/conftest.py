"""Shared fixtures for the source tests: a loopback fixture server and fast polite clients."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # make `tests.httpserver` importable however pytest was started
    sys.path.insert(0, str(ROOT))

from tests.httpserver import FixtureServer  # noqa: E402
from tracker.http import PoliteClient  # noqa: E402
from tracker.raw import RawPosting  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
TEST_AGENT = "tracker-tests/1.0 (+mailto:tests@tracker.invalid)"
T = TypeVar("T")


def fixture_text(name: str) -> str:
    """A fixture file's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    """A fixture file's parsed JSON."""
    return json.loads(fixture_text(name))


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop."""
    return asyncio.run(coro)


def fast_client(**overrides: Any) -> PoliteClient:
    """A PoliteClient with tiny backoff and timeouts, high rates, and robots read."""
    settings: dict[str, Any] = {
        "user_agent": TEST_AGENT,
        "per_host_rate": 1000.0,
        "timeout_s": 2.0,
        "backoff_base_s": 0.01,
        "max_retries": 2,
        "retry_after_cap_s": 5.0,
    }
    settings.update(overrides)
    return PoliteClient(**settings)


async def collect(postings: AsyncIterator[RawPosting]) -> list[RawPosting]:
    """Drain an async iterator of postings."""
    return [p async for p in postings]


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A fresh loopback fixture server, stopped after the test."""
    with FixtureServer(max_lifetime_s=60) as srv:
        yield srv
