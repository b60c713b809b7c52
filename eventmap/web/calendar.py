"""Calendar pages (month, week, agenda) and the iCalendar and Atom feeds of a campaign."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, render_template

from ..calendars import (
    default_month,
    feed_events,
    ical_calendar,
    ical_calendar_pieces,
    month_grid,
    occurrences,
    stage,
    week_days,
)
from ..extensions import db
from ..feeds import atom_feed
from ..models import Campaign, Event
from ..urls import campaign_url, event_url_builder, public_url
from .collection_cache import serve_collection
from .params import FIRST_DAY, LAST_DAY, day_arg, month_arg

bp = Blueprint("calendar", __name__)

ICALENDAR = "text/calendar; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def _events(campaign: Campaign) -> list[Event]:
    """Return the campaign's public events."""
    return list(db.session.scalars(Event.approved(campaign)))


def _today() -> date:
    """Return today's date in UTC, the calendar's own clock (each party uses its zone)."""
    return datetime.now(UTC).date()


def _within(day: date | None) -> date | None:
    """Return a day the calendar pages accept as a parameter, or None for no link to it."""
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def _months_around(first: date) -> tuple[date | None, date | None]:
    """Return the first days of the months before and after, None past the calendar's ends."""
    before = first.toordinal() - 1
    previous = date.fromordinal(before).replace(day=1) if before >= 1 else None
    after = first.toordinal() + 31
    following = date.fromordinal(after).replace(day=1) if after <= LAST_DAY.toordinal() else None
    return _within(previous), _within(following)


def _weeks_around(monday: date) -> tuple[date | None, date | None]:
    """Return the Mondays before and after, None past the calendar's ends."""
    before, after = monday.toordinal() - 7, monday.toordinal() + 7
    previous = date.fromordinal(before) if before >= 1 else None
    following = date.fromordinal(after) if after <= LAST_DAY.toordinal() else None
    return _within(previous), _within(following)


def _calendar_page(
    template: str, campaign: Campaign, events: list[Event], **context: object
) -> str:
    """Render a calendar view with what every view shows: the TBD parties, today, the stage."""
    return render_template(
        template,
        campaign=campaign,
        tbd=[e for e in events if e.start_date is None],
        today=_today(),
        stage=stage,
        **context,
    )


@bp.get("/<campaign_slug>/calendar")
def month(campaign_slug: str) -> str:
    """Show one month with every party on its days; TBD parties listed apart."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    events = _events(campaign)
    found = occurrences(events)
    first = month_arg("month", None) or default_month(campaign, found, _today())
    previous, following = _months_around(first)
    return _calendar_page(
        "calendar_month.html",
        campaign,
        events,
        first=first,
        weeks=month_grid(first.year, first.month, found),
        previous=previous,
        following=following,
    )


@bp.get("/<campaign_slug>/calendar/week")
def week(campaign_slug: str) -> str:
    """Show the seven days of one week (Monday first) with their parties."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    events = _events(campaign)
    found = occurrences(events)
    fallback = found[0].start if found else _today()
    if campaign.anniversary:
        fallback = campaign.anniversary
    day = day_arg("day", fallback)
    monday = day - timedelta(days=day.weekday())  # 0001-01-01 is a Monday: never too early
    previous, following = _weeks_around(monday)
    return _calendar_page(
        "calendar_week.html",
        campaign,
        events,
        monday=monday,
        days=week_days(monday, found),
        previous=previous,
        following=following,
    )


@bp.get("/<campaign_slug>/calendar/agenda")
def agenda(campaign_slug: str) -> str:
    """List every dated party (each part apart) in date order, then the TBD ones."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    events = _events(campaign)
    return _calendar_page(
        "calendar_agenda.html",
        campaign,
        events,
        found=occurrences(events),
    )


@bp.get("/<campaign_slug>/calendar.ics")
def campaign_ical(campaign_slug: str) -> Response:
    """Serve the campaign's iCalendar feed (subscribable as webcal://)."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    name = campaign.name + (f" #{campaign.hashtag}" if campaign.hashtag else "")

    def write() -> Iterator[bytes]:
        return ical_calendar_pieces(
            name,
            occurrences(feed_events(campaign)),
            event_url_builder(),
            current_app.config["PUBLIC_URL"],
            campaign.hashtag or None,
        )

    # Built once per version of the data; a calendar app's revalidation reads no events.
    return serve_collection(
        "ics", campaign.slug, ICALENDAR, write, headers=_disposition(f"{campaign.slug}.ics")
    )


@bp.get("/<campaign_slug>/<event_slug>.ics")
def event_ical(campaign_slug: str, event_slug: str) -> Response:
    """Serve one party as an iCalendar file (its parts as separate entries)."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    event = _public_event(campaign, event_slug)
    body = ical_calendar(
        event.title,
        occurrences([event]),
        event_url_builder(),
        current_app.config["PUBLIC_URL"],
        campaign.hashtag or None,
    )
    return _download(body, ICALENDAR, f"{campaign.slug}-{event.slug}.ics")


@bp.get("/<campaign_slug>/feed.atom")
def campaign_atom(campaign_slug: str) -> Response:
    """Serve the Atom feed of newly approved parties."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    body = atom_feed(
        campaign,
        _events(campaign),
        feed_url=public_url("calendar.campaign_atom", campaign_slug=campaign.slug),
        page_url=campaign_url(campaign, external=True),
        url_of=event_url_builder(),
    )
    return current_app.response_class(body, content_type=ATOM)


def _public_event(campaign: Campaign, slug: str) -> Event:
    """Return an approved event of the campaign or answer 404."""
    event = db.session.scalar(Event.public_by_slug(campaign, slug))
    if event is None:
        abort(404, description="This party is not (or no longer) on the calendar.")
    return event


def _download(body: bytes, content_type: str, filename: str) -> Response:
    """Answer a calendar file that browsers open and calendar apps subscribe to."""
    response = current_app.response_class(body, content_type=content_type)
    response.headers.update(_disposition(filename))
    return response


def _disposition(filename: str) -> dict[str, str]:
    """Return the header that lets browsers open a calendar file under its name."""
    return {"Content-Disposition": f'inline; filename="{filename}"'}
