"""Sources: one module per site kind; each turns responses into `RawPosting` values.

Build one with `build_source(kind, name, base_url, options, hooks)`, then for each of its
`scopes()` iterate `crawl(client, scope)` with a shared `tracker.http.PoliteClient`.
"""

from tracker.sources.base import COMMON_OPTIONS, Option, Source, SourceHooks
from tracker.sources.registry import SOURCE_KINDS, build_source

__all__ = ["COMMON_OPTIONS", "SOURCE_KINDS", "Option", "Source", "SourceHooks", "build_source"]
