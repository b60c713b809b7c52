"""E-mail to attendees: the confirmation with the party attached, a seat from the waitlist,
the reminder; and the organizer's summary before the party.

Every message to an attendee carries a one-click cancel link (and the List-Unsubscribe
headers of RFC 8058, so mail programs offer the same). Sending never raises (mail.send_message).
"""

from __future__ import annotations

from flask import current_app

from . import localdates
from .calendars import Occurrence, ical_calendar
from .i18n_messages import Translator, translator
from .mail import Attachment, greeting, one_line, organizer_translator, send_message, signature
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


def _people(t: Translator, count: int) -> str:
    """Say how many people: "1 person", "3 people"."""
    return t.ngettext("%(num)s person", "%(num)s people", count)


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
    t = translator(rsvp.locale)
    manage = public_url("rsvp.manage", token=link_token)
    cancel = public_url("rsvp.cancel", token=link_token)
    body = [
        *lines,
        "",
        t.gettext("Change your answer or delete it (with everything you told us):"),
        manage,
        "",
        t.gettext("Cannot come after all? One click cancels:"),
        cancel,
        "",
        t.gettext("This link is private: anyone who has it can change your answer."),
        "",
        signature(t),
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


def _time_of_day(t: Translator, event: Event) -> str:
    """Write the party's local times with their zone, in the translator's language."""
    start, end = event.start_time, event.end_time
    if start is None:
        return ""
    if end is None:
        written = t.gettext("from %(time)s", time=localdates.format_clock(start, t.locale))
    else:
        written = localdates.format_clock_range(start, end, t.locale)
    if event.timezone:
        return t.gettext("%(times)s, local time (%(zone)s)", times=written, zone=event.timezone)
    return t.gettext("%(times)s, local time", times=written)


def _when(t: Translator, rsvp: Rsvp) -> list[str]:
    """Describe when and where the party is, and its page, in the attendee's language."""
    from .listing import event_place

    occurrence = occurrence_of(rsvp.event, rsvp.position)
    if occurrence is not None:
        when = localdates.format_part(occurrence.start, occurrence.end, None, t.locale)
    else:
        when = rsvp.event.date_text or t.gettext("to be announced")
    lines = [t.gettext("When: %(when)s", when=when)]
    time_of_day = _time_of_day(t, rsvp.event)
    if time_of_day:
        lines.append(t.gettext("Time: %(time)s", time=time_of_day))
    lines += [
        t.gettext("Where: %(place)s", place=event_place(rsvp.event)),
        t.gettext("The party's page: %(url)s", url=event_url(rsvp.event)),
    ]
    return lines


def send_confirmation(rsvp: Rsvp, token: str) -> bool:
    """Ask the attendee to confirm their address; the party comes attached as .ics."""
    t = translator(rsvp.locale)
    title = _title(rsvp)
    people = _people(t, rsvp.people)
    if rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
        if rsvp.status == RsvpStatus.GOING:
            again = t.gettext(
                "you asked again about “%(title)s”: you are going (%(people)s).",
                title=title,
                people=people,
            )
        else:
            again = t.gettext(
                "you asked again about “%(title)s”: you are on the waitlist (%(people)s).",
                title=title,
                people=people,
            )
        lines = [
            greeting(t, rsvp.name),
            "",
            again,
            t.gettext("Here is your private link again; the earlier one no longer works."),
        ]
        subject = t.gettext("Your answer for “%(title)s”", title=title)
    else:
        lines = [
            greeting(t, rsvp.name),
            "",
            t.gettext(
                "please confirm that you are going to “%(title)s” (%(people)s):",
                title=title,
                people=people,
            ),
            "",
            public_url("rsvp.confirm", token=token),
            "",
            t.gettext("Your answer counts once you confirm it; the link is valid for 48 hours."),
            t.gettext("If you did not ask for this, ignore this message and nothing is kept."),
        ]
        subject = t.gettext("Please confirm: you are going to “%(title)s”", title=title)
    return _send(rsvp, subject, [*lines, "", *_when(t, rsvp)], "rsvp confirmation", token)


def send_rsvp_promoted(rsvp: Rsvp) -> bool:
    """Tell a waiting attendee that a place freed up and they are going now."""
    t = translator(rsvp.locale)
    title = _title(rsvp)
    lines = [
        greeting(t, rsvp.name),
        "",
        t.gettext(
            "good news: a place freed up at “%(title)s”, and you are going now (%(people)s).",
            title=title,
            people=_people(t, rsvp.people),
        ),
        "",
        *_when(t, rsvp),
    ]
    subject = t.gettext("You are going to “%(title)s”", title=title)
    return _send(rsvp, subject, lines, "rsvp promoted", signed_link_token(rsvp))


def send_reminder(rsvp: Rsvp) -> bool:
    """Remind a confirmed attendee, about a day before, that the party is coming."""
    t = translator(rsvp.locale)
    title = _title(rsvp)
    lines = [
        greeting(t, rsvp.name),
        "",
        t.gettext(
            "a reminder: “%(title)s” is tomorrow, and you said you are going (%(people)s).",
            title=title,
            people=_people(t, rsvp.people),
        ),
        "",
        *_when(t, rsvp),
    ]
    subject = t.gettext("Tomorrow: “%(title)s”", title=title)
    return _send(rsvp, subject, lines, "rsvp reminder", signed_link_token(rsvp))


def send_organizer_summary(event: Event, standings: list[Standing]) -> bool:
    """Tell the organizer how many people to expect; the names are on their private page."""
    t = organizer_translator(event)
    title = one_line(event.title)
    counts = []
    for standing in standings:
        name = f"{title} ({standing.label})" if standing.label else title
        going = t.ngettext("%(num)s going", "%(num)s going", standing.going)
        if standing.waiting:
            waiting = t.ngettext(
                "%(num)s on the waitlist", "%(num)s on the waitlist", standing.waiting
            )
            going = t.gettext("%(going)s, %(waiting)s", going=going, waiting=waiting)
        counts.append(f"- {name}: {going}")
    body = [
        greeting(t, event.organizer_name),
        "",
        t.gettext("your party “%(title)s” is coming up. So far:", title=title),
        "",
        *counts,
        "",
        t.gettext(
            "The names, counts and notes are on your party's private page (the link we sent"
            " when you added it), with the list to download as CSV."
        ),
        "",
        signature(t),
    ]
    if not event.organizer_email:
        return False
    return send_message(
        (event.organizer_name, event.organizer_email),
        t.gettext("Who is coming to “%(title)s”", title=title),
        "\n".join(body),
        kind="organizer summary",
        label=f"{event.campaign.slug}/{event.slug}",
    )
