"""Structured data for search engines: schema.org Event and EventSeries as JSON-LD.

Built as plain dicts from the models; the template writes them with Flask's `tojson`, which
escapes <, > and & so that no title can close the script element it sits in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .calendars import Occurrence, local_times
from .listing import event_place
from .models import Campaign, Event, EventStatus
from .sharing import hashtag_of

SCHEMA = "https://schema.org"
STATUS = {
    EventStatus.APPROVED: f"{SCHEMA}/EventScheduled",
    EventStatus.WITHDRAWN: f"{SCHEMA}/EventCancelled",
}


def _day_or_time(event: Event, first: date | None, last: date | None) -> tuple[str, str] | None:
    """Return start and end as ISO text: with time and offset when known, else the days."""
    if first is None or last is None:
        return None
    times = local_times(Occurrence(event, first, last))
    if times is None:
        return first.isoformat(), last.isoformat()
    start, end = times
    return start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes")


def _place(event: Event) -> dict[str, Any]:
    """Describe where the party is: a Place with its address and, when placed, its point."""
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if event.address:
        address["streetAddress"] = event.address
    if event.place_name:
        address["addressLocality"] = event.place_name
    if event.region:
        address["addressRegion"] = event.region
    if event.country_code:
        address["addressCountry"] = event.country_code
    place: dict[str, Any] = {
        "@type": "Place",
        "name": event.venue or event.location_text,
        "address": address if len(address) > 1 else event_place(event),
    }
    if event.latitude is not None and event.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(event.latitude, 5),
            "longitude": round(event.longitude, 5),
        }
    return place


def event_data(event: Event, *, url: str, image: str, campaign_url: str) -> dict[str, Any]:
    """Return an event as a schema.org Event, part of its campaign's EventSeries."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": event.title,
        "url": url,
        "image": [image],
        "eventStatus": STATUS.get(event.status, f"{SCHEMA}/EventScheduled"),
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": _place(event),
        "superEvent": {
            "@type": "EventSeries",
            "@id": f"{campaign_url}#series",
            "name": event.campaign.name,
            "url": campaign_url,
        },
    }
    if event.description:
        data["description"] = event.description[:500]
    if event.language:  # schema.org's inLanguage: the language the organizer wrote in
        data["inLanguage"] = event.language
    when = _day_or_time(event, event.start_date, event.end_date)
    if when is not None:
        data["startDate"], data["endDate"] = when
    if event.parts:
        data["subEvent"] = [
            {
                "@type": "Event",
                "name": f"{event.title} ({part.label})" if part.label else event.title,
                "startDate": span[0],
                "endDate": span[1],
                "location": data["location"],
            }
            for part in event.parts
            if (span := _day_or_time(event, part.start_date, part.end_date)) is not None
        ]
    if event.link:
        data["sameAs"] = event.link
    hashtag = hashtag_of(event.campaign)
    if hashtag:
        data["keywords"] = hashtag
    return data


def campaign_data(
    campaign: Campaign,
    listed: Iterable[tuple[Event, str]],
    *,
    url: str,
    image: str,
    first_day: date | None,
    last_day: date | None,
) -> dict[str, Any]:
    """Return a campaign as an EventSeries beside an ItemList of the parties its page lists."""
    data: dict[str, Any] = {
        "@type": "EventSeries",
        "@id": f"{url}#series",
        "name": campaign.name,
        "url": url,
        "image": [image],
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
    }
    if campaign.description:
        data["description"] = campaign.description[:500]
    if first_day and last_day:
        data["startDate"], data["endDate"] = first_day.isoformat(), last_day.isoformat()
    hashtag = hashtag_of(campaign)
    if hashtag:
        data["keywords"] = hashtag
    parties = {
        "@type": "ItemList",
        "name": f"Parties of {campaign.name}",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "url": event_url, "name": event.title}
            for n, (event, event_url) in enumerate(listed, start=1)
        ],
    }
    return {"@context": SCHEMA, "@graph": [data, parties]}
