"""Every write to campaigns and events: each function commits and logs what it did."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import backup
from .campaigns import CampaignData
from .eventdata import ImportFileError, RowError, point_from_place
from .extensions import db
from .geocoding import Place
from .i18n_messages import N_, Message
from .mail import send_outcome
from .models import (
    SLUG_CONSTRAINT,
    Admin,
    AuditEntry,
    Campaign,
    Event,
    EventPart,
    EventReport,
    EventStatus,
    ModeratorSession,
    Photo,
    PhotoStatus,
    Rsvp,
    RsvpStatus,
    RsvpTally,
    utcnow,
)

if TYPE_CHECKING:
    from .eventdata import EventData, PointData, SubmissionData
    from .geocoding import Geocoder
    from .photo_storage import PhotoStorage

logger = logging.getLogger(__name__)

CAMPAIGN_FIELDS = ("name", "hashtag", "description", "starts_on", "ends_on", "anniversary")
# A moderator's decisions that are e-mailed to the organizer.
MAILED_OUTCOMES = (EventStatus.APPROVED, EventStatus.REJECTED)
# How often a new event's slug is chosen again after concurrent writers took it, before a
# random suffix ends the race.
SLUG_ATTEMPTS = 5


@dataclass
class RestoreReport:
    """What a restore did, for the CLI to print and tests to check."""

    manifest: backup.Manifest
    loaded: dict[str, int]
    deleted: int
    version_raised: bool


@dataclass
class ImportReport:
    """What an import did, for the CLI to print and tests to check."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    campaigns_created: list[str] = field(default_factory=list)


class SlugTakenError(Exception):
    """An event cannot move to a campaign where another event already has its slug."""

    def __init__(self, campaign: Campaign, slug: str) -> None:
        """Say which celebration and address, in words an organizer can act on."""
        self.message = N_(
            "“%(campaign)s” already has a party at the address /%(address)s,"
            " so this one cannot move there. Keep its celebration, or choose another one.",
            campaign=campaign.name,
            address=f"{campaign.slug}/{slug}",
        )
        super().__init__(str(self.message))


def is_slug_conflict(error: IntegrityError) -> bool:
    """Tell whether a write failed because another event of the campaign has the slug."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint
        return diag.constraint_name == SLUG_CONSTRAINT
    return "events.campaign_id, events.slug" in str(error.orig)  # SQLite names its columns


def _assign(target: Any, values: Mapping[str, Any]) -> bool:
    """Set attributes that differ; tell whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed


def _save_campaign(data: CampaignData) -> tuple[Campaign, bool]:
    """Create or update a campaign from catalogue data without committing."""
    campaign = db.session.scalar(Campaign.by_slug(data.slug))
    values = {name: getattr(data, name) for name in CAMPAIGN_FIELDS}
    if campaign is None:
        campaign = Campaign(slug=data.slug, **values)
        db.session.add(campaign)
        return campaign, True
    return campaign, _assign(campaign, values)


def save_campaigns(catalogue: Iterable[CampaignData]) -> list[str]:
    """Create or update campaigns from the catalogue; return the slugs that changed."""
    changed = []
    for data in catalogue:
        _, did_change = _save_campaign(data)
        if did_change:
            changed.append(data.slug)
    db.session.commit()
    if changed:
        logger.info("campaigns saved: %s", ", ".join(changed))
    return changed


def _detail_values(data: EventData | SubmissionData) -> dict[str, Any]:
    """Map what imports and submissions share (what, where, when) to model attributes."""
    return {
        "title": data.title,
        "location_text": data.location_text,
        "venue": data.venue,
        "address": data.address,
        "date_text": data.date_text,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "start_time": data.start_time,
        "end_time": data.end_time,
        **_point_values(data.point),
        "link": data.link,
        "description": data.description,
        "language": data.language,
    }


def _event_values(data: EventData) -> dict[str, Any]:
    """Map validated event data to model attributes (parts handled apart).

    The organizer's name, e-mail and edit token are not in event files, so an import leaves
    them as they are.
    """
    return {**_detail_values(data), "contact": data.contact, "status": data.status}


def _apply_event(campaign: Campaign, event: Event | None, data: EventData) -> tuple[Event, bool]:
    """Create or update one event and its parts without committing."""
    values = _event_values(data)
    if event is None:
        event = Event(campaign=campaign, slug=data.slug, **values)
        db.session.add(event)
        changed = True
    else:
        changed = _assign(event, values)
    if event.status == EventStatus.APPROVED and event.approved_at is None:
        event.approved_at = utcnow()
    elif event.status != EventStatus.APPROVED:
        event.approved_at = None
    if _set_parts(event, data.parts):
        event.updated_at = utcnow()  # parts live in their own table; mark the event changed
        changed = True
    return event, changed


def apply_import(rows: Iterable[EventData], catalogue: Mapping[str, CampaignData]) -> ImportReport:
    """Write validated rows in one transaction: all of them or, on any error, none."""

    report = ImportReport()
    rows = list(rows)
    campaigns = {c.slug: c for c in db.session.scalars(select(Campaign))}
    events = {(event.campaign_id, event.slug): event for event in db.session.scalars(select(Event))}
    try:
        for slug in dict.fromkeys(row.campaign for row in rows):
            if slug not in campaigns:
                campaigns[slug], _ = _save_campaign(catalogue[slug])
                report.campaigns_created.append(slug)
        db.session.flush()
        for row in rows:
            campaign = campaigns[row.campaign]
            existing = events.get((campaign.id, row.slug))
            _event, changed = _apply_event(campaign, existing, row)
            label = f"{row.campaign}/{row.slug}"
            if existing is None:
                report.created.append(label)
            elif changed:
                report.updated.append(label)
            else:
                report.unchanged.append(label)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if is_slug_conflict(error):
            raise _slugs_taken_meanwhile(rows, report.created) from error
        raise
    except Exception:
        db.session.rollback()
        raise
    logger.info(
        "import: %d created, %d updated, %d unchanged",
        len(report.created),
        len(report.updated),
        len(report.unchanged),
    )
    return report


def _slugs_taken_meanwhile(rows: list[EventData], created: list[str]) -> ImportFileError:
    """Name the rows whose new slug another write (a submission) stored during the import.

    A row's slug is its identity (a second import updates the event it names), so the import
    is not given another slug: the operator runs it again, or gives the row a slug of its own.
    """

    stored = {
        f"{campaign}/{slug}"
        for campaign, slug in db.session.execute(
            select(Campaign.slug, Event.slug).join(Event.campaign)
        )
    }
    wanted = set(created)
    return ImportFileError(
        [
            RowError(
                row.where,
                "slug",
                f"{row.slug!r} was taken by a party saved during this import. Run the import"
                " again (this row will then update that party), or give the row a slug of its"
                " own.",
            )
            for row in rows
            if f"{row.campaign}/{row.slug}" in wanted & stored
        ]
    )


def _label(event: Event) -> str:
    """Name an event in logs and the audit trail: campaign/slug."""
    return f"{event.campaign.slug}/{event.slug}"


def record(actor: str, action: str, event: Event | None = None, **details: Any) -> AuditEntry:
    """Add an audit entry to the session; the calling operation commits it with its change."""
    entry = AuditEntry(
        actor=actor[:100],
        action=action,
        event=event,
        event_label=_label(event) if event is not None else "",
        details={key: value for key, value in details.items() if value is not None},
    )
    db.session.add(entry)
    return entry


def set_status(
    event: Event, status: EventStatus, *, actor: str = "cli", reason: str | None = None
) -> bool:
    """Move an event to a moderation state, with the reason told to its organizer."""
    if event.status == status and (reason is None or event.status_reason == reason):
        return False
    previous = event.status
    event.status = status
    event.status_reason = reason if status != EventStatus.APPROVED else None
    event.approved_at = utcnow() if status == EventStatus.APPROVED else None
    record(actor, status.value, event, previous=previous.value, reason=reason)
    db.session.commit()
    logger.info("%s: event %s is now %s", actor, _label(event), status.value)
    if actor.startswith("admin:") and event.organizer_email and status in MAILED_OUTCOMES:
        send_outcome(event)  # after the commit; it logs its own failures and never raises
    return True


def approve_event(event: Event, *, actor: str = "cli") -> bool:
    """Make an event public."""
    return set_status(event, EventStatus.APPROVED, actor=actor)


def reject_event(event: Event, *, actor: str = "cli", reason: str | None = None) -> bool:
    """Take an event off every public page, saying why."""
    return set_status(event, EventStatus.REJECTED, actor=actor, reason=reason)


def withdraw_event(event: Event, *, actor: str = "organizer") -> bool:
    """Take an event down at its organizer's request."""
    return set_status(
        event, EventStatus.WITHDRAWN, actor=actor, reason="withdrawn by the organizer"
    )


def _submission_values(data: SubmissionData) -> dict[str, Any]:
    """Map a submission to event attributes (parts handled apart)."""
    return {
        **_detail_values(data),
        "organizer_name": data.organizer_name,
        "organizer_email": data.organizer_email,
    }


def _set_parts(event: Event, parts: Iterable[Any]) -> bool:
    """Store an event's dated parts when there are several or one is labelled."""
    parts = list(parts)
    wanted = (
        [(i, p.label, p.start, p.end) for i, p in enumerate(parts)]
        if len(parts) > 1 or any(p.label for p in parts)
        else []
    )
    current = [(p.position, p.label, p.start_date, p.end_date) for p in event.parts]
    if current == wanted:
        return False
    event.parts.clear()
    db.session.flush()  # delete old positions before reusing them
    event.parts.extend(
        EventPart(position=pos, label=label, start_date=start, end_date=end)
        for pos, label, start, end in wanted
    )
    return True


def _insert_with_free_slug(event: Event, campaign: Campaign, text: str) -> None:
    """Insert a new event under a slug that no other event of its campaign has, even in a race.

    Another organizer may store the chosen slug between the choice and the insert. The insert
    runs in a SAVEPOINT, so losing the slug undoes only the insert, and the slug is chosen again.
    The event must not be attached to the session yet (give it campaign_id, not campaign), or
    it would be flushed before the SAVEPOINT.
    """
    from .submissions import unique_slug

    for attempt in range(SLUG_ATTEMPTS + 1):
        event.slug = unique_slug(campaign, text, random_suffix=attempt == SLUG_ATTEMPTS)
        try:
            with db.session.begin_nested():
                db.session.add(event)
            return
        except IntegrityError as error:
            if attempt == SLUG_ATTEMPTS or not is_slug_conflict(error):
                raise
            logger.info("slug %s/%s was taken meanwhile; choosing again", campaign.slug, event.slug)


def submit_event(data: SubmissionData, *, locale: str | None = None) -> tuple[Event, str]:
    """Store an organizer's submission as pending; return it and its private edit token.

    `locale` is the language the organizer used: the moderators' decision is written in it.
    """
    from .submissions import new_edit_token

    token, token_hash = new_edit_token()
    event = Event(
        campaign_id=data.campaign.id,
        status=EventStatus.PENDING,
        edit_token_hash=token_hash,
        organizer_locale=locale,
        **_submission_values(data),
    )
    _insert_with_free_slug(event, data.campaign, data.location_text or data.title)
    _set_parts(event, data.parts)
    record("organizer", "submitted", event, title=data.title, place=data.location_text)
    db.session.commit()
    logger.info("organizer submitted event %s (pending)", _label(event))
    return event, token


def check_move(event: Event, campaign: Campaign) -> None:
    """Refuse to move an event into a campaign where another event already has its slug."""
    if campaign.id == event.campaign_id:
        return
    taken = db.session.scalar(
        select(Event.id).where(Event.campaign_id == campaign.id, Event.slug == event.slug)
    )
    if taken is not None:
        raise SlugTakenError(campaign, event.slug)


def update_event(event: Event, data: SubmissionData, *, actor: str) -> list[str]:
    """Change an event's details; return the names of the fields that changed.

    An organizer's change to a public event sends it back to the moderators, so that an
    approved party cannot be turned into something else without a second look. A move into a
    campaign that has the event's slug raises SlugTakenError and changes nothing, even when another
    party took that slug after the check.
    """
    check_move(event, data.campaign)
    campaign, slug = data.campaign, event.slug
    try:
        return _update_event(event, data, actor=actor)
    except IntegrityError as error:
        db.session.rollback()
        if is_slug_conflict(error):
            raise SlugTakenError(campaign, slug) from error
        raise


def _update_event(event: Event, data: SubmissionData, *, actor: str) -> list[str]:
    """Apply and commit an edit whose campaign move has been checked."""
    values = _submission_values(data)
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    _assign(event, values)
    if event.campaign_id != data.campaign.id:
        event.campaign = data.campaign
        changed.append("campaign")
    if _set_parts(event, data.parts):
        changed.append("parts")
    if not changed:
        return []
    event.updated_at = utcnow()
    previous = event.status
    if actor == "organizer" and event.status in (EventStatus.APPROVED, EventStatus.REJECTED):
        event.status, event.approved_at = EventStatus.PENDING, None
    record(
        actor,
        "edited",
        event,
        fields=sorted(set(changed)),
        status=event.status.value if event.status != previous else None,
    )
    db.session.commit()
    logger.info("%s edited event %s: %s", actor, _label(event), ", ".join(sorted(set(changed))))
    return changed


def create_admin(username: str, password: str) -> Admin:
    """Create a moderator account, or set a new password on an existing one.

    A new password signs the moderator out everywhere: whoever knew the old one may hold a
    session.
    """
    from werkzeug.security import generate_password_hash

    admin = db.session.scalar(Admin.by_username(username))
    action = "admin-password-changed" if admin is not None else "admin-created"
    ended = None
    if admin is None:
        admin = Admin(username=username, password_hash="")
        db.session.add(admin)
    else:
        ended = _delete_sessions(ModeratorSession.admin_id == admin.id)
    admin.password_hash = generate_password_hash(password)
    record("cli", action, None, username=username, sessions_ended=ended)
    db.session.commit()
    logger.info("%s: %s (%d session(s) ended)", action, username, ended or 0)
    return admin


def _delete_sessions(where: ColumnElement[bool]) -> int:
    """Delete the moderator sessions that match, without committing; return how many."""
    # A plain DELETE: a row another request just deleted is no error, and nothing in the ORM
    # session needs evaluating against aware timestamps.
    result = db.session.execute(
        delete(ModeratorSession).where(where), execution_options={"synchronize_session": False}
    )
    return result.rowcount  # type: ignore[attr-defined]  # a DELETE gives a CursorResult


def start_session(admin: Admin) -> str:
    """Sign a moderator in: note it, store a new session; return the cookie's random id."""
    from .submissions import new_edit_token

    token, token_hash = new_edit_token()  # random, kept only as a hash, like edit links
    now = utcnow()
    admin.last_login_at = now
    db.session.add(
        ModeratorSession(admin=admin, token_hash=token_hash, created_at=now, last_seen_at=now)
    )
    record(f"admin:{admin.username}", "signed-in")
    db.session.commit()
    return token


def end_session(token: str) -> bool:
    """Sign out the session this random id names, in every browser holding it."""
    from .submissions import hash_token

    row = db.session.scalar(
        select(ModeratorSession).where(ModeratorSession.token_hash == hash_token(token))
    )
    if row is None:
        return False
    actor = f"admin:{row.admin.username}"
    if not _delete_sessions(ModeratorSession.id == row.id):
        db.session.rollback()  # signed out by another request meanwhile
        return False
    record(actor, "signed-out")
    db.session.commit()
    logger.info("%s signed out", actor)
    return True


def end_expired_sessions(now: datetime, idle: timedelta, lifetime: timedelta) -> int:
    """Delete sessions past their idle time or lifetime, so the table holds live ones only."""
    ended = _delete_sessions(ModeratorSession.expired(now, idle, lifetime))
    db.session.commit()
    if ended:
        logger.info("%d expired moderator session(s) cleared", ended)
    return ended


def touch_session(session: ModeratorSession, now: datetime) -> None:
    """Note that a session was used now, which keeps it from expiring for being idle."""
    # A plain UPDATE: the row may have been signed out by another request meanwhile.
    db.session.execute(
        update(ModeratorSession).where(ModeratorSession.id == session.id).values(last_seen_at=now)
    )
    db.session.commit()


@dataclass
class RegeocodeReport:
    """What re-geocoding stored events did."""

    checked: int = 0
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    manual_kept: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def regeocode_events(
    geocoder: Geocoder,
    campaign: Campaign | None = None,
    progress: Callable[[int], None] | None = None,
) -> RegeocodeReport:
    """Place stored events again with the current geocoder, keeping manual corrections."""

    report = RegeocodeReport()
    query = select(Event).order_by(Event.id)
    if campaign is not None:
        query = query.where(Event.campaign_id == campaign.id)
    answers: dict[str, Place | None] = {}
    try:
        for event in db.session.scalars(query):
            report.checked += 1
            label = f"{event.campaign.slug}/{event.slug}"
            if event.geocode_source == "manual":
                report.manual_kept.append(label)
            else:
                if event.location_text not in answers:
                    answers[event.location_text] = geocoder.lookup(event.location_text)
                place = answers[event.location_text]
                if place is None:
                    report.not_found.append(label)  # the stored point, if any, stays
                else:
                    values = _point_values(point_from_place(place))
                    # a new confidence alone is not a move
                    event.geocode_confidence = values.pop("geocode_confidence")
                    if _assign(event, values):
                        report.moved.append(label)
                    else:
                        report.unchanged += 1
            if progress is not None:
                progress(1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info(
        "re-geocoded %d event(s): %d moved, %d unchanged, %d manual kept, %d not found",
        report.checked,
        len(report.moved),
        report.unchanged,
        len(report.manual_kept),
        len(report.not_found),
    )
    return report


def _point_values(point: PointData | None) -> dict[str, Any]:
    """Map a point (or none) to an event's point attributes."""
    return {
        "latitude": point.latitude if point else None,
        "longitude": point.longitude if point else None,
        "precision": point.precision if point else None,
        "country_code": point.country_code if point else None,
        "region": point.region if point else None,
        "place_name": point.place_name if point else None,
        "timezone": point.timezone if point else None,
        "geocode_source": point.source if point else None,
        "geocode_confidence": point.confidence if point else None,
    }


def restore_database(
    stream: IO[bytes],
    *,
    replace: bool = False,
    source: str = "",
    progress: backup.StartProgress | None = None,
) -> RestoreReport:
    """Replace the database's rows with a backup's, all or nothing, and note it in the audit log.

    Refused (BackupError, nothing written) when the file is not a sound backup, when its schema
    revision is not the database's, or when the database holds data and `replace` is false.
    With `replace`, the old rows are deleted in the same transaction as the new ones arrive, so
    a restore that fails halfway leaves the database as it was.
    """
    reader = backup.BackupReader(stream)
    manifest = reader.manifest
    try:
        connection = db.session.connection()
        backup.check_revision(connection, manifest)
        backup.lock_for_restore(connection)
        existing = backup.data_rows(connection)
        if existing and not replace:
            held = ", ".join(f"{name}: {count}" for name, count in existing.items())
            raise backup.BackupError(
                f"the database is not empty ({held}): restore into an empty database, or pass"
                " --replace to delete everything in it first (in the same transaction)"
            )
        before = backup.version_value(connection)
        deleted = backup.empty_tables(connection)
        advance = progress(manifest.total_rows) if progress is not None else None
        loaded = backup.load(connection, reader, advance)
        raised = backup.keep_version_ahead(connection, before)
        backup.reset_sequences(connection)
        record(
            "cli",
            "database-restored",
            None,
            source=source or None,
            backup_created_at=manifest.created_at,
            backup_app_version=manifest.app_version,
            backup_dialect=manifest.dialect,
            schema_revision=manifest.schema_revision,
            rows=sum(loaded.values()),
            rows_replaced=deleted if replace else None,
        )
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise backup.BackupError(
            f"the database refused the backup's rows ({reason}); nothing was restored"
        ) from exc
    except BaseException:
        db.session.rollback()
        raise
    logger.info(
        "restored %d row(s) from %s (made %s by eventmap %s on %s, revision %s);"
        " %d row(s) replaced%s",
        sum(loaded.values()),
        source or "a backup",
        manifest.created_at,
        manifest.app_version,
        manifest.dialect,
        manifest.schema_revision,
        deleted if replace else 0,
        "; data version raised past the old one" if raised else "",
    )
    return RestoreReport(manifest, loaded, deleted if replace else 0, raised)


# "I'm going" -------------------------------------------------------------------------------


class RsvpRefusedError(Exception):
    """An answer cannot be taken or changed; the message says why, to the person answering."""

    def __init__(self, message: Message) -> None:
        """Keep the message, to be translated for the person answering."""
        super().__init__(str(message))
        self.message = message


@dataclass
class RsvpRequest:
    """What a visitor asked: the answer stored (new, or theirs already), and its new link."""

    rsvp: Rsvp
    token: str
    created: bool


def _tally_row(event_id: int, position: int) -> None:
    """Make sure the occurrence has a tally row to count (and lock) on; a no-op when it has."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    db.session.execute(
        module.insert(RsvpTally)
        .values(event_id=event_id, position=position, going=0)
        .on_conflict_do_nothing(index_elements=[RsvpTally.event_id, RsvpTally.position])
    )


def _take_seats(rsvp: Rsvp, people: int) -> bool:
    """Add people to the occurrence's tally if they fit its capacity; tell whether they did.

    One conditional UPDATE: on PostgreSQL it locks the tally row and re-checks the condition
    after any concurrent writer, on SQLite it takes the write lock; so concurrent answers can
    never take more seats than there are.
    """
    _tally_row(rsvp.event_id, rsvp.position)
    capacity = rsvp.event.rsvp_capacity
    condition = and_(RsvpTally.event_id == rsvp.event_id, RsvpTally.position == rsvp.position)
    if capacity is not None:
        condition = and_(condition, RsvpTally.going + people <= capacity)
    result = db.session.execute(
        update(RsvpTally).where(condition).values(going=RsvpTally.going + people),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _free_seats(rsvp: Rsvp, people: int) -> None:
    """Give back seats of the occurrence's tally."""
    _tally_row(rsvp.event_id, rsvp.position)
    db.session.execute(
        update(RsvpTally)
        .where(RsvpTally.event_id == rsvp.event_id, RsvpTally.position == rsvp.position)
        .values(going=RsvpTally.going - people),
        execution_options={"synchronize_session": False},
    )


def _promote(event: Event, position: int, now: datetime) -> list[Rsvp]:
    """Seat waiting people in the order they confirmed, each one who fits; return them."""
    if event.rsvp_closed:
        return []
    waiting = db.session.scalars(
        select(Rsvp)
        .where(
            Rsvp.event_id == event.id,
            Rsvp.position == position,
            Rsvp.status == RsvpStatus.WAITLIST,
        )
        .order_by(Rsvp.confirmed_at, Rsvp.id)
    ).all()
    promoted = []
    for rsvp in waiting:
        if _take_seats(rsvp, rsvp.people):
            rsvp.status = RsvpStatus.GOING
            promoted.append(rsvp)
            record("system", "rsvp-promoted", event, rsvp=rsvp.id, people=rsvp.people)
    return promoted


def _mail_promoted(promoted: list[Rsvp]) -> None:
    """Tell each person seated from the waitlist (after the commit; mail never raises)."""
    from .rsvp_mail import send_rsvp_promoted

    for rsvp in promoted:
        logger.info("rsvp %d for %s moved up from the waitlist", rsvp.id, _label(rsvp.event))
        send_rsvp_promoted(rsvp)


def request_rsvp(
    event: Event,
    position: int,
    name: str | None,
    email: str,
    people: int,
    note: str | None,
    locale: str | None = None,
) -> RsvpRequest:
    """Store an unconfirmed answer, or give the address's answer a new link to be sent again.

    One answer per address and occurrence: asking again re-sends the confirmation (with a new
    private link: only its hash is kept, so the old one cannot be sent), and an unconfirmed or
    cancelled answer takes the new details. `locale` is the language the visitor answered in:
    every later message to them is written in it.
    """
    from .rsvps import email_key
    from .submissions import new_edit_token

    if event.rsvp_closed:
        raise RsvpRefusedError(N_("The organizer has closed the answers for this party."))
    key = email_key(email)
    token, token_hash = new_edit_token()
    existing = _rsvp_of(event, position, key)
    created = existing is None
    if existing is None:
        rsvp = Rsvp(
            event_id=event.id,
            position=position,
            name=name,
            email=email,
            email_key=key,
            people=people,
            note=note,
            status=RsvpStatus.UNCONFIRMED,
            token_hash=token_hash,
            locale=locale,
        )
        try:
            with db.session.begin_nested():
                db.session.add(rsvp)
        except IntegrityError:
            # The same address answered in a concurrent request: that answer is theirs.
            existing = _rsvp_of(event, position, key)
            if existing is None:
                raise
            created = False
    if existing is not None:
        rsvp = existing
        rsvp.token_hash = token_hash
        rsvp.locale = locale or rsvp.locale
        if rsvp.status in (RsvpStatus.UNCONFIRMED, RsvpStatus.CANCELLED):
            rsvp.name, rsvp.email, rsvp.people, rsvp.note = name, email, people, note
            if rsvp.status == RsvpStatus.CANCELLED:
                rsvp.status, rsvp.cancelled_at = RsvpStatus.UNCONFIRMED, None
            rsvp.created_at = utcnow()  # a new 48 hours to confirm in
    record(
        "visitor",
        "rsvp-requested" if created else "rsvp-requested-again",
        event,
        position=position,
        people=people,
    )
    db.session.commit()
    logger.info("rsvp %d for %s requested%s", rsvp.id, _label(event), "" if created else " again")
    return RsvpRequest(rsvp, token, created)


def _rsvp_of(event: Event, position: int, key: str) -> Rsvp | None:
    """Return the answer an address gave for an occurrence, if any."""
    return db.session.scalar(
        select(Rsvp).where(
            Rsvp.event_id == event.id, Rsvp.position == position, Rsvp.email_key == key
        )
    )


def confirm_rsvp(rsvp: Rsvp, now: datetime | None = None) -> RsvpStatus:
    """Confirm an answer's address: it is going if there is room, else on the waitlist.

    A cancelled answer confirmed again joins again the same way. Raises RsvpRefusedError when the
    48 hours to confirm in have passed or the organizer closed the answers.
    """
    from .rsvps import is_expired

    now = now or utcnow()
    if rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
        return rsvp.status
    if is_expired(rsvp, now):
        raise RsvpRefusedError(
            N_(
                "This confirmation link has expired (it is valid for 48 hours). Answer again on"
                " the party's page."
            )
        )
    if rsvp.event.status != EventStatus.APPROVED:
        raise RsvpRefusedError(N_("This party is not (or no longer) on the map."))
    if rsvp.event.rsvp_closed:
        raise RsvpRefusedError(N_("The organizer has closed the answers for this party."))
    seated = _take_seats(rsvp, rsvp.people)
    rsvp.status = RsvpStatus.GOING if seated else RsvpStatus.WAITLIST
    rsvp.confirmed_at, rsvp.cancelled_at = now, None
    record("visitor", "rsvp-confirmed", rsvp.event, rsvp=rsvp.id, status=rsvp.status.value)
    db.session.commit()
    logger.info("rsvp %d for %s confirmed: %s", rsvp.id, _label(rsvp.event), rsvp.status.value)
    return rsvp.status


def cancel_rsvp(rsvp: Rsvp, now: datetime | None = None) -> bool:
    """Cancel an answer; a seat it frees goes to the first on the waitlist who fits."""
    now = now or utcnow()
    if rsvp.status == RsvpStatus.CANCELLED:
        return False
    promoted = []
    if rsvp.status == RsvpStatus.GOING:
        _free_seats(rsvp, rsvp.people)
    previous = rsvp.status
    rsvp.status, rsvp.cancelled_at = RsvpStatus.CANCELLED, now
    if previous == RsvpStatus.GOING:
        db.session.flush()
        promoted = _promote(rsvp.event, rsvp.position, now)
    record("visitor", "rsvp-cancelled", rsvp.event, rsvp=rsvp.id, previous=previous.value)
    db.session.commit()
    logger.info("rsvp %d for %s cancelled", rsvp.id, _label(rsvp.event))
    _mail_promoted(promoted)
    return True


def change_rsvp(rsvp: Rsvp, name: str | None, people: int, note: str | None) -> list[str]:
    """Change an answer's details; return the fields changed.

    More people on a full party raise RsvpRefusedError and change nothing; fewer free seats for the
    waitlist.
    """
    changed = [
        field
        for field, value in (("name", name), ("people", people), ("note", note))
        if getattr(rsvp, field) != value
    ]
    if not changed:
        return []
    promoted: list[Rsvp] = []
    extra = people - rsvp.people
    if rsvp.status == RsvpStatus.GOING and extra > 0 and not _take_seats(rsvp, extra):
        db.session.rollback()
        raise RsvpRefusedError(
            N_(
                "There is no room for %(extra)s more: the party is full. Cancel and answer"
                " again to join the waitlist with more people.",
                extra=extra,
            )
        )
    rsvp.name, rsvp.people, rsvp.note = name, people, note
    if rsvp.status == RsvpStatus.GOING and extra < 0:
        _free_seats(rsvp, -extra)
        db.session.flush()
        promoted = _promote(rsvp.event, rsvp.position, utcnow())
    record("visitor", "rsvp-changed", rsvp.event, rsvp=rsvp.id, fields=changed)
    db.session.commit()
    _mail_promoted(promoted)
    return changed


def delete_rsvp(rsvp: Rsvp) -> None:
    """Delete an answer and everything it holds, at its person's request."""
    event, rsvp_id = rsvp.event, rsvp.id
    promoted: list[Rsvp] = []
    if rsvp.status == RsvpStatus.GOING:
        _free_seats(rsvp, rsvp.people)
    was_going = rsvp.status == RsvpStatus.GOING
    db.session.delete(rsvp)
    db.session.flush()
    if was_going:
        promoted = _promote(event, rsvp.position, utcnow())
    record("visitor", "rsvp-deleted", event, rsvp=rsvp_id)
    db.session.commit()
    logger.info("rsvp %d for %s deleted by its person", rsvp_id, _label(event))
    _mail_promoted(promoted)


def set_rsvp_options(
    event: Event, capacity: int | None, closed: bool, *, actor: str = "organizer"
) -> bool:
    """Set how many people may come and whether answers are closed; seat waiting people when
    there is room again."""
    if event.rsvp_capacity == capacity and event.rsvp_closed == closed:
        return False
    previous = (event.rsvp_capacity, event.rsvp_closed)
    event.rsvp_capacity, event.rsvp_closed = capacity, closed
    db.session.flush()
    promoted: list[Rsvp] = []
    from .rsvps import positions

    for position in positions(event):
        promoted += _promote(event, position, utcnow())
    record(
        actor,
        "rsvp-options",
        event,
        capacity=capacity,
        closed=closed,
        previous={"capacity": previous[0], "closed": previous[1]},
    )
    db.session.commit()
    logger.info(
        "%s set answers of %s: capacity %s, closed %s", actor, _label(event), capacity, closed
    )
    _mail_promoted(promoted)
    return True


def claim_reminder(rsvp: Rsvp, now: datetime) -> bool:
    """Mark an answer as reminded, unless another run did; tell whether this run may send."""
    result = db.session.execute(
        update(Rsvp).where(Rsvp.id == rsvp.id, Rsvp.reminded_at.is_(None)).values(reminded_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_reminder(rsvp: Rsvp) -> None:
    """Forget a claimed reminder that could not be sent, so the next run tries again."""
    db.session.execute(
        update(Rsvp).where(Rsvp.id == rsvp.id).values(reminded_at=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def claim_summary(event: Event, now: datetime) -> bool:
    """Mark an event's organizer summary as sent, unless another run did; tell whether to send."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.rsvp_summary_sent_at.is_(None))
        # updated_at stays: the summary changes nothing a visitor sees
        .values(rsvp_summary_sent_at=now, updated_at=Event.updated_at),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def expire_unconfirmed(now: datetime) -> int:
    """Delete answers never confirmed within 48 hours; return how many."""
    from .rsvps import UNCONFIRMED_FOR

    result = db.session.execute(
        delete(Rsvp).where(
            Rsvp.status == RsvpStatus.UNCONFIRMED, Rsvp.created_at <= now - UNCONFIRMED_FOR
        ),
        execution_options={"synchronize_session": False},
    )
    expired = result.rowcount  # type: ignore[attr-defined]
    if expired:
        record("cli", "rsvps-expired", None, count=expired)
    db.session.commit()
    if expired:
        logger.info("%d unconfirmed answer(s) expired", expired)
    return expired


@dataclass
class PurgeReport:
    """What purging attendees' data did."""

    expired: int = 0
    anonymised: int = 0
    deleted: int = 0


def purge_attendees(now: datetime, days: int) -> PurgeReport:
    """Delete attendees' names, addresses and notes `days` after their party's last day.

    Answers still going or waiting keep their count (so "23 went" stays true); cancelled ones
    are deleted whole. Unconfirmed answers past their 48 hours are deleted too.
    """
    report = PurgeReport(expired=expire_unconfirmed(now))
    cutoff = (now - timedelta(days=days)).date()
    over = select(Event.id).where(Event.end_date.is_not(None), Event.end_date < cutoff)
    report.deleted = db.session.execute(
        delete(Rsvp).where(
            Rsvp.event_id.in_(over),
            or_(Rsvp.status == RsvpStatus.CANCELLED, Rsvp.status == RsvpStatus.UNCONFIRMED),
        ),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    report.anonymised = db.session.execute(
        update(Rsvp)
        .where(Rsvp.event_id.in_(over), Rsvp.purged_at.is_(None))
        .values(name=None, email=None, email_key=None, note=None, purged_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    if report.deleted or report.anonymised:
        record(
            "cli",
            "attendees-purged",
            None,
            anonymised=report.anonymised,
            deleted=report.deleted,
            days=days,
        )
    db.session.commit()
    logger.info(
        "attendees purged (%d days after the party): %d anonymised, %d deleted, %d expired",
        days,
        report.anonymised,
        report.deleted,
        report.expired,
    )
    return report


# Memories: photos after a party and the organizer's report ----------------------------------


@dataclass
class Upload:
    """One file as sent: its name and its bytes."""

    filename: str
    data: bytes


@dataclass
class PhotoUploadReport:
    """What an upload did: the photos stored, the private token that deletes them, and each
    refused file with the reason."""

    photos: list[Photo] = field(default_factory=list)
    token: str | None = None
    refused: list[tuple[str, Message]] = field(default_factory=list)


def _unshared_keys(photo: Photo) -> set[str]:
    """Return the file names of a photo that no other photo keeps."""
    return {key for key in photo.keys if db.session.scalar(Photo.sharing(key, photo.id)) is None}


def _remove_files(storage: PhotoStorage, keys: Iterable[str]) -> None:
    """Delete files from storage; a file that will not go is logged, never raised."""
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # an unreachable store must not undo the decision already committed
            logger.exception("photo file %s could not be deleted from storage", key)


def add_photos(
    event: Event,
    uploads: Iterable[Upload],
    caption: str,
    *,
    consent: bool,
    storage: PhotoStorage,
) -> PhotoUploadReport:
    """Store an upload's photos, waiting for approval, and return the token that deletes them.

    Each file is decoded and re-encoded (images.process_image); a file refused is named with
    its reason and the others are kept. A file's renditions are stored before its row is
    written; if storing or the commit fails, the files this call stored are removed again, so
    nothing is ever half-written.
    """
    from .images import ImageRejected, process_image
    from .models import PHOTO_FORMATS, PHOTO_SIZES, key_column
    from .submissions import new_edit_token

    if not consent:
        raise ValueError("an upload needs the uploader's consent")
    report = PhotoUploadReport()
    processed = []
    for upload in uploads:
        try:
            processed.append(process_image(upload.data, upload.filename))
        except ImageRejected as rejected:
            report.refused.append((upload.filename, rejected.text))
    if not processed:
        return report
    token, token_hash = new_edit_token()
    stored: list[str] = []
    try:
        for image in processed:
            values: dict[str, Any] = {}
            sizes: dict[str, list[int]] = {}
            for size in PHOTO_SIZES:
                for format in PHOTO_FORMATS:
                    rendition = image.rendition(size, format)
                    if not storage.exists(rendition.key):
                        storage.put(rendition.key, rendition.data, rendition.content_type)
                        stored.append(rendition.key)
                    values[key_column(size, format)] = rendition.key
                    sizes[size] = [rendition.width, rendition.height]
            full = image.rendition("full", "jpeg")
            photo = Photo(
                event=event,
                caption=caption,
                consent=True,
                delete_token_hash=token_hash,
                status=PhotoStatus.PENDING,
                width=full.width,
                height=full.height,
                sizes=sizes,
                **values,
            )
            db.session.add(photo)
            report.photos.append(photo)
        db.session.flush()
        record("visitor", "photos-added", event, photos=[p.id for p in report.photos])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove_files(storage, (key for key in stored if not _kept_elsewhere(key)))
        raise
    report.token = token
    logger.info("%d photo(s) added to %s", len(report.photos), _label(event))
    return report


def _kept_elsewhere(key: str) -> bool:
    """Tell whether any stored photo keeps a file of this name."""
    return db.session.scalar(Photo.sharing(key, 0)) is not None


def decide_photos(
    photos: Iterable[Photo],
    status: PhotoStatus,
    *,
    actor: str,
    reason: str | None = None,
) -> int:
    """Publish or reject photos (each decision audited); return how many changed."""
    if status == PhotoStatus.PENDING:
        raise ValueError("a decision publishes or rejects")
    changed = 0
    now = utcnow()
    for photo in photos:
        if photo.status == status and (reason is None or photo.rejection_reason == reason):
            continue
        previous = photo.status
        photo.status = status
        photo.rejection_reason = reason if status == PhotoStatus.REJECTED else None
        photo.decided_at = now
        record(
            actor,
            f"photo-{status.value}",
            photo.event,
            photo=photo.id,
            previous=previous.value,
            reason=reason if status == PhotoStatus.REJECTED else None,
        )
        changed += 1
    if changed:
        db.session.commit()
        logger.info("%s: %d photo(s) now %s", actor, changed, status.value)
    return changed


def report_photo(photo: Photo) -> bool:
    """Take a published photo back to the moderators' queue at a visitor's report."""
    if photo.status != PhotoStatus.PUBLISHED:
        return False
    photo.status = PhotoStatus.PENDING
    photo.reported_count += 1
    photo.reported_at = utcnow()
    record("visitor", "photo-reported", photo.event, photo=photo.id)
    db.session.commit()
    logger.info("photo %d of %s reported", photo.id, _label(photo.event))
    return True


def delete_photo(photo: Photo, *, actor: str, storage: PhotoStorage) -> None:
    """Delete a photo and its files (those no other photo keeps), for real."""
    event, photo_id = photo.event, photo.id
    keys = _unshared_keys(photo)
    db.session.delete(photo)
    record(actor, "photo-deleted", event, photo=photo_id)
    db.session.commit()
    _remove_files(storage, keys)
    logger.info("%s deleted photo %d of %s (%d files)", actor, photo_id, _label(event), len(keys))


def save_report(
    event: Event,
    attendance: int | None,
    words: str,
    links: list[str],
    *,
    actor: str = "organizer",
) -> list[str]:
    """Save the organizer's report after the party; return the fields that changed."""
    from .rules import report_problem

    problem = report_problem(attendance, words, links)
    if problem is not None:
        raise ValueError(problem)
    report = db.session.get(EventReport, event.id)
    if report is None:
        report = EventReport(event_id=event.id, attendance=None, words="", links=[])
        db.session.add(report)
    changed = [
        name
        for name, value in (("attendance", attendance), ("words", words), ("links", links))
        if getattr(report, name) != value
    ]
    if not changed:
        db.session.rollback()
        return []
    report.attendance, report.words, report.links = attendance, words, list(links)
    record(actor, "report-saved", event, fields=changed)
    db.session.commit()
    logger.info("%s saved the report of %s: %s", actor, _label(event), ", ".join(changed))
    return changed
