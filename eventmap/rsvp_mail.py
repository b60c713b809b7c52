"""E-mail to attendees: the confirmation with the party attached, a seat from the waitlist,
the reminder; and the organizer's summary before the party.

Every message to an attendee carries a one-click cancel link (and the List-Unsubscribe
headers of RFC 8058, so mail programs offer the same). Sending never raises (mail.send_message).
"""

from __future__ import annotations

from flask import current_app

from .calendars import Occurrence, ical_calendar
from .mail import SIGNATURE, Attachment, one_line, send_message
from .models import Event, Rsvp, RsvpStatus
from .rsvps import Standing, occurrence_of, signed_link_token
from .urls import event_url, event_url_builder, public_url


def _label(rsvp: Rsvp) -> str:
    """Name an answer in the log without anything personal: campaign/slug#position rsvp id."""
    return f"{rsvp.event.campaign.slug}/{rsvp.event.slug}#{rsvp.position} rsvp {rsvp.id}"


def _title(rsvp: Rsvp) -> str:
    """Return the title of what the answer is for, with its part's label."""
    occurrence = occurrence_of(rsvp.event, rsvp.position)
    return one_line(occurrence.title if occurrence else rsvp.event.title)


def _people(count: int) -> str:
    """Say how many people: "1 person", "3 people"."""
    return f"{count} {'person' if count == 1 else 'people'}"


def party_ics(event: Event, occurrence: Occurrence | None) -> Attachment | None:
    """Return the party (the answered part) as an .ics file, from the calendars' own writer."""
    if occurrence is None:  # a party still to be announced has no day to put in a calendar
        return None
    body = ical_calendar(
        occurrence.title,
        [occurrence],
        event_url_builder(),
        current_app.config["PUBLIC_URL"],
        event.campaign.hashtag or None,
    )
    return Attachment(f"{event.slug}.ics", body, "text", "calendar")


def _cancel_headers(cancel_url: str) -> dict[str, str]:
    """Offer the cancel link to mail programs (RFC 2369, one click by RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{cancel_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _send(rsvp: Rsvp, subject: str, lines: list[str], kind: str, link_token: str) -> bool:
    """Send a message to the attendee, with their private link and a one-click cancel link."""
    if not rsvp.email:
        return False
    manage = public_url("rsvp.manage", token=link_token)
    cancel = public_url("rsvp.cancel", token=link_token)
    body = [
        *lines,
        "",
        "Change your answer or delete it (with everything you told us):",
        manage,
        "",
        "Cannot come after all? One click cancels:",
        cancel,
        "",
        "This link is private: anyone who has it can change your answer.",
        "",
        SIGNATURE,
    ]
    attachment = party_ics(rsvp.event, occurrence_of(rsvp.event, rsvp.position))
    ics = [attachment] if attachment is not None else []
    return send_message(
        (rsvp.name, rsvp.email),
        subject,
        "\n".join(body),
        kind=kind,
        label=_label(rsvp),
        attachments=ics,
        headers=_cancel_headers(cancel),
    )


def _when(rsvp: Rsvp) -> list[str]:
    """Describe when and where the party is, and its page."""
    from .listing import event_place, event_time

    occurrence = occurrence_of(rsvp.event, rsvp.position)
    when = occurrence.when if occurrence else rsvp.event.date_text or "to be announced"
    lines = [f"When: {when}"]
    time_of_day = event_time(rsvp.event)
    if time_of_day:
        lines.append(f"Time: {time_of_day}")
    lines += [f"Where: {event_place(rsvp.event)}", f"The party's page: {event_url(rsvp.event)}"]
    return lines


def send_confirmation(rsvp: Rsvp, token: str) -> bool:
    """Ask the attendee to confirm their address; the party comes attached as .ics."""
    title = _title(rsvp)
    greeting = f"Hello {one_line(rsvp.name) or 'there'},"
    if rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
        state = "going" if rsvp.status == RsvpStatus.GOING else "on the waitlist"
        lines = [
            greeting,
            "",
            f"you asked again about “{title}”: you are {state} ({_people(rsvp.people)}).",
            "Here is your private link again; the earlier one no longer works.",
        ]
        subject = f"Your answer for “{title}”"
    else:
        lines = [
            greeting,
            "",
            f"please confirm that you are going to “{title}” ({_people(rsvp.people)}):",
            "",
            public_url("rsvp.confirm", token=token),
            "",
            "Your answer counts once you confirm it; the link is valid for 48 hours.",
            "If you did not ask for this, ignore this message and nothing is kept.",
        ]
        subject = f"Please confirm: you are going to “{title}”"
    return _send(rsvp, subject, [*lines, "", *_when(rsvp)], "rsvp confirmation", token)


def send_rsvp_promoted(rsvp: Rsvp) -> bool:
    """Tell a waiting attendee that a place freed up and they are going now."""
    title = _title(rsvp)
    lines = [
        f"Hello {one_line(rsvp.name) or 'there'},",
        "",
        f"good news: a place freed up at “{title}”, and you are going now"
        f" ({_people(rsvp.people)}).",
        "",
        *_when(rsvp),
    ]
    return _send(
        rsvp, f"You are going to “{title}”", lines, "rsvp promoted", signed_link_token(rsvp)
    )


def send_reminder(rsvp: Rsvp) -> bool:
    """Remind a confirmed attendee, about a day before, that the party is coming."""
    title = _title(rsvp)
    lines = [
        f"Hello {one_line(rsvp.name) or 'there'},",
        "",
        f"a reminder: “{title}” is tomorrow, and you said you are going ({_people(rsvp.people)}).",
        "",
        *_when(rsvp),
    ]
    return _send(rsvp, f"Tomorrow: “{title}”", lines, "rsvp reminder", signed_link_token(rsvp))


def send_organizer_summary(event: Event, standings: list[Standing]) -> bool:
    """Tell the organizer how many people to expect; the names are on their private page."""
    title = one_line(event.title)
    counts = []
    for standing in standings:
        part = f" ({standing.label})" if standing.label else ""
        waiting = f", {standing.waiting} on the waitlist" if standing.waiting else ""
        counts.append(f"- {title}{part}: {standing.going} going{waiting}")
    body = [
        f"Hello {one_line(event.organizer_name) or 'there'},",
        "",
        f"your party “{title}” is coming up. So far:",
        "",
        *counts,
        "",
        "The names, counts and notes are on your party's private page (the link we sent when",
        "you added it), with the list to download as CSV.",
        "",
        SIGNATURE,
    ]
    if not event.organizer_email:
        return False
    return send_message(
        (event.organizer_name, event.organizer_email),
        f"Who is coming to “{title}”",
        "\n".join(body),
        kind="organizer summary",
        label=f"{event.campaign.slug}/{event.slug}",
    )
