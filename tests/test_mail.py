"""E-mail to organizers, sent to a real SMTP server on 127.0.0.1; failures never raise."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from eventmap import operations
from eventmap.extensions import db
from eventmap.mail import send_edit_link, send_outcome
from eventmap.models import EventStatus
from tests.conftest import free_port

EDIT_URL = "https://parties.example.org/edit/s3cret-token"


@pytest.fixture
def submitted(make_event):
    """A pending party whose organizer left a name and an e-mail address."""
    return make_event(
        slug="werk1",
        title="Birthday at Werk1",
        status=EventStatus.PENDING,
        organizer_name="Olga Organizer",
        organizer_email="olga@example.org",
    )


def test_the_edit_link_goes_to_the_organizer(app, mail_server, submitted):
    assert send_edit_link(submitted, EDIT_URL) is True

    (envelope,) = mail_server.envelopes
    assert envelope.rcpt_tos == ["olga@example.org"]
    (message,) = mail_server.messages
    assert message["To"] == "Olga Organizer <olga@example.org>"
    assert message["From"] == "OpenStack parties <parties@example.org>"
    assert message["Subject"] == "Your party “Birthday at Werk1” is waiting for review"
    assert message["Message-ID"].endswith("@example.org>")
    body = message.get_content()
    assert "Hello Olga Organizer," in body
    assert "waiting for review" in body
    assert EDIT_URL in body.splitlines()  # on a line of its own, whole
    assert "please do not share it" in body


def test_an_approval_by_a_moderator_sends_the_public_link(app, mail_server, submitted):
    app.config["PUBLIC_URL"] = "https://parties.example.org"

    assert operations.approve_event(submitted, actor="admin:ann") is True

    (message,) = mail_server.messages
    assert message["To"] == "Olga Organizer <olga@example.org>"
    assert message["Subject"] == "Your party “Birthday at Werk1” is on the map"
    assert "https://parties.example.org/openstack6bday/werk1" in message.get_content()


def test_within_a_request_the_link_is_still_on_the_public_url(app, mail_server, submitted):
    app.config["PUBLIC_URL"] = "https://parties.example.org"
    submitted.status = EventStatus.APPROVED
    with app.test_request_context(base_url="https://moderation.example.net"):
        assert send_outcome(submitted) is True
    body = mail_server.messages[0].get_content()
    assert "https://parties.example.org/openstack6bday/werk1" in body
    assert "moderation.example.net" not in body


def test_a_rejection_tells_the_reason(app, mail_server, submitted):
    reason = "This is a product launch, not a community party."
    assert operations.reject_event(submitted, actor="admin:ann", reason=reason) is True

    (message,) = mail_server.messages
    assert message["Subject"] == "Your party “Birthday at Werk1” was not published"
    body = message.get_content()
    assert f"Their reason: {reason}" in body
    assert "private link" in body


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("cli", EventStatus.APPROVED),  # the campaign team's own command line
        ("import", EventStatus.REJECTED),
        ("organizer", EventStatus.WITHDRAWN),
        ("admin:ann", EventStatus.WITHDRAWN),
        ("admin:ann", EventStatus.PENDING),
    ],
)
def test_only_a_moderators_approval_or_rejection_is_mailed(
    app, mail_server, make_event, actor, status
):
    event = make_event(
        status=EventStatus.REJECTED if status == EventStatus.PENDING else EventStatus.PENDING,
        organizer_email="olga@example.org",
    )
    assert operations.set_status(event, status, actor=actor, reason="why") is True
    assert mail_server.envelopes == []


def test_no_address_no_message_and_no_repeat(app, mail_server, make_event, submitted):
    anonymous = make_event(status=EventStatus.PENDING, organizer_email=None)
    assert operations.approve_event(anonymous, actor="admin:ann") is True
    assert send_outcome(anonymous) is False
    assert mail_server.envelopes == []

    assert operations.approve_event(submitted, actor="admin:ann") is True
    assert operations.approve_event(submitted, actor="admin:ann") is False  # nothing changed
    assert len(mail_server.envelopes) == 1


def test_without_a_mail_server_the_whole_message_goes_to_the_log(app, submitted, caplog):
    assert app.config["MAIL_SERVER"] == ""
    caplog.set_level(logging.INFO, logger="eventmap.mail")
    assert send_edit_link(submitted, EDIT_URL) is True  # the console backend "sent" it
    assert operations.approve_event(submitted, actor="admin:ann") is True
    assert "console backend" in caplog.text
    assert EDIT_URL in caplog.text.splitlines()  # whole, on a line of its own, to click
    assert "To: Olga Organizer <olga@example.org>" in caplog.text


def test_a_closed_port_returns_false_and_logs(app, submitted, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)

    assert send_edit_link(submitted, EDIT_URL) is False
    # The moderation itself still happens, and is committed.
    assert operations.reject_event(submitted, actor="admin:ann", reason="no") is True
    db.session.expire_all()
    assert submitted.status == EventStatus.REJECTED

    warnings = [r for r in caplog.records if r.name == "eventmap.mail"]
    assert len(warnings) == 2
    assert all(r.levelno == logging.WARNING for r in warnings)
    assert "ConnectionRefusedError" in warnings[0].getMessage()
    assert "openstack6bday/werk1" in warnings[0].getMessage()
    assert "olga@example.org" not in caplog.text  # addresses stay out of the logs


def test_a_server_that_never_answers_times_out(app, submitted, caplog):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections queue up, but no greeting ever comes
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5
        )
        started = time.monotonic()
        assert send_edit_link(submitted, EDIT_URL) is False
        assert time.monotonic() - started < 5
    assert "timed out" in caplog.text


def test_tls_or_login_the_server_does_not_offer_returns_false(app, mail_server, submitted):
    app.config["MAIL_USE_TLS"] = True
    assert send_edit_link(submitted, EDIT_URL) is False
    app.config.update(MAIL_USE_TLS=False, MAIL_USERNAME="parties", MAIL_PASSWORD="pw")
    assert send_edit_link(submitted, EDIT_URL) is False
    assert mail_server.envelopes == []


def test_a_line_break_in_the_title_cannot_add_a_header(app, mail_server, make_event):
    event = make_event(
        title="Party\r\nBcc: victim@example.net\r\n\r\nFake body",
        organizer_name="Olga\r\nCc: other@example.net",
        organizer_email="olga@example.org",
        status=EventStatus.REJECTED,
        status_reason="Spam\r\nBcc: third@example.net",
    )
    assert send_edit_link(event, EDIT_URL) is True
    assert send_outcome(event) is True

    for envelope in mail_server.envelopes:
        assert envelope.rcpt_tos == ["olga@example.org"]
    for message in mail_server.messages:
        assert message["Bcc"] is None
        assert message["Cc"] is None
        assert message["Subject"].startswith("Your party “Party Bcc: victim@example.net Fake body”")
        assert message["To"].addresses[0].addr_spec == "olga@example.org"
        assert len(message["To"].addresses) == 1


@pytest.mark.parametrize(
    "address",
    ["olga@example.org\r\nBcc: victim@example.net", "olga@example.org, victim@example.net"],
)
def test_an_address_with_a_header_or_a_second_recipient_is_refused(
    app, mail_server, make_event, caplog, address
):
    event = make_event(organizer_email=address, status=EventStatus.PENDING)
    assert send_edit_link(event, EDIT_URL) is False
    assert mail_server.envelopes == []
    assert "could not send the edit link message" in caplog.text


def test_the_username_and_password_are_used_to_log_in(app, submitted):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.conftest import Inbox

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right")

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # a test server on the loopback, without a certificate
    )
    controller.start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_USERNAME="parties",
            MAIL_PASSWORD="wrong",
            MAIL_TIMEOUT=1,  # after a refused PLAIN, smtplib's LOGIN attempt waits on aiosmtpd
        )
        assert send_edit_link(submitted, EDIT_URL) is False
        app.config["MAIL_PASSWORD"] = "right"
        assert send_edit_link(submitted, EDIT_URL) is True
    finally:
        controller.stop()
    assert logins == [(b"parties", b"wrong"), (b"parties", b"right")]
    assert len(inbox.envelopes) == 1
