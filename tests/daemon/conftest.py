"""Daemon and mail tests: apps made with tests.daemon.apps.make_app are closed after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.daemon.apps import close_apps


@pytest.fixture(autouse=True)
def _close_apps() -> Iterator[None]:
    yield
    close_apps()
