"""The composition root: builds the engine, sessions, HTTP client and mailer from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings, SourceSettings
from tracker.store import db


@dataclass
class App:
    """Everything a command needs, built on first use from one Settings value."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The database engine (created on first use)."""
        if self._engine is None:
            self._engine = db.make_engine(self.settings.database_url(), echo=self.settings.database.echo)
        return self._engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory."""
        return db.session_factory(self.engine)

    def migrate(self, revision: str = "head") -> None:
        """Bring the database schema up to a revision."""
        db.upgrade(self.settings.database_url(), revision)

    def close(self) -> None:
        """Release database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def build_configured_source(settings: Settings, src: SourceSettings, hooks: Any = None) -> Any:
    """A source object from its settings; raises ConfigError naming sources.<name>.<key>."""
    from tracker.sources import build_source

    options = dict(src.options)
    options["respect_robots"] = settings.scrape.respect_robots if src.respect_robots is None else src.respect_robots
    if src.per_host_rate is not None:
        options["rate"] = src.per_host_rate
    return build_source(src.kind, src.name, src.base_url, options, hooks)


_VALIDATORS: Any = None


def _validators() -> Any:
    """ETag / Last-Modified validators shared by every crawl of this process (the daemon keeps them)."""
    global _VALIDATORS
    if _VALIDATORS is None:
        from tracker.http import BoundedCache

        _VALIDATORS = BoundedCache()
    return _VALIDATORS


def make_client(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Any:
    """The polite HTTP client of one crawl, from settings."""
    from tracker.http import PoliteClient

    s = settings.scrape
    return PoliteClient(
        user_agent=s.user_agent,
        per_host_rate=s.per_host_rate,
        max_concurrency=s.max_concurrency,
        respect_robots=s.respect_robots,
        timeout_s=s.timeout_s,
        max_response_bytes=s.max_response_bytes,
        max_retries=s.max_retries,
        retry_after_cap_s=s.retry_after_cap_s,
        validator_cache=_validators(),
        transport=transport,
    )
