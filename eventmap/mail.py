"""E-mail: sending one message, and organizers' private edit link and moderators' decisions.

Sending never raises to the caller. Without MAIL_SERVER messages go to the log in full (the
console backend); when the server refuses, times out or cannot be reached, the failure is
logged and the function returns False, so submitting, moderating and answering work the same
with or without a mail server. Messages to attendees are in rsvp_mail.py.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

from .i18n_messages import Translator, translator
from .models import Event, EventStatus
from .urls import event_url

logger = logging.getLogger(__name__)


def one_line(text: str | None) -> str:
    """Collapse text to one line for a header, so a line break can never start a new header."""
    return " ".join((text or "").split())


def signature(t: Translator) -> str:
    """Sign a message from the team."""
    return t.gettext("— the eventmap team")


def greeting(t: Translator, name: str | None) -> str:
    """Greet the person by the name they gave, or without one."""
    name = one_line(name)
    return t.gettext("Hello %(name)s,", name=name) if name else t.gettext("Hello,")


def organizer_translator(event: Event) -> Translator:
    """Return the translator of the language the organizer submitted in (else the default)."""
    return translator(event.organizer_locale)


def send_edit_link(event: Event, edit_url: str) -> bool:
    """Send the organizer the private link that edits or withdraws their waiting party."""
    t = organizer_translator(event)
    title = one_line(event.title)
    campaign = one_line(event.campaign.name)
    body = "\n".join(
        [
            greeting(t, event.organizer_name),
            "",
            (
                t.gettext(
                    "thank you for adding “%(title)s” to %(campaign)s. Your party is waiting"
                    " for review: a moderator will look at it soon, and we will write again"
                    " when it is on the map.",
                    title=title,
                    campaign=campaign,
                )
            ),
            "",
            (t.gettext("Keep this private link to edit or withdraw your party:")),
            "",
            edit_url,
            "",
            (t.gettext("Anyone with this link can change your party, so please do not share it.")),
            "",
            signature(t),
        ]
    )
    subject = t.gettext("Your party “%(title)s” is waiting for review", title=title)
    return _send(event, subject, body, "edit link")


def send_outcome(event: Event) -> bool:
    """Tell the organizer the moderators' decision: the public link, or the reason for a no."""
    t = organizer_translator(event)
    title = one_line(event.title)
    campaign = one_line(event.campaign.name)
    if event.status == EventStatus.APPROVED:
        subject = t.gettext("Your party “%(title)s” is on the map", title=title)
        lines = [
            greeting(t, event.organizer_name),
            "",
            (
                t.gettext(
                    "“%(title)s” is now on the map of %(campaign)s:",
                    title=title,
                    campaign=campaign,
                )
            ),
            "",
            event_url(event),
            "",
            (
                t.gettext(
                    "You can still change or withdraw it through your private link; a change"
                    " goes back to the moderators before it is public again."
                )
            ),
        ]
    elif event.status == EventStatus.REJECTED:
        subject = t.gettext("Your party “%(title)s” was not published", title=title)
        reason = event.status_reason or t.gettext("none was given.")
        lines = [
            greeting(t, event.organizer_name),
            "",
            (
                t.gettext(
                    "the moderators of %(campaign)s did not publish “%(title)s”.",
                    title=title,
                    campaign=campaign,
                )
            ),
            "",
            t.gettext("Their reason: %(reason)s", reason=reason),
            "",
            (
                t.gettext(
                    "If you change your party through your private link, it goes back to them."
                )
            ),
        ]
    else:
        return False
    return _send(event, subject, "\n".join([*lines, "", signature(t)]), event.status.value)


def _send(event: Event, subject: str, body: str, kind: str) -> bool:
    """Write one message to the event's organizer; log and return False on any failure."""
    label = f"{event.campaign.slug}/{event.slug}"
    if not event.organizer_email:
        logger.info("no organizer e-mail address for %s: no %s message", label, kind)
        return False
    return send_message(
        (event.organizer_name, event.organizer_email),
        subject,
        body,
        kind=kind,
        label=label,
    )


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content: bytes
    maintype: str
    subtype: str


def send_message(
    to: tuple[str | None, str],
    subject: str,
    body: str,
    *,
    kind: str,
    label: str,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> bool:
    """Send one message to one recipient: by SMTP, or to the log without MAIL_SERVER.

    Without a mail server (a laptop) the console backend writes the whole message to the log,
    so that a developer can follow its links; it counts as sent. Returns False on any failure,
    after logging it.
    """
    config = current_app.config
    try:
        message = _message(to, subject, body, attachments, headers or {})
        if not config.get("MAIL_SERVER"):
            _print(message, body, attachments)
        else:
            _deliver(message, to[1])
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        # OSError covers refused connections and timeouts; ValueError an address with a newline.
        logger.warning("could not send the %s message for %s: %r", kind, label, exc)
        return False
    except Exception:  # never let e-mail break a submission, a moderation or an answer
        logger.exception("could not send the %s message for %s", kind, label)
        return False
    logger.info("sent the %s message for %s", kind, label)
    return True


def _print(message: EmailMessage, body: str, attachments: Sequence[Attachment]) -> None:
    """The console backend: log the message in full, its body as written (no encoding)."""
    header = "\n".join(f"{name}: {value}" for name, value in message.items())
    files = "".join(
        f"\n[attached: {item.filename}, {item.maintype}/{item.subtype}, {len(item.content)} bytes]"
        for item in attachments
    )
    logger.info(
        "e-mail (console backend: no MAIL_SERVER, nothing leaves this machine):\n%s\n\n%s%s",
        header,
        body,
        files,
    )


def _message(
    to: tuple[str | None, str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Build the message; the policy refuses line breaks in any header."""
    sender = current_app.config["MAIL_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=one_line(to[0]), addr_spec=str(to[1]))
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, cte="quoted-printable")
    for item in attachments:
        message.add_attachment(
            item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    return message


def _deliver(message: EmailMessage, recipient: str) -> None:
    """Hand the message to the configured SMTP server, to the one recipient and nobody else."""
    config = current_app.config
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=float(config["MAIL_TIMEOUT"])
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message, to_addrs=[recipient])
