"""The README tells the truth: every command it shows is exercised by a test, and its SQL runs on both backends."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.pipeline import import_postings
from tracker.raw import RawPosting
from tracker.store import db as store_db

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
WEEK = "2026-W47"

# Each command shown in the README, and the test that runs it (file, test function).
COVERAGE: list[tuple[str, str, str]] = [
    (r"make demo", "tests/test_demo.py", "test_terminal_shows_the_report_and_where_things_are"),
    (r"make test", "tests/test_readme.py", "test_make_targets_do_what_the_readme_says"),
    (r"cp tracker\.example\.toml tracker\.toml", "tests/test_config.py", "test_example_config_is_valid"),
    (r"tracker config check", "tests/test_config.py", "test_tracker_config_env_variable_selects_the_file"),
    (r"tracker db upgrade", "tests/test_cli.py", "test_db_upgrade_on_a_new_sqlite_file_creates_tables_and_views"),
    (r"tracker scrape", "tests/test_pipeline.py", "test_scrape_cli_exits_1_when_a_source_failed"),
    (r"tracker scrape --source \S+", "tests/test_pipeline.py", "test_scrape_cli_source_option_crawls_only_that_source"),
    (r"tracker import \S+ --source \S+", "tests/test_pipeline.py", "test_import_keeps_good_rows_and_reports_bad_ones_by_line"),
    (r"tracker report --week \S+ --format text", "tests/test_readme.py", "test_report_status_and_dry_run_commands"),
    (r"tracker send-summary --week \S+ --dry-run \S+", "tests/test_readme.py", "test_report_status_and_dry_run_commands"),
    (r"tracker send-summary --week \S+", "tests/daemon/test_summary_delivery.py", "test_send_summary_command_dry_run_writes_eml_and_records_nothing"),
    (r"tracker run", "tests/daemon/test_daemon.py", "test_a_second_daemon_waits_as_standby_and_takes_over_when_the_first_stops"),
    (r"tracker status", "tests/test_readme.py", "test_report_status_and_dry_run_commands"),
    (r"docker compose .*", "tests/test_compose.py", "test_compose_services_and_wiring"),
    (r"sqlite3 demo/tracker\.db .*", "tests/test_demo.py", "test_readme_query_runs_on_the_demo_database"),
    (r"(sqlite3|psql) .*", "tests/test_readme.py", "test_readme_sql_runs_on_both_backends"),
]


def readme_commands() -> list[str]:
    """Command lines of the README's ```sh blocks, comments dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def test_every_readme_command_is_exercised_by_a_test() -> None:
    commands = readme_commands()
    assert len(commands) > 10
    for command in commands:
        matches = [(f, t) for pattern, f, t in COVERAGE if re.fullmatch(pattern, command)]
        assert matches, f"README command not exercised by any test: {command}"
        path, name = matches[0]
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), flags=re.M), f"{path}::{name} is missing"


def test_make_targets_do_what_the_readme_says() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: .*\n\t\$\(BIN\)/python -m tracker\.demo$", makefile, flags=re.M)
    assert re.search(r"^test: lint typecheck unit$", makefile, flags=re.M)
    assert "ruff check tracker" in makefile and "$(BIN)/mypy" in makefile and "$(BIN)/pytest" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _sql_of_readme() -> list[tuple[str, str]]:
    """(tool, SQL) of each sqlite3 / psql example."""
    out = []
    for command in readme_commands():
        words = shlex.split(command)
        if words[0] == "sqlite3":
            out.append(("sqlite3", words[2]))
        elif words[0] == "psql":
            out.append(("psql", words[words.index("-c") + 1]))
    return out


def _seed(url: str) -> None:
    engine = store_db.make_engine(url)
    sessions = store_db.session_factory(engine)
    seen = datetime(2026, 11, 17, 9, tzinfo=UTC)
    rows = [
        (RawPosting("import", f"d{i}", "Senior Data Scientist", company=f"Co{i}", location="Austin, TX",
                    pay_text=f"${140 + i},000 - ${170 + i},000 a year", description="Python, SQL and A/B testing."), seen)
        for i in range(4)
    ] + [
        (RawPosting("import", f"m{i}", "Machine Learning Engineer", company=f"Co{i}", location="Seattle, WA",
                    pay_text=f"${170 + i},000 - ${210 + i},000 a year", description="PyTorch on Kubernetes."),
         seen + timedelta(hours=i))
        for i in range(4)
    ]
    import_postings(sessions, rows, source_name="readme")
    engine.dispose()


def test_readme_sql_runs_on_both_backends(db_url: str, backend: str) -> None:
    _seed(db_url)
    engine = store_db.make_engine(db_url)
    statements = _sql_of_readme()
    assert {tool for tool, _ in statements} == {"sqlite3", "psql"}
    with engine.connect() as conn:
        for _, sql in statements:
            rows = conn.execute(text(sql)).fetchall()
            assert rows, f"no rows on {backend}: {sql}"
    engine.dispose()


def _cli(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({"TRACKER_DATABASE_URL": url, "TRACKER_EMAIL_TO": "you@example.org"})
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_report_status_and_dry_run_commands(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    report = _cli("report", "--week", WEEK, "--format", "text", url=db_url, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert f"Weekly report {WEEK}" in report.stdout
    dry = _cli("send-summary", "--week", WEEK, "--dry-run", "summary.eml", url=db_url, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    import email
    import email.policy

    msg = email.message_from_bytes((tmp_path / "summary.eml").read_bytes(), policy=email.policy.default)
    assert WEEK in str(msg["Subject"]) and msg["To"] == "you@example.org"
    status = _cli("status", url=db_url, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "readme" in status.stdout


@pytest.mark.parametrize("command", ["--help", "report --help", "scrape --help", "run --help"])
def test_help_works_for_each_command(command: str, tmp_path: Path) -> None:
    out = _cli(*command.split(), url="sqlite:///unused.db", cwd=tmp_path)
    assert out.returncode == 0 and "usage:" in out.stdout
