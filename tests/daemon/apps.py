"""Apps for the daemon and mail tests: the test database, mailing a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.bootstrap import App
from tracker.config import settings_from_mapping
from tracker.mailer import SMTPMailer

_OPEN: list[App] = []


def make_app(db_url: str, port: int, *, to: Sequence[str] = ("a@example.org",), **email: Any) -> App:
    """An app on the test database mailing 127.0.0.1:port; closed after the test (see conftest.py)."""
    raw = {
        "database": {"url": db_url},
        "email": {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "security": "none",
            "from": "tracker@example.net",
            "to": list(to),
            "timeout_s": 5.0,
            "max_attempts": 2,
            **email,
        },
    }
    app = App(settings_from_mapping(raw, {}))
    _OPEN.append(app)
    return app


def close_apps() -> None:
    """Close every app made since the last call."""
    while _OPEN:
        _OPEN.pop().close()


def fast_mailer(app: App) -> SMTPMailer:
    """The real SMTP mailer without backoff sleeps."""
    return SMTPMailer(app.settings.email, None, sleep=lambda s: None)
