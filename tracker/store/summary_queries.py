"""The SQL of the weekly summary's delivery: `email_deliveries` rows, stored reports, failed sources.

Functions take a Session and neither commit nor roll back; `tracker.deliveries` owns the transactions
and the exactly-once protocol built on these statements.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session

from tracker.store.models import EmailDelivery, ScrapeRun, Source, WeeklyReport


def _key(week: str, market: str, recipients: str) -> ColumnElement[bool]:
    return and_(
        EmailDelivery.iso_week == week, EmailDelivery.market == market, EmailDelivery.recipients == recipients
    )


def insert_claim(
    session: Session, week: str, market: str, recipients: str, *, token: str, now: datetime
) -> int:
    """Insert the delivery row as 'sending' under `token` (flushed); IntegrityError when it exists. Its id."""
    row = EmailDelivery(
        iso_week=week,
        market=market,
        recipients=recipients,
        status="sending",
        attempts=1,
        claimed_at=now,
        claim_token=token,
    )
    session.add(row)
    session.flush()
    return row.id


def take_over(
    session: Session, week: str, market: str, recipients: str, *, token: str, now: datetime, lease: timedelta
) -> tuple[int, int, bool] | None:
    """Take an existing row that is pending, failed, or 'sending' past its lease: (id, attempts, was sending).

    Each attempt is one conditional UPDATE, the first statement of the transaction: on SQLite (WAL,
    deferred BEGIN) a read followed by a write fails at once with "database is locked" when another
    writer committed between; on PostgreSQL the row lock re-checks the WHERE.
    """
    key = _key(week, market, recipients)
    takeovers = (
        (False, EmailDelivery.status.in_(("pending", "failed"))),
        (True, and_(EmailDelivery.status == "sending", EmailDelivery.claimed_at < now - lease)),
    )
    for from_sending, condition in takeovers:
        result = session.execute(
            update(EmailDelivery)
            .where(key, condition)
            .values(status="sending", claim_token=token, claimed_at=now, attempts=EmailDelivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            row_id, attempts = session.execute(
                select(EmailDelivery.id, EmailDelivery.attempts).where(key)
            ).one()
            return int(row_id), int(attempts), from_sending
    return None


def set_sent(session: Session, row_id: int, token: str, *, message_id: str, size: int, now: datetime) -> bool:
    """Mark the row sent if `token` still holds it; whether it did."""
    result = session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id == row_id, EmailDelivery.claim_token == token)
        .values(status="sent", sent_at=now, message_id=message_id, size_bytes=size, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def set_failed(session: Session, row_id: int, token: str, *, error: str) -> None:
    """Mark the row failed (releasing the claim) if `token` still holds it."""
    session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id == row_id, EmailDelivery.claim_token == token)
        .values(status="failed", last_error=error[:2000], claim_token=None)
        .execution_options(synchronize_session=False)
    )


def delivery_status(session: Session, week: str, market: str, recipients: str) -> EmailDelivery | None:
    """The delivery row of (week, market, recipients), if any."""
    return session.execute(select(EmailDelivery).where(_key(week, market, recipients))).scalar_one_or_none()


def latest_sent_week(session: Session, market: str, recipients: str) -> str | None:
    """The latest ISO week whose summary was sent to these recipients for this market."""
    return session.execute(
        select(func.max(EmailDelivery.iso_week)).where(
            EmailDelivery.status == "sent", EmailDelivery.market == market, EmailDelivery.recipients == recipients
        )
    ).scalar_one_or_none()


def last_sent(session: Session) -> EmailDelivery | None:
    """The most recently sent delivery."""
    return session.execute(
        select(EmailDelivery)
        .where(EmailDelivery.status == "sent")
        .order_by(EmailDelivery.sent_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def unsent(session: Session) -> list[EmailDelivery]:
    """Deliveries that are not (yet) sent, oldest week first."""
    return list(
        session.execute(
            select(EmailDelivery).where(EmailDelivery.status != "sent").order_by(EmailDelivery.iso_week)
        ).scalars()
    )


def stored_report(session: Session, week: str, market: str) -> WeeklyReport | None:
    """The stored report row of a week and market."""
    return session.execute(
        select(WeeklyReport).where(WeeklyReport.iso_week == week, WeeklyReport.market == market)
    ).scalar_one_or_none()


def report_payloads(session: Session, market: str, weeks: list[str]) -> dict[str, dict[str, Any]]:
    """week -> stored payload, for those of `weeks` that have a report in `market`."""
    rows = session.execute(
        select(WeeklyReport).where(WeeklyReport.market == market, WeeklyReport.iso_week.in_(weeks))
    ).scalars()
    return {r.iso_week: dict(r.payload) for r in rows}


def failed_runs(session: Session, start: datetime, end: datetime) -> list[tuple[str, int, str | None]]:
    """(source name, failed runs, error of the last one) of runs started in [start, end), by name."""
    rows = session.execute(
        select(Source.name, func.count(ScrapeRun.id), func.max(ScrapeRun.id))
        .join(ScrapeRun, ScrapeRun.source_id == Source.id)
        .where(ScrapeRun.status == "failed", ScrapeRun.started_at >= start, ScrapeRun.started_at < end)
        .group_by(Source.name)
        .order_by(Source.name)
    ).all()
    out = []
    for name, count, last_id in rows:
        error = session.execute(select(ScrapeRun.error).where(ScrapeRun.id == last_id)).scalar_one_or_none()
        out.append((str(name), int(count), error))
    return out
