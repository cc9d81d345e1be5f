"""The composition root: builds the engine, sessions, HTTP client and mailer from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
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
