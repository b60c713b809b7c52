"""Calendar pages (month, week, agenda) and the iCalendar and Atom feeds of a campaign."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request

from .calendars import (
    default_month,
    google_calendar_link,
    ical_calendar,
    month_grid,
    occurrences,
    stage,
    week_days,
)
from .extensions import db
from .feeds import atom_feed
from .models import Campaign, Event
from .urls import campaign_url, event_url_builder, public_url
from .views import campaign_or_404

bp = Blueprint("calendar", __name__)

ICALENDAR = "text/calendar; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _events(campaign: Campaign) -> list[Event]:
    """Return the campaign's public events."""
    return list(db.session.scalars(Event.approved(campaign)))


def _today() -> date:
    """Return today's date in UTC, the calendar's own clock (each party uses its zone)."""
    return datetime.now(UTC).date()


def _month_param(campaign: Campaign, found: list) -> date:
    """Read ?month=YYYY-MM, or open on the campaign's month."""
    text = request.args.get("month")
    if text is None:
        return default_month(campaign, found, _today())
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1 <= int(match.group(1)) <= 9998:
        abort(400, description=f"month={text!r} is not a month like 2016-07.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _day_param(name: str, default: date) -> date:
    """Read a YYYY-MM-DD parameter."""
    text = request.args.get(name)
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, description=f"{name}={text!r} is not a date like 2016-07-19.")


@bp.get("/<campaign_slug>/calendar")
def month(campaign_slug: str) -> str:
    """Show one month with every party on its days; TBD parties listed apart."""
    campaign = campaign_or_404(campaign_slug)
    events = _events(campaign)
    found = occurrences(events)
    first = _month_param(campaign, found)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template(
        "calendar_month.html",
        campaign=campaign,
        first=first,
        weeks=month_grid(first.year, first.month, found),
        previous=previous,
        following=following,
        tbd=[e for e in events if e.start_date is None],
        today=_today(),
        stage=stage,
    )


@bp.get("/<campaign_slug>/calendar/week")
def week(campaign_slug: str) -> str:
    """Show the seven days of one week (Monday first) with their parties."""
    campaign = campaign_or_404(campaign_slug)
    events = _events(campaign)
    found = occurrences(events)
    fallback = found[0].start if found else _today()
    if campaign.anniversary and not request.args.get("day"):
        fallback = campaign.anniversary
    day = _day_param("day", fallback)
    monday = day - timedelta(days=day.weekday())
    return render_template(
        "calendar_week.html",
        campaign=campaign,
        monday=monday,
        days=week_days(monday, found),
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        tbd=[e for e in events if e.start_date is None],
        today=_today(),
        stage=stage,
    )


@bp.get("/<campaign_slug>/calendar/agenda")
def agenda(campaign_slug: str) -> str:
    """List every dated party (each part apart) in date order, then the TBD ones."""
    campaign = campaign_or_404(campaign_slug)
    events = _events(campaign)
    return render_template(
        "calendar_agenda.html",
        campaign=campaign,
        found=occurrences(events),
        tbd=[e for e in events if e.start_date is None],
        today=_today(),
        stage=stage,
    )


@bp.get("/<campaign_slug>/calendar.ics")
def campaign_ical(campaign_slug: str) -> Response:
    """Serve the campaign's iCalendar feed (subscribable as webcal://)."""
    campaign = campaign_or_404(campaign_slug)
    name = campaign.name + (f" #{campaign.hashtag}" if campaign.hashtag else "")
    body = ical_calendar(
        name,
        occurrences(_events(campaign)),
        event_url_builder(),
        current_app.config["PUBLIC_URL"],
        campaign.hashtag or None,
    )
    return _download(body, ICALENDAR, f"{campaign.slug}.ics")


@bp.get("/<campaign_slug>/<event_slug>.ics")
def event_ical(campaign_slug: str, event_slug: str) -> Response:
    """Serve one party as an iCalendar file (its parts as separate entries)."""
    campaign = campaign_or_404(campaign_slug)
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
    campaign = campaign_or_404(campaign_slug)
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
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def add_to_calendar_links(event: Event) -> list[tuple[str, str]]:
    """Return (label, Google Calendar link) for each occurrence of an event."""
    url = event_url_builder()(event)
    return [(o.title, google_calendar_link(o, url)) for o in occurrences([event])]
