"""Engines, sessions and migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import ConfigError, StoreError

ROOT = Path(__file__).resolve().parents[2]
SCHEDULER_TABLE = "apscheduler_jobs"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a database URL; SQLite gets foreign keys, WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"database.url: not a database URL: {url!r}") from None
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        check_sqlite_folder(url)
        kwargs["connect_args"] = {"timeout": 30}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"database.url: unsupported database driver: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        # pysqlite's legacy transaction handling breaks SAVEPOINT and defers BEGIN; take control of it
        # (the recipe of SQLAlchemy's SQLite dialect documentation). IMMEDIATE takes the write lock at
        # the start: a deferred transaction that reads and then writes fails at once ("database is
        # locked") when another process committed in between, while IMMEDIATE waits on busy_timeout.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def check_sqlite_folder(url: str) -> None:
    """Raise ConfigError when an SQLite URL points into a folder that does not exist."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).expanduser().resolve().parent
        if not parent.exists():
            raise ConfigError(f"database.url: the folder {parent} does not exist")


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    with contextlib.suppress(sqlite3.OperationalError):  # in-memory databases have no WAL
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the engine."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    """An Alembic Config pointing at the project's migrations and this database."""
    from alembic.config import Config

    ini = ROOT / "alembic.ini"
    cfg = Config(str(ini)) if ini.exists() else Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["tracker_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to a revision."""
    from alembic import command

    check_sqlite_folder(url)
    try:
        command.upgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise StoreError(f"cannot migrate the database: {exc.orig}") from exc


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to a revision."""
    from alembic import command

    try:
        command.downgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise StoreError(f"cannot migrate the database: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision in migrations/."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def require_schema(engine: Engine) -> None:
    """Raise a clear error when the database is not migrated to the newest revision."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {exc.orig}") from exc
    head = head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise StoreError(f"the database is {state}, not at {head}: run `tracker db upgrade` first")


def table_names(engine: Engine) -> set[str]:
    """Tables and views in the database."""
    insp = inspect(engine)
    return set(insp.get_table_names()) | set(insp.get_view_names())
