"""'I'm going': the rules of answers, their private links, counts and when reminders are due.

An answer counts once its address is confirmed (double opt-in). Its private link is a random
token kept only as a hash, like an organizer's edit link (submissions.hash_token); later
messages (a seat freed on the waitlist, the reminder) carry a signed link to the same page,
since the token itself is never stored. Writes are in operations.py.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from .calendars import Occurrence, local_times, occurrences, zone_of
from .extensions import db
from .models import Event, Rsvp, RsvpStatus, RsvpTally
from .submissions import hash_token

# An answer whose address is not confirmed within this time is deleted.
UNCONFIRMED_FOR = timedelta(hours=48)
# Attendees' names, addresses and notes are deleted this many days after the party.
DEFAULT_PURGE_DAYS = 30
# A reminder goes out one day before the party, at the same local time; an all-day party's
# at this hour of the day before, on the party's own clock.
REMIND_BEFORE = timedelta(days=1)
ALL_DAY_REMINDER_AT = time(9, 0)
_SALT = "eventmap-rsvp-link"
_HASH_PREFIX = 16
# Longer than any token or signed link this module makes: refused without a lookup.
_LONGEST_LINK = 200


def email_key(address: str) -> str:
    """Return what makes two addresses the same person's: trimmed and case-folded."""
    return address.strip().casefold()


def _serializer() -> URLSafeSerializer:
    """Sign links with the app's secret, for this purpose only."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def signed_link_token(rsvp: Rsvp) -> str:
    """Return a link token for a later message: it opens the answer while its token stands."""
    return str(_serializer().dumps([rsvp.id, rsvp.token_hash[:_HASH_PREFIX]]))


def find_by_token(token: str) -> Rsvp | None:
    """Return the answer a private link opens (random or signed), or None."""
    if not token or len(token) > _LONGEST_LINK:
        return None
    found = db.session.scalar(select(Rsvp).where(Rsvp.token_hash == hash_token(token)))
    if found is not None or "." not in token:
        return found
    try:
        rsvp_id, prefix = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(rsvp_id, int) or not isinstance(prefix, str):
        return None
    found = db.session.get(Rsvp, rsvp_id)
    if found is None or not hmac.compare_digest(found.token_hash[:_HASH_PREFIX], prefix):
        return None
    return found


def is_expired(rsvp: Rsvp, now: datetime) -> bool:
    """Tell whether an unconfirmed answer is past the time it had to be confirmed in."""
    return rsvp.status == RsvpStatus.UNCONFIRMED and aware(rsvp.created_at) + UNCONFIRMED_FOR <= now


def aware(moment: datetime) -> datetime:
    """Return a stored timestamp as aware UTC (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def occurrence_of(event: Event, position: int) -> Occurrence | None:
    """Return the occurrence an answer is for: the whole party (0), or the part at `position`."""
    for occurrence in occurrences([event]):
        if (occurrence.position or 0) == position:
            return occurrence
    return None


def positions(event: Event) -> list[int]:
    """Return the positions a visitor may answer for: each part, or the whole party."""
    return [occurrence.position or 0 for occurrence in occurrences([event])] or [0]


def starts_at(occurrence: Occurrence) -> datetime:
    """Return when an occurrence starts, in UTC: its start time, or local midnight all-day."""
    times = local_times(occurrence)
    if times is not None:
        return times[0].astimezone(UTC)
    zone = zone_of(occurrence.event.timezone) or UTC
    return datetime.combine(occurrence.start, time(0, 0), tzinfo=zone).astimezone(UTC)


def reminder_due_at(occurrence: Occurrence) -> datetime:
    """Return when the reminder is due, in UTC, reckoned on the party's own clock.

    One day before on the local clock, so a party at 18:00 is announced at 18:00 the day
    before even across a daylight-saving change (23 or 25 hours before, then).
    """
    zone = zone_of(occurrence.event.timezone) or UTC
    times = local_times(occurrence)
    if times is not None:
        local = times[0]
        before = datetime.combine(local.date() - REMIND_BEFORE, local.time())
    else:
        before = datetime.combine(occurrence.start - REMIND_BEFORE, ALL_DAY_REMINDER_AT)
    return before.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Standing:
    """How answers stand for one occurrence: people going, people waiting, seats left."""

    position: int
    label: str | None
    going: int
    waiting: int
    capacity: int | None

    @property
    def full(self) -> bool:
        """Tell whether new answers go to the waitlist."""
        return self.capacity is not None and self.going >= self.capacity


def standings(event: Event) -> list[Standing]:
    """Return how answers stand for each occurrence of a party (counts only: public)."""
    going = dict(
        db.session.execute(
            select(RsvpTally.position, RsvpTally.going).where(RsvpTally.event_id == event.id)
        ).all()
    )
    waiting = dict(
        db.session.execute(
            select(Rsvp.position, func.sum(Rsvp.people))
            .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITLIST)
            .group_by(Rsvp.position)
        ).all()
    )
    labels = {(o.position or 0): o.label for o in occurrences([event])}
    return [
        Standing(p, labels.get(p), going.get(p, 0), int(waiting.get(p) or 0), event.rsvp_capacity)
        for p in positions(event)
    ]


def attendees(event: Event) -> list[Rsvp]:
    """Return a party's confirmed answers (going, then waiting, in order): for its organizer."""
    order = {RsvpStatus.GOING: 0, RsvpStatus.WAITLIST: 1}
    rows = db.session.scalars(
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.status.in_(tuple(order)))
        .order_by(Rsvp.position, Rsvp.confirmed_at, Rsvp.id)
    ).all()
    return sorted(rows, key=lambda r: (r.position, order[r.status]))


ATTENDEE_CSV_COLUMNS = ("part", "status", "name", "email", "people", "note", "confirmed_at")


def attendee_rows(event: Event) -> list[list[str]]:
    """Return the organizer's attendee list as CSV cells, formulas neutralised."""
    from .serialize import neutralise_formula

    labels = {(o.position or 0): o.label or "" for o in occurrences([event])}
    rows = []
    for rsvp in attendees(event):
        confirmed = aware(rsvp.confirmed_at).isoformat() if rsvp.confirmed_at else ""
        cells = [
            labels.get(rsvp.position, ""),
            rsvp.status.value,
            rsvp.name or "",
            rsvp.email or "",
            str(rsvp.people),
            rsvp.note or "",
            confirmed,
        ]
        rows.append([neutralise_formula(cell) for cell in cells])
    return rows


def _soon(now: datetime) -> list[Event]:
    """Return public events with a day near `now` (a day either side covers every zone)."""
    from .models import EventStatus

    today = now.astimezone(UTC).date()
    return list(
        db.session.scalars(
            select(Event).where(
                Event.status == EventStatus.APPROVED,
                Event.start_date <= today + timedelta(days=2),
                Event.end_date >= today - timedelta(days=1),
            )
        )
    )


def due(occurrence: Occurrence, now: datetime) -> bool:
    """Tell whether an occurrence's reminder is due: from a day before until it starts."""
    return reminder_due_at(occurrence) <= now < starts_at(occurrence)


def due_reminders(now: datetime) -> list[Rsvp]:
    """Return the confirmed attendees whose reminder is due now and not sent yet."""
    found = []
    for event in _soon(now):
        due_positions = {
            occurrence.position or 0 for occurrence in occurrences([event]) if due(occurrence, now)
        }
        if not due_positions:
            continue
        found += db.session.scalars(
            select(Rsvp)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.position.in_(due_positions),
                Rsvp.status == RsvpStatus.GOING,
                Rsvp.reminded_at.is_(None),
                Rsvp.email.is_not(None),
            )
            .order_by(Rsvp.id)
        ).all()
    return found


def due_summaries(now: datetime) -> list[Event]:
    """Return the events whose organizer's summary is due: before the first part, once."""
    found = []
    for event in _soon(now):
        if event.rsvp_summary_sent_at is not None or not event.organizer_email:
            continue
        first = next(iter(occurrences([event])), None)
        if first is None or not due(first, now):
            continue
        answered = db.session.scalar(
            select(func.count())
            .select_from(Rsvp)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITLIST)),
            )
        )
        if answered:
            found.append(event)
    return found
