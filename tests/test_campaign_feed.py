"""The campaign feed, written from the day index a batch at a time, as the whole list was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from eventmap import calendars, campaign_feed
from eventmap.calendars import feed_events, ical_calendar, occurrences
from eventmap.extensions import db
from eventmap.models import Campaign, Event, EventPart, EventStatus
from eventmap.rebuilds import Previous, Writer
from eventmap.urls import event_url_builder


def whole_list_feed(campaign: Campaign) -> bytes:
    """Write the feed the way it was written before: every party read and sorted first."""
    return ical_calendar(
        "Feed",
        occurrences(feed_events(campaign)),
        event_url_builder(),
        "http://127.0.0.1:5000",
        campaign.hashtag or None,
    )


def streamed_feed(campaign: Campaign, writer: Writer | None = None) -> bytes:
    """Write it a batch at a time from the day index (copying from `writer`'s last build)."""
    return b"".join(
        campaign_feed.campaign_feed_pieces(
            campaign, "Feed", event_url_builder(), "http://127.0.0.1:5000", writer
        )
    )


class Builds:
    """Feeds written one after another, each copying from the one before, as the spool does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.last: tuple[str, str] | None = None
        self.count = 0

    def feed(self, campaign: Campaign) -> bytes:
        writer = Writer(Previous(*self.last, "c") if self.last else None)
        body = streamed_feed(campaign, writer)
        writer.close()
        self.count += 1
        path, index = self.folder / f"{self.count}.body", self.folder / f"{self.count}.index"
        path.write_bytes(body)
        with open(index, "wb") as file:
            writer.save(file, "c")
        self.last = (str(path), str(index))
        return body


def test_the_streamed_feed_is_byte_for_byte_the_whole_list_one(
    app, make_event, make_thailand, monkeypatch
):
    monkeypatch.setattr(calendars, "ENTRIES_AT_ONCE", 3)  # several batches from a few parties
    monkeypatch.setattr(campaign_feed, "ENTRIES_AT_ONCE", 3)
    zones = ["Europe/Berlin", "Asia/Kolkata", "America/Sao_Paulo", "UTC", None]
    for n in range(14):
        make_event(
            slug=f"p{n}",
            title=f"Party {n % 4}",  # equal titles on equal days: the order's last keys count
            start_date=date(2016, 7, 18 + n % 5),
            end_date=date(2016, 7, 18 + n % 5 + (n % 3 == 0)),  # some last two days
            timezone=zones[n % len(zones)],
            start_time=time(18, 0) if n % 2 else None,
            end_time=time(1, 0) if n % 4 == 1 else None,  # past midnight
        )
    make_event(
        slug="new-year",
        start_date=date(2016, 12, 31),
        end_date=date(2016, 12, 31),
        start_time=time(23, 0),
    )
    # Code-point order puts "Zürich" after "zebra" and "Banana" before "apple", whatever
    # the database's collation would say.
    for slug, title in (("z1", "Zürich"), ("z2", "zebra"), ("b", "Banana"), ("a", "apple")):
        make_event(slug=slug, title=title, start_date=date(2016, 7, 20), end_date=date(2016, 7, 20))
    make_event(slug="tbd", start_date=None, end_date=None, date_text="TBD")
    make_event(slug="pending", status=EventStatus.PENDING)
    make_event(  # a zone no clock knows: all-day, and no VTIMEZONE
        slug="mars", timezone="Mars/Olympus_Mons", start_time=time(10, 0),
        start_date=date(2016, 7, 19), end_date=date(2016, 7, 19),
    )  # fmt: skip
    make_thailand(timezone="Asia/Bangkok", start_time=time(9, 0))
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))

    streamed = streamed_feed(campaign)

    assert streamed == whole_list_feed(campaign)
    assert streamed.count(b"BEGIN:VEVENT") == 14 + 4 + 1 + 1 + 2  # no TBD, no pending; two parts
    assert streamed.count(b"BEGIN:VTIMEZONE") == 5  # Bangkok, Berlin, Kolkata, São Paulo, UTC


def test_a_worker_starts_without_the_map_and_time_zone_libraries():
    """folium (numpy, pandas) and timezonefinder load when first needed, not with the app."""
    import subprocess
    import sys

    code = (
        "import sys; from eventmap import create_app; "
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "names = ('folium', 'numpy', 'pandas', 'timezonefinder'); "
        "print(sorted(m for m in names if m in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 - this Python on our own snippet
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split("\n")[-2]
    assert loaded == "[]"


def _many_parties(make_event: Any, make_thailand: Any) -> Campaign:
    """Store parties of every kind: timed and all-day, in parts, on equal days and titles."""
    zones = ["Europe/Berlin", "Asia/Kolkata", "UTC", None]
    for n in range(12):
        make_event(
            slug=f"p{n}",
            title=f"Party {n % 3}",
            start_date=date(2016, 7, 18 + n % 4),
            end_date=date(2016, 7, 18 + n % 4 + (n % 3 == 0)),
            timezone=zones[n % len(zones)],
            start_time=time(18, 0) if n % 2 else None,
        )
    make_event(slug="pending", status=EventStatus.PENDING, start_date=date(2016, 7, 19))
    make_thailand(slug="thailand", timezone="Asia/Bangkok", start_time=time(9, 0))
    return db.session.scalar(Campaign.by_slug("openstack6bday"))


def _event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _retitle(title: str) -> Callable[[], None]:
    def change() -> None:
        _event("p4").title = title  # moves it among the parties of its day

    return change


def _describe() -> None:
    _event("p5").description = "New words; with, commas\nand a line " + "long " * 30


def _delete() -> None:
    db.session.delete(_event("p6"))


def _unpublish() -> None:
    _event("p7").status = EventStatus.PENDING


def _publish() -> None:
    _event("pending").status = EventStatus.APPROVED


def _move_part() -> None:
    part = db.session.scalar(select(EventPart).where(EventPart.label == "tutorials"))
    part.start_date, part.label = date(2016, 7, 26), "workshops"  # the party itself unchanged


def _drop_parts() -> None:
    for part in _event("thailand").parts:  # one occurrence, on the party's own days, not two
        db.session.delete(part)


def _add_part() -> None:
    eve = date(2016, 7, 17)
    db.session.add(
        EventPart(event_id=_event("p8").id, position=0, label="eve", start_date=eve, end_date=eve)
    )


def _rehashtag() -> None:
    db.session.scalar(Campaign.by_slug("openstack6bday")).hashtag = "NewTag"


def _reslug() -> None:
    _event("p9").slug = "p9-renamed"  # its URL, in DESCRIPTION and URL


def _retime() -> None:
    _event("p1").timezone = "America/Sao_Paulo"  # a zone no party had: a VTIMEZONE more


@pytest.mark.parametrize(
    ("change", "rewritten"),
    [
        (_retitle("Zed party"), 1),
        (_retitle("A party"), 1),
        (_describe, 1),
        (_delete, 0),
        (_unpublish, 0),
        (_publish, 1),
        (_move_part, 1),
        (_drop_parts, 1),
        (_add_part, 1),
        (_reslug, 1),
        (_retime, 1),
        (_rehashtag, 12 + 2),  # every VEVENT has the hashtag in CATEGORIES
    ],
)
def test_a_feed_built_after_a_change_is_the_one_built_from_scratch(
    app, make_event, make_thailand, monkeypatch, tmp_path, change, rewritten
):
    """The VEVENTs of the last build are copied only where nothing they say changed."""
    monkeypatch.setattr(calendars, "ENTRIES_AT_ONCE", 3)
    monkeypatch.setattr(campaign_feed, "ENTRIES_AT_ONCE", 3)  # kept in several groups
    campaign = _many_parties(make_event, make_thailand)
    builds = Builds(tmp_path)
    written = []
    vevent = campaign_feed.vevent
    monkeypatch.setattr(
        campaign_feed, "vevent", lambda o, *rest: written.append(o) or vevent(o, *rest)
    )
    first = builds.feed(campaign)
    assert first == whole_list_feed(campaign)
    assert len(written) == 12 + 2
    assert builds.feed(campaign) == first  # nothing changed: nothing written again
    assert len(written) == 12 + 2

    change()
    db.session.commit()
    written.clear()
    again = builds.feed(campaign)

    assert again == whole_list_feed(campaign)
    assert again != first
    assert len(written) == rewritten
    assert builds.feed(campaign) == again


def test_many_builds_after_changes_stay_the_ones_built_from_scratch(
    app, make_event, make_thailand, monkeypatch, tmp_path
):
    """Each build copies from the one before: what is copied stays right through changes."""
    monkeypatch.setattr(calendars, "ENTRIES_AT_ONCE", 4)
    monkeypatch.setattr(campaign_feed, "ENTRIES_AT_ONCE", 4)
    campaign = _many_parties(make_event, make_thailand)
    builds = Builds(tmp_path)
    builds.feed(campaign)
    for round_ in range(24):
        event = _event(f"p{round_ % 12}")
        event.title = f"Party again {round_}"
        if round_ % 5 == 0:
            event.start_date = event.end_date = date(2016, 7, 30 - round_ % 7)
        db.session.commit()
        assert builds.feed(campaign) == whole_list_feed(campaign), round_


def test_the_calendar_route_keeps_its_vevents_between_versions(
    app, client, make_event, make_thailand
):
    """What calendar.ics serves after a change is the feed written from scratch."""
    campaign = _many_parties(make_event, make_thailand)
    plain = {"Accept-Encoding": "identity"}
    before = client.get("/openstack6bday/calendar.ics", headers=plain)
    assert before.status_code == 200
    _event("p3").title = "Renamed party"
    _event("p2").status = EventStatus.REJECTED
    db.session.commit()

    after = client.get("/openstack6bday/calendar.ics", headers=plain)

    assert after.data != before.data
    name = f"{campaign.name} #{campaign.hashtag}"
    assert after.data == ical_calendar(
        name,
        occurrences(feed_events(campaign)),
        event_url_builder(),
        app.config["PUBLIC_URL"],
        campaign.hashtag or None,
    )


def test_another_worker_copies_the_vevents_of_the_newest_feed(
    app, client, make_event, make_thailand, monkeypatch
):
    """Workers share the spool folder: the one asked after a change copies another's feed."""
    from eventmap.web.collection_cache import CollectionCache, Spool

    campaign = _many_parties(make_event, make_thailand)
    plain = {"Accept-Encoding": "identity"}
    client.get("/openstack6bday/calendar.ics", headers=plain)
    _event("p3").title = "Renamed party"
    db.session.commit()
    written = []
    vevent = campaign_feed.vevent
    monkeypatch.setattr(
        campaign_feed, "vevent", lambda o, *rest: written.append(o) or vevent(o, *rest)
    )
    other = CollectionCache(Spool(Path(app.config["COLLECTION_SPOOL"])))
    monkeypatch.setitem(app.extensions, "eventmap.collections", other)

    after = client.get("/openstack6bday/calendar.ics", headers=plain)

    assert [o.event.slug for o in written] == ["p3"]
    assert after.data == ical_calendar(
        f"{campaign.name} #{campaign.hashtag}",
        occurrences(feed_events(campaign)),
        event_url_builder(),
        app.config["PUBLIC_URL"],
        campaign.hashtag or None,
    )


def test_the_vtimezones_are_copied_until_a_zone_or_its_years_change(
    app, make_event, make_thailand, monkeypatch, tmp_path
):
    campaign = _many_parties(make_event, make_thailand)
    described = []
    real = campaign_feed.vtimezones
    monkeypatch.setattr(
        campaign_feed, "vtimezones", lambda years: described.append(years) or real(years)
    )
    builds = Builds(tmp_path)
    builds.feed(campaign)
    _event("p3").title = "Renamed"  # no zone or year changes
    db.session.commit()
    assert builds.feed(campaign) == whole_list_feed(campaign)
    assert len(described) == 1
    _retime()  # a zone no party had
    db.session.commit()
    assert builds.feed(campaign) == whole_list_feed(campaign)
    assert len(described) == 2
