"""The source kinds and `build_source`, which validates a configured source's options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.errors import ConfigError
from tracker.sources.ashby import AshbySource
from tracker.sources.base import BaseSource, Source, SourceHooks
from tracker.sources.greenhouse import GreenhouseSource
from tracker.sources.jsonld import JsonLdSource
from tracker.sources.lever import LeverSource
from tracker.sources.linkedin import LinkedInSource

SOURCE_KINDS: dict[str, type[BaseSource]] = {
    cls.kind: cls for cls in (GreenhouseSource, LeverSource, AshbySource, LinkedInSource, JsonLdSource)
}


def build_source(
    kind: str,
    name: str,
    base_url: str | None,
    options: Mapping[str, Any],
    hooks: SourceHooks | None = None,
) -> Source:
    """Build a configured source; raise ConfigError naming sources.<name>.<key> on bad options."""
    cls = SOURCE_KINDS.get(kind)
    if cls is None:
        raise ConfigError(
            f"sources.{name}.kind: unknown source kind {kind!r} (known: {', '.join(SOURCE_KINDS)})"
        )
    if base_url is not None and not isinstance(base_url, str):
        raise ConfigError(f"sources.{name}.base_url: expected a string, got {type(base_url).__name__}")
    if not isinstance(options, Mapping):
        raise ConfigError(f"sources.{name}: options must be a table, got {type(options).__name__}")
    return cls(name, base_url, options, hooks)
