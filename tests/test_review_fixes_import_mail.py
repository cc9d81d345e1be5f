"""Review fixes: an import file with bytes that are not UTF-8 (D); a QUIT refused after delivery (E)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.daemon.smtpserver import SMTPServer, _Handler
from tracker.config import EmailSettings
from tracker.importer import ImportErrors, read_file
from tracker.mailer import SMTPMailer
from tracker.store import db as store_db
from tracker.store.models import Posting

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, tzinfo=UTC)

# --- D. bytes that are not UTF-8 in an import file ---------------------------------------------------

CSV_BYTES = (
    b"external_id,title,company\n"
    b"a1,Data Scientist,Acme\n"
    b"a2,ML Engineer,Caf\xe9 Corp\n"  # Latin-1 e-acute: not UTF-8
    b"a3,Data Analyst,Beta\n"
)
JSONL_BYTES = (
    b'{"external_id": "j1", "title": "Data Scientist"}\n'
    b'{"external_id": "j2", "title": "ML Engineer \xff"}\n'
    b'{"external_id": "j3", "title": "Data Analyst"}\n'
)


@pytest.mark.parametrize(
    ("name", "data", "good", "bad_line"),
    [("p.csv", CSV_BYTES, ["a1", "a3"], 3), ("p.jsonl", JSONL_BYTES, ["j1", "j3"], 2)],
)
def test_review_fixes_a_row_that_is_not_utf8_is_reported_by_line_and_the_rest_kept(
    tmp_path: Path, name: str, data: bytes, good: list[str], bad_line: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    errors = ImportErrors()
    rows = [raw.external_id for raw, _ in read_file(path, now=NOW, errors=errors)]
    assert rows == good
    assert errors.rows == [(bad_line, "not valid UTF-8 text")]


def test_review_fixes_import_cli_keeps_good_rows_around_a_non_utf8_byte(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(CSV_BYTES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = db_url
    out = subprocess.run(
        [sys.executable, "-m", "tracker", "import", str(path), "--source", "backfill"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"{path}:3: skipped: not valid UTF-8" in out.stderr
    assert "UnicodeDecodeError" not in out.stderr
    engine = store_db.make_engine(db_url)
    with store_db.session_factory(engine)() as session:
        assert set(session.scalars(select(Posting.external_id))) == {"a1", "a3"}
    engine.dispose()


# --- E. a QUIT answered with 4xx after the message was accepted --------------------------------------


class _QuitRefusingHandler(_Handler):
    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return "421 4.3.2 service shutting down"


class QuitRefusingSMTPServer(SMTPServer):
    """Accepts every message, then answers QUIT with 421 instead of 221."""

    def start(self) -> None:
        self._controller = Controller(
            _QuitRefusingHandler(self), hostname="127.0.0.1", port=self.port, **self.smtp_kwargs
        )
        self._controller.start()


@pytest.fixture
def quit_refusing() -> Iterator[SMTPServer]:
    with QuitRefusingSMTPServer() as server:
        yield server


def test_review_fixes_a_refused_quit_after_delivery_does_not_resend(quit_refusing: SMTPServer) -> None:
    settings = EmailSettings(
        smtp_host="127.0.0.1",
        smtp_port=quit_refusing.port,
        security="none",
        from_addr="tracker@example.test",
        to=("me@example.test",),
        timeout_s=5.0,
        max_attempts=3,
    )
    sleeps: list[float] = []
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.from_addr, "me@example.test", "weekly"
    msg["Message-ID"] = "<one@example.test>"
    msg.set_content("hello")
    SMTPMailer(settings, None, sleep=sleeps.append).send(msg)
    assert len(quit_refusing.messages) == 1
    assert quit_refusing.messages[0]["Message-ID"] == "<one@example.test>"
    assert sleeps == []  # no retry at all
