"""Helpers for the examiner's source tests: a loopback server and a fast polite client."""

from __future__ import annotations

from typing import Any

from tests.sources.conftest import collect as drain  # noqa: F401  (re-exported for the tests)
from tests.sources.conftest import fast_client as sources_fast_client
from tests.sources.conftest import (
    run,  # noqa: F401
    server,  # noqa: F401  (the loopback server fixture)
)
from tracker.http import PoliteClient

AGENT = "tracker-examiner/1.0 (+mailto:examiner@tracker.invalid)"


def fast_client(**overrides: Any) -> PoliteClient:
    """The sources tests' fast client, identified as the examiner."""
    return sources_fast_client(**{"user_agent": AGENT, "retry_after_cap_s": 2.0, **overrides})
