"""Shared fixture for the normalization tests: an accuracy report.

Corpus accuracy figures are collected while the tests run and printed in pytest's terminal summary,
so `pytest tests/normalize -q` shows per-field accuracy even when everything passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

_REPORT: dict[str, tuple[float, int]] = {}


@pytest.fixture
def report() -> Iterator[dict[str, tuple[float, int]]]:
    """Record `report[field] = (accuracy, n)`; printed in the terminal summary."""
    yield _REPORT


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _REPORT:
        return
    terminalreporter.section("normalization corpus accuracy")
    for name in sorted(_REPORT):
        value, n = _REPORT[name]
        terminalreporter.write_line(f"{name:32s} {value:7.3f}   (n={n})")
