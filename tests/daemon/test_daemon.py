"""The daemon: the weekly catch-up, the job store, the one-active-scheduler lock, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.daemon.apps import fast_mailer, make_app
from tests.daemon.payloads import make_payload, store_report
from tests.daemon.smtpserver import SMTPServer, free_port
from tracker.config import settings_from_mapping
from tracker.scheduler import catch_up, next_runs, run_weekly, status_report, weekly_due
from tracker.store.models import EmailDelivery, WeeklyReport

ROOT = Path(__file__).resolve().parents[2]
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 2026-W48 has begun; the W47 summary is due
pytestmark = pytest.mark.network

def test_the_due_week_is_the_previous_one_once_this_weeks_run_time_has_passed() -> None:
    settings = settings_from_mapping({"report": {"schedule": "0 7 * * mon", "timezone": "Europe/Berlin"}}, {})
    assert weekly_due(settings, datetime(2026, 11, 23, 6, 30, tzinfo=UTC)) == "2026-W47"  # 07:30 in Berlin
    assert weekly_due(settings, datetime(2026, 11, 23, 5, 30, tzinfo=UTC)) == "2026-W46"  # 06:30: not yet
    assert weekly_due(settings, datetime(2026, 11, 29, 22, 0, tzinfo=UTC)) == "2026-W47"


def test_a_weekly_run_missed_while_down_is_sent_once_at_start_up(db_url: str) -> None:
    with SMTPServer() as smtp:
        app = make_app(db_url, smtp.port)
        store_report(app.sessions, make_payload("2026-W47"))

        first = catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM)
        second = catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM)

        assert first is not None and first.status == "sent"
        assert second is None
        assert [m["X-Tracker-Week"] for m in smtp.messages] == ["2026-W47 USD"]


def test_after_a_long_outage_every_missed_week_since_the_last_summary_is_sent_at_most_four(db_url: str) -> None:
    with SMTPServer() as smtp:
        app = make_app(db_url, smtp.port)
        for week in ("2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47"):
            store_report(app.sessions, make_payload(week))
        first = catch_up(app, mailer=fast_mailer(app), now=lambda: datetime(2026, 10, 5, 8, 0, tzinfo=UTC))  # W40 due
        assert first is not None and first.status == "sent"
        # down from W41 to W47: the summaries of W44..W47 go out, W41..W43 are too old
        catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM)
        assert catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM) is None
        weeks = [m["X-Tracker-Week"] for m in smtp.messages]
        assert weeks == ["2026-W40 USD", "2026-W44 USD", "2026-W45 USD", "2026-W46 USD", "2026-W47 USD"]


def test_smtp_down_during_the_weekly_job_keeps_the_report_and_catch_up_sends_it_later(db_url: str) -> None:
    port = free_port()
    app = make_app(db_url, port)
    store_report(app.sessions, make_payload("2026-W47"))

    down = run_weekly(app, "2026-W47", mailer=fast_mailer(app), now=lambda: MONDAY_8AM)

    assert down.status == "failed"
    with app.sessions() as session:
        assert session.execute(select(WeeklyReport.iso_week)).scalars().all() == ["2026-W47"]
        assert session.execute(select(EmailDelivery.status)).scalars().all() == ["failed"]
    with SMTPServer(port) as smtp:
        later = catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM)
        assert later is not None and later.status == "sent"
        assert catch_up(app, mailer=fast_mailer(app), now=lambda: MONDAY_8AM) is None
        assert len(smtp.messages) == 1
    assert "last sent: 2026-W47 USD to a@example.org" in status_report(app)


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_CONFIG", None)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tracker", "--config", str(config), "run", "--standby-poll", "0.2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        )


def _wait_for(log: Path, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the log:\n{log.read_text(encoding='utf-8', errors='replace')}")


def _stop(proc: subprocess.Popen[Any]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def test_a_second_daemon_waits_as_standby_and_takes_over_when_the_first_stops(
    db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[email]\nto = []\n'
        '[[sources]]\nname = "acme"\nkind = "greenhouse"\nschedule = "6h"\nboards = ["acme"]\n'
        '[[sources]]\nname = "off"\nkind = "greenhouse"\nenabled = false\nboards = ["off"]\n',
        encoding="utf-8",
    )
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start(config, first_log)
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(first_log, "now the active scheduler")
        _wait_for(first_log, "job weekly-summary: next run")
        second = _start(config, second_log)
        _wait_for(second_log, "hot standby")
        app = make_app(db_url, 25)
        assert sorted(job for job, _ in next_runs(app.engine)) == [
            "scrape:acme",
            "weekly-catch-up",
            "weekly-summary",
        ]
        assert "daemon: active" in status_report(app)

        assert _stop(first) == 0
        _wait_for(first_log, "stopped")
        _wait_for(second_log, "now the active scheduler")
        assert _stop(second) == 0
        assert "daemon: not running" in status_report(app)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
