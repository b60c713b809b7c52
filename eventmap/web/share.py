"""Share cards, QR codes and the /tag/<hashtag> address of a campaign.

Cards and codes are drawn once per version of the data (eventmap/versions.py) and kept in a
small per-process cache; a client that has one revalidates with its ETag, and the answer is
a 304 after reading the version row alone.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from .. import cards, languages, memories, sharing, structured, versions
from ..calendars import Occurrence, local_times
from ..extensions import db
from ..listing import campaign_summary, filtered_events
from ..memo import memoized
from ..models import Campaign, Event
from ..nearby import Nearby, nearest, parse_point
from ..stats import campaign_stats
from ..urls import TRACKING, campaign_url, event_link_pattern, public_url
from .i18n import current_language
from .maps import render_map
from .messages import current_translator
from .page_cache import cached_page
from .params import day_arg, int_arg
from .security import with_policy
from .units import visitor_distance

bp = Blueprint("share", __name__)

PNG = "image/png"
SVG = "image/svg+xml"
KEPT_DRAWINGS = 64  # about 50 KB each
MAX_SHARE_TEXT = 500
_lock = threading.Lock()


def _campaign(campaign_slug: str) -> Campaign:
    """Return the campaign of the address, or answer 404."""
    return db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )


def _event(campaign: Campaign, event_slug: str) -> Event:
    """Return a public event of the campaign, or answer 404."""
    found = db.session.scalar(Event.public_by_slug(campaign, event_slug))
    if found is None:
        abort(404, description=_("This party is not (or no longer) on the map."))
    return found


def _drawn_once(key: tuple[str, ...], mimetype: str, draw: Callable[[], bytes]) -> Response:
    """Answer a drawing made once per data version, revalidated by its ETag."""
    version = versions.current(db.session)
    etag = "-".join((*key, version.tag))
    response = current_app.response_class(mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = version.changed_at
    response.cache_control.public = True
    response.cache_control.max_age = 300  # previews are fetched in bursts when a link spreads
    if request.if_none_match.contains(etag):
        response.status_code = 304
        return response
    cache: OrderedDict[str, bytes] = current_app.extensions.setdefault(
        "eventmap.drawings", OrderedDict()
    )
    with _lock:
        body = cache.get(etag)
    if body is None:
        body = draw()
        with _lock:
            cache[etag] = body
            while len(cache) > KEPT_DRAWINGS:
                cache.popitem(last=False)
    response.set_data(body)
    return response


def _today() -> datetime:
    """Return now in UTC, the clock of the campaign's numbers."""
    return datetime.now(UTC)


@bp.get("/<campaign_slug>/card.png")
def campaign_card(campaign_slug: str) -> Response:
    """Return the campaign's share card: the world with every party, its numbers, its tag."""
    campaign = _campaign(campaign_slug)
    day = _today().date()
    t = current_translator()
    return _drawn_once(
        ("campaign-card", campaign.slug, day.isoformat(), t.locale),
        PNG,
        lambda: cards.campaign_card(sharing.campaign_card(campaign, day, t)),
    )


@bp.get("/<campaign_slug>/<event_slug>/card.png")
def event_card(campaign_slug: str, event_slug: str) -> Response:
    """Return an event's share card: its title, date and place beside a map inset."""
    campaign = _campaign(campaign_slug)
    event = _event(campaign, event_slug)
    t = current_translator()
    today = datetime.now(UTC).date()
    # A party that has ended shows its best photo, when it has one: the drawing's name says
    # which side of its end the day is, so revalidating still reads only the version row.
    past = "past" if sharing.has_ended(event, today) else "to-come"
    return _drawn_once(
        ("event-card", campaign.slug, event.slug, t.locale, past),
        PNG,
        lambda: cards.event_card(
            sharing.event_card(event, t, sharing.photo_bytes(sharing.card_photo(event, today)))
        ),
    )


@bp.get("/<campaign_slug>/<event_slug>/map.png")
def party_map(campaign_slug: str, event_slug: str) -> Response:
    """Return the event page's small map: the party ringed, its neighbours dotted."""
    campaign = _campaign(campaign_slug)
    event = _event(campaign, event_slug)
    return _drawn_once(
        ("party-map", campaign.slug, event.slug),
        PNG,
        lambda: cards.party_map(sharing.event_card(event)),
    )


# The other parties an event page suggests, nearest first.
NEAREST_OTHERS = 5


@bp.app_template_global()
def nearest_others(event: Event) -> list[Nearby]:
    """Return the parties nearest to an event, itself left out."""
    if event.latitude is None or event.longitude is None:
        return []
    found = nearest(
        event.latitude, event.longitude, limit=NEAREST_OTHERS + 1, campaign=event.campaign
    )
    return [item for item in found.items if item.event.id != event.id][:NEAREST_OTHERS]


bp.add_app_template_global(visitor_distance)


@bp.app_template_global()
def local_start(event: Event) -> str:
    """Return when a timed party starts, as ISO text with its offset; empty when unknown."""
    if event.start_date is None:
        return ""
    times = local_times(Occurrence(event, event.start_date, event.end_date or event.start_date))
    return times[0].isoformat(timespec="minutes") if times else ""


@bp.get("/<campaign_slug>/stats")
@cached_page
def stats(campaign_slug: str) -> str:
    """Show a campaign's numbers: parties per country, continent and day, charted and tabled."""
    campaign = _campaign(campaign_slug)
    numbers = memoized(("stats", campaign.id), lambda: campaign_stats(campaign))
    return render_template(
        "stats.html", campaign=campaign, stats=numbers, memories=memories.counters(campaign)
    )


PAPERS = {"a4": "A4", "letter": _l("US Letter")}


@bp.get("/<campaign_slug>/<event_slug>/poster")
def poster(campaign_slug: str, event_slug: str) -> str:
    """Show a printable poster of a party (A4 or US Letter): title, date, place, QR, tag."""
    campaign = _campaign(campaign_slug)
    event = _event(campaign, event_slug)
    paper = request.args.get("paper", "a4")
    if paper not in PAPERS:
        abort(400, description=_("paper must be a4 or letter."))
    return render_template(
        "poster.html",
        campaign=campaign,
        event=event,
        paper=paper,
        papers=PAPERS,
        url=public_url("views.event", campaign_slug=campaign.slug, event_slug=event.slug),
    )


@bp.get("/<campaign_slug>/qr.<any(svg, png):kind>")
def campaign_qr(campaign_slug: str, kind: str) -> Response:
    """Return a QR code of the campaign page's public address."""
    campaign = _campaign(campaign_slug)
    url = campaign_url(campaign, external=True)
    return _drawn_once(
        ("qr", kind, campaign.slug),
        SVG if kind == "svg" else PNG,
        lambda: sharing.qr_code(url, kind),
    )


@bp.get("/<campaign_slug>/<event_slug>/qr.<any(svg, png):kind>")
def event_qr(campaign_slug: str, event_slug: str, kind: str) -> Response:
    """Return a QR code of an event page's public address."""
    campaign = _campaign(campaign_slug)
    event = _event(campaign, event_slug)
    url = public_url("views.event", campaign_slug=campaign.slug, event_slug=event.slug)
    return _drawn_once(
        ("qr", kind, campaign.slug, event.slug),
        SVG if kind == "svg" else PNG,
        lambda: sharing.qr_code(url, kind),
    )


@bp.get("/tag/<path:hashtag>")
def tag(hashtag: str) -> BaseResponse:
    """Send #OpenStack6Bday, in any letter case, to its campaign's page."""
    wanted = hashtag.lstrip("#").strip().casefold()
    campaign = db.session.scalar(Campaign.by_hashtag(wanted)) if wanted else None
    if campaign is None:
        abort(
            404,
            description=_(
                "No campaign uses the hashtag #%(hashtag)s.", hashtag=hashtag.lstrip("#")[:100]
            ),
        )
    return redirect(campaign_url(campaign), code=301)


@bp.record_once
def _share_globals(state: Any) -> None:
    """Give templates, macros included, the share text and the rule for a Mastodon host."""
    state.app.jinja_env.globals.update(
        mastodon_host_pattern=sharing.INSTANCE_RE.pattern,
        share_text=sharing.share_text,
        campaign_stage=lambda first, last, today: sharing.campaign_stage(
            first, last, today, current_translator()
        ),
    )


# The share cards carry words: a page in another language links the card in that language
# (?lang=, which the locale selector reads), so a link preview matches the page shared.
CARD_ENDPOINTS = frozenset({"share.campaign_card", "share.event_card"})


@bp.app_url_defaults
def _card_language(endpoint: str, values: dict[str, Any]) -> None:
    """Add the page's language to the address of its share cards, unless it is the default."""
    if endpoint not in CARD_ENDPOINTS or "lang" in values or not has_request_context():
        return
    code = current_language()
    if code != languages.DEFAULT:
        values["lang"] = languages.tag(code)


@bp.app_template_global()
def share_links_for(url: str, text: str) -> list[sharing.ShareLink]:
    """Return a page's share links, the Mastodon one through our page that asks the server."""
    mastodon = url_for("share.mastodon", url=url, text=text)
    return sharing.share_links(url, text, mastodon)


# How many parties an embedded map lists under it; the map itself shows them all.
EMBED_LISTED = 50
COUNTRY_RE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class EmbedFilters:
    """What an embedding site asked for through the URL."""

    country: str | None
    near: tuple[float, float] | None
    first: date | None
    last: date | None

    def query(self) -> dict[str, str]:
        """Return the filters as URL parameters, for the snippet and the links."""
        values = {
            "country": self.country,
            "near": f"{self.near[0]:.5f},{self.near[1]:.5f}" if self.near else None,
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
        }
        return {k: v for k, v in values.items() if v}


def _embed_filters() -> EmbedFilters:
    """Read ?country=, ?near=, ?from= and ?to=, or answer 400 saying which is wrong."""
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and not COUNTRY_RE.fullmatch(country):
        abort(400, description="country must be a two-letter code such as DE or JP.")
    near = None
    if request.args.get("near"):
        try:
            near = parse_point(request.args["near"])
        except ValueError as exc:
            abort(400, description=f"near {exc}")
    first, last = day_arg("from", None), day_arg("to", None)
    if first and last and last < first:
        abort(400, description="to must be on or after from.")
    return EmbedFilters(country, near, first, last)


@bp.get("/<campaign_slug>/embed")
@cached_page
def embed(campaign_slug: str) -> Response:
    """Show a compact map with its list, for an iframe on a user group's own site."""
    campaign = _campaign(campaign_slug)
    filters = _embed_filters()
    if filters.near is not None:
        found = nearest(*filters.near, limit=EMBED_LISTED, campaign=campaign)
        listed = [item.event for item in found.items]
        total = len(listed)
    else:
        listed, total = filtered_events(
            campaign,
            country=filters.country,
            first=filters.first,
            last=filters.last,
            limit=EMBED_LISTED,
        )
    summary = campaign_summary(campaign)
    html = render_template(
        "embed.html",
        campaign=campaign,
        filters=filters,
        listed=listed,
        total=total,
        map_parts=render_map(current_app.config),
        countries=summary.countries,
        first_day=summary.first_day,
        last_day=summary.last_day,
    )
    # The one kind of page any site may frame.
    return with_policy(current_app.make_response(html), frame_ancestors="*")


@bp.get("/oembed")
def oembed() -> Response:
    """Answer oEmbed (https://oembed.com) for a campaign page: an iframe of its embed."""
    url = request.args.get("url", "")
    if request.args.get("format", "json") != "json":
        abort(501, description="Only format=json is offered.")
    base = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    slug = url.removeprefix(base).split("/", 1)[0] if url.startswith(base) else ""
    campaign = db.session.scalar(Campaign.by_slug(slug)) if slug else None
    if campaign is None:
        abort(404, description="oEmbed answers for this site's campaign pages only.")
    width = min(int_arg("maxwidth", 640, 200, 4000), 640)
    height = min(int_arg("maxheight", 560, 200, 4000), 560)
    src = public_url("share.embed", campaign_slug=campaign.slug)
    return jsonify(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "eventmap",
            "provider_url": base,
            "title": campaign.name,
            "width": width,
            "height": height,
            "html": embed_snippet(src, campaign.name, width, height),
            "thumbnail_url": public_url("share.campaign_card", campaign_slug=campaign.slug),
            "thumbnail_width": cards.WIDTH,
            "thumbnail_height": cards.HEIGHT,
        }
    )


@bp.app_template_global()
def embed_snippet(src: str, title: str, width: int = 640, height: int = 560) -> str:
    """Return the iframe a site pastes to show the embedded map (text, escaped here)."""
    return (
        f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
        f'title="{escape(title)}: map of the parties" loading="lazy" '
        'style="border:0;max-width:100%"></iframe>'
    )


@bp.app_template_global()
def event_jsonld(event: Event) -> dict[str, Any]:
    """Return an event page's schema.org Event."""
    campaign = event.campaign
    return structured.event_data(
        event,
        url=public_url("views.event", campaign_slug=campaign.slug, event_slug=event.slug),
        image=public_url("share.event_card", campaign_slug=campaign.slug, event_slug=event.slug),
        campaign_url=campaign_url(campaign, external=True),
    )


@bp.app_template_global()
def campaign_jsonld(campaign: Campaign, listed: Iterable[Event]) -> dict[str, Any]:
    """Return a campaign page's EventSeries and the list of the parties the page shows."""
    summary = campaign_summary(campaign)
    pattern = event_link_pattern(external=True)
    return structured.campaign_data(
        campaign,
        [(e, pattern.format(campaign=campaign.slug, event=e.slug)) for e in listed],
        url=campaign_url(campaign, external=True),
        image=public_url("share.campaign_card", campaign_slug=campaign.slug),
        first_day=summary.first_day,
        last_day=summary.last_day,
    )


@bp.app_template_global()
def canonical_url() -> str:
    """Return this page's address on PUBLIC_URL, its query kept; empty for an error page."""
    if request.url_rule is None or request.endpoint is None:
        return ""
    url = public_url(request.endpoint, **(request.view_args or {}))
    query = sorted((k, v) for k, v in request.args.items(multi=True) if k not in TRACKING)
    return f"{url}?{urlencode(query)}" if query else url


@bp.app_template_global()
def default_card_url() -> str:
    """Return the default campaign's share card, the preview of pages without their own."""
    slug = current_app.config["DEFAULT_CAMPAIGN"]
    try:
        exists = memoized(
            ("default-campaign", slug),
            lambda: db.session.scalar(Campaign.by_slug(slug)) is not None,
        )
    except SQLAlchemyError:  # the outage page itself: no database, so no card
        db.session.rollback()
        return ""
    return public_url("share.campaign_card", campaign_slug=slug) if exists else ""


@bp.get("/share/mastodon")
def mastodon() -> BaseResponse:
    """Ask which Mastodon server the visitor uses, then send them to its share page."""
    url = request.args.get("url", "")
    text = request.args.get("text", "")[:MAX_SHARE_TEXT]
    if not url.startswith(current_app.config["PUBLIC_URL"].rstrip("/") + "/"):
        abort(400, description=_("Only this site's own pages can be shared from here."))
    typed = request.args.get("instance")
    problem = None
    if typed is not None:
        host = sharing.instance_host(typed)
        if host is not None:
            return redirect(sharing.mastodon_share_url(host, text, url), code=303)
        problem = (
            "That does not look like a server's name. Type the part after the second @ "
            "of your address, like mastodon.social."
        )
    response = current_app.make_response(
        (
            render_template(
                "share_mastodon.html", url=url, text=text, typed=typed or "", problem=problem
            ),
            422 if problem else 200,
        )
    )
    # The form's answer is a redirect to the visitor's own server, which form-action allows.
    return with_policy(response, form_action="'self' https:")
