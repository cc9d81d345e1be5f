"""The daemon (`tracker run`): APScheduler 3 with its SQLAlchemy job store in the project's database.

Jobs (fixed ids, `replace_existing`, `coalesce`, one instance at a time):
- `scrape:<source>`: one per enabled source, on its crontab line or interval, with `scrape.jitter_s` jitter;
- `weekly-summary`: on `report.schedule` in `report.timezone`: compute the previous ISO week's report and
  send the summary;
- `weekly-catch-up`: at start-up and every 10 minutes: if this week's weekly run is due and the summary of
  its week is not sent (the daemon was down, SMTP was down, a sender died), run it now. Exactly-once is
  guaranteed by `tracker.deliveries`, not by the scheduler.

A job whose time passed while the daemon was down runs once at start-up (coalesce, no misfire limit);
an unchanged schedule keeps its stored next run time across restarts.

Job functions are module-level and take plain arguments (the config path), because the job store
pickles references to them. One scheduler per database: a PostgreSQL advisory lock held on a dedicated
connection, or (SQLite) an fcntl lock on a file next to the database file; a second daemon waits as a hot
standby and takes over when the first exits or dies. SIGTERM/SIGINT stop taking new jobs, let the running
one finish, and exit 0.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url

from tracker.config import Settings, SourceSettings, load_settings, parse_interval
from tracker.store.db import SCHEDULER_TABLE
from tracker.store.models import utcnow

log = logging.getLogger("tracker.scheduler")
Clock = Callable[[], datetime]

WEEKLY_JOB_ID = "weekly-summary"
CATCH_UP_JOB_ID = "weekly-catch-up"
SCRAPE_PREFIX = "scrape:"
CATCH_UP_EVERY = timedelta(minutes=10)
LOCK_KEY = int.from_bytes(hashlib.sha256(b"tracker.scheduler").digest()[:8], "big", signed=True)

_APPS: dict[str | None, Any] = {}
_APPS_LOCK = threading.Lock()
_WEEKLY_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------------- jobs


def _app(config_path: str | None) -> Any:
    """The App of a config path, built once per process (jobs run in worker threads)."""
    from tracker.bootstrap import App

    with _APPS_LOCK:
        app = _APPS.get(config_path)
        if app is None:
            app = _APPS[config_path] = App(load_settings(config_path))
        return app


def close_apps() -> None:
    """Dispose of the engines the jobs opened."""
    with _APPS_LOCK:
        for app in _APPS.values():
            app.close()
        _APPS.clear()


def scrape_job(config_path: str | None, source: str) -> None:
    """Scheduled: crawl one source."""
    from tracker.pipeline import scrape

    app = _app(config_path)
    try:
        [result] = scrape(app.settings, app.sessions, only=source)
        log.info("scrape %s: %s", source, result.status, extra={"source": source, "status": result.status})
    except Exception:
        log.exception("scrape %s failed", source, extra={"source": source})


def weekly_due(settings: Settings, now: datetime) -> str:
    """The week whose summary the latest weekly run (at or before `now`) should have sent."""
    from apscheduler.triggers.cron import CronTrigger

    from tracker.analyze.weeks import shift_week, week_bounds, week_of

    tz = settings.report.timezone
    this_week = week_of(now, tz)
    trigger = CronTrigger.from_crontab(settings.report.schedule, timezone=tz)
    fire = trigger.get_next_fire_time(None, week_bounds(this_week, tz)[0])
    return shift_week(this_week, -1) if fire is not None and fire <= now else shift_week(this_week, -2)


def run_weekly(app: Any, week: str, *, mailer: Any = None, now: Clock = utcnow) -> Any:
    """Store the week's report (recomputed unless computed after the week ended), then send it once."""
    from tracker.analyze.weeks import week_bounds
    from tracker.deliveries import deliver_summary, ensure_report, stored_report

    settings = app.settings
    with _WEEKLY_LOCK:
        with app.sessions() as session:
            report = stored_report(session, week, settings.report.market)
            end = week_bounds(week, settings.report.timezone)[1]
            fresh = report is not None and report.computed_at >= end
        ensure_report(app, week, recompute=not fresh)
        if not settings.email.to:
            log.warning("weekly %s: report stored; no email recipients configured ([email] to)", week)
            return None
        return deliver_summary(app, week, mailer=mailer, now=now)


def weekly_job(config_path: str | None) -> None:
    """Scheduled: the previous ISO week's report and summary."""
    from tracker.analyze.weeks import last_complete_week

    app = _app(config_path)
    week = last_complete_week(utcnow(), app.settings.report.timezone)
    try:
        run_weekly(app, week)
    except Exception:
        log.exception("weekly %s failed", week, extra={"week": week})


def catch_up(app: Any, *, mailer: Any = None, now: Clock = utcnow) -> Any:
    """Run the weekly job for the due week when its summary is not sent yet; None when nothing to do."""
    from tracker.deliveries import delivery_status
    from tracker.report.email import recipients_key

    settings = app.settings
    week = weekly_due(settings, now())
    recipients = recipients_key(settings.email.to)
    with app.sessions() as session:
        row = delivery_status(session, week, settings.report.market, recipients)
    if row is not None and row.status == "sent":
        return None
    log.info("weekly %s: summary not sent yet; running it now", week)
    return run_weekly(app, week, mailer=mailer, now=now)


def catch_up_job(config_path: str | None) -> None:
    """Scheduled: start-up and periodic catch-up of a missed or failed weekly run."""
    try:
        catch_up(_app(config_path))
    except Exception:
        log.exception("weekly catch-up failed")


# ---------------------------------------------------------------------------------------------- scheduler


@dataclass(frozen=True)
class JobSpec:
    """One job the configuration asks for."""

    id: str
    func: Callable[..., None]
    args: tuple[Any, ...]
    trigger: Any
    misfire_grace_time: int | None


def source_trigger(src: SourceSettings, settings: Settings) -> Any:
    """The trigger of a source's schedule (interval or crontab), with jitter."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jitter = settings.scrape.jitter_s or None
    try:
        seconds = parse_interval(src.schedule)
    except Exception:
        trigger = CronTrigger.from_crontab(src.schedule, timezone=settings.report.timezone)
        trigger.jitter = jitter
        return trigger
    return IntervalTrigger(seconds=seconds, jitter=jitter, timezone=settings.report.timezone)


def job_specs(settings: Settings, config_path: str | None) -> list[JobSpec]:
    """Every job of a configuration."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = settings.report.timezone
    specs = [
        JobSpec(
            f"{SCRAPE_PREFIX}{src.name}",
            scrape_job,
            (config_path, src.name),
            source_trigger(src, settings),
            None,
        )
        for src in settings.sources
        if src.enabled
    ]
    specs.append(
        JobSpec(
            WEEKLY_JOB_ID,
            weekly_job,
            (config_path,),
            CronTrigger.from_crontab(settings.report.schedule, timezone=tz),
            None,
        )
    )
    specs.append(
        JobSpec(
            CATCH_UP_JOB_ID,
            catch_up_job,
            (config_path,),
            IntervalTrigger(seconds=int(CATCH_UP_EVERY.total_seconds()), timezone=tz),
            300,
        )
    )
    return specs


def build_scheduler(engine: Engine, settings: Settings) -> Any:
    """A BackgroundScheduler on the project database's job store (not started)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.report.timezone,
    )


def install_jobs(
    scheduler: Any, settings: Settings, config_path: str | None, *, now: datetime | None = None
) -> None:
    """Add or replace every configured job, keeping stored next run times of unchanged schedules."""
    existing = {job.id: job for job in scheduler.get_jobs()}
    specs = job_specs(settings, config_path)
    for spec in specs:
        kwargs: dict[str, Any] = {}
        old = existing.get(spec.id)
        if old is not None and str(old.trigger) == str(spec.trigger) and old.next_run_time is not None:
            kwargs["next_run_time"] = old.next_run_time
        if spec.id == CATCH_UP_JOB_ID:
            kwargs["next_run_time"] = now or utcnow()
        scheduler.add_job(
            spec.func,
            spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            **kwargs,
        )
    wanted = {s.id for s in specs}
    for job_id in existing.keys() - wanted:
        log.info("removing job %s (no longer configured)", job_id)
        scheduler.remove_job(job_id)


# ---------------------------------------------------------------------------------------------- lock


class SchedulerLock(Protocol):
    """The right to be the one active scheduler of a database."""

    def try_acquire(self) -> bool:
        """Take the lock without waiting."""

    def alive(self) -> bool:
        """Whether the lock is still held."""

    def release(self) -> None:
        """Give the lock up."""


class PostgresLock:
    """pg_try_advisory_lock on a dedicated connection held for the process lifetime."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def alive(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


class FileLock:
    """An fcntl lock on a file; the kernel releases it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def alive(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class NoLock:
    """In-memory SQLite: nothing to share, so nothing to lock."""

    def try_acquire(self) -> bool:
        return True

    def alive(self) -> bool:
        return True

    def release(self) -> None:
        return None


def scheduler_lock(engine: Engine) -> SchedulerLock:
    """The lock that makes this process the database's one active scheduler."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    if engine.dialect.name == "postgresql":
        return PostgresLock(engine)
    database = url.database or ""
    if (
        engine.dialect.name == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        return FileLock(
            Path(database).expanduser().resolve().with_name(Path(database).name + ".scheduler.lock")
        )
    return NoLock()


# ---------------------------------------------------------------------------------------------- daemon


def run_daemon(
    settings: Settings,
    *,
    standby_poll_s: float = 15.0,
    stop: threading.Event | None = None,
    install_signals: bool = True,
    health_every_s: float = 5.0,
) -> int:
    """Run until stopped: wait for the lock (hot standby), schedule, stop cleanly on SIGTERM/SIGINT."""
    from tracker.bootstrap import App
    from tracker.store.db import require_schema

    stop = stop or threading.Event()
    if install_signals:

        def _on_signal(signum: int, _frame: Any) -> None:
            log.info(
                "received %s: no new jobs; waiting for the running one to finish", signal.Signals(signum).name
            )
            stop.set()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    config_path = str(Path(settings.config_path).resolve()) if settings.config_path else None
    app = App(settings)
    require_schema(app.engine)
    lock = scheduler_lock(app.engine)
    announced = False
    while not lock.try_acquire():
        if not announced:
            log.info("another daemon is active on this database; waiting as a hot standby")
            announced = True
        if stop.wait(standby_poll_s):
            app.close()
            return 0
    log.info("this daemon is now the active scheduler (pid %d)", os.getpid())
    scheduler = build_scheduler(app.engine, settings)
    code = 0
    try:
        scheduler.start(paused=True)
        install_jobs(scheduler, settings, config_path)
        scheduler.resume()
        for job in scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)
        while not stop.wait(health_every_s):
            if not lock.alive():
                log.error(
                    "lost the scheduler lock (database connection gone); stopping so a standby can take over"
                )
                code = 1
                break
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        lock.release()
        close_apps()
        app.close()
    log.info("stopped")
    return code


# ---------------------------------------------------------------------------------------------- status


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def next_runs(engine: Engine) -> list[tuple[str, datetime | None]]:
    """(job id, next run time) from the job store; empty when the daemon never ran."""
    from tracker.store.db import table_names

    if SCHEDULER_TABLE not in table_names(engine):
        return []
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {SCHEDULER_TABLE} ORDER BY id")).all()
    return [(str(i), datetime.fromtimestamp(float(t), UTC) if t is not None else None) for i, t in rows]


def daemon_active(engine: Engine) -> bool:
    """Whether some daemon holds this database's scheduler lock (probed by taking and releasing it)."""
    lock = scheduler_lock(engine)
    if isinstance(lock, NoLock):
        return False
    if lock.try_acquire():
        lock.release()
        return False
    return True


def status_report(app: Any) -> str:
    """The text of `tracker status`."""
    from tracker.deliveries import last_sent, unsent
    from tracker.store.repository import last_runs

    lines = [f"daemon: {'active' if daemon_active(app.engine) else 'not running'}", "", "sources (last run):"]
    with app.sessions() as session:
        runs = last_runs(session)
        sent = last_sent(session)
        pending = unsent(session)
    if not runs:
        lines.append("  none scraped yet")
    for src, run in runs:
        if run is None:
            lines.append(f"  {src.name}: never run")
            continue
        line = (
            f"  {src.name}: {run.status} at {_fmt(run.started_at)} "
            f"(seen {run.seen}, new {run.new}, updated {run.updated}, closed {run.closed})"
        )
        if run.error:
            line += f" error: {run.error.splitlines()[0][:200]}"
        lines.append(line)
    lines += ["", "next runs:"]
    jobs = next_runs(app.engine)
    lines += [f"  {job_id}: {_fmt(when) if when else 'paused'}" for job_id, when in jobs] or [
        "  none scheduled (start `tracker run`)"
    ]
    lines += ["", "email:"]
    if sent is None:
        lines.append("  no summary sent yet")
    else:
        lines.append(
            f"  last sent: {sent.iso_week} {sent.market} to {sent.recipients} at {_fmt(sent.sent_at)}"
        )
    for row in pending:
        lines.append(
            f"  not sent: {row.iso_week} {row.market} to {row.recipients}: {row.status}, attempts {row.attempts}"
            + (f", last error: {row.last_error.splitlines()[0][:200]}" if row.last_error else "")
        )
    return "\n".join(lines)
