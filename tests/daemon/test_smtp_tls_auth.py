"""SMTPMailer against a real aiosmtpd server on loopback: STARTTLS, implicit TLS and AUTH LOGIN/PLAIN.

The server presents a throwaway self-signed certificate made with the `openssl` CLI at test time
(SAN IP:127.0.0.1 and DNS:localhost). The mailer verifies certificates by default; the tests make it
trust the throwaway one only through SMTPMailer's `ssl_context` constructor argument, so no production
default is weakened. One user/password is accepted; the password must never leak into an exception
or a log record of the client side.
"""

from __future__ import annotations

import base64
import logging
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.daemon.smtpserver import SMTPServer
from tracker.config import EmailSettings
from tracker.errors import DeliveryError
from tracker.mailer import SMTPDeliveryError, SMTPMailer

pytestmark = pytest.mark.network

USER = "mailer-user"
PASSWORD = "s3cret-Pa55word-7f1c"  # distinctive, so any leak is found by substring search
WRONG_PASSWORD = "wr0ng-Pa55word-93ab"


def encodings(password: str) -> tuple[str, ...]:
    """The password as given and as the client puts it on the wire (AUTH LOGIN, AUTH PLAIN)."""
    return (
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(f"\0{USER}\0{password}".encode()).decode(),
    )


SERVER_LOGGER = "mail.log"  # aiosmtpd's own logger: the server side, not the code under test


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A throwaway self-signed certificate for 127.0.0.1/localhost, valid one day."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl CLI is not installed: cannot make a throwaway TLS certificate")
    out = tmp_path_factory.mktemp("tls")
    cert, key = out / "cert.pem", out / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return Cert(cert=cert, key=key)


def server_context(cert: Cert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert.cert, cert.key)
    return ctx


def trusting_context(cert: Cert) -> ssl.SSLContext:
    """A client context with full verification that trusts only the throwaway certificate."""
    ctx = ssl.create_default_context(cafile=str(cert.cert))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    return ctx


@dataclass
class Authenticator:
    """Accepts USER/PASSWORD only; records the mechanisms tried."""

    attempts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        with self.lock:
            self.attempts.append(mechanism)
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth() -> Authenticator:
    return Authenticator()


@pytest.fixture
def starttls_server(cert: Cert, auth: Authenticator) -> Iterator[SMTPServer]:
    """A submission-style server: STARTTLS required before anything else, then AUTH required."""
    with SMTPServer(
        tls_context=server_context(cert),
        require_starttls=True,
        authenticator=auth,
        auth_required=True,
        timeout=10,
    ) as server:
        yield server


@pytest.fixture
def ssl_server(cert: Cert, auth: Authenticator) -> Iterator[SMTPServer]:
    """An implicit-TLS (SMTPS, port-465 style) server requiring AUTH.

    aiosmtpd 1.4 only counts STARTTLS as TLS, so AUTH is offered here with `auth_require_tls=False`
    and required by the helper's `require_auth` (its own `auth_required` would warn, and refuse AUTH).
    """
    with SMTPServer(
        ssl_context=server_context(cert),
        authenticator=auth,
        auth_require_tls=False,
        require_auth=True,
        timeout=10,
    ) as server:
        yield server


def settings(
    port: int, security: str, *, username: str | None = USER, max_attempts: int = 5
) -> EmailSettings:
    return EmailSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        security=security,
        username=username,
        from_addr="tracker@example.net",
        to=("a@example.org",),
        timeout_s=5.0,
        max_attempts=max_attempts,
    )


def message(subject: str = "weekly summary") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "tracker@example.net"
    msg["To"] = "a@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = "<test-tls-auth@example.net>"
    msg.set_content("hello over TLS\n")
    return msg


class Sleeps(list[float]):
    """A recording stand-in for time.sleep: a retry shows up here instead of taking time."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def assert_no_secret(text: str, password: str) -> None:
    for secret in encodings(password):
        assert secret not in text


def assert_no_secret_in_error(exc: BaseException, password: str = PASSWORD) -> None:
    """Neither the error nor anything in its cause/context chain carries the password."""
    seen: BaseException | None = exc
    while seen is not None:
        assert_no_secret(str(seen), password)
        assert_no_secret(repr(seen), password)
        assert_no_secret(repr(seen.args), password)
        seen = seen.__cause__ or seen.__context__


def assert_no_secret_in_logs(caplog: pytest.LogCaptureFixture, password: str = PASSWORD) -> None:
    """No client-side log record (message, arguments, extras) carries the password."""
    for record in caplog.records:
        if record.name == SERVER_LOGGER or record.name.startswith(SERVER_LOGGER + "."):
            continue
        assert_no_secret(record.getMessage(), password)
        assert_no_secret(repr(record.__dict__), password)


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_starttls_with_login_delivers(
    cert: Cert, auth: Authenticator, mechanism: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    other = "PLAIN" if mechanism == "LOGIN" else "LOGIN"
    with SMTPServer(
        tls_context=server_context(cert),
        require_starttls=True,
        authenticator=auth,
        auth_required=True,
        auth_exclude_mechanism=[other],
        timeout=10,
    ) as server:
        sleeps = Sleeps()
        mailer = SMTPMailer(
            settings(server.port, "starttls"), PASSWORD, sleep=sleeps, ssl_context=trusting_context(cert)
        )
        mailer.send(message())
        received = server.messages
    assert [m["Subject"] for m in received] == ["weekly summary"]
    assert received[0].get_content().rstrip() == "hello over TLS"
    assert auth.attempts == [mechanism]
    assert sleeps == []
    assert_no_secret_in_logs(caplog)


def test_ssl_with_login_delivers(
    cert: Cert, ssl_server: SMTPServer, auth: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sleeps = Sleeps()
    mailer = SMTPMailer(
        settings(ssl_server.port, "ssl"), PASSWORD, sleep=sleeps, ssl_context=trusting_context(cert)
    )
    mailer.send(message("over SMTPS"))
    assert [m["Subject"] for m in ssl_server.messages] == ["over SMTPS"]
    assert auth.attempts == ["PLAIN"]  # smtplib's preference among what the server offers
    assert sleeps == []
    assert_no_secret_in_logs(caplog)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_wrong_password_fails_at_once_without_leaking_it(
    cert: Cert,
    starttls_server: SMTPServer,
    ssl_server: SMTPServer,
    auth: Authenticator,
    security: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = starttls_server if security == "starttls" else ssl_server
    sleeps = Sleeps()
    mailer = SMTPMailer(
        settings(server.port, security), WRONG_PASSWORD, sleep=sleeps, ssl_context=trusting_context(cert)
    )
    with pytest.raises(DeliveryError) as info:
        mailer.send(message())
    exc = info.value
    assert isinstance(exc, SMTPDeliveryError)
    assert not exc.transient and exc.code == 535
    text = str(exc)
    assert "\n" not in text
    assert "authentication failed" in text.lower() and USER in text
    assert_no_secret_in_error(exc, WRONG_PASSWORD)
    # One connection, no retry: each mechanism the server offers was tried once, nothing slept.
    assert sleeps == []
    assert sorted(auth.attempts) == ["LOGIN", "PLAIN"]
    assert server.messages == []
    assert_no_secret_in_logs(caplog, WRONG_PASSWORD)


def test_plaintext_to_a_server_requiring_starttls_is_a_clear_permanent_error(
    starttls_server: SMTPServer, auth: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sleeps = Sleeps()
    mailer = SMTPMailer(settings(starttls_server.port, "none"), PASSWORD, sleep=sleeps)
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(message())
    text = str(info.value)
    assert not info.value.transient
    assert "\n" not in text
    assert "STARTTLS" in text and 'security = "starttls"' in text
    assert sleeps == [] and auth.attempts == [] and starttls_server.messages == []
    assert_no_secret_in_error(info.value)
    assert_no_secret_in_logs(caplog)


def test_plaintext_without_login_to_a_server_requiring_starttls(starttls_server: SMTPServer) -> None:
    sleeps = Sleeps()
    mailer = SMTPMailer(settings(starttls_server.port, "none", username=None), None, sleep=sleeps)
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(message())
    assert not info.value.transient and info.value.code == 530
    assert "STARTTLS" in str(info.value) and "\n" not in str(info.value)
    assert sleeps == [] and starttls_server.messages == []


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_untrusted_certificate_is_refused_by_default(
    starttls_server: SMTPServer,
    ssl_server: SMTPServer,
    auth: Authenticator,
    security: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = starttls_server if security == "starttls" else ssl_server
    sleeps = Sleeps()
    mailer = SMTPMailer(settings(server.port, security), PASSWORD, sleep=sleeps)  # no ssl_context: defaults
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(message())
    text = str(info.value)
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert not info.value.transient  # retrying cannot make a certificate trusted
    assert "certificate" in text and "\n" not in text
    assert sleeps == []
    assert auth.attempts == [] and server.messages == []  # the password was never sent
    assert_no_secret_in_error(info.value)
    assert_no_secret_in_logs(caplog)


def test_implicit_tls_against_a_starttls_port_is_a_clear_permanent_error(
    cert: Cert, starttls_server: SMTPServer
) -> None:
    sleeps = Sleeps()
    mailer = SMTPMailer(
        settings(starttls_server.port, "ssl"), PASSWORD, sleep=sleeps, ssl_context=trusting_context(cert)
    )
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(message())
    assert not info.value.transient and sleeps == []
    assert "TLS" in str(info.value) and "email.security" in str(info.value)


def test_ssl_server_refuses_an_unauthenticated_sender(cert: Cert, ssl_server: SMTPServer) -> None:
    """The SMTPS fixture really requires AUTH, so the delivery test above proves the login happened."""
    sleeps = Sleeps()
    mailer = SMTPMailer(
        settings(ssl_server.port, "ssl", username=None),
        None,
        sleep=sleeps,
        ssl_context=trusting_context(cert),
    )
    with pytest.raises(SMTPDeliveryError) as info:
        mailer.send(message())
    assert info.value.code == 530 and not info.value.transient
    assert sleeps == [] and ssl_server.messages == []
