"""Migrations create every table and view on both backends, match the models, and downgrade cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker.store import db as store_db
from tracker.store.models import Base
from tracker.store.views import VIEW_NAMES

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "sources",
    "scrape_runs",
    "postings",
    "posting_clusters",
    "skills",
    "posting_skills",
    "weekly_reports",
    "email_deliveries",
}


def test_upgrade_creates_every_table_and_view(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    names = store_db.table_names(engine)
    assert TABLES | set(VIEW_NAMES) <= names
    assert store_db.current_revision(engine) == store_db.head_revision()
    engine.dispose()


def test_models_match_migrations_with_no_drift(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    cfg = store_db.alembic_config(db_url)
    script = ScriptDirectory.from_config(cfg)
    env_include = _include_object()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": env_include, "target_metadata": Base.metadata}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff
    assert script.get_current_head() == store_db.current_revision(engine)
    engine.dispose()


def _include_object():  # type: ignore[no-untyped-def]
    from tracker.store.db import SCHEDULER_TABLE

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        return not (type_ == "table" and name in {SCHEDULER_TABLE, *VIEW_NAMES})

    return include


def test_alembic_check_command_is_clean(db_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={db_url}", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_every_revision_downgrades_and_upgrades_again(db_url: str) -> None:
    cfg = store_db.alembic_config(db_url)
    revisions = [s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()]
    engine = store_db.make_engine(db_url)
    for _ in revisions:
        command.downgrade(cfg, "-1")
    remaining = store_db.table_names(engine) - {"alembic_version"}
    assert remaining == set()
    command.upgrade(cfg, "head")
    assert TABLES | set(VIEW_NAMES) <= store_db.table_names(engine)
    engine.dispose()


def test_apscheduler_job_table_is_ignored_by_autogenerate(db_url: str) -> None:
    from sqlalchemy import Column, MetaData, String, Table

    engine = store_db.make_engine(db_url)
    extra = MetaData()
    Table("apscheduler_jobs", extra, Column("id", String(191), primary_key=True))
    extra.create_all(engine)
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={db_url}", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    engine.dispose()


def test_skills_move_into_posting_rows_and_back(db_url: str) -> None:
    from sqlalchemy import text

    cfg = store_db.alembic_config(db_url)
    engine = store_db.make_engine(db_url)
    command.downgrade(cfg, "0001")
    now = "2026-11-02 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sources (id, kind, name, enabled, created_at, updated_at) VALUES (1, 'import', 'm', :t, :now, :now)"),
            {"t": True, "now": now},
        )
        for pid in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO postings (id, source_id, external_id, scope, title_raw, family, seniority,"
                    " first_seen_at, last_seen_at) VALUES (:id, 1, :ext, '', 't', 'data_scientist', 'mid', :now, :now)"
                ),
                {"id": pid, "ext": str(pid), "now": now},
            )
        conn.execute(text("INSERT INTO skills (id) VALUES ('sql'), ('python'), ('spark')"))
        conn.execute(text("INSERT INTO posting_skills VALUES (1, 'sql'), (1, 'python'), (1, 'spark')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, skills FROM postings ORDER BY id")).all()
        pairs = set(conn.execute(text("SELECT posting_id, skill_id FROM posting_skills")).tuples())
    stored = {pid: skills if isinstance(skills, list) else __import__("json").loads(skills) for pid, skills in rows}
    assert stored == {1: ["python", "spark", "sql"], 2: []}
    assert pairs == {(1, "python"), (1, "spark"), (1, "sql")}
    with engine.begin() as conn:  # a skill written after the upgrade, and not in the catalog
        if engine.dialect.name == "postgresql":
            conn.execute(text("UPDATE postings SET skills = '{rust}' WHERE id = 2"))
        else:
            conn.execute(text("""UPDATE postings SET skills = '["rust"]' WHERE id = 2"""))
    command.downgrade(cfg, "0001")
    with engine.connect() as conn:
        pairs = set(conn.execute(text("SELECT posting_id, skill_id FROM posting_skills")).tuples())
    assert pairs == {(1, "python"), (1, "spark"), (1, "sql"), (2, "rust")}
    command.upgrade(cfg, "head")
    engine.dispose()
