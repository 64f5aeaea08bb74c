"""The Mailtrap backend through the real SDK against a fake HTTPS Mailtrap, and the SMTP backend
against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS, SSL, login, refusals."""

from __future__ import annotations

import socket
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from kmerhosting.config import get_settings
from kmerhosting.integrations.mail import MailError, MailMessage, get_backend
from kmerhosting.integrations.mail.mailtrap import MailtrapBackend
from kmerhosting.integrations.mail.smtp import SmtpBackend

from .fake_mailtrap import FakeMailtrap

MESSAGE = MailMessage(to_email="awa@example.cm", to_name="Awa Ngo", subject="Votre commande",
                      text="Bonjour Awa", html="<p>Bonjour Awa</p>", category="purchase_confirmation")


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def mailtrap(ca, tmp_path, monkeypatch, configure):
    server = FakeMailtrap(ca).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_bundle(tmp_path / "ca.pem"))
    configure(MAIL_BACKEND="mailtrap", MAILTRAP_TOKEN="test-token", MAILTRAP_API_HOST=server.host,
              MAIL_FROM_EMAIL="no-reply@kmerhosting.cm", MAIL_FROM_NAME="KmerHosting")
    yield server
    server.stop()


# --- Mailtrap --------------------------------------------------------------------------------------


def test_mailtrap_sends_the_json_mailtrap_expects_with_the_bearer_token(mailtrap):
    backend = get_backend()
    assert isinstance(backend, MailtrapBackend)
    result = backend.send(MESSAGE)
    [req] = mailtrap.requests
    assert req.path == "/api/send"
    assert req.headers["authorization"] == "Bearer test-token"
    assert req.body["from"] == {"email": "no-reply@kmerhosting.cm", "name": "KmerHosting"}
    assert req.body["to"] == [{"email": "awa@example.cm", "name": "Awa Ngo"}]
    assert req.body["subject"] == "Votre commande"
    assert req.body["text"] == "Bonjour Awa" and req.body["html"] == "<p>Bonjour Awa</p>"
    assert req.body["category"] == "purchase_confirmation"
    assert result.provider_id == "fake-00001"


def test_mailtrap_sandbox_posts_to_the_inbox_path(mailtrap, configure):
    configure(MAILTRAP_SANDBOX="true", MAILTRAP_INBOX_ID="4242")
    get_backend().send(MESSAGE)
    assert [r.path for r in mailtrap.delivered] == ["/api/send/4242"]


def test_mailtrap_401_is_a_mail_error_without_the_token(mailtrap, configure):
    configure(MAILTRAP_TOKEN="wrong-secret-token")
    with pytest.raises(MailError) as err:
        get_backend().send(MESSAGE)
    assert "401" in str(err.value) and "wrong-secret-token" not in str(err.value)


def test_mailtrap_500_is_a_mail_error_naming_the_status(mailtrap):
    mailtrap.fail_next(500, {"errors": ["Internal Server Error"]})
    with pytest.raises(MailError, match="500"):
        get_backend().send(MESSAGE)
    assert get_backend().send(MESSAGE).provider_id  # the next one goes through


def test_mailtrap_timeout_is_a_mail_error(mailtrap):
    mailtrap.stall_next(3)
    backend = MailtrapBackend(get_settings(), timeout=0.5)
    with pytest.raises(MailError, match="in time"):
        backend.send(MESSAGE)


def test_mailtrap_unreachable_is_a_mail_error(configure):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    configure(MAIL_BACKEND="mailtrap", MAILTRAP_TOKEN="test-token", MAILTRAP_API_HOST=f"127.0.0.1:{port}")
    with pytest.raises(MailError, match="unreachable"):
        get_backend().send(MESSAGE)


def test_mailtrap_refuses_a_certificate_it_does_not_trust(mailtrap, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(MailError):
        get_backend().send(MESSAGE)
    assert mailtrap.delivered == []


# --- SMTP -------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.envelopes = []
        self.refuse_rcpt = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf8", "replace")))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"inbox-user" and auth_data.password == b"inbox-pass"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(ca):
    """Start an SMTP server on 127.0.0.1 with the given options; stopped after the test."""
    started = []

    def start(**kwargs):
        handler = Recorder()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return handler, port

    yield start
    for controller in started:
        controller.stop()


def _server_tls(ca) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def _client_tls(ca) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_smtp_plain_delivers_text_and_html(smtp_server, configure):
    handler, port = smtp_server()
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    result = get_backend().send(MESSAGE)
    [(mail_from, rcpts, content)] = handler.envelopes
    assert mail_from == "no-reply@kmerhosting.cm" and rcpts == ["awa@example.cm"]
    assert "Subject: Votre commande" in content and "text/plain" in content and "text/html" in content
    assert result.provider_id and result.provider_id in content


def test_smtp_starttls_with_login_like_mailtraps_sandbox(smtp_server, configure, ca):
    handler, port = smtp_server(tls_context=_server_tls(ca), require_starttls=True,
                                authenticator=_authenticator, auth_required=True)
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="starttls",
              SMTP_USERNAME="inbox-user", SMTP_PASSWORD="inbox-pass")
    SmtpBackend(get_settings(), ssl_context=_client_tls(ca)).send(MESSAGE)
    assert len(handler.envelopes) == 1


def test_smtp_wrong_password_is_a_mail_error_without_the_password(smtp_server, configure, ca):
    handler, port = smtp_server(tls_context=_server_tls(ca), require_starttls=True,
                                authenticator=_authenticator, auth_required=True)
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="starttls",
              SMTP_USERNAME="inbox-user", SMTP_PASSWORD="not-the-password")
    with pytest.raises(MailError) as err:
        SmtpBackend(get_settings(), ssl_context=_client_tls(ca)).send(MESSAGE)
    assert "login" in str(err.value) and "not-the-password" not in str(err.value)
    assert handler.envelopes == []


def test_smtp_implicit_ssl(smtp_server, configure, ca):
    handler, port = smtp_server(ssl_context=_server_tls(ca))
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="ssl")
    SmtpBackend(get_settings(), ssl_context=_client_tls(ca)).send(MESSAGE)
    assert len(handler.envelopes) == 1


def test_smtp_untrusted_certificate_is_refused(smtp_server, configure, ca):
    handler, port = smtp_server(tls_context=_server_tls(ca), require_starttls=True)
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="starttls")
    with pytest.raises(MailError, match="TLS"):
        get_backend().send(MESSAGE)  # the system trust store does not know the test CA
    assert handler.envelopes == []


def test_smtp_refused_recipient_is_a_mail_error(smtp_server, configure):
    handler, port = smtp_server()
    handler.refuse_rcpt = True
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    with pytest.raises(MailError, match="refused"):
        get_backend().send(MESSAGE)


def test_smtp_server_down_is_a_mail_error(configure):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    configure(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=5)
    with pytest.raises(MailError, match="unreachable"):
        get_backend().send(MESSAGE)
