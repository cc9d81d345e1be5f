"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is used when TRACKER_TEST_DATABASE_URL is set (an admin URL: the tests create and drop their
own databases through it) or when a server answers on 127.0.0.1:5432. With CI=true and no server, the
PostgreSQL leg fails instead of being skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from tracker.store import db as store_db

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
_LEG_COUNTS: dict[str, dict[str, int]] = {b: {"passed": 0, "failed": 0, "skipped": 0} for b in BACKENDS}


def _pg_admin_url() -> str | None:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1.0):
            return DEFAULT_PG_ADMIN
    except OSError:
        return None


@dataclass
class TemplateDB:
    """A migrated database that fresh test databases are copied from."""

    backend: str
    url: str
    workdir: Path

    def fresh_url(self) -> str:
        """A new, migrated, empty database: a copy of the template."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            target = self.workdir / f"{name}.db"
            shutil.copyfile(make_url(self.url).database or "", target)
            return f"sqlite:///{target}"
        admin = store_db.make_engine(_admin_of(self.url))
        template = make_url(self.url).database
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        _CREATED.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)


_CREATED: list[str] = []


def _admin_of(url: str) -> str:
    admin = os.environ.get("TRACKER_TEST_DATABASE_URL") or DEFAULT_PG_ADMIN
    return admin if make_url(admin).database else make_url(url).set(database="postgres").render_as_string(False)


@pytest.fixture(scope="session")
def template_dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TemplateDB | str]]:
    """One migrated template per backend, or the reason it is missing."""
    workdir = tmp_path_factory.mktemp("db")
    out: dict[str, TemplateDB | str] = {}
    sqlite_url = f"sqlite:///{workdir / 'template.db'}"
    store_db.upgrade(sqlite_url)
    out["sqlite"] = TemplateDB("sqlite", sqlite_url, workdir)
    admin_url = _pg_admin_url()
    pg_name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin: Engine | None = None
    if admin_url is None:
        out["postgresql"] = "no PostgreSQL server answers on 127.0.0.1:5432 and TRACKER_TEST_DATABASE_URL is not set"
    else:
        admin = store_db.make_engine(admin_url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        pg_url = make_url(admin_url).set(database=pg_name).render_as_string(hide_password=False)
        store_db.upgrade(pg_url)
        out["postgresql"] = TemplateDB("postgresql", pg_url, workdir)
    yield out
    if admin is not None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in [*_CREATED, pg_name]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _template(template_dbs: dict[str, TemplateDB | str], backend: str) -> TemplateDB:
    found = template_dbs[backend]
    if isinstance(found, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the PostgreSQL leg cannot run: {found}")
        pytest.skip(found)
    return found


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend of this test leg."""
    return str(request.param)


@pytest.fixture
def db_url(template_dbs: dict[str, TemplateDB | str], backend: str) -> str:
    """A fresh, migrated, empty database of this leg's backend, as a URL (for tests that commit)."""
    return _template(template_dbs, backend).fresh_url()


@dataclass
class DB:
    """A test's database: an engine, a session in a transaction rolled back at the end, and a factory."""

    backend: str
    url: str
    engine: Engine
    session: Session
    sessions: sessionmaker[Session]


@pytest.fixture
def db(template_dbs: dict[str, TemplateDB | str], backend: str) -> Iterator[DB]:
    """A session on the shared migrated database, isolated by a transaction rolled back afterwards."""
    template = _template(template_dbs, backend)
    engine = store_db.make_engine(template.url)
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session = sessions()
    try:
        yield DB(backend, template.url, engine, session, sessions)
    finally:
        session.close()
        outer.rollback()
        connection.close()
        engine.dispose()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count test outcomes per storage backend for the closing summary."""
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    for backend in BACKENDS:
        if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid or f"-{backend}-" in report.nodeid:
            _LEG_COUNTS[backend][report.outcome] = _LEG_COUNTS[backend].get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that both storage legs ran."""
    terminalreporter.section("storage backends")
    for backend, counts in _LEG_COUNTS.items():
        terminalreporter.line(
            f"{backend}: {counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
            f"{counts.get('skipped', 0)} skipped"
        )
