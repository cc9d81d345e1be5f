"""The command line: help, db upgrade on both backends, one-line errors and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tracker.store import db as store_db
from tracker.store.views import VIEW_NAMES

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m tracker` with a clean TRACKER_* environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=300
    )


def test_help_lists_commands() -> None:
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("db", "config"):
        assert command in out.stdout


def test_unknown_command_is_usage_error() -> None:
    out = run_cli("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_db_upgrade_on_a_new_sqlite_file_creates_tables_and_views(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    out = run_cli("db", "upgrade", env={"TRACKER_DATABASE_URL": url})
    assert out.returncode == 0, out.stderr
    engine = store_db.make_engine(url)
    assert {"postings", "weekly_reports", *VIEW_NAMES} <= store_db.table_names(engine)
    engine.dispose()
    again = run_cli("db", "upgrade", env={"TRACKER_DATABASE_URL": url})
    assert again.returncode == 0
    assert run_cli("db", "current", env={"TRACKER_DATABASE_URL": url}).returncode == 0


def test_db_upgrade_on_empty_database_of_each_backend(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    from alembic import command

    command.downgrade(store_db.alembic_config(db_url), "base")
    assert store_db.table_names(engine) <= {"alembic_version"}
    out = run_cli("db", "upgrade", env={"TRACKER_DATABASE_URL": db_url})
    assert out.returncode == 0, out.stderr
    assert {"postings", "email_deliveries", *VIEW_NAMES} <= store_db.table_names(engine)
    engine.dispose()


def test_plain_alembic_upgrade_reads_the_project_settings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alembic.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = url
    out = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    engine = store_db.make_engine(url)
    assert "v_weekly_family" in store_db.table_names(engine)
    engine.dispose()


def test_unreachable_database_is_one_line_failure(tmp_path: Path) -> None:
    out = run_cli("db", "upgrade", env={"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_unreachable_postgres_is_a_one_line_error() -> None:
    out = run_cli("status", env={"TRACKER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert "cannot open the database" in out.stderr
