"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd, in-process), with scripted failures.

with SMTPServer() as smtp:             # binds a free port
    smtp.fail_next("451 4.3.0 try later", times=2)
    ... send to ("127.0.0.1", smtp.port) ...
    smtp.messages                      # parsed EmailMessage objects received, in order

TLS and AUTH (see tests/daemon/test_smtp_tls_auth.py): `ssl_context=` makes the listener implicit TLS;
any other keyword goes to aiosmtpd's SMTP class (`tls_context=`, `require_starttls=`, `authenticator=`, ...).
`require_auth=True` refuses DATA from an unauthenticated session: aiosmtpd 1.4 does not count implicit
TLS as TLS, so over SMTPS its own `auth_required` must stay off (`auth_require_tls=False` alone).
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.server.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        with self.server.lock:
            if self.server.failures:
                reply, left = self.server.failures[0]
                if left <= 1:
                    self.server.failures.pop(0)
                else:
                    self.server.failures[0] = (reply, left - 1)
                return reply
            raw = envelope.original_content or envelope.content
            self.server.raw.append(raw)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK"


class SMTPServer:
    """An aiosmtpd server in a thread that stores every message it accepts."""

    def __init__(
        self,
        port: int | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        require_auth: bool = False,
        **smtp_kwargs: Any,
    ) -> None:
        self.port = port or free_port()
        self.require_auth = require_auth
        self.ssl_context = ssl_context
        self.smtp_kwargs = smtp_kwargs
        self.lock = threading.Lock()
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.failures: list[tuple[str, int]] = []
        self._controller: Controller | None = None

    def fail_next(self, reply: str, times: int = 1) -> None:
        """Answer the next `times` DATA commands with `reply` instead of accepting."""
        with self.lock:
            self.failures.append((reply, times))

    @property
    def messages(self) -> list[EmailMessage]:
        """The accepted messages, parsed."""
        with self.lock:
            raws = list(self.raw)
        out = []
        for raw in raws:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out

    def start(self) -> None:
        """Start listening."""
        self._controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=self.ssl_context,
            **self.smtp_kwargs,
        )
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
