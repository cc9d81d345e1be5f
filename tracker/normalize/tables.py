"""Loading of the package's data tables (TOML files under `data/`), lazily and once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """Parse the TOML data file `name` shipped in tracker/normalize/data/ (cached)."""
    data = resources.files("tracker.normalize").joinpath("data").joinpath(name).read_bytes()
    return tomllib.loads(data.decode("utf-8"))


def word_set(words: str) -> frozenset[str]:
    """A frozenset of the white-space separated words of a literal (for readable keyword tables)."""
    return frozenset(words.split())
