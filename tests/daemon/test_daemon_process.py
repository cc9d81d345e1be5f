"""The real daemon in a subprocess on a fake clock: weeks of schedule in seconds, SIGKILL and SIGTERM.

The daemon reads "now" from a file the test rewrites (TRACKER_FAKE_CLOCK_FILE, see tracker.scheduler);
APScheduler, the scrape jobs and the weekly jobs all run on that clock. Sources are the greenhouse and
lever fixtures on a loopback HTTP server, mail goes to an aiosmtpd server on loopback, and the
database is a fresh one per backend (`db_url`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.daemon.daemonproc import (
    SLOW_PATH,
    ClockFile,
    Daemon,
    SourceFixtures,
    expected_postings,
    wait_until,
    write_config,
)
from tests.daemon.smtpserver import SMTPServer
from tests.httpserver import FixtureServer
from tracker.scheduler import next_runs
from tracker.store import db as store_db
from tracker.store.models import EmailDelivery, Posting, PostingCluster, ScrapeRun, Source

pytestmark = pytest.mark.network

START = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)  # Monday of 2026-W47, the minute the weekly run is due
STEP = timedelta(hours=12)  # gh scrapes every 12 h, lever every 24 h: one gh run per step
KILL_STEP = 17  # Tuesday of W48, 19:00: a gh-only step, far from any weekly run


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = store_db.make_engine(db_url)
    yield eng
    eng.dispose()


def runs(sessions: sessionmaker[Session], source: str) -> list[ScrapeRun]:
    """The scrape runs of one source, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(ScrapeRun)
                .join(Source, Source.id == ScrapeRun.source_id)
                .where(Source.name == source)
                .order_by(ScrapeRun.id)
            )
        )


def finished(sessions: sessionmaker[Session], source: str, n: int, running: int = 0) -> bool:
    """Whether a source has exactly n runs, `running` of them still 'running'."""
    rows = runs(sessions, source)
    return len(rows) == n and sum(r.status == "running" for r in rows) == running


def sent(sessions: sessionmaker[Session]) -> list[str]:
    """The weeks whose summary is recorded as sent."""
    with sessions() as session:
        return list(
            session.scalars(
                select(EmailDelivery.iso_week)
                .where(EmailDelivery.status == "sent")
                .order_by(EmailDelivery.iso_week)
            )
        )


def test_three_simulated_weeks_scrape_on_schedule_and_mail_three_summaries_across_a_sigkill_mid_scrape(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    sessions = store_db.session_factory(engine)
    clock = ClockFile(tmp_path / "clock", START)
    log = tmp_path / "daemon.log"
    daemons: list[Daemon] = []
    with SMTPServer() as smtp, FixtureServer(max_lifetime_s=300) as web:
        sources = SourceFixtures(web)
        config = write_config(tmp_path, db_url, web, smtp.port, to=["a@example.org"])
        try:
            daemons.append(Daemon.start(config, clock, log))
            daemons[-1].wait_ready()
            # 3 weeks minus a minute: the weekly runs of W47, W48 and W49 Mondays, not W50's
            steps = [START + STEP * k for k in range(1, 42)] + [START + timedelta(weeks=3, minutes=-1)]
            for k, moment in enumerate([START, *steps]):
                before = len(web.requests)
                if k == KILL_STEP:
                    sources.slow.set()
                if k:
                    clock.set(moment)
                emails = 1 + (moment >= START + timedelta(weeks=1)) + (moment >= START + timedelta(weeks=2))
                gh_runs, lever_runs = min(k, 41), min(k, 41) // 2
                if k == KILL_STEP:
                    wait_until(lambda: sources.hits(SLOW_PATH, before) == 1, "the slow detail request")  # noqa: B023
                    # the job store already holds the job's next run, as it would in production
                    wait_until(
                        lambda: dict(next_runs(engine))["scrape:gh"] == moment + STEP,  # noqa: B023
                        "the next gh run stored",
                    )
                    daemons[-1].kill()
                    sources.slow.clear()
                    daemons.append(Daemon.start(config, clock, log))
                    daemons[-1].wait_ready(starts=2)
                    wait_until(
                        lambda: finished(sessions, "gh", KILL_STEP, running=1),
                        "the killed run left 'running'",
                    )
                    continue
                wait_until(
                    lambda: finished(sessions, "gh", gh_runs) and finished(sessions, "lever", lever_runs),  # noqa: B023
                    f"step {k} ({moment:%a %Y-%m-%d %H:%M}): {gh_runs} gh and {lever_runs} lever runs finished",
                )
                wait_until(
                    lambda: len(sent(sessions)) == emails and len(smtp.messages) == emails,  # noqa: B023
                    f"step {k}: {emails} summaries sent",
                )
            assert daemons[-1].terminate() == 0
        finally:
            for daemon in daemons:
                daemon.ensure_dead()

        assert [m["X-Tracker-Week"] for m in smtp.messages] == [
            "2026-W46 USD",
            "2026-W47 USD",
            "2026-W48 USD",
        ]

    with sessions() as session:
        deliveries = session.execute(
            select(EmailDelivery.iso_week, EmailDelivery.status, EmailDelivery.attempts)
        ).all()
        assert sorted(tuple(d) for d in deliveries) == [
            ("2026-W46", "sent", 1),
            ("2026-W47", "sent", 1),
            ("2026-W48", "sent", 1),
        ]
        assert session.scalar(select(func.count()).select_from(Posting)) == expected_postings()
        repeated = session.execute(
            select(Posting.source_id, Posting.external_id)
            .group_by(Posting.source_id, Posting.external_id)
            .having(func.count() > 1)
        ).all()
        assert repeated == []
        assert (
            session.scalar(select(func.count()).select_from(Posting).where(Posting.cluster_id.is_(None))) == 0
        )
        clusters = session.execute(
            select(
                PostingCluster.company_key,
                PostingCluster.family,
                PostingCluster.title_key,
                PostingCluster.location_key,
            )
        ).all()
        assert len(clusters) == len(set(clusters))  # no job got a second cluster
        used = session.scalar(select(func.count(func.distinct(Posting.cluster_id))))
        assert len(clusters) == used  # and the killed run left no orphan cluster behind
    gh = runs(sessions, "gh")
    assert len(gh) == 41 and len(runs(sessions, "lever")) == 20
    killed = gh[KILL_STEP - 1]
    assert killed.started_at == START + STEP * KILL_STEP
    assert (killed.status, killed.error) == (
        "failed",
        "the process running this crawl stopped before it finished",
    )
    assert killed.finished_at == START + STEP * (KILL_STEP + 1)  # marked by the next run, 12 h later
    assert [r.status for r in gh if r is not killed] == ["ok"] * 40
    assert {r.status for r in runs(sessions, "lever")} == {"ok"}
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_sigterm_during_a_scrape_lets_it_finish_and_exits_0(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    sessions = store_db.session_factory(engine)
    clock = ClockFile(tmp_path / "clock", START)
    with SMTPServer() as smtp, FixtureServer() as web:
        sources = SourceFixtures(web, slow_s=5.0)
        config = write_config(tmp_path, db_url, web, smtp.port, to=[], lever_schedule="1w")
        daemon = Daemon.start(config, clock, tmp_path / "daemon.log")
        try:
            daemon.wait_ready()
            sources.slow.set()
            clock.set(START + STEP)
            wait_until(lambda: sources.hits(SLOW_PATH) == 1, "the slow detail request")

            assert daemon.terminate() == 0  # sent while the reply is held back: the crawl is under way
        finally:
            daemon.ensure_dead()
    [run] = runs(sessions, "gh")
    assert (run.status, run.new, run.error) == ("ok", 4, None)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Posting)) == 4
    text = daemon.text()
    assert "received SIGTERM" in text and text.rstrip().endswith("stopped")
    assert text.index("received SIGTERM") < text.index("scrape gh: ok") < text.index("stopped")
