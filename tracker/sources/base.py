"""What every source is: the `Source` protocol, the hooks the pipeline injects, and option declarations.

A source turns responses into `RawPosting` values and nothing else: it never touches the database and
does not interpret pay, titles or locations. Each request it makes goes to its `base_url`.

`crawl(client, scope)` yields the postings of one crawl unit (a board, a Lever site, a LinkedIn query,
a page or a sitemap) and raises a `FetchError` subclass when the unit could not be crawled completely;
only a crawl that ends without raising may be used to close postings that were not seen.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import urlsplit

from tracker.errors import BoardGone, ConfigError, HTTPStatusFailure, SourceFormatError
from tracker.http import PoliteClient
from tracker.raw import RawPosting

log = logging.getLogger("tracker.sources")

GONE_STATUSES = frozenset({404, 410})
_WHITESPACE = re.compile(r"\s+")


def _always(_: object) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class SourceHooks:
    """Decisions the pipeline makes for a source, injected at construction."""

    wants_detail: Callable[[str], bool] = _always
    """Greenhouse: fetch the pay detail of a job only when this returns True for its title."""
    needs_detail: Callable[[RawPosting], bool] = _always
    """LinkedIn: fetch the detail page of a card only when this returns True (new or changed card)."""


@runtime_checkable
class Source(Protocol):
    """A configured source of raw postings."""

    kind: str
    name: str
    base_url: str

    def scopes(self) -> list[str]:
        """The crawl units of this source, in crawl order."""
        ...

    def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield the postings of `scope`; raise a FetchError subclass if it could not be crawled completely."""
        ...

    def listing_window(self) -> timedelta | None:
        """How far back a complete crawl lists postings; None when it lists every open posting."""
        ...


@dataclass(frozen=True, slots=True)
class Option:
    """One declared option of a source kind: its type, default and constraints."""

    type: str
    """One of: str_list, int, float, bool, str, optional_str, str_map."""
    default: Any = None
    required: bool = False
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    """For str_list: allowed values."""
    doc: str = ""


COMMON_OPTIONS: dict[str, Option] = {
    "respect_robots": Option("bool", True, doc="read robots.txt and skip disallowed URLs; false opts out"),
    "rate": Option("float", None, minimum=1e-6, doc="requests/s for this source's host (default: client's)"),
}

_TYPE_NAMES = {
    "str_list": "a list of strings",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "a string",
    "optional_str": "a string",
    "str_map": "a table of strings",
}


def _check_type(kind: str, value: Any) -> bool:
    if kind == "str_list":
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("str", "optional_str"):
        return isinstance(value, str)
    if kind == "str_map":
        return isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, str | int) and not isinstance(v, bool)
            for k, v in value.items()
        )
    raise AssertionError(f"unknown option type {kind}")


def validate_options(
    name: str, kind: str, declared: Mapping[str, Option], options: Mapping[str, Any]
) -> dict[str, Any]:
    """Check `options` against `declared` and fill defaults; raise ConfigError naming sources.<name>.<key>."""
    allowed = {**declared, **COMMON_OPTIONS}
    for key in options:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(f"sources.{name}.{key}: unknown option for kind {kind} (known: {known})")
    values: dict[str, Any] = {}
    for key, spec in allowed.items():
        if key not in options or (options[key] is None and spec.type == "optional_str"):
            if spec.required:
                raise ConfigError(f"sources.{name}.{key}: required for kind {kind}")
            values[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        value = options[key]
        if not _check_type(spec.type, value):
            raise ConfigError(
                f"sources.{name}.{key}: expected {_TYPE_NAMES[spec.type]}, got {type(value).__name__} {value!r}"
            )
        if spec.type == "str_list":
            value = [v.strip() for v in value]
            if spec.required and not value:
                raise ConfigError(f"sources.{name}.{key}: must be a non-empty list")
            if any(not v for v in value):
                raise ConfigError(f"sources.{name}.{key}: contains an empty string")
            if spec.choices:
                bad = [v for v in value if v not in spec.choices]
                if bad:
                    raise ConfigError(
                        f"sources.{name}.{key}: unknown value {bad[0]!r} (allowed: {', '.join(spec.choices)})"
                    )
        elif spec.type == "str_map":
            value = {k: str(v) for k, v in value.items()}
        elif spec.type in ("str", "optional_str"):
            value = value.strip()
            if not value:
                raise ConfigError(f"sources.{name}.{key}: must not be empty")
        if spec.minimum is not None and isinstance(value, int | float) and value < spec.minimum:
            raise ConfigError(f"sources.{name}.{key}: must be >= {spec.minimum:g}, got {value!r}")
        values[key] = value
    return values


def check_base_url(name: str, base_url: str) -> str:
    """Validate an http(s) base URL and drop a trailing slash."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"sources.{name}.base_url: expected an http(s) URL, got {base_url!r}")
    return base_url.rstrip("/")


class BaseSource:
    """Shared plumbing: options, hooks, and the per-source politeness settings."""

    kind: str = ""
    default_base_url: ClassVar[str | None] = None
    OPTIONS: ClassVar[dict[str, Option]] = {}

    def __init__(
        self,
        name: str,
        base_url: str | None,
        options: Mapping[str, Any],
        hooks: SourceHooks | None = None,
    ) -> None:
        self.name = name
        chosen = base_url if base_url else self.default_base_url
        self.base_url = check_base_url(name, chosen) if chosen else ""
        self.options = validate_options(name, self.kind, self.OPTIONS, options)
        self.hooks = hooks or SourceHooks()
        self.respect_robots: bool = self.options["respect_robots"]
        self.rate: float | None = self.options["rate"]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.base_url}>"

    def prepare(self, client: PoliteClient) -> None:
        """Apply this source's rate override to the client (idempotent)."""
        if self.rate is not None and self.base_url:
            client.set_host_rate(self.base_url, self.rate)

    async def get_json(
        self, client: PoliteClient, url: str, params: Mapping[str, str | int] | None = None
    ) -> Any:
        """GET JSON with this source's name and robots setting."""
        return await client.get_json(url, params=params, source=self.name, respect_robots=self.respect_robots)

    async def get_text(
        self, client: PoliteClient, url: str, params: Mapping[str, str | int] | None = None
    ) -> str:
        """GET text with this source's name and robots setting."""
        return await client.get_text(url, params=params, source=self.name, respect_robots=self.respect_robots)

    async def get_jobs_list(
        self, client: PoliteClient, url: str, params: Mapping[str, str | int], scope: str
    ) -> list[Any]:
        """GET a board's JSON and return its `jobs` list: a gone board raises BoardGone, another shape SourceFormatError."""
        try:
            data = await self.get_json(client, url, params)
        except HTTPStatusFailure as exc:
            raise gone(exc, f"board {scope}") from exc
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            raise SourceFormatError("expected an object with a 'jobs' list", url=url, source=self.name)
        return jobs

    def listing_window(self) -> timedelta | None:
        """How far back a complete crawl lists postings; None when it lists every open posting.

        A search limited to recent postings stops listing a job that is still open once it ages out,
        so only postings younger than this window may be closed for not being seen.
        """
        return None

    def unknown_scope(self, scope: str) -> ConfigError:
        """The error for a scope this source does not have."""
        return ConfigError(
            f"sources.{self.name}: unknown scope {scope!r} (known: {', '.join(self.scopes())})"
        )

    def scopes(self) -> list[str]:
        """The crawl units of this source."""
        raise NotImplementedError

    def crawl(self, client: PoliteClient, scope: str) -> AsyncIterator[RawPosting]:
        """Yield the postings of `scope`; raise a FetchError subclass if it could not be crawled completely."""
        raise NotImplementedError


def gone(exc: HTTPStatusFailure, what: str) -> BoardGone | HTTPStatusFailure:
    """Translate a 404/410 on a whole crawl unit into BoardGone; anything else stays as it is."""
    if exc.status in GONE_STATUSES:
        return BoardGone(
            f"{what} gone (HTTP {exc.status})", status=exc.status, url=exc.url, source=exc.source
        )
    return exc


def collapse_ws(text: str | None) -> str | None:
    """Collapse runs of white space to one space and strip; None for empty."""
    if text is None:
        return None
    out = _WHITESPACE.sub(" ", text).strip()
    return out or None


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive means UTC); None when absent or bad."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_epoch_ms(value: Any) -> datetime | None:
    """Epoch milliseconds (int, float or digit string) as an aware UTC datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def str_or_none(value: Any) -> str | None:
    """A stripped non-empty string, else None (numbers are turned into strings)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def unescape_once(text: Any) -> str | None:
    """HTML-unescape a string once (Greenhouse escapes `content` once)."""
    if not isinstance(text, str):
        return None
    return html.unescape(text)


@dataclass(slots=True)
class CrawlNotes:
    """What a crawl skipped, for logs (not errors: the scope still completed)."""

    skipped: list[str] = field(default_factory=list)

    def skip(self, source: str, reason: str) -> None:
        """Remember and log one skipped item."""
        self.skipped.append(reason)
        log.warning("source %s: skipped %s", source, reason)
