"""Calendar pages (month, week, agenda) and the iCalendar and Atom feeds of a campaign."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from ..calendars import (
    AGENDA_PAGE_SIZE,
    default_agenda_day,
    default_day,
    default_month,
    ical_calendar,
    month_grid,
    occurrences,
    stage,
    week_days,
    week_start,
)
from ..campaign_feed import campaign_feed_pieces
from ..dayindex import (
    DayIndex,
    day_index,
    fill_days,
    load_occurrences,
    undated_events,
    undated_summary,
)
from ..extensions import db
from ..feeds import FEED_ENTRIES, atom_feed
from ..models import Campaign, Event
from ..nearby import (
    AREA_FEED_RADIUS_KM,
    HALF_CIRCUMFERENCE_KM,
    MAX_QUERY,
    MIN_RADIUS_KM,
    PointError,
    parse_point,
    parties_within,
)
from ..rebuilds import Writer
from ..services import geocoder
from ..urls import campaign_url, event_url_builder, public_url
from .collection_cache import serve_collection
from .i18n import first_weekday
from .messages import translate
from .page_cache import cached_page
from .params import FIRST_DAY, LAST_DAY, MAX_PAGE, day_arg, month_arg, page_arg

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


def _calendar_page(template: str, campaign: Campaign, index: DayIndex, **context: object) -> str:
    """Render a calendar view with what each view shows: the first TBD parties, today, stage."""
    return render_template(
        template,
        campaign=campaign,
        tbd=undated_summary(index),
        today=_today(),
        stage=stage,
        **context,
    )


def _campaign(slug: str) -> Campaign:
    """Return the campaign with this slug or answer 404."""
    return db.first_or_404(Campaign.by_slug(slug), description=Campaign.not_found(slug))


@bp.get("/<campaign_slug>/calendar")
@cached_page
def month(campaign_slug: str) -> str:
    """Show one month, each day with its first parties and how many more; TBD ones apart."""
    campaign = _campaign(campaign_slug)
    index = day_index(campaign)
    first = month_arg("month", None) or default_month(campaign, index.first_day, _today())
    weeks = month_grid(first.year, first.month, first_weekday())
    fill_days(index, (cell for week in weeks for cell in week))
    previous, following = _months_around(first)
    return _calendar_page(
        "calendar_month.html",
        campaign,
        index,
        first=first,
        weeks=weeks,
        previous=previous,
        following=following,
    )


@bp.get("/<campaign_slug>/calendar/week")
@cached_page
def week(campaign_slug: str) -> str:
    """Show the seven days of one week (from the visitor's first weekday), with their parties."""
    campaign = _campaign(campaign_slug)
    index = day_index(campaign)
    day = day_arg("day", None) or default_day(campaign, index.first_day, _today())
    monday = week_start(day, first_weekday())  # the week's first day, a Sunday for some
    days = week_days(monday)
    fill_days(index, days)
    previous, following = _weeks_around(monday)
    return _calendar_page(
        "calendar_week.html",
        campaign,
        index,
        monday=monday,
        days=days,
        previous=previous,
        following=following,
    )


@bp.get("/<campaign_slug>/calendar/agenda")
@cached_page
def agenda(campaign_slug: str) -> str:
    """List the parties on a day and after it, a page at a time (each part apart).

    ?from=YYYY-MM-DD is the first day (those under way on it come first), ?page=N the page
    from it; without them the agenda starts today while the campaign is on, else on its
    first party's day.
    """
    campaign = _campaign(campaign_slug)
    index = day_index(campaign)
    first = day_arg("from", None) or default_agenda_day(campaign, index.first_day, _today())
    page = page_arg()
    chosen = index.from_day(first, (page - 1) * AGENDA_PAGE_SIZE, AGENDA_PAGE_SIZE)
    found = load_occurrences(index, chosen)
    total = index.count_from(first)
    pages = max(-(-total // AGENDA_PAGE_SIZE), 1)
    return _calendar_page(
        "calendar_agenda.html",
        campaign,
        index,
        first=first,
        found=[found[i] for i in chosen if i in found],
        page=page,
        pages=pages,
        page_size=AGENDA_PAGE_SIZE,
        total=total,
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < min(pages, MAX_PAGE) else None,
        earlier=_within(index.earlier_day(first, AGENDA_PAGE_SIZE)),
        link_from=_within(first),  # a stored party before 1900: the pages' links go without
    )


@bp.get("/<campaign_slug>/calendar/undated")
@cached_page
def undated(campaign_slug: str) -> str:
    """List the parties whose date is still to be announced, by title, a page at a time."""
    campaign = _campaign(campaign_slug)
    index = day_index(campaign)
    page = page_arg()
    total = len(index.undated)
    pages = max(-(-total // AGENDA_PAGE_SIZE), 1)
    return _calendar_page(
        "calendar_undated.html",
        campaign,
        index,
        events=undated_events(index, (page - 1) * AGENDA_PAGE_SIZE, AGENDA_PAGE_SIZE),
        page=page,
        pages=pages,
        page_size=AGENDA_PAGE_SIZE,
        total=total,
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < min(pages, MAX_PAGE) else None,
    )


@bp.get("/<campaign_slug>/calendar.ics")
def campaign_ical(campaign_slug: str) -> Response:
    """Serve the campaign's iCalendar feed (subscribable as webcal://)."""

    @functools.cache  # read once, and only when a body is to be sent
    def campaign() -> Campaign:
        return db.first_or_404(
            Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
        )

    if "near" in request.args or "q" in request.args:
        return _area_ical(campaign())

    def write(writer: Writer) -> Iterator[bytes]:
        return campaign_feed_pieces(
            campaign(),
            _feed_name(campaign()),
            event_url_builder(),
            current_app.config["PUBLIC_URL"],
            writer,
        )

    # Built once per version of the data; a calendar app's revalidation reads nothing else.
    return serve_collection(
        "ics",
        campaign_slug,
        ICALENDAR,
        write,
        headers=_disposition(f"{campaign_slug}.ics"),
        check=campaign,
        context="vevents",  # what else a VEVENT depends on is in its own key
    )


def _feed_name(campaign: Campaign) -> str:
    """Name a campaign's calendar as calendar apps list it."""
    return campaign.name + (f" #{campaign.hashtag}" if campaign.hashtag else "")


def _area_ical(campaign: Campaign) -> Response:
    """Answer the parties of one area as a calendar: small, so written for each request."""
    area = _area(campaign)
    assert area is not None  # asked for with near= or q=
    label, events = area
    body = ical_calendar(
        f"{_feed_name(campaign)} {label}",
        occurrences(events),
        event_url_builder(),
        current_app.config["PUBLIC_URL"],
        campaign.hashtag or None,
    )
    return _download(body, ICALENDAR, f"{campaign.slug}-nearby.ics")


def _area(campaign: Campaign) -> tuple[str, list[Event]] | None:
    """Read ?near=LAT,LON or ?q=PLACE with ?radius_km=: the parties of one area, or None.

    A visitor subscribes to the parties around them; the work is bounded by the area's
    party limit, never by the campaign's size.
    """
    near, query = request.args.get("near"), request.args.get("q")
    if near is None and query is None:
        return None
    if near is not None and query is not None:
        abort(400, description=_("Give near=LAT,LON or q=PLACE, not both."))
    radius = _area_radius()
    if near is not None:
        try:
            latitude, longitude = parse_point(near)
        except PointError as exc:
            abort(400, description=f"near {translate(exc.message)}")
        where = f"{latitude:.5f}, {longitude:.5f}"
    else:
        query = (query or "").strip()
        if not query or len(query) > MAX_QUERY:
            abort(
                400,
                description=_("q must be a place name of 1 to %(max)s characters.", max=MAX_QUERY),
            )
        place = geocoder().lookup(query)
        if place is None:
            abort(404, description=_("Could not find the place “%(place)s”.", place=query))
        latitude, longitude, where = place.latitude, place.longitude, place.display_name
    label = f"within {radius:,.0f} km of {where}"
    return label, parties_within(latitude, longitude, radius, campaign)


def _area_radius() -> float:
    """Read ?radius_km= of an area feed: a distance in kilometres, a day trip by default."""
    text = request.args.get("radius_km")
    if not text:
        return AREA_FEED_RADIUS_KM
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not MIN_RADIUS_KM <= value <= HALF_CIRCUMFERENCE_KM:
        abort(
            400,
            description=_(
                "radius_km must be a distance from %(low)s to %(high)s km.",
                low=f"{MIN_RADIUS_KM:g}",
                high=f"{HALF_CIRCUMFERENCE_KM:,.0f}",
            ),
        )
    return value


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
@cached_page
def campaign_atom(campaign_slug: str) -> Response:
    """Serve the Atom feed of newly approved parties."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    area = _area(campaign)
    if area is None:
        entries = db.session.scalars(Event.newest_approved(campaign, FEED_ENTRIES)).all()
    else:  # the newest of the area's parties
        entries = sorted(
            area[1], key=lambda e: (e.approved_at or e.created_at, e.id), reverse=True
        )[:FEED_ENTRIES]
    body = atom_feed(
        campaign,
        entries,
        feed_url=public_url("calendar.campaign_atom", campaign_slug=campaign.slug),
        page_url=campaign_url(campaign, external=True),
        url_of=event_url_builder(),
    )
    return current_app.response_class(body, content_type=ATOM)


def _public_event(campaign: Campaign, slug: str) -> Event:
    """Return an approved event of the campaign or answer 404."""
    event = db.session.scalar(Event.public_by_slug(campaign, slug))
    if event is None:
        abort(404, description=_("This party is not (or no longer) on the calendar."))
    return event


def _download(body: bytes, content_type: str, filename: str) -> Response:
    """Answer a calendar file that browsers open and calendar apps subscribe to."""
    response = current_app.response_class(body, content_type=content_type)
    response.headers.update(_disposition(filename))
    return response


def _disposition(filename: str) -> dict[str, str]:
    """Return the header that lets browsers open a calendar file under its name."""
    return {"Content-Disposition": f'inline; filename="{filename}"'}
