"""SMTP delivery with smtplib: STARTTLS, SSL or plain; login when a username is set; retries with backoff.

Errors are translated at this boundary into `SMTPDeliveryError` (a `DeliveryError`) carrying
`transient`: connection failures, timeouts, disconnects and 4xx replies are transient and retried up
to `email.max_attempts` times with exponential backoff; 5xx replies and authentication failures are
permanent and raised at once. So are TLS failures that a retry cannot fix: a certificate that does not
verify (certificates are always verified; the system's trust store is used unless a caller passes its own
`ssl_context`) and a handshake that shows `email.security` does not match the port.

Every message is one line and never contains the password.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Protocol

from tracker.config import EmailSettings
from tracker.errors import DeliveryError

log = logging.getLogger("tracker.mailer")


class SMTPDeliveryError(DeliveryError):
    """The SMTP server did not accept the message; `transient` says whether a later retry may succeed."""

    def __init__(self, message: str, *, transient: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class Mailer(Protocol):
    """Sends one message; raises DeliveryError when it could not."""

    def send(self, msg: EmailMessage) -> None:
        """Deliver the message to its To recipients."""


# A TLS connection cut mid-way is a connection failure like any other: worth retrying.
_TRANSIENT_SSL_ERRORS = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)


def classify(exc: BaseException) -> SMTPDeliveryError:
    """Translate an smtplib or socket error into an SMTPDeliveryError."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        transient = bool(codes) and all(400 <= c < 500 for c in codes)
        return SMTPDeliveryError(f"every recipient was refused: {exc.recipients}", transient=transient)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SMTPDeliveryError(
            f"SMTP authentication failed: {exc.smtp_code}", transient=False, code=exc.smtp_code
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = int(exc.smtp_code)
        return SMTPDeliveryError(
            f"SMTP server replied {code} {_reply_text(exc)}",
            transient=400 <= code < 500 or code < 0,
            code=code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SMTPDeliveryError(f"SMTP server lacks a required feature: {exc}", transient=False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SMTPDeliveryError(
            f"the SMTP server's TLS certificate was refused: {exc.verify_message or exc.reason}"
            " (certificates are verified against the system's trust store)",
            transient=False,
        )
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, _TRANSIENT_SSL_ERRORS):
        return SMTPDeliveryError(
            f"TLS handshake with the SMTP server failed: {exc.reason or exc}"
            " (does email.security match the port? ssl is usually 465, starttls 587)",
            transient=False,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError):
        return SMTPDeliveryError(f"cannot talk to the SMTP server: {exc}", transient=True)
    return SMTPDeliveryError(f"SMTP failure: {exc}", transient=False)


class SMTPMailer:
    """The production Mailer."""

    def __init__(
        self,
        settings: EmailSettings,
        password: str | None = None,
        *,
        backoff_s: float = 2.0,
        max_backoff_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """`ssl_context` replaces the default verifying context (`ssl.create_default_context()`, the
        system trust store) for STARTTLS and SSL; tests pass one that trusts a throwaway certificate.
        Production code leaves it unset and has no setting to turn verification off."""
        self.settings = settings
        self._password = password
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._ssl_context = ssl_context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self._ssl_context or ssl.create_default_context()
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout_s, context=context)
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout_s)
        try:
            if s.security == "starttls":
                client.ehlo()
                client.starttls(context=context)
                client.ehlo()
        except BaseException:
            client.close()  # a failed handshake must not leak the socket
            raise
        return client

    def send_once(self, msg: EmailMessage) -> None:
        """One attempt; raises SMTPDeliveryError."""
        s = self.settings
        client: smtplib.SMTP | None = None
        try:
            with self._connect() as client:
                if s.username:
                    try:
                        client.login(s.username, self._password or "")
                    except smtplib.SMTPAuthenticationError as exc:
                        raise SMTPDeliveryError(
                            f"SMTP authentication failed for user {s.username!r}: {exc.smtp_code}"
                            f" {_reply_text(exc)}"
                            " (check email.username and TRACKER_EMAIL_PASSWORD)",
                            transient=False,
                            code=exc.smtp_code,
                        ) from exc
                refused = client.send_message(msg)
                # The message is accepted: whatever QUIT gets back must not fail the attempt (a retry
                # would send it twice), so QUIT here rather than in the context manager's exit, which
                # raises on any reply but 221; the exit then finds the connection closed and passes.
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError) as exc:
                    log.debug("SMTP QUIT after a delivered message failed (ignored): %s", exc)
                finally:
                    client.close()
        except SMTPDeliveryError as exc:
            raise self._clean(exc, client) from exc.__cause__
        except (smtplib.SMTPException, OSError) as exc:
            raise self._clean(classify(exc), client) from exc
        if refused:
            log.warning("some recipients were refused: %s", refused, extra={"message_id": msg["Message-ID"]})

    def _clean(self, error: SMTPDeliveryError, client: smtplib.SMTP | None) -> SMTPDeliveryError:
        """The error on one line, with a hint when plain SMTP met a server that wants STARTTLS, and
        with the password masked should a server ever echo it back."""
        text = str(error)
        if self.settings.security == "none" and client is not None and client.has_extn("starttls"):
            text = text.rstrip(".") + '; the server offers STARTTLS but email.security is "none":'
            text += ' set email.security = "starttls"'
        text = _one_line(text)
        if self._password:
            text = text.replace(self._password, "***")
        return SMTPDeliveryError(text, transient=error.transient, code=error.code)

    def send(self, msg: EmailMessage) -> None:
        """Send, retrying transient failures with exponential backoff up to max_attempts."""
        attempts = self.settings.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                self.send_once(msg)
                return
            except SMTPDeliveryError as exc:
                if not exc.transient or attempt == attempts:
                    raise
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
                log.warning(
                    "SMTP attempt %d/%d failed (%s); retrying in %.0fs", attempt, attempts, exc, delay
                )
                self._sleep(delay)
