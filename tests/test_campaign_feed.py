"""The campaign feed, written from the day index a batch at a time, as the whole list was."""

from __future__ import annotations

from datetime import date, time

from eventmap import calendars, campaign_feed
from eventmap.calendars import feed_events, ical_calendar, occurrences
from eventmap.extensions import db
from eventmap.models import Campaign, EventStatus
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


def streamed_feed(campaign: Campaign) -> bytes:
    """Write it a batch at a time from the day index."""
    return b"".join(
        campaign_feed.campaign_feed_pieces(
            campaign, "Feed", event_url_builder(), "http://127.0.0.1:5000"
        )
    )


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
    make_thailand(timezone="Asia/Bangkok", start_time=time(9, 0))
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))

    streamed = streamed_feed(campaign)

    assert streamed == whole_list_feed(campaign)
    assert streamed.count(b"BEGIN:VEVENT") == 14 + 4 + 1 + 2  # no TBD, no pending; two parts
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
