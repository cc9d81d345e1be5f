"""The weekly summary: rendered, sent to a real SMTP server on loopback, exactly once, on both backends."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.daemon import apps
from tests.daemon.apps import fast_mailer
from tests.daemon.payloads import XSS, make_payload, store_report
from tests.daemon.smtpserver import SMTPServer, free_port
from tracker.bootstrap import App
from tracker.deliveries import claim, deliver_summary
from tracker.mailer import SMTPDeliveryError
from tracker.report.email import NA_TEXT, Summary, build_message, fmt_ci, fmt_pct
from tracker.store.db import transaction
from tracker.store.models import EmailDelivery

WEEK = "2026-W47"
TO = ["b@example.org", "a@example.org"]
pytestmark = pytest.mark.network


def make_app(db_url: str, port: int, **email: Any) -> App:
    """An app mailing the loopback server with this module's two recipients."""
    return apps.make_app(db_url, port, to=TO, **email)


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server


def parts(msg: EmailMessage) -> dict[str, Any]:
    """The text part, the HTML part and the inline images of a summary message."""
    out: dict[str, Any] = {"images": []}
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain":
            out["text"] = part.get_content()
        elif ctype == "text/html":
            out["html"] = part.get_content()
        elif ctype == "image/png":
            out["images"].append(part)
    return out


def deliveries(app: App) -> list[EmailDelivery]:
    with app.sessions() as session:
        return list(session.execute(select(EmailDelivery)).scalars())


def test_summary_arrives_as_text_and_html_with_inline_chart_and_escaped_postings(
    db_url: str, smtp: SMTPServer
) -> None:
    app = make_app(db_url, smtp.port)
    payload = make_payload(WEEK)
    store_report(app.sessions, make_payload("2026-W46", pct=10.0, prev_pct=None))
    store_report(app.sessions, payload)

    result = deliver_summary(app, WEEK, mailer=fast_mailer(app))

    assert result.status == "sent"
    [msg] = smtp.messages
    assert msg.get_content_type() == "multipart/alternative"
    alternatives = msg.get_payload()
    assert isinstance(alternatives, list)
    related = alternatives[1]
    assert isinstance(related, EmailMessage)
    assert related.get_content_type() == "multipart/related"
    got = parts(msg)
    [image] = got["images"]
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in got["html"]
    assert image.get_content_disposition() == "inline"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    gap = payload["gap"]
    for number in (
        fmt_pct(gap["pct"]),
        fmt_ci(gap["ci95"]),
        fmt_pct(gap["adjusted_pct"]),
        fmt_ci(gap["adjusted_ci95"]),
    ):
        assert number in got["text"]
        assert number in got["html"]
    assert "n = 35 DS and 40 MLE" in got["text"]
    assert XSS not in got["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in got["html"]
    assert "<script" not in got["html"].lower()
    assert "http" not in got["html"].replace("http-equiv", "")  # no links, no external images
    assert sorted(smtp.envelopes[0][1]) == sorted(TO)
    [row] = deliveries(app)
    assert (row.status, row.recipients, row.message_id) == (
        "sent",
        "a@example.org,b@example.org",
        msg["Message-ID"],
    )


def test_withheld_numbers_render_as_too_few_postings() -> None:
    summary = Summary(payload=make_payload(WEEK, pct=None, prev_pct=None))
    msg = build_message(
        summary, from_addr="t@example.net", to=TO, now=datetime(2026, 11, 23, tzinfo=UTC), chart_png=b"png"
    )
    text = parts(msg)["text"]
    assert f"gap is {NA_TEXT}" in text
    assert "None" not in text


def test_two_concurrent_sends_of_one_week_deliver_one_message(db_url: str, smtp: SMTPServer) -> None:
    app = make_app(db_url, smtp.port)
    store_report(app.sessions, make_payload(WEEK))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        results.append(deliver_summary(app, WEEK, mailer=fast_mailer(app)).status)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert deliver_summary(app, WEEK, mailer=fast_mailer(app)).status == "already_sent"

    assert len(smtp.messages) == 1
    assert sorted(results) in (["already_sent", "sent"], ["in_progress", "sent"])
    assert [r.status for r in deliveries(app)] == ["sent"]


def test_smtp_down_leaves_the_report_stored_and_the_delivery_failed_then_sends_when_back(db_url: str) -> None:
    port = free_port()
    app = make_app(db_url, port)
    store_report(app.sessions, make_payload(WEEK))

    down = deliver_summary(app, WEEK, mailer=fast_mailer(app))

    assert down.status == "failed"
    [row] = deliveries(app)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error
    with SMTPServer(port) as smtp:
        again = deliver_summary(app, WEEK, mailer=fast_mailer(app))
        assert again.status == "sent"
        assert len(smtp.messages) == 1
        assert deliver_summary(app, WEEK, mailer=fast_mailer(app)).status == "already_sent"
        assert len(smtp.messages) == 1
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_a_transient_4xx_is_retried_and_a_5xx_is_not(db_url: str, smtp: SMTPServer) -> None:
    app = make_app(db_url, smtp.port, max_attempts=3)
    mailer = fast_mailer(app)
    smtp.fail_next("451 4.3.0 try again later", times=2)
    msg = build_message(
        Summary(make_payload(WEEK)), from_addr="t@example.net", to=TO, now=datetime.now(UTC), chart_png=b"x"
    )
    mailer.send(msg)
    assert len(smtp.messages) == 1
    smtp.fail_next("554 5.7.1 rejected", times=1)
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(msg)
    assert (info.value.transient, info.value.code) == (False, 554)
    assert len(smtp.messages) == 1


def test_a_claim_left_sending_by_a_dead_sender_is_resent_after_the_lease_with_the_same_message_id(
    db_url: str, smtp: SMTPServer
) -> None:
    app = make_app(db_url, smtp.port)
    store_report(app.sessions, make_payload(WEEK))
    recipients = "a@example.org,b@example.org"
    crashed_at = datetime.now(UTC) - timedelta(hours=3)
    assert claim(app.sessions, WEEK, "USD", recipients, now=crashed_at) is not None  # the sender then died
    assert claim(app.sessions, WEEK, "USD", recipients, now=crashed_at + timedelta(minutes=1)) is None

    result = deliver_summary(app, WEEK, mailer=fast_mailer(app))

    assert result.status == "sent"
    [msg] = smtp.messages
    assert msg["Message-ID"] == result.message_id
    dry = build_message(
        Summary(make_payload(WEEK)),
        from_addr="tracker@example.net",
        to=TO,
        now=datetime.now(UTC),
        chart_png=b"x",
    )
    assert dry["Message-ID"] == result.message_id


def test_a_live_claim_blocks_a_second_sender(db_url: str, smtp: SMTPServer) -> None:
    app = make_app(db_url, smtp.port)
    store_report(app.sessions, make_payload(WEEK))
    assert claim(app.sessions, WEEK, "USD", "a@example.org,b@example.org", now=datetime.now(UTC)) is not None
    assert deliver_summary(app, WEEK, mailer=fast_mailer(app)).status == "in_progress"
    assert smtp.messages == []


def test_send_summary_command_dry_run_writes_eml_and_records_nothing(
    db_url: str, smtp: SMTPServer, tmp_path: Path
) -> None:
    from tracker.cli import main

    config = tmp_path / "tracker.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
        'security = "none"\nfrom = "tracker@example.net"\nto = ["a@example.org"]\nmax_attempts = 1\n',
        encoding="utf-8",
    )
    app = make_app(db_url, smtp.port)
    store_report(app.sessions, make_payload(WEEK))
    out = tmp_path / "summary.eml"

    assert main(["--config", str(config), "send-summary", "--week", WEEK, "--dry-run", str(out)]) == 0
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "a@example.org"
    assert deliveries(app) == []
    assert smtp.messages == []

    assert main(["--config", str(config), "send-summary", "--week", WEEK, "--to", "c@example.org"]) == 0
    assert main(["--config", str(config), "send-summary", "--week", WEEK, "--to", "c@example.org"]) == 0
    assert [m["To"] for m in smtp.messages] == ["c@example.org"]


def test_stale_sent_rows_are_never_resent(db_url: str, smtp: SMTPServer) -> None:
    app = make_app(db_url, smtp.port)
    store_report(app.sessions, make_payload(WEEK))
    assert deliver_summary(app, WEEK, mailer=fast_mailer(app)).status == "sent"
    with transaction(app.sessions) as session:
        session.execute(update(EmailDelivery).values(claimed_at=datetime.now(UTC) - timedelta(days=30)))
    assert deliver_summary(app, WEEK, mailer=fast_mailer(app)).status == "already_sent"
    assert len(smtp.messages) == 1
