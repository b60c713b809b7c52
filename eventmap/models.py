"""Campaigns, their events and the parts of multi-part events."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from .campaigns import year_of
from .extensions import db
from .geocoding import Place, Precision
from .i18n_messages import N_, Message
from .rules import MAX_LENGTHS, PHOTO_CAPTION_MAX, RSVP_MAX_PEOPLE


def utcnow() -> datetime:
    """Return the current time as an aware UTC timestamp for column defaults."""
    return datetime.now(UTC)


class EventStatus(enum.StrEnum):
    """Moderation state: only approved events are public."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Taken down by its organizer through the private edit link.
    WITHDRAWN = "withdrawn"


def _enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value as a portable VARCHAR with a CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Campaign(db.Model):
    """A celebration that many groups join, such as the OpenStack 6th birthday."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hashtag: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    anniversary: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    events: Mapped[list[Event]] = relationship(back_populates="campaign")

    @property
    def year(self) -> int:
        """Return the year that date phrases without one belong to."""
        year = year_of(self.anniversary, self.starts_on, self.ends_on)
        if year is not None:
            return year
        return self.created_at.year if self.created_at else utcnow().year

    @classmethod
    def by_slug(cls, slug: str) -> Select[tuple[Campaign]]:
        """Select the campaign with this slug."""
        return select(cls).where(cls.slug == slug)

    @classmethod
    def by_hashtag(cls, hashtag: str) -> Select[tuple[Campaign]]:
        """Select the newest campaign with this hashtag, in any letter case, # or not."""
        wanted = hashtag.lstrip("#").lower()
        return (
            select(cls)
            .where(func.lower(cls.hashtag) == wanted)
            .order_by(cls.anniversary.desc(), cls.id.desc())
            .limit(1)
        )

    @staticmethod
    def not_found(slug: str) -> Message:
        """Say that no campaign has this slug, as every page and the API answer it."""
        return N_("There is no campaign called “%(slug)s”.", slug=slug)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


# One event per slug in a campaign: its address is /<campaign>/<slug>.
SLUG_CONSTRAINT = "uq_events_campaign_slug"


class Event(db.Model):
    """One party: where, when and who, with the text exactly as the organizer gave it."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("campaign_id", "slug", name=SLUG_CONSTRAINT),
        CheckConstraint(
            "(start_date IS NULL AND end_date IS NULL) OR "
            "(start_date IS NOT NULL AND end_date IS NOT NULL AND end_date >= start_date)",
            name="ck_events_dates",
        ),
        CheckConstraint(
            "(latitude IS NULL AND longitude IS NULL) OR "
            "(latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name="ck_events_point",
        ),
        # The spatial index of nearby search: a latitude band, then longitudes within it.
        Index("ix_events_latitude_longitude", "latitude", "longitude"),
        # The Atom feed's newest approvals of a campaign, read backwards: no sort of them all.
        Index("ix_events_campaign_approved_at", "campaign_id", "approved_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    location_text: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[Precision | None] = mapped_column(_enum(Precision, "precision"))
    country_code: Mapped[str | None] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(200))
    place_name: Mapped[str | None] = mapped_column(String(300))
    # "geocoder" when the point came from the geocoder, "manual" when a person set it.
    geocode_source: Mapped[str | None] = mapped_column(String(16))
    # The geocoder's confidence in the point it found (0-1); none when a person set it.
    geocode_confidence: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str | None] = mapped_column(String(64))
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    date_text: Mapped[str] = mapped_column(String(200), default="")
    # Local times of day, in the event's time zone; none for all-day parties.
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    # The language the organizer wrote the title and description in (a BCP 47 tag, rules.py);
    # none when not said. Pages mark the party's text with it; nothing is translated.
    language: Mapped[str | None] = mapped_column(String(35))
    # Organizer contact: for the campaign team only, never rendered on a public page.
    contact: Mapped[str | None] = mapped_column(String(300))
    organizer_name: Mapped[str | None] = mapped_column(String(200))
    organizer_email: Mapped[str | None] = mapped_column(String(254))
    # The language the organizer submitted in (a tag like pt_BR): their e-mail is written in
    # it. None for imported parties and those older than the translations: the site's default.
    organizer_locale: Mapped[str | None] = mapped_column(String(16))
    # SHA-256 of the organizer's private edit token; the token itself is never stored.
    edit_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # Why a moderator rejected it (told to the organizer), or why it was withdrawn.
    status_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "event_status"), default=EventStatus.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the event last became public; the Atom feed lists events by it.
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # "I'm going": how many people may come (none: no limit; beyond it, a waitlist), whether
    # the organizer closed the answers, and when the organizer's reminder summary went out.
    rsvp_capacity: Mapped[int | None] = mapped_column(Integer)
    rsvp_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    rsvp_summary_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship(back_populates="events")
    parts: Mapped[list[EventPart]] = relationship(
        back_populates="event",
        order_by="EventPart.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_placed(self) -> bool:
        """Tell whether the event has a point on the map."""
        return self.latitude is not None and self.longitude is not None

    @property
    def going(self) -> int:
        """Return how many people are confirmed going (the busiest part): a count, no names."""
        if self.id is None:
            return 0
        count = db.session.scalar(
            select(func.max(RsvpTally.going)).where(RsvpTally.event_id == self.id)
        )
        return count or 0

    @classmethod
    def approved(cls, campaign: Campaign | None = None) -> Select[tuple[Event]]:
        """Select public events, dated ones by date then TBD ones, optionally of one campaign."""
        query = (
            select(cls)
            .where(cls.status == EventStatus.APPROVED)
            .options(selectinload(cls.parts), joinedload(cls.campaign))
        )
        if campaign is not None:
            query = query.where(cls.campaign_id == campaign.id)
        return query.order_by(
            cls.start_date.is_(None), cls.start_date, cls.end_date, cls.title, cls.id
        )

    @classmethod
    def newest_approved(cls, campaign: Campaign, limit: int) -> Select[tuple[Event]]:
        """Select a campaign's `limit` most recently approved public events, newest first."""
        return (
            select(cls)
            .where(
                cls.campaign_id == campaign.id,
                cls.status == EventStatus.APPROVED,
                cls.approved_at.is_not(None),
            )
            .options(selectinload(cls.parts))
            .order_by(cls.approved_at.desc(), cls.id.desc())
            .limit(limit)
        )

    @classmethod
    def public_by_slug(cls, campaign: Campaign, slug: str) -> Select[tuple[Event]]:
        """Select one approved event of a campaign by its slug."""
        return select(cls).where(
            cls.campaign_id == campaign.id, cls.slug == slug, cls.status == EventStatus.APPROVED
        )

    @classmethod
    def pending(cls, campaign: Campaign | None = None) -> Select[tuple[Event]]:
        """Select events waiting for a moderator, oldest submission first."""
        query = (
            select(cls)
            .where(cls.status == EventStatus.PENDING)
            .options(joinedload(cls.campaign), selectinload(cls.parts))
        )
        if campaign is not None:
            query = query.where(cls.campaign_id == campaign.id)
        return query.order_by(cls.created_at, cls.id)

    @classmethod
    def same_days(cls, event: Event) -> Select[tuple[Event]]:
        """Select the other pending or public events of its campaign on overlapping days.

        An event still to be announced is compared with the others still to be announced.
        """
        query = select(cls).where(
            cls.campaign_id == event.campaign_id,
            cls.id != event.id,
            cls.status.in_((EventStatus.PENDING, EventStatus.APPROVED)),
        )
        if event.start_date is None or event.end_date is None:
            query = query.where(cls.start_date.is_(None))
        else:
            query = query.where(cls.start_date <= event.end_date, cls.end_date >= event.start_date)
        return query.order_by(cls.id)

    @classmethod
    def for_moderators(
        cls,
        status: EventStatus | None = None,
        campaign: Campaign | None = None,
        text: str = "",
    ) -> Select[tuple[Event]]:
        """Select events of every status, newest first, narrowed by status, campaign or text.

        The text is looked for, case-insensitively, in the title, the place and the venue.
        """
        query = select(cls).options(joinedload(cls.campaign))
        if status is not None:
            query = query.where(cls.status == status)
        if campaign is not None:
            query = query.where(cls.campaign_id == campaign.id)
        text = text.strip()
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    cls.title.ilike(pattern, escape="\\"),
                    cls.location_text.ilike(pattern, escape="\\"),
                    cls.venue.ilike(pattern, escape="\\"),
                )
            )
        return query.order_by(cls.created_at.desc(), cls.id.desc())

    @classmethod
    def by_edit_token_hash(cls, token_hash: str) -> Select[tuple[Event]]:
        """Select the event an organizer's private link opens."""
        return select(cls).where(cls.edit_token_hash == token_hash)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class RsvpStatus(enum.StrEnum):
    """Where an answer stands: only confirmed answers count, on the list or the waitlist."""

    UNCONFIRMED = "unconfirmed"
    GOING = "going"
    WAITLIST = "waitlist"
    CANCELLED = "cancelled"


class Rsvp(db.Model):
    """One "I'm going" for one occurrence of a party (position 0, or the part's position).

    The name, address and note are for the organizer only and are emptied some days after
    the party (operations.purge_attendees); the count they added stays.
    """

    __tablename__ = "rsvps"
    __table_args__ = (
        # One answer per address and occurrence; NULL (a purged address) never collides.
        UniqueConstraint("event_id", "position", "email_key", name="uq_rsvps_address"),
        CheckConstraint(f"people BETWEEN 1 AND {RSVP_MAX_PEOPLE}", name="ck_rsvps_people"),
        Index("ix_rsvps_event_position_status", "event_id", "position", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(MAX_LENGTHS["attendee_name"]))
    email: Mapped[str | None] = mapped_column(String(MAX_LENGTHS["attendee_email"]))
    # The address case-folded: what makes two answers the same person's.
    email_key: Mapped[str | None] = mapped_column(String(MAX_LENGTHS["attendee_email"]))
    people: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(String(MAX_LENGTHS["attendee_note"]))
    # The language the visitor answered in: every message to them is written in it.
    locale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[RsvpStatus] = mapped_column(
        _enum(RsvpStatus, "rsvp_status"), default=RsvpStatus.UNCONFIRMED
    )
    # SHA-256 of the private link's token, like an organizer's edit link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the address was confirmed: the waitlist's order.
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the reminder was sent: it is sent once.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the name, address and note were deleted after the party.
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event] = relationship()

    @property
    def counted(self) -> bool:
        """Tell whether this answer adds to the public "going" count."""
        return self.status == RsvpStatus.GOING

    def __repr__(self) -> str:
        return f"<Rsvp {self.id} {self.status.value} for event {self.event_id}#{self.position}>"


class RsvpTally(db.Model):
    """How many people are going to one occurrence of a party: one row to lock and count on.

    A confirmation adds its people with one conditional UPDATE (only while they fit the
    capacity), so concurrent confirmations can never overfill a party on either database.
    """

    __tablename__ = "rsvp_tallies"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    going: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<RsvpTally {self.event_id}#{self.position}: {self.going}>"


class PhotoStatus(enum.StrEnum):
    """Where a photo stands: only published photos are shown."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


# The sizes and formats every photo is kept in (see images.py), and the column of each key.
PHOTO_SIZES = ("thumb", "page", "full")
PHOTO_FORMATS = ("webp", "jpeg")


def key_column(size: str, format: str) -> str:
    """Name the column that holds the file name of one size in one format."""
    return f"{size}_{format}"


class Photo(db.Model):
    """One picture of a party, re-encoded by the server; its files are named by their content.

    The uploader's private link deletes it; its token is kept only as a hash, shared by the
    photos of one upload.
    """

    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_event_status", "event_id", "status"),
        # The memories wall and the feed: published photos, newest decision first.
        Index("ix_photos_status_decided_at", "status", "decided_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(String(PHOTO_CAPTION_MAX), default="")
    # "I took this or may share it, and the people in it agreed": ticked, or no upload.
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_token_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[PhotoStatus] = mapped_column(
        _enum(PhotoStatus, "photo_status"), default=PhotoStatus.PENDING
    )
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reported_count: Mapped[int] = mapped_column(Integer, default=0)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The full view's size; each rendition's own size is in `sizes` ({"thumb": [w, h], ...}).
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sizes: Mapped[dict] = mapped_column(JSON, default=dict)
    thumb_webp: Mapped[str] = mapped_column(String(80), index=True)
    thumb_jpeg: Mapped[str] = mapped_column(String(80))
    page_webp: Mapped[str] = mapped_column(String(80))
    page_jpeg: Mapped[str] = mapped_column(String(80))
    full_webp: Mapped[str] = mapped_column(String(80))
    full_jpeg: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When it was last published or rejected.
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event] = relationship()

    def key(self, size: str, format: str) -> str:
        """Return the file name of one size in one format."""
        return getattr(self, key_column(size, format))

    @property
    def keys(self) -> set[str]:
        """Return the file names of every rendition."""
        return {self.key(s, f) for s in PHOTO_SIZES for f in PHOTO_FORMATS}

    def dimensions(self, size: str) -> tuple[int, int]:
        """Return the width and height of one size."""
        width, height = (self.sizes or {}).get(size) or (self.width, self.height)
        return int(width), int(height)

    @classmethod
    def published_of(cls, event: Event) -> Select[tuple[Photo]]:
        """Select an event's published photos, in the order they were published."""
        return (
            select(cls)
            .where(cls.event_id == event.id, cls.status == PhotoStatus.PUBLISHED)
            .order_by(cls.decided_at, cls.id)
        )

    @classmethod
    def pending_of(cls, event: Event) -> Select[tuple[Photo]]:
        """Select an event's photos waiting for a decision, oldest first."""
        return (
            select(cls)
            .where(cls.event_id == event.id, cls.status == PhotoStatus.PENDING)
            .order_by(cls.created_at, cls.id)
        )

    @classmethod
    def pending(cls, campaign: Campaign | None = None) -> Select[tuple[Photo]]:
        """Select photos waiting for a moderator: reported ones first, then oldest first."""
        query = (
            select(cls)
            .where(cls.status == PhotoStatus.PENDING)
            .options(joinedload(cls.event).joinedload(Event.campaign))
        )
        if campaign is not None:
            query = query.join(Event, Event.id == cls.event_id).where(
                Event.campaign_id == campaign.id
            )
        return query.order_by(cls.reported_count.desc(), cls.created_at, cls.id)

    @classmethod
    def wall(cls, campaign: Campaign, country: str | None = None) -> Select[tuple[Photo]]:
        """Select a campaign's published photos of public parties, newest first."""
        query = (
            select(cls)
            .join(Event, Event.id == cls.event_id)
            .where(
                cls.status == PhotoStatus.PUBLISHED,
                Event.campaign_id == campaign.id,
                Event.status == EventStatus.APPROVED,
            )
            .options(joinedload(cls.event))
        )
        if country:
            query = query.where(Event.country_code == country)
        return query.order_by(cls.decided_at.desc(), cls.id.desc())

    @classmethod
    def by_delete_token_hash(cls, token_hash: str) -> Select[tuple[Photo]]:
        """Select the photos of the upload an uploader's private link opens."""
        return select(cls).where(cls.delete_token_hash == token_hash).order_by(cls.id)

    @classmethod
    def sharing(cls, key: str, but: int) -> Select[tuple[int]]:
        """Select the ids of other photos that keep a file of this name."""
        columns = [getattr(cls, key_column(s, f)) for s in PHOTO_SIZES for f in PHOTO_FORMATS]
        return select(cls.id).where(cls.id != but, or_(*(c == key for c in columns))).limit(1)

    def __repr__(self) -> str:
        return f"<Photo {self.id} {self.status.value} of event {self.event_id}>"


class EventReport(db.Model):
    """The organizer's report after the party: how many came, a few words, links."""

    __tablename__ = "event_reports"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    attendance: Mapped[int | None] = mapped_column(Integer)
    words: Mapped[str] = mapped_column(Text, default="")
    # Plain http(s) addresses (slides, videos, posts), shown as links, never embedded.
    links: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<EventReport of event {self.event_id}>"


class EventPart(db.Model):
    """One dated part of a multi-part event, such as tutorials before a launch party."""

    __tablename__ = "event_parts"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ck_event_parts_dates"),
        UniqueConstraint("event_id", "position", name="uq_event_parts_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    event: Mapped[Event] = relationship(back_populates="parts")

    def __repr__(self) -> str:
        return f"<EventPart {self.event_id}#{self.position}>"


class Admin(db.Model):
    """A member of the campaign team who moderates; the password is stored only as a hash."""

    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @classmethod
    def by_username(cls, username: str) -> Select[tuple[Admin]]:
        """Select the account with this user name."""
        return select(cls).where(cls.username == username)

    def __repr__(self) -> str:
        return f"<Admin {self.username}>"


class ModeratorSession(db.Model):
    """One signed-in browser of a moderator: its cookie holds a random id, this row its hash.

    Ending a session deletes its row, so a copy of the cookie is worth nothing afterwards.
    """

    __tablename__ = "moderator_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Written at most once a minute (auth.TOUCH_EVERY), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    admin: Mapped[Admin] = relationship(lazy="joined")

    @classmethod
    def expired(cls, now: datetime, idle: timedelta, lifetime: timedelta) -> ColumnElement[bool]:
        """Match sessions unused for `idle` or older than `lifetime`: the one expiry rule."""
        return or_(cls.last_seen_at <= now - idle, cls.created_at <= now - lifetime)

    def __repr__(self) -> str:
        return f"<ModeratorSession {self.id} of admin {self.admin_id}>"


class AuditEntry(db.Model):
    """Who did what to which event, and when: the moderation trail."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # "admin:<username>", "organizer", "import" or "cli".
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    # The event's campaign and slug at the time, kept when the event is later deleted.
    event_label: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    event: Mapped[Event | None] = relationship()

    @classmethod
    def newest(cls, event: Event | None = None) -> Select[tuple[AuditEntry]]:
        """Select entries newest first, optionally for one event."""
        query = select(cls).order_by(cls.at.desc(), cls.id.desc())
        if event is not None:
            query = query.where(cls.event_id == event.id)
        return query

    def __repr__(self) -> str:
        return f"<AuditEntry {self.actor} {self.action} {self.event_label}>"


class GeocodeAnswer(db.Model):
    """An online geocoder's answer for one place text (no point when it found nothing)."""

    __tablename__ = "geocode_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    query: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[Precision | None] = mapped_column(_enum(Precision, "geocode_precision"))
    country_code: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(500))
    confidence: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @classmethod
    def from_place(cls, key: str, query: str, place: Place | None, source: str) -> GeocodeAnswer:
        """Make a row for an answer, or for "not found" when place is None."""
        row = cls(key=key, query=query[:300], source=source)
        if place is not None:
            row.latitude, row.longitude = place.latitude, place.longitude
            row.precision, row.country_code = place.precision, place.country_code
            row.region = place.region[:200] if place.region else None
            row.display_name = place.display_name[:500]
            row.confidence, row.timezone = place.confidence, place.timezone
        return row

    def place(self, query: str) -> Place | None:
        """Return the stored answer as a Place, or None for a stored "not found"."""
        if self.latitude is None or self.longitude is None or self.precision is None:
            return None
        return Place(
            query=query,
            latitude=self.latitude,
            longitude=self.longitude,
            precision=self.precision,
            country_code=self.country_code,
            region=self.region,
            display_name=self.display_name or query,
            confidence=self.confidence if self.confidence is not None else 0.6,
            timezone=self.timezone,
        )

    def __repr__(self) -> str:
        return f"<GeocodeAnswer {self.key!r}>"


class DataVersion(db.Model):
    """The version of the public data: one row whose counter every write of events bumps.

    Caches of whole collections are keyed on it, so a revalidation reads this row and not
    the events (see versions.py).
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<DataVersion {self.value}>"
