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
standby and takes over when the first exits or dies. SIGTERM/SIGINT stop taking new jobs (a job still
queued is not started), let the running one finish, and exit 0.

Clock seam (tests only, off by default): when the environment variable `TRACKER_FAKE_CLOCK_FILE` names
a file, the daemon reads "now" from it (one ISO 8601 timestamp with a UTC offset, rewritten by the test),
and so do its jobs and APScheduler itself (`use_clock`); the daemon then wakes its scheduler every
`FAKE_CLOCK_TICK_S` real seconds, so a test can move weeks of schedule through a real daemon in seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
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

FAKE_CLOCK_ENV = "TRACKER_FAKE_CLOCK_FILE"
FAKE_CLOCK_TICK_S = 0.05

WEEKLY_JOB_ID = "weekly-summary"
CATCH_UP_JOB_ID = "weekly-catch-up"
SCRAPE_PREFIX = "scrape:"
CATCH_UP_EVERY = timedelta(minutes=10)
LOCK_KEY = int.from_bytes(hashlib.sha256(b"tracker.scheduler").digest()[:8], "big", signed=True)

_APPS: dict[str | None, Any] = {}
_SCHEDULER: Any = None
"""The running scheduler of this process (set by run_daemon), for `_job_turn`."""
_APPS_LOCK = threading.Lock()
_WEEKLY_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------------- clock


class FileClock:
    """Tests only: the time written in a file (ISO 8601 with a UTC offset), re-read at every call."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        moment = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        if moment.tzinfo is None:
            raise ValueError(f"{self.path}: the fake clock needs a UTC offset, got {moment.isoformat()}")
        return moment.astimezone(UTC)


_clock: Clock = utcnow


def daemon_now() -> datetime:
    """The daemon's current time: the wall clock unless a test installed another (`use_clock`)."""
    return _clock()


class _ClockDatetime(datetime):
    """`datetime` whose now() is the daemon's clock; stands in for APScheduler's module-level name."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime.fromtimestamp(_clock().timestamp(), tz)

    @classmethod
    def fromtimestamp(cls, t: float, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime.fromtimestamp(t, tz)  # a plain datetime, so nothing pickled refers to this class


def use_clock(clock: Clock | None) -> None:
    """Tests only: make the jobs and APScheduler read time from `clock`; None restores the wall clock."""
    import apscheduler.executors.base
    import apscheduler.schedulers.base
    import apscheduler.triggers.interval

    global _clock
    _clock = clock or utcnow
    for module in (apscheduler.schedulers.base, apscheduler.executors.base, apscheduler.triggers.interval):
        module.datetime = datetime if clock is None else _ClockDatetime


def fake_clock_from_env() -> Clock | None:
    """The test clock named by TRACKER_FAKE_CLOCK_FILE, or None (the normal case)."""
    path = os.environ.get(FAKE_CLOCK_ENV)
    return FileClock(Path(path)) if path else None


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


_SQLITE_TURN = threading.Lock()
"""SQLite only: held by a running job and by every job store write (see `build_scheduler`)."""


@contextlib.contextmanager
def _job_turn(app: Any, job: str) -> Iterator[bool]:
    """Whether a job may start (False once the daemon is stopping), holding the database's turn meanwhile.

    A job still queued when SIGTERM arrives is not started: stopping takes no new jobs. On SQLite,
    which has one writer and fails a transaction that read before another connection committed at
    its first write ("database is locked", no busy wait), a job first lets the scheduler finish
    storing the next run times of the round that submitted it (the round holds `round_lock`), then
    holds `_SQLITE_TURN`, which the job store's writes also take.
    """
    from apscheduler.schedulers.base import STATE_RUNNING

    scheduler = _SCHEDULER
    sqlite = app.engine.dialect.name == "sqlite"
    if scheduler is not None and sqlite:
        # polled: shutdown may begin meanwhile, and then no round will come to release this job
        while scheduler.state == STATE_RUNNING:
            if scheduler.round_lock.acquire(timeout=0.1):
                scheduler.round_lock.release()
                break
    if scheduler is not None and scheduler.state != STATE_RUNNING:
        log.info("%s: not started, the daemon is stopping", job)
        yield False
        return
    with _SQLITE_TURN if sqlite else contextlib.nullcontext():
        yield True


def scrape_job(config_path: str | None, source: str) -> None:
    """Scheduled: crawl one source."""
    from tracker.pipeline import scrape

    app = _app(config_path)
    with _job_turn(app, f"{SCRAPE_PREFIX}{source}") as go:
        if not go:
            return
        try:
            [result] = scrape(app.settings, app.sessions, only=source, now=daemon_now)
            log.info(
                "scrape %s: %s", source, result.status, extra={"source": source, "status": result.status}
            )
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


def run_weekly(app: Any, week: str, *, mailer: Any = None, now: Clock = daemon_now) -> Any:
    """Store the week's report (recomputed unless computed after the week ended), then send it once."""
    from tracker.analyze.weeks import week_bounds
    from tracker.deliveries import deliver_summary, ensure_report
    from tracker.store.summary_queries import stored_report

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
    with _job_turn(app, WEEKLY_JOB_ID) as go:
        if not go:
            return
        week = last_complete_week(daemon_now(), app.settings.report.timezone)
        try:
            run_weekly(app, week, now=daemon_now)
        except Exception:
            log.exception("weekly %s failed", week, extra={"week": week})


CATCH_UP_WEEKS = 4
"""After an outage, the weekly summaries of at most this many missed weeks are still sent."""


def catch_up(app: Any, *, mailer: Any = None, now: Clock = daemon_now) -> Any:
    """Run the weekly job for every due week whose summary is not sent yet; None when nothing to do.

    The weeks are those after the latest one sent, up to the due week and at most CATCH_UP_WEEKS of
    them; on a database that never sent a summary, only the due week (a first start sends no backlog).
    """
    from tracker.analyze.weeks import week_range
    from tracker.report.email import recipients_key
    from tracker.store.summary_queries import delivery_status, latest_sent_week

    settings = app.settings
    due = weekly_due(settings, now())
    recipients = recipients_key(settings.email.to)
    with app.sessions() as session:
        latest = latest_sent_week(session, settings.report.market, recipients)
    weeks = [w for w in week_range(due, CATCH_UP_WEEKS) if latest is not None and w > latest] or [due]
    result = None
    for week in weeks:
        with app.sessions() as session:
            row = delivery_status(session, week, settings.report.market, recipients)
        if row is not None and row.status == "sent":
            continue
        log.info("weekly %s: summary not sent yet; running it now", week)
        result = run_weekly(app, week, mailer=mailer, now=now)
    return result


def catch_up_job(config_path: str | None) -> None:
    """Scheduled: start-up and periodic catch-up of a missed or failed weekly run."""
    app = _app(config_path)
    with _job_turn(app, CATCH_UP_JOB_ID) as go:
        if not go:
            return
        try:
            catch_up(app, now=daemon_now)
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


def _sqlite_job_store() -> Any:
    """APScheduler's SQLAlchemy job store whose writes take `_SQLITE_TURN`."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    class SQLiteJobStore(SQLAlchemyJobStore):
        def add_job(self, job: Any) -> None:
            with _SQLITE_TURN:
                super().add_job(job)

        def update_job(self, job: Any) -> None:
            with _SQLITE_TURN:
                super().update_job(job)

        def remove_job(self, job_id: str) -> None:
            with _SQLITE_TURN:
                super().remove_job(job_id)

        def remove_all_jobs(self) -> None:
            with _SQLITE_TURN:
                super().remove_all_jobs()

    return SQLiteJobStore


def _scheduler_class() -> Any:
    """APScheduler's BackgroundScheduler whose rounds (find due jobs, submit, store) hold `round_lock`."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    class Scheduler(BackgroundScheduler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.round_lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def _process_jobs(self) -> float | None:
            with self.round_lock:
                if self.state != STATE_RUNNING:
                    return None
                wait: float | None = super()._process_jobs()
                return wait

        def quiesce(self) -> None:
            """Take no new round and let one under way finish submitting (then shutdown may follow)."""
            self.pause()
            with self.round_lock:
                pass

    return Scheduler


def build_scheduler(engine: Engine, settings: Settings) -> Any:
    """A BackgroundScheduler on the project database's job store (not started).

    On SQLite the jobs run one at a time and the job store writes wait for the running job: it has one
    writer, and a transaction that reads before it writes fails at once ("database is locked") when
    another connection committed in between (see `_job_turn`).
    """
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    sqlite = engine.dialect.name == "sqlite"
    store = (_sqlite_job_store() if sqlite else SQLAlchemyJobStore)(engine=engine, tablename=SCHEDULER_TABLE)
    return _scheduler_class()(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=1 if sqlite else 4)},
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
            kwargs["next_run_time"] = now or _clock()
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
    fake_clock = fake_clock_from_env()
    if fake_clock is not None:
        log.warning("%s is set: this daemon runs on the clock in that file (tests only)", FAKE_CLOCK_ENV)
        use_clock(fake_clock)
        health_every_s = FAKE_CLOCK_TICK_S
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
    global _SCHEDULER
    scheduler = _SCHEDULER = build_scheduler(app.engine, settings)
    code = 0
    try:
        scheduler.start(paused=True)
        install_jobs(scheduler, settings, config_path, now=daemon_now())
        scheduler.resume()
        for job in scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)
        while not stop.wait(health_every_s):
            if fake_clock is not None:
                scheduler.wakeup()  # its own wait was computed in fake seconds; the file may have moved
            if not lock.alive():
                log.error(
                    "lost the scheduler lock (database connection gone); stopping so a standby can take over"
                )
                code = 1
                break
    finally:
        if scheduler.running:
            scheduler.quiesce()  # nothing may be submitted to the executor shutdown closes
            scheduler.shutdown(wait=True)
        _SCHEDULER = None
        lock.release()
        close_apps()
        app.close()
        if fake_clock is not None:
            use_clock(None)
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
    from tracker.store.repository import last_runs
    from tracker.store.summary_queries import last_sent, unsent

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
