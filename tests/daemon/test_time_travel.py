"""Time travel: the weekly path driven hour by hour by a controllable clock over 3 simulated weeks.

Each simulated hour runs what the daemon's weekly-catch-up job runs. Week 2 has a sender that was killed
right after claiming its delivery; week 3 has the SMTP server down for the first hours. Exactly one
summary per week arrives, none twice, none missing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.daemon.apps import make_app
from tests.daemon.smtpserver import SMTPServer, free_port
from tracker.bootstrap import App
from tracker.deliveries import claim
from tracker.mailer import SMTPMailer
from tracker.scheduler import catch_up
from tracker.store.models import EmailDelivery

pytestmark = pytest.mark.network
START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # Monday of 2026-W47


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app(db_url: str) -> App:
    return make_app(db_url, free_port(), max_attempts=1)


def test_three_simulated_weeks_send_exactly_three_summaries_despite_a_killed_sender_and_smtp_down(
    app: App,
) -> None:
    clock = Clock(START + timedelta(weeks=1, hours=6))  # Monday of W48 06:00; the W47 run is due at 07:00
    mailer = SMTPMailer(app.settings.email, None, sleep=lambda s: None)
    server = SMTPServer(app.settings.email.smtp_port)
    server.start()
    try:
        for _hour in range(3 * 7 * 24):
            clock.now += timedelta(hours=1)
            monday = clock.now.weekday() == 0
            if monday and clock.now.hour == 7 and clock.now.isocalendar().week == 49:
                # week 2: a sender claimed the W48 delivery and was SIGKILLed before sending
                claim(app.sessions, "2026-W48", "USD", "a@example.org", now=clock.now)
            if monday and clock.now.hour == 7 and clock.now.isocalendar().week == 50:
                server.stop()  # week 3: SMTP is down for three hours
            if monday and clock.now.hour == 10 and clock.now.isocalendar().week == 50:
                server.start()
            catch_up(app, mailer=mailer, now=clock)
        weeks = [m["X-Tracker-Week"] for m in server.messages]
    finally:
        server.stop()

    assert weeks == ["2026-W47 USD", "2026-W48 USD", "2026-W49 USD"]
    with app.sessions() as session:
        rows = session.execute(select(EmailDelivery).order_by(EmailDelivery.iso_week)).scalars().all()
    assert [(r.iso_week, r.status) for r in rows] == [
        ("2026-W47", "sent"),
        ("2026-W48", "sent"),
        ("2026-W49", "sent"),
    ]
    assert [r.attempts for r in rows] == [1, 2, 4]  # W48: the killed claim + 1; W49: 3 failed hours + 1
