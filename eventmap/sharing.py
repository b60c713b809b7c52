"""What a shared link shows: the share cards' data, the campaign's numbers, QR codes.

The web layer draws and caches these per version of the data; nothing here reads a request.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

import segno
from sqlalchemy import Select, select

from .cards import CampaignCard, EventCard
from .extensions import db
from .i18n_messages import Translator, translator
from .listing import campaign_summary, event_place, event_when
from .memories import best_photo
from .models import Campaign, Event, EventStatus
from .services import photo_storage

# Other parties drawn in an event card's inset: the nearest few hundred are plenty.
INSET_OTHERS = 300
INSET_DEGREES = 15.0


def hashtag_of(campaign: Campaign) -> str:
    """Return the campaign's hashtag with its #, or empty when it has none."""
    return f"#{campaign.hashtag.lstrip('#')}" if campaign.hashtag else ""


def campaign_figures(campaign: Campaign, today: date, t: Translator | None = None) -> str:
    """Return the campaign's live numbers: "45 parties in 29 countries · 6 days to go".

    In the language of `t` (English without one), digits grouped its way.
    """
    t = t or translator(None)
    summary = campaign_summary(campaign)
    parties = t.ngettext("%(num)s party", "%(num)s parties", summary.count)
    if summary.countries:
        countries = t.ngettext("%(num)s country", "%(num)s countries", len(summary.countries))
        text = t.gettext("%(parties)s in %(countries)s", parties=parties, countries=countries)
    else:
        text = parties
    stage = campaign_stage(summary.first_day, summary.last_day, today, t)
    return f"{text} · {stage}" if stage else text


def campaign_stage(
    first: date | None, last: date | None, today: date, t: Translator | None = None
) -> str:
    """Say where the campaign stands today: days to go, happening, or celebrated."""
    t = t or translator(None)
    if first is None or last is None:
        return ""
    if today < first:
        return t.ngettext("%(num)s day to go", "%(num)s days to go", (first - today).days)
    if today <= last:
        return t.gettext("happening today")
    return t.gettext("celebrated")


def _public_points(campaign: Campaign) -> Select[tuple[float | None, float | None]]:
    """Select the points of a campaign's public events, and nothing else of them."""
    return select(Event.latitude, Event.longitude).where(
        Event.status == EventStatus.APPROVED, Event.campaign_id == campaign.id
    )


def campaign_card(campaign: Campaign, today: date, t: Translator | None = None) -> CampaignCard:
    """Gather a campaign card: every placed party as a dot (read once per data version)."""
    points = db.session.execute(
        _public_points(campaign).where(Event.latitude.is_not(None), Event.longitude.is_not(None))
    ).all()
    return CampaignCard(
        title=campaign.name,
        figures=campaign_figures(campaign, today, t),
        hashtag=hashtag_of(campaign),
        points=[(lat, lon) for lat, lon in points],
    )


def has_ended(event: Event, today: date) -> bool:
    """Tell whether a party's last day is over."""
    return event.end_date is not None and event.end_date < today


def card_photo(event: Event, today: date) -> str | None:
    """Name the page-size JPEG of a past party's best photo, for its card (None: the map)."""
    if not has_ended(event, today):
        return None
    photo = best_photo(event)
    return photo.key("page", "jpeg") if photo is not None else None


def photo_bytes(key: str | None) -> bytes | None:
    """Read a stored photo file, or None."""
    return photo_storage().get(key) if key else None


def event_card(event: Event, t: Translator | None = None, photo: bytes | None = None) -> EventCard:
    """Gather an event card: its text, its point and the parties around it (and a photo)."""
    t = t or translator(None)
    point = None
    others: list[tuple[float, float]] = []
    if event.latitude is not None and event.longitude is not None:
        point = (event.latitude, event.longitude)
        around = (
            _public_points(event.campaign)
            .where(
                Event.id != event.id,
                Event.latitude.between(
                    event.latitude - INSET_DEGREES, event.latitude + INSET_DEGREES
                ),
                Event.longitude.between(
                    event.longitude - INSET_DEGREES, event.longitude + INSET_DEGREES
                ),
            )
            .limit(INSET_OTHERS)
        )
        others = [(lat, lon) for lat, lon in db.session.execute(around)]
    return EventCard(
        title=event.title,
        when=event_when(event) or t.gettext("Date to be decided"),
        place=event_place(event),
        hashtag=hashtag_of(event.campaign),
        point=point,
        others=others,
        approximate=event.precision is not None and event.precision.approximate,
        photo=photo,
    )


def qr_code(url: str, kind: str) -> bytes:
    """Return a QR code of an address as SVG or PNG, with the quiet zone scanners need."""
    code = segno.make(url, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=8, border=4, title=url, svgclass=None, lineclass=None)
    else:
        code.save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class ShareLink:
    """A plain link that shares a page on one service (no script of theirs is loaded)."""

    service: str  # a short key: the CSS class and the tests use it
    label: str
    href: str


# A Mastodon (or other fediverse) server's host name, as a visitor types it: no scheme, path
# or port tricks, so the share address can only ever be https://<host>/share.
INSTANCE_RE = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def instance_host(text: str) -> str | None:
    """Return the host of a typed Mastodon server ("@me@mastodon.social" works), or None."""
    host = text.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    host = host.rsplit("@", 1)[-1]
    return host if INSTANCE_RE.fullmatch(host) else None


def share_text(title: str, hashtag: str) -> str:
    """Return what a share says: the page's own words, then the hashtag."""
    return f"{title} {hashtag}".strip() if hashtag and hashtag not in title else title


def share_links(url: str, text: str, mastodon: str) -> list[ShareLink]:
    """Return the share links of a page; `mastodon` is our page that asks for the server."""
    message = f"{text} {url}"
    return [
        ShareLink("mastodon", "Mastodon", mastodon),
        ShareLink(
            "bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": message})
        ),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": text, "url": url})),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ShareLink(
            "telegram",
            "Telegram",
            "https://t.me/share/url?" + urlencode({"url": url, "text": text}),
        ),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": message})),
        ShareLink(
            "email",
            "E-mail",
            f"mailto:?subject={quote(text)}&body={quote(message)}",
        ),
    ]


def mastodon_share_url(host: str, text: str, url: str) -> str:
    """Return the share address on a Mastodon server for a page and its text."""
    return f"https://{host}/share?" + urlencode({"text": f"{text} {url}"})
