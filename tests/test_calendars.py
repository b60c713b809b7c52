"""Calendar pages and iCalendar feeds, read back with icalendar and with vobject."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from eventmap.calendars import (
    Occurrence,
    google_calendar_link,
    local_times,
    local_today,
    occurrences,
    stage,
)
from eventmap.extensions import db
from eventmap.models import Event
from eventmap.services import use_geocoder
from tests.helpers import add_events

PARTIES = Path(__file__).resolve().parent.parent / "data" / "parties.csv"
TRICKY = "Fête, party; “birthday”\nSecond line — 六岁生日 🎂"


@pytest.fixture
def seeded(app, runner):
    from eventmap.geocoding import OfflineGeocoder

    use_geocoder(app, OfflineGeocoder())
    result = runner.invoke(args=["import", str(PARTIES)])
    assert result.exit_code == 0, result.output


def parse_both(data: bytes):
    """Parse a feed with both libraries; return (icalendar events, vobject events)."""
    with_icalendar = icalendar.Calendar.from_ical(data).walk("VEVENT")
    with_vobject = list(vobject.readOne(data.decode()).vevent_list)
    return with_icalendar, with_vobject


def party_of(uid: str) -> str:
    return uid.split("@")[0].split("-part-")[0]


def test_the_campaign_feed_has_the_43_dated_parties_and_both_parsers_agree(seeded, client):
    response = client.get("/openstack6bday/calendar.ics")
    assert response.content_type == "text/calendar; charset=utf-8"
    ours, theirs = parse_both(response.data)

    assert len({party_of(str(e["UID"])) for e in ours}) == 43  # the two TBD ones are left out
    assert len(ours) == len(theirs) == 44  # Thailand's two parts are two entries
    by_summary = {str(e["SUMMARY"]): e for e in ours}
    japan = by_summary["OpenStack 6th Birthday: Japan"]
    assert japan["DTSTART"].dt == date(2016, 7, 6)
    assert japan["DTEND"].dt == date(2016, 7, 8)  # exclusive: the party ends on the 7th
    tutorials = by_summary["OpenStack 6th Birthday: Thailand (tutorials)"]
    launch = by_summary["OpenStack 6th Birthday: Thailand (launch party)"]
    assert (tutorials["DTSTART"].dt, tutorials["DTEND"].dt) == (
        date(2016, 7, 27),
        date(2016, 7, 29),
    )
    assert (launch["DTSTART"].dt, launch["DTEND"].dt) == (date(2016, 7, 29), date(2016, 7, 30))
    assert str(japan["LOCATION"]) == "Japan"
    assert japan["URL"].endswith("/openstack6bday/japan")
    assert japan["GEO"].latitude == pytest.approx(35.69, abs=0.1)

    # The second parser reads the same entries, day for day.
    seen = {(v.summary.value, v.dtstart.value, v.dtend.value, v.uid.value) for v in theirs}
    expected = {(str(e["SUMMARY"]), e["DTSTART"].dt, e["DTEND"].dt, str(e["UID"])) for e in ours}
    assert seen == expected

    again, _ = parse_both(client.get("/openstack6bday/calendar.ics").data)
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in ours]


def test_the_feed_agrees_with_the_database(seeded, client, app):
    from eventmap.models import Event

    ours, _ = parse_both(client.get("/openstack6bday/calendar.ics").data)
    days = {}
    for entry in ours:
        party = party_of(str(entry["UID"]))
        start, end = entry["DTSTART"].dt, entry["DTEND"].dt
        low, high = days.get(party, (start, end))
        days[party] = (min(low, start), max(high, end))
    with app.app_context():
        for event in db.session.scalars(db.select(Event)):
            key = f"event-{event.id}"
            if event.start_date is None:
                assert key not in days
            else:
                assert days[key][0] == event.start_date
                assert (days[key][1] - event.end_date).days == 1


def test_tricky_text_round_trips_through_both_parsers(client, make_event):
    event = make_event(title=TRICKY, location_text='Zürich; Altstadt, "Rote Fabrik"')
    data = client.get(f"/openstack6bday/{event.slug}.ics").data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded by the library
    (ours,), (theirs,) = parse_both(data)
    assert str(ours["SUMMARY"]) == theirs.summary.value == TRICKY
    assert str(ours["LOCATION"]) == theirs.location.value == 'Zürich; Altstadt, "Rote Fabrik"'


def test_an_unknown_or_pending_event_has_no_feed(client, make_event):
    from eventmap.models import EventStatus

    make_event(slug="secret", status=EventStatus.PENDING)
    assert client.get("/openstack6bday/secret.ics").status_code == 404
    assert client.get("/openstack6bday/nothing.ics").status_code == 404


def test_the_month_shows_each_party_on_each_of_its_days(seeded, client):
    page = client.get("/openstack6bday/calendar?month=2016-07").get_data(as_text=True)
    cells = dict(re.findall(r'data-day="(2016-07-\d\d)">(.*?)</td>', page, re.S))
    assert "OpenStack 6th Birthday: Japan" in cells["2016-07-06"]
    assert "OpenStack 6th Birthday: Japan" in cells["2016-07-07"]
    assert "OpenStack 6th Birthday: Japan" not in cells["2016-07-08"]
    assert "Thailand (tutorials)" in cells["2016-07-28"]
    assert "Thailand (launch party)" in cells["2016-07-29"]
    assert "Toulouse" in cells["2016-07-04"]
    assert "Date to be announced" in page
    assert "Frankfurt, Germany" in page
    assert 'href="/openstack6bday/calendar?month=2016-08"' in page
    assert 'rel="alternate" type="text/calendar"' in page
    assert 'rel="alternate" type="application/atom+xml"' in page


def test_the_calendar_opens_on_the_anniversary_month(seeded, client):
    page = client.get("/openstack6bday/calendar").get_data(as_text=True)
    assert "<h1>OpenStack turns 6: July 2016</h1>" in page


@pytest.mark.parametrize("month", ["2016-13", "July", "2016-7", "0000-01"])
def test_a_bad_month_is_a_clear_400(client, make_event, month):
    make_event()
    response = client.get(f"/openstack6bday/calendar?month={month}")
    assert response.status_code == 400
    assert "is not a month like 2016-07" in response.get_data(as_text=True)


def test_week_and_agenda_views(seeded, client):
    week = client.get("/openstack6bday/calendar/week?day=2016-07-20").get_data(as_text=True)
    assert "week of 18–24 July 2016" in week
    for place in ("Virginia", "Central Florida", "Atlanta"):
        assert place in week
    assert "Kazan" not in week  # the 28th is the next week
    agenda = client.get("/openstack6bday/calendar/agenda").get_data(as_text=True)
    assert (
        agenda.index("Toulouse") < agenda.index("Malaysia") < agenda.index("Date to be announced")
    )
    assert client.get("/openstack6bday/calendar/week?day=soon").status_code == 400


def test_the_event_page_offers_add_to_calendar(seeded, client):
    page = client.get("/openstack6bday/thailand").get_data(as_text=True)
    assert 'href="/openstack6bday/thailand.ics"' in page
    assert page.count("https://calendar.google.com/calendar/render?action=TEMPLATE") == 2
    assert "dates=20160727%2F20160729" in page  # end exclusive, as Google expects
    assert 'type="text/calendar" title="OpenStack 6th Birthday: Thailand (iCalendar)"' in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="webcal://127.0.0.1:5000/openstack6bday/calendar.ics"' in home


def test_today_and_past_are_worked_out_in_the_events_time_zone(make_event):
    # 2016-07-19 11:00 UTC: already the 20th on Kiritimati (UTC+14), still the 19th in Samoa.
    now = datetime(2016, 7, 19, 11, 0, tzinfo=UTC)
    assert local_today("Pacific/Kiritimati", now) == date(2016, 7, 20)
    assert local_today("Pacific/Pago_Pago", now) == date(2016, 7, 19)
    assert local_today(None, now) == date(2016, 7, 19)
    assert local_today("Not/AZone", now) == date(2016, 7, 19)
    early = make_event(timezone="Pacific/Kiritimati")
    late = make_event(timezone="Pacific/Pago_Pago")
    (east,), (west,) = occurrences([early]), occurrences([late])
    assert (stage(east, now), stage(west, now)) == ("past", "today")


def test_occurrences_expand_parts_and_skip_tbd(make_event):
    event = make_event(start_date=None, end_date=None)
    assert occurrences([event]) == []
    one = make_event(start_date=date(2016, 7, 6), end_date=date(2016, 7, 7))
    (occurrence,) = occurrences([one])
    assert isinstance(occurrence, Occurrence)
    assert list(occurrence.days()) == [date(2016, 7, 6), date(2016, 7, 7)]
    assert occurrence.when == "6–7 July 2016"


BERLIN = ZoneInfo("Europe/Berlin")
BANGKOK = ZoneInfo("Asia/Bangkok")


def timezones_of(data: bytes) -> list[str]:
    return [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")]


def test_a_timed_party_has_local_times_with_their_zone_in_both_parsers(client, make_event):
    event = make_event(
        slug="werk1",
        title="Evening party",
        venue="Werk1",
        address="Atelierstraße 29, 81671 München",
        location_text="Munich",
        start_time=time(18, 30),
        end_time=time(22, 0),
    )
    data = client.get(f"/openstack6bday/{event.slug}.ics").data

    assert b"DTSTART;TZID=Europe/Berlin:20160719T183000" in data
    assert b"DTEND;TZID=Europe/Berlin:20160719T220000" in data
    assert timezones_of(data) == ["Europe/Berlin"]
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    (ours,), (theirs,) = parse_both(data)
    start, end = (
        datetime(2016, 7, 19, 18, 30, tzinfo=BERLIN),
        datetime(2016, 7, 19, 22, tzinfo=BERLIN),
    )
    assert (ours["DTSTART"].dt, ours["DTEND"].dt) == (start, end)
    assert ours["DTSTART"].params["TZID"] == "Europe/Berlin"
    # vobject reads the zone from our VTIMEZONE, not from its own database: same instants.
    assert (theirs.dtstart.value, theirs.dtend.value) == (start, end)
    assert theirs.dtstart.value.utcoffset() == timedelta(hours=2)
    location = "Werk1, Atelierstraße 29, 81671 München, Munich"
    assert str(ours["LOCATION"]) == theirs.location.value == location


def test_the_zone_definition_covers_winter_and_summer(client, make_event):
    event = make_event(
        start_date=date(2016, 1, 15),
        end_date=date(2016, 1, 15),
        date_text="January 15",
        start_time=time(19, 0),
    )
    data = client.get(f"/openstack6bday/{event.slug}.ics").data
    (zone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (ours,), (theirs,) = parse_both(data)
    assert ours["DTSTART"].dt == theirs.dtstart.value == datetime(2016, 1, 15, 19, tzinfo=BERLIN)
    assert theirs.dtstart.value.utcoffset() == timedelta(hours=1)


def test_without_an_end_time_a_party_lasts_two_hours(client, make_event):
    event = make_event(start_time=time(18, 30))
    (ours,), (theirs,) = parse_both(client.get(f"/openstack6bday/{event.slug}.ics").data)
    assert ours["DTEND"].dt - ours["DTSTART"].dt == timedelta(hours=2)
    assert theirs.dtend.value == datetime(2016, 7, 19, 20, 30, tzinfo=BERLIN)


def test_an_end_before_the_start_is_past_midnight(make_event):
    event = make_event(start_time=time(22, 0), end_time=time(2, 0))
    (occurrence,) = occurrences([event])
    assert local_times(occurrence) == (
        datetime(2016, 7, 19, 22, tzinfo=BERLIN),
        datetime(2016, 7, 20, 2, tzinfo=BERLIN),
    )


def test_a_multi_day_party_ends_at_its_end_time_on_the_last_day(make_event):
    event = make_event(
        start_date=date(2016, 7, 6), end_date=date(2016, 7, 7), start_time=time(9, 0)
    )
    (occurrence,) = occurrences([event])
    assert local_times(occurrence) == (
        datetime(2016, 7, 6, 9, tzinfo=BERLIN),
        datetime(2016, 7, 7, 11, tzinfo=BERLIN),
    )
    event.end_time = time(17, 0)
    assert local_times(occurrence)[1] == datetime(2016, 7, 7, 17, tzinfo=BERLIN)


def test_times_without_a_time_zone_stay_all_day(client, make_event):
    event = make_event(timezone=None, start_time=time(18, 30), end_time=time(22, 0))
    data = client.get(f"/openstack6bday/{event.slug}.ics").data
    assert b"VTIMEZONE" not in data
    (ours,), (theirs,) = parse_both(data)
    assert (ours["DTSTART"].dt, ours["DTEND"].dt) == (date(2016, 7, 19), date(2016, 7, 20))
    assert theirs.dtstart.value == date(2016, 7, 19)


def test_a_feed_mixes_timed_and_all_day_parties_with_one_zone_each(
    client, make_thailand, make_event
):
    make_thailand(
        slug="thailand",
        title="Thai party",
        timezone="Asia/Bangkok",
        start_time=time(9, 0),
        end_time=time(17, 0),
    )
    make_event(slug="evening", title="Evening", start_time=time(18, 30), end_time=time(22, 0))
    make_event(slug="late", title="Late", start_time=time(20, 0))
    make_event(slug="allday", title="All day")

    data = client.get("/openstack6bday/calendar.ics").data

    assert timezones_of(data) == ["Asia/Bangkok", "Europe/Berlin"]
    ours, theirs = parse_both(data)
    got = {str(e["SUMMARY"]): (e["DTSTART"].dt, e["DTEND"].dt) for e in ours}
    assert got == {
        "Thai party (tutorials)": (
            datetime(2016, 7, 27, 9, tzinfo=BANGKOK),
            datetime(2016, 7, 28, 17, tzinfo=BANGKOK),
        ),
        "Thai party (launch party)": (
            datetime(2016, 7, 29, 9, tzinfo=BANGKOK),
            datetime(2016, 7, 29, 17, tzinfo=BANGKOK),
        ),
        "Evening": (
            datetime(2016, 7, 19, 18, 30, tzinfo=BERLIN),
            datetime(2016, 7, 19, 22, tzinfo=BERLIN),
        ),
        "Late": (
            datetime(2016, 7, 19, 20, tzinfo=BERLIN),
            datetime(2016, 7, 19, 22, tzinfo=BERLIN),
        ),
        "All day": (date(2016, 7, 19), date(2016, 7, 20)),
    }
    assert {v.summary.value: (v.dtstart.value, v.dtend.value) for v in theirs} == got


def test_google_calendar_links_carry_local_times_and_the_zone(make_event):
    event = make_event(
        title="Evening party", venue="Werk1", start_time=time(18, 30), end_time=time(22, 0)
    )
    (occurrence,) = occurrences([event])
    query = parse_qs(urlsplit(google_calendar_link(occurrence, "https://x.example/p")).query)
    assert query["dates"] == ["20160719T183000/20160719T220000"]
    assert query["ctz"] == ["Europe/Berlin"]
    assert query["location"] == ["Werk1, Munich"]
    assert query["text"] == ["Evening party"]

    event.start_time = event.end_time = None
    query = parse_qs(urlsplit(google_calendar_link(occurrence, "https://x.example/p")).query)
    assert query["dates"] == ["20160719/20160720"]
    assert "ctz" not in query


def test_ical_uids_and_links_are_on_the_public_url_whatever_the_request_host(
    app, client, make_thailand
):
    app.config["PUBLIC_URL"] = "https://parties.example.org/openstack"
    app.config["TRUSTED_HOSTS"] = ["parties.example.org", "mirror.example"]
    event = make_thailand(slug="thailand")

    for path in ("/openstack6bday/calendar.ics", "/openstack6bday/thailand.ics"):
        data = client.get(path, base_url="http://mirror.example").data
        (tutorials, party), _ = parse_both(data)
        assert [str(tutorials["UID"]), str(party["UID"])] == [
            f"event-{event.id}-part-0@parties.example.org",
            f"event-{event.id}-part-1@parties.example.org",
        ]
        assert str(party["URL"]) == "https://parties.example.org/openstack/openstack6bday/thailand"
        assert b"mirror.example" not in data
    page = client.get("/openstack6bday/thailand", base_url="http://mirror.example")
    assert b"mirror.example" not in page.data  # canonical and feed links too
    assert b'href="webcal://parties.example.org/openstack/openstack6bday/calendar.ics"' in (
        client.get("/", base_url="http://mirror.example").data
    )


# Dates outside the window that are already stored (from before the window was enforced).

EXTREME_DATES = {
    "last day": (date.max, date.max, None),
    "last day, timed": (date.max, date.max, time(23, 30)),
    "first day": (date.min, date.min, None),
    "first day, timed": (date.min, date.min, time(0, 15)),
    "years long": (date.min, date.max, time(18, 0)),
}


@pytest.mark.parametrize("case", list(EXTREME_DATES))
def test_stored_dates_at_the_ends_of_the_calendar_break_no_public_page(
    client, make_campaign, make_event, case
):
    from eventmap.models import EventPart

    start, end, start_time = EXTREME_DATES[case]
    make_campaign()
    # A campaign without dates opens its calendars on its first party's month and week.
    undated = make_campaign(slug="undated", name="Undated", anniversary=None, starts_on=None)
    undated.ends_on = None
    event = make_event(start_date=start, end_date=end, start_time=start_time)
    make_event(campaign=undated, start_date=start, end_date=end, start_time=start_time)
    parted = make_event(start_date=start, end_date=end, start_time=start_time)
    parted.parts.extend(
        [
            EventPart(position=0, label="first", start_date=start, end_date=start),
            EventPart(position=1, label="last", start_date=end, end_date=end),
        ]
    )
    db.session.commit()
    urls = [
        "/",
        "/openstack6bday/",
        "/openstack6bday/map",
        f"/openstack6bday/{event.slug}",
        f"/openstack6bday/{event.slug}.ics",
        f"/openstack6bday/{parted.slug}",
        f"/openstack6bday/{parted.slug}.ics",
        "/openstack6bday/calendar.ics",
        "/openstack6bday/calendar",
        "/openstack6bday/calendar/week",
        "/openstack6bday/calendar/agenda",
        "/openstack6bday/feed.atom",
        "/openstack6bday/near?near=48.1,11.5",
        "/undated/calendar",
        "/undated/calendar/week",
        "/undated/calendar.ics",
        "/api/events",
        "/api/map-events",
        "/api/events?near=48.1,11.5",
    ]
    for day in {start, end} - {date.min}:  # months and days before 1900 are refused (400)
        urls.append(f"/openstack6bday/calendar?month={day.isoformat()[:7]}")
        urls.append(f"/openstack6bday/calendar/week?day={day.isoformat()}")
    client.get("/")  # warm the process up (imports, map shell) before timing anything
    for url in urls:
        began = perf_counter()
        response = client.get(url)
        took = perf_counter() - began
        assert response.status_code == 200, (url, response.status_code)
        # Walking the days between the ends took 6 s per page; each now takes milliseconds.
        # The bound is wide so that a busy machine cannot fail it, narrow enough for the bug.
        assert took < 3.0, f"{url} took {took:.2f} s"
    calendar = icalendar.Calendar.from_ical(client.get("/openstack6bday/calendar.ics").data)
    assert len(calendar.walk("VEVENT")) == 3  # the event, and the other's two parts
    vobject.readOne(client.get("/openstack6bday/calendar.ics").data.decode())


def test_the_calendar_pages_link_no_further_than_the_calendar_goes(client, make_event):
    make_event()
    last_month = client.get("/openstack6bday/calendar?month=9999-12").get_data(as_text=True)
    assert 'rel="prev" href="/openstack6bday/calendar?month=9999-11"' in last_month
    assert 'rel="next"' not in last_month
    first_month = client.get("/openstack6bday/calendar?month=1900-01").get_data(as_text=True)
    assert 'rel="next" href="/openstack6bday/calendar?month=1900-02"' in first_month
    assert 'rel="prev"' not in first_month
    last_week = client.get("/openstack6bday/calendar/week?day=9999-12-31").get_data(as_text=True)
    assert "week of 27–31 December 9999" in last_week
    assert 'rel="prev" href="/openstack6bday/calendar/week?day=9999-12-20"' in last_week
    assert 'rel="next"' not in last_week
    first_week = client.get("/openstack6bday/calendar/week?day=1900-01-03").get_data(as_text=True)
    assert 'rel="prev"' not in first_week  # 1900-01-01 was a Monday


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/openstack6bday/calendar?month=0001-01", "is not a month like 2016-07 (from 1900-01"),
        ("/openstack6bday/calendar?month=1899-12", "is not a month like 2016-07"),
        ("/openstack6bday/calendar?month=２０１６-07", "is not a month like 2016-07"),
        ("/openstack6bday/calendar/week?day=0001-01-01", "is not a date like 2016-07-19 (from"),
        ("/openstack6bday/calendar/week?day=2016-W29-2", "is not a date like 2016-07-19"),
        ("/openstack6bday/calendar/week?day=2016-02-30", "is not a date like 2016-07-19"),
    ],
)
def test_months_and_days_outside_the_calendar_are_a_clear_400(client, make_event, url, message):
    make_event()
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


# Bounded views: a crowded day shows a few parties and "N more"; the agenda goes by pages.

AGENDA = "/openstack6bday/calendar/agenda"


def cell_of(page: str, day: str) -> str:
    found = re.search(
        rf'data-day="{day}">(.*?)</(?:td|li)>\s*(?:<td|</tr>|<li class="week-day|</ol>)', page, re.S
    )
    assert found, f"no cell for {day}"
    return found.group(1)


def links(page: str, rel: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        for href in re.findall(rf'rel="{rel}" href="([^"]+)"', page)
    ]


def agenda_titles(page: str) -> list[str]:
    listed = page[page.index('<ol class="agenda"') : page.index("</ol>")]
    return re.findall(r'<a href="/openstack6bday/(?!calendar)[^"]+"[^>]*>([^<]+)</a>', listed)


def test_a_crowded_day_shows_the_first_few_and_how_many_more(client, make_event):
    from eventmap.calendars import DAY_LIMIT

    under_way = make_event(
        title="AAA under way", start_date=date(2016, 7, 18), end_date=date(2016, 7, 19)
    )
    add_events(DAY_LIMIT + 2)  # July 19
    add_events(DAY_LIMIT - 1, start_date=date(2016, 7, 20), end_date=date(2016, 7, 20))
    add_events(3, start_date=None, end_date=None, date_text="TBD")

    for url in (
        "/openstack6bday/calendar?month=2016-07",
        "/openstack6bday/calendar/week?day=2016-07-19",
    ):
        page = client.get(url).get_data(as_text=True)
        crowded = cell_of(page, "2016-07-19")
        assert crowded.count('class="occurrence') == DAY_LIMIT
        assert "AAA under way" in crowded  # it began first: it comes first
        more = re.findall(r'<a class="more" href="([^"]+)">(\d+) more', crowded)
        assert more == [(f"{AGENDA}?from=2016-07-19", "3")]  # 1 + (DAY_LIMIT + 2) - DAY_LIMIT
        quiet = cell_of(page, "2016-07-20")
        assert quiet.count('class="occurrence') == DAY_LIMIT - 1
        assert 'class="more"' not in quiet
        assert page.count('class="more"') == 1
        assert 'id="tbd-heading"' in page  # three TBD parties: listed, no link to more
        assert "still to be dated" not in page

    # "3 more" leads to every party of that day, the one under way first.
    agenda = client.get(f"{AGENDA}?from=2016-07-19").get_data(as_text=True)
    titles = agenda_titles(agenda)
    assert titles[0] == under_way.title
    assert len(titles) == 1 + DAY_LIMIT + 2 + DAY_LIMIT - 1


def test_the_agenda_goes_through_the_days_a_page_at_a_time(client, make_event):
    from eventmap.calendars import AGENDA_PAGE_SIZE as SIZE

    make_event(title="Earlier", start_date=date(2016, 7, 10), end_date=date(2016, 7, 10))
    make_event(title="Under way", start_date=date(2016, 7, 18), end_date=date(2016, 7, 19))
    add_events(SIZE + 10)  # July 19
    add_events(SIZE, start_date=date(2016, 7, 20), end_date=date(2016, 7, 20))
    total = 1 + SIZE + 10 + SIZE  # from July 19 on

    pages, seen = [], []
    for number in (1, 2, 3):
        page = client.get(f"{AGENDA}?from=2016-07-19&page={number}").get_data(as_text=True)
        pages.append(page)
        seen += agenda_titles(page)
        assert f"Page {number} of 3" in page
        assert f"{total} parties on Tue 19 July 2016 or later" in page
    assert [len(agenda_titles(page)) for page in pages] == [SIZE, SIZE, total - 2 * SIZE]
    assert seen[0] == "Under way"
    assert "Earlier" not in seen
    assert len(seen) == len(set(seen)) == total  # every party once, none twice

    # Previous and next go one page, on the same first day; the first page links earlier days.
    assert links(pages[0], "prev") == []
    assert links(pages[0], "next") == [{"from": ["2016-07-19"], "page": ["2"]}]
    assert links(pages[1], "prev") == [{"from": ["2016-07-19"], "page": ["1"]}]
    assert links(pages[1], "next") == [{"from": ["2016-07-19"], "page": ["3"]}]
    assert links(pages[2], "next") == []
    assert f'href="{AGENDA}?from=2016-07-10">← Earlier parties' in pages[0]
    assert "Earlier parties" not in pages[1]

    # Past the last page: an empty page that leads back, not an error.
    beyond = client.get(f"{AGENDA}?from=2016-07-19&page=4")
    assert beyond.status_code == 200
    assert agenda_titles(beyond.get_data(as_text=True)) == []
    back = re.search(r'No parties on this page: <a href="([^"]+)">', beyond.get_data(as_text=True))
    assert parse_qs(urlsplit(back.group(1).replace("&amp;", "&")).query) == {
        "from": ["2016-07-19"],
        "page": ["1"],
    }
    after = client.get(f"{AGENDA}?from=2016-08-01").get_data(as_text=True)
    assert "No dated parties on Mon 1 August 2016 or later." in after
    # a page back from August: the 50 before it are all on July 20
    assert f'href="{AGENDA}?from=2016-07-20">← Earlier parties' in after

    # Without ?from= the agenda of a campaign that is over starts on its first party.
    first = client.get(AGENDA).get_data(as_text=True)
    assert agenda_titles(first)[:2] == ["Earlier", "Under way"]
    assert f"{total + 1} parties on Sun 10 July 2016 or later" in first


@pytest.mark.parametrize(
    "query",
    ["from=2016-02-30", "from=19-07-2016", "from=1899-12-31", "page=0", "page=-1", "page=²"],
)
def test_bad_agenda_parameters_are_a_clear_400(client, make_event, query):
    make_event()
    response = client.get(f"{AGENDA}?{query}")
    assert response.status_code == 400
    assert "must be" in response.get_data(as_text=True) or "is not a date" in response.get_data(
        as_text=True
    )


def test_parties_still_to_be_dated_are_listed_a_few_then_all_on_their_own_pages(client, make_event):
    from eventmap.calendars import AGENDA_PAGE_SIZE as SIZE
    from eventmap.calendars import DAY_LIMIT

    make_event()
    undated = add_events(SIZE + 3, start_date=None, end_date=None, date_text="TBD")
    titles = sorted(event.title for event in undated)
    for url in ("/openstack6bday/calendar", "/openstack6bday/calendar/week", AGENDA, "/"):
        page = client.get(url).get_data(as_text=True)
        section = page[page.index('id="tbd-heading"') :]
        section = section[: section.index("</section>")]
        assert section.count("<li>") == DAY_LIMIT, url
        assert (
            f'href="/openstack6bday/calendar/undated">All {SIZE + 3} parties still to be dated'
            in section
        )

    first = client.get("/openstack6bday/calendar/undated").get_data(as_text=True)
    second = client.get("/openstack6bday/calendar/undated?page=2").get_data(as_text=True)
    listed = [agenda_titles(page) for page in (first, second)]
    assert listed[0] + listed[1] == titles
    assert len(listed[0]) == SIZE
    assert links(first, "next") == [{"page": ["2"]}]
    assert links(second, "prev") == [{"page": ["1"]}]
    assert "Page 2 of 2" in second


def test_calendar_pages_do_not_grow_with_the_parties_of_a_month(client, make_event):
    make_event()
    small = {
        url: len(client.get(url).data)
        for url in (
            "/openstack6bday/calendar?month=2016-07",
            "/openstack6bday/calendar/week?day=2016-07-19",
            AGENDA,
        )
    }
    for day in range(1, 32):
        add_events(12, start_date=date(2016, 7, day), end_date=date(2016, 7, day))
    for url, size in small.items():
        response = client.get(url)
        assert response.status_code == 200
        # 5 parties a day at most (and 50 a page on the agenda) of 373, whatever the month holds
        assert len(response.data) < size + 45 * 700, url


def icalendar_vevent(occurrence, url: str, host: str, hashtag: str | None) -> bytes:
    """Write a VEVENT with icalendar's own objects: what the feed's text writer must match."""
    from eventmap.calendars import day_after, uid
    from eventmap.listing import event_place

    event = occurrence.event
    vevent = icalendar.Event()
    vevent.add("uid", uid(occurrence, host))
    vevent.add("summary", occurrence.title)
    times = local_times(occurrence)
    if times is not None:
        vevent.add("dtstart", times[0])
        vevent.add("dtend", times[1])
    else:
        vevent.add("dtstart", occurrence.start)
        end = day_after(occurrence.end)
        if end is not None:
            vevent.add("dtend", end)
        else:
            vevent.add("duration", timedelta(days=(occurrence.end - occurrence.start).days + 1))
    stamp = event.updated_at.replace(tzinfo=UTC)
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", stamp)
    vevent.add("location", event_place(event))
    if event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (event.latitude, event.longitude))
    vevent.add("url", url)
    lines = [event.description] if event.description else []
    if event.date_text:
        lines.append(f"Date as announced: {event.date_text}")
    if event.link:
        lines.append(f"More: {event.link}")
    lines.append(url)
    vevent.add("description", "\n\n".join(lines))
    if hashtag:
        vevent.add("categories", [hashtag])
    vevent.add("transp", "TRANSPARENT")
    return vevent.to_ical()


HOSTILE = [
    TRICKY,
    "a,b;c\\d and \\N",
    "multi\nline\r\nand\rreturn",
    "x" * 73 + "\\" + "y" * 100,
    "^" * 80,
    "Ünïcödé and 🎉 " * 12,
    "",
]


def test_the_feed_writes_what_icalendar_would_for_any_party(client, make_event, make_thailand):
    """The feed's VEVENTs are written as text for speed: byte for byte icalendar's own."""
    from eventmap.calendars import vevent
    from eventmap.urls import event_url_builder

    zones = ["UTC", "Etc/UTC", "GMT", "Europe/Berlin", "Asia/Kolkata", "Nowhere/Zone", None]
    for n in range(28):
        text = HOSTILE[n % len(HOSTILE)]
        make_event(
            slug=f"p{n}",
            title=f"{text} {n}"[:200],
            description=text * (n % 3),
            venue=HOSTILE[(n + 1) % len(HOSTILE)][:200] or None,
            timezone=zones[n % len(zones)],
            start_time=time(n % 24, 15) if n % 2 else None,
            end_time=time((n * 5) % 24, 0) if n % 4 == 1 else None,
            link=f"https://example.org/{n}" if n % 3 else "",
            latitude=None if n % 9 == 0 else 48.1 + n / 7,
            longitude=None if n % 9 == 0 else 11.5 - n / 3,
        )
    make_event(slug="last-days", start_date=date(9999, 12, 30), end_date=date(9999, 12, 31))
    make_event(slug="early", start_date=date(999, 1, 3), end_date=date(999, 1, 10))
    make_thailand()
    url_of = event_url_builder()
    found = occurrences(db.session.scalars(Event.approved()).all())
    assert len(found) > 30
    for occurrence in found:
        ours = vevent(occurrence, url_of(occurrence.event), "127.0.0.1", "OpenStack6Bday")
        assert ours.encode() == icalendar_vevent(
            occurrence, url_of(occurrence.event), "127.0.0.1", "OpenStack6Bday"
        ), occurrence.event.slug
    feed = client.get("/openstack6bday/calendar.ics").data
    assert len(icalendar.Calendar.from_ical(feed).walk("VEVENT")) == len(found)


def test_each_zone_s_vtimezone_is_written_once_however_many_zones_a_feed_names():
    """A feed of parties worldwide names about 300 zones; the second build writes none."""
    from zoneinfo import available_timezones

    from eventmap import calendars

    zones = sorted(available_timezones())[:400]
    years = dict.fromkeys(zones, (2016, 2016))
    calendars._vtimezone.cache_clear()
    first = calendars.vtimezones(years)
    written = calendars._vtimezone.cache_info().misses
    assert written == len(zones)
    again = calendars.vtimezones(years)
    assert calendars._vtimezone.cache_info().misses == written
    assert [z.to_ical() for z in again] == [z.to_ical() for z in first]
