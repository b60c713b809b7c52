"""The Atom feed of a campaign's newly approved parties."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from .i18n_messages import N_, Message
from .listing import event_place, event_time, event_when
from .models import Campaign, Event, Photo

FEED_ENTRIES = 50
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class _TitleLanguage(BaseEntryExtension):
    """Mark an entry's title with the language its organizer wrote it in (xml:lang).

    Only the title: the summary mixes the party's place with dates the app writes.
    """

    def __init__(self) -> None:
        """Start with no language said."""
        self.tag: str | None = None

    def extend_atom(self, entry: Any) -> Any:
        """Put xml:lang on the entry's title element."""
        if self.tag:
            for title in entry.iter("{*}title", "title"):
                title.set(XML_LANG, self.tag)
        return entry


def _aware(moment: datetime | None) -> datetime:
    """Return a timezone-aware timestamp (SQLite hands back naive UTC)."""
    moment = moment or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def atom_feed(
    campaign: Campaign,
    events: Sequence[Event],
    *,
    feed_url: str,
    page_url: str,
    url_of: Callable[[Event], str],
) -> bytes:
    """Write an Atom feed of events, newest approval first; the library escapes the text."""
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(f"{campaign.name}: new parties")
    feed.subtitle(campaign.description or f"Parties of {campaign.name}")
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language("en")
    feed.generator("eventmap")
    newest = [e for e in events if e.approved_at is not None]
    newest.sort(key=lambda e: (_aware(e.approved_at), e.id), reverse=True)
    newest = newest[:FEED_ENTRIES]
    feed.updated(_aware(newest[0].approved_at) if newest else _aware(campaign.updated_at))
    for event in reversed(newest):  # feedgen puts the last added first
        entry = feed.add_entry()
        url = url_of(event)
        entry.id(url)
        entry.title(event.title)
        if event.language:
            entry.register_extension("language", _TitleLanguage, atom=True, rss=False)
            entry.language.tag = event.language
        entry.link(href=url, rel="alternate")
        entry.published(_aware(event.approved_at))
        entry.updated(_aware(event.updated_at or event.approved_at))
        when = event_when(event)
        if event.start_time:
            when += f", {event_time(event)}"
        summary = f"{when} · {event_place(event)}"
        if campaign.hashtag:
            summary += f" · #{campaign.hashtag}"
        entry.summary(summary)
    return feed.atom_str(pretty=True)


def memories_feed(
    campaign: Campaign,
    photos: Sequence[Photo],
    *,
    feed_url: str,
    page_url: str,
    url_of: Callable[[Photo], str],
    image_of: Callable[[Photo], str],
    translate: Callable[[Message], str] = str,
    language: str = "en",
) -> bytes:
    """Write an Atom feed of newly published photos, newest first, each with its image linked.

    Its own words are in `language`, written by `translate` (English by default).
    """
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(translate(N_("%(campaign)s: new memories", campaign=campaign.name)))
    feed.subtitle(translate(N_("Photos from the parties of %(campaign)s", campaign=campaign.name)))
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language(language)
    feed.generator("eventmap")
    newest = sorted(photos, key=lambda p: (_aware(p.decided_at), p.id), reverse=True)
    feed.updated(_aware(newest[0].decided_at) if newest else _aware(campaign.updated_at))
    for photo in reversed(newest):  # feedgen puts the last added first
        entry = feed.add_entry()
        url = url_of(photo)
        entry.id(url)
        entry.title(f"{photo.event.title}: {photo.caption}" if photo.caption else photo.event.title)
        entry.link(href=url, rel="alternate")
        entry.link(href=image_of(photo), rel="related", type="image/jpeg")
        entry.published(_aware(photo.decided_at))
        entry.updated(_aware(photo.decided_at))
        summary = translate(N_("A photo of %(title)s", title=photo.event.title))
        summary += f" · {event_place(photo.event)}"
        if campaign.hashtag:
            summary += f" · #{campaign.hashtag}"
        entry.summary(summary)
    return feed.atom_str(pretty=True)
