"""Exactly-once delivery of the weekly summary, per (ISO week, market, recipients), over `email_deliveries`.

The use case; its SQL is in `tracker.store.summary_queries`.

The protocol:
1. **claim**: in one transaction, insert the row as 'sending' with a fresh claim token, or, when the row
   exists, take it with one conditional UPDATE (status 'pending' or 'failed', or 'sending' whose claim is
   older than the lease: its owner died). The UPDATE is atomic on SQLite (one writer) and PostgreSQL (row
   lock, WHERE re-checked), so of two concurrent senders exactly one wins; the other sees 'sending' or
   'sent' and backs off.
2. **send** over SMTP (outside any transaction).
3. **mark** 'sent' with sent_at and the Message-ID (only if our claim token still holds), or 'failed'
   with the error: a later run (the daemon's catch-up job, or `tracker send-summary`) takes it again.

The remaining window, honestly: if the process dies after the SMTP server accepted the message (the
final 250 after DATA) but before step 3 commits, the row stays 'sending'; once the lease expires
another run sends it again, so the recipients get a duplicate. It carries the same Message-ID (derived
from week, market and recipients), so it is recognizable as a resend and many mail stores collapse it.
The window is a few milliseconds per week. A send that outlives the lease (every SMTP attempt timing
out) could likewise overlap with a re-claim; the lease is set well above max_attempts x timeout.
Nothing is ever skipped: a row that is not 'sent' is retried by every later run.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import DeliveryError, StoreError
from tracker.report.email import FailedSource, Summary, build_message, recipients_key
from tracker.store import summary_queries as queries
from tracker.store.db import transaction
from tracker.store.models import utcnow
from tracker.store.summary_queries import delivery_status, stored_report

log = logging.getLogger("tracker.deliveries")
Clock = Callable[[], datetime]
DEFAULT_LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    """A delivery row this process holds the right to send."""

    id: int
    token: str
    attempts: int
    reclaimed_from_sending: bool
    """The row was 'sending' under an expired lease: a previous sender died, possibly after sending."""


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one summary delivery."""

    status: str
    """sent, already_sent, in_progress, failed or dry_run."""
    week: str
    market: str
    recipients: str
    message_id: str | None = None
    error: str | None = None


def lease_for(timeout_s: float, max_attempts: int) -> timedelta:
    """A claim lease comfortably longer than the slowest possible send."""
    worst = max_attempts * (3 * timeout_s + 60.0)
    return max(DEFAULT_LEASE, timedelta(seconds=2 * worst))


def claim(
    sessions: sessionmaker[Session],
    week: str,
    market: str,
    recipients: str,
    *,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """Take the delivery row for sending, or None when it is sent or being sent by a live claim."""
    token = uuid.uuid4().hex
    try:
        with transaction(sessions) as session:
            row_id = queries.insert_claim(session, week, market, recipients, token=token, now=now)
            return Claim(row_id, token, 1, False)
    except IntegrityError:
        pass  # the row exists: try to take it over
    with transaction(sessions) as session:
        taken = queries.take_over(session, week, market, recipients, token=token, now=now, lease=lease)
    if taken is None:
        return None
    row_id, attempts, from_sending = taken
    return Claim(row_id, token, attempts, from_sending)


def mark_sent(
    sessions: sessionmaker[Session], c: Claim, *, message_id: str, size: int, now: datetime
) -> bool:
    """Record the delivery as sent; False when our claim was taken over meanwhile (the row is left alone)."""
    with transaction(sessions) as session:
        return queries.set_sent(session, c.id, c.token, message_id=message_id, size=size, now=now)


def mark_failed(sessions: sessionmaker[Session], c: Claim, *, error: str, now: datetime) -> None:
    """Record a failed attempt; the next run takes the row again."""
    with transaction(sessions) as session:
        queries.set_failed(session, c.id, c.token, error=error)


# ---------------------------------------------------------------------------------------------- inputs


def failed_sources(session: Session, start: datetime, end: datetime) -> list[FailedSource]:
    """Sources with failed scrape runs started in [start, end)."""
    return [
        FailedSource(name, count, error) for name, count, error in queries.failed_runs(session, start, end)
    ]


def load_summary(session: Session, week: str, market: str, tz: str) -> Summary | None:
    """The summary of a stored report: its payload, up to 12 weeks of history, failed sources; None if absent."""
    from tracker.analyze.weeks import week_bounds, week_range

    report = stored_report(session, week, market)
    if report is None:
        return None
    weeks = week_range(week, 12)
    history = queries.report_payloads(session, market, weeks)
    start, end = week_bounds(week, tz)
    return Summary(
        payload=dict(report.payload),
        history=[history[w] for w in weeks if w in history],
        failed_sources=failed_sources(session, start, end),
    )


def ensure_report(app: Any, week: str, *, recompute: bool = False) -> None:
    """Compute and store the week's report when it is missing (or when asked to recompute)."""
    settings = app.settings
    with app.sessions() as session:
        exists = stored_report(session, week, settings.report.market) is not None
    if exists and not recompute:
        return
    try:
        from tracker import reporting
    except ImportError as exc:
        if exists:
            return
        raise DeliveryError(
            f"no stored report for {week} and the weekly analysis is not available: {exc}"
        ) from exc
    reporting.run_report(app, week=week, market=settings.report.market)


# ---------------------------------------------------------------------------------------------- use case


def deliver_summary(
    app: Any,
    week: str,
    *,
    to: Sequence[str] | None = None,
    mailer: Any = None,
    now: Clock = utcnow,
    dry_run: Path | None = None,
) -> DeliveryResult:
    """Send the week's summary exactly once to its recipients (or write it to a .eml file and record nothing)."""
    settings = app.settings
    market = settings.report.market
    recipients = recipients_key(to if to else settings.email.to)
    if not recipients:
        from tracker.errors import ConfigError

        raise ConfigError("email.to: no recipients configured (set [email] to, or pass --to)")
    with app.sessions() as session:
        summary = load_summary(session, week, market, settings.report.timezone)
    if summary is None:
        raise StoreError(f"no stored report for {week} ({market}): run the weekly report first")
    msg = build_message(summary, from_addr=settings.email.from_addr, to=recipients.split(","), now=now())
    mid = str(msg["Message-ID"])
    if dry_run is not None:
        dry_run.write_bytes(msg.as_bytes())
        return DeliveryResult("dry_run", week, market, recipients, mid)
    lease = lease_for(settings.email.timeout_s, settings.email.max_attempts)
    held = claim(app.sessions, week, market, recipients, now=now(), lease=lease)
    if held is None:
        with app.sessions() as session:
            row = delivery_status(session, week, market, recipients)
        state = "already_sent" if row is not None and row.status == "sent" else "in_progress"
        log.info("summary %s %s to %s: %s", week, market, recipients, state)
        return DeliveryResult(state, week, market, recipients, row.message_id if row else None)
    if held.reclaimed_from_sending:
        log.warning(
            "summary %s %s: a previous sender died mid-delivery; resending with the same Message-ID %s",
            week,
            market,
            mid,
        )
    if mailer is None:
        mailer = make_mailer(settings)
    try:
        mailer.send(msg)
    except DeliveryError as exc:
        mark_failed(app.sessions, held, error=str(exc), now=now())
        log.error("summary %s %s to %s failed: %s", week, market, recipients, exc)
        return DeliveryResult("failed", week, market, recipients, mid, str(exc))
    except BaseException as exc:
        mark_failed(app.sessions, held, error=f"{type(exc).__name__}: {exc}", now=now())
        raise
    if not mark_sent(app.sessions, held, message_id=mid, size=len(_bytes(msg)), now=now()):
        log.warning(
            "summary %s %s: our claim was taken over while sending; a duplicate may follow", week, market
        )
    log.info("summary %s %s sent to %s", week, market, recipients, extra={"message_id": mid})
    return DeliveryResult("sent", week, market, recipients, mid)


def _bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes()


def make_mailer(settings: Any) -> Any:
    """The SMTP mailer of the settings."""
    from tracker.mailer import SMTPMailer

    return SMTPMailer(settings.email, settings.email_password)
