"""Importing event files: validation, all-or-nothing, idempotence and round trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventmap.eventdata import ImportFileError
from eventmap.exporting import export_csv, export_geojson
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.importer import import_file, read_csv
from eventmap.models import Campaign, Event, EventPart, EventStatus
from eventmap.serialize import CSV_COLUMNS, FORMULA_PREFIXES
from eventmap.submissions import new_edit_token

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "campaigns.toml"
HEADER = "campaign,title,location,date_text\n"


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    """Write an input file for one test."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path: Path, geocoder, **kwargs):
    """Import with the repository's campaign catalogue."""
    return import_file(path, geocoder=geocoder, catalogue_path=CATALOGUE, **kwargs)


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def snapshot() -> list[tuple]:
    """Everything stored about events and parts, to compare before and after."""
    events = db.session.scalars(select(Event).order_by(Event.slug)).all()
    return [
        (
            e.slug,
            e.title,
            e.location_text,
            e.venue,
            e.address,
            e.date_text,
            e.start_date,
            e.end_date,
            e.start_time,
            e.end_time,
            e.latitude,
            e.longitude,
            e.precision,
            e.country_code,
            e.region,
            e.place_name,
            e.timezone,
            e.geocode_source,
            e.link,
            e.description,
            e.contact,
            e.status,
            e.updated_at.replace(tzinfo=None),
            tuple((p.position, p.label, p.start_date, p.end_date) for p in e.parts),
        )
        for e in events
    ]


GOOD = (
    HEADER
    + "openstack6bday,Munich party,Munich,July 19\n"
    + "openstack6bday,Thai party,Thailand,July 27-28 (tutorials); July 29 (launch party)\n"
    + "openstack6bday,Brazil party,Brazil,TBD\n"
)


def test_import_creates_events_with_campaign_parts_and_points(ctx, tmp_path, geocoder):
    report = run_import(write(tmp_path, GOOD), geocoder)

    assert (len(report.created), len(report.updated), len(report.unchanged)) == (3, 0, 0)
    assert report.campaigns_created == ["openstack6bday"]
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))
    assert campaign.hashtag == "OpenStack6Bday"
    assert campaign.anniversary == date(2016, 7, 19)
    munich = db.session.scalar(select(Event).where(Event.slug == "munich"))
    assert (munich.start_date, munich.end_date) == (date(2016, 7, 19), date(2016, 7, 19))
    assert (munich.latitude, munich.longitude, munich.country_code) == (48.137, 11.575, "DE")
    assert munich.precision is Precision.CITY
    assert munich.geocode_source == "geocoder"
    assert munich.status is EventStatus.APPROVED
    assert munich.parts == []
    thai = db.session.scalar(select(Event).where(Event.slug == "thailand"))
    assert (thai.start_date, thai.end_date) == (date(2016, 7, 27), date(2016, 7, 29))
    assert [(p.label, p.start_date, p.end_date) for p in thai.parts] == [
        ("tutorials", date(2016, 7, 27), date(2016, 7, 28)),
        ("launch party", date(2016, 7, 29), date(2016, 7, 29)),
    ]
    brazil = db.session.scalar(select(Event).where(Event.slug == "brazil"))
    assert brazil.start_date is None
    assert brazil.end_date is None
    assert brazil.date_text == "TBD"


def test_import_twice_changes_nothing(ctx, tmp_path, geocoder):
    path = write(tmp_path, GOOD)
    run_import(path, geocoder)
    before = snapshot()
    geocoder.calls.clear()

    report = run_import(path, geocoder)

    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 3)
    assert snapshot() == before
    assert geocoder.calls == []  # same place text: the stored point is kept, not asked again


def test_editing_a_row_updates_that_event_only(ctx, tmp_path, geocoder):
    run_import(write(tmp_path, GOOD), geocoder)
    thai_before = [row for row in snapshot() if row[0] == "thailand"]

    edited = GOOD.replace("Munich party,Munich,July 19", "Munich party,Munich,July 20")
    report = run_import(write(tmp_path, edited), geocoder)

    assert report.updated == ["openstack6bday/munich"]
    assert len(report.unchanged) == 2
    munich = db.session.scalar(select(Event).where(Event.slug == "munich"))
    assert munich.start_date == date(2016, 7, 20)
    assert [row for row in snapshot() if row[0] == "thailand"] == thai_before
    assert event_count() == 3


def test_changing_the_place_text_geocodes_again(ctx, tmp_path, geocoder):
    run_import(write(tmp_path, GOOD), geocoder)
    moved = "campaign,slug,title,location,date_text\n" + (
        'openstack6bday,munich,Munich party,"Kazan, Russia",July 19\n'
    )
    report = run_import(write(tmp_path, moved), geocoder)

    assert report.updated == ["openstack6bday/munich"]
    assert geocoder.calls[-1] == "Kazan, Russia"
    munich = db.session.scalar(select(Event).where(Event.slug == "munich"))
    assert (munich.country_code, munich.latitude) == ("RU", 55.796)


def test_a_manual_point_survives_reimport_of_the_same_place(ctx, tmp_path, geocoder):
    run_import(write(tmp_path, GOOD), geocoder)
    munich = db.session.scalar(select(Event).where(Event.slug == "munich"))
    munich.latitude, munich.longitude, munich.geocode_source = 48.1, 11.6, "manual"
    db.session.commit()

    run_import(write(tmp_path, GOOD), geocoder)

    db.session.expire_all()
    munich = db.session.scalar(select(Event).where(Event.slug == "munich"))
    assert (munich.latitude, munich.longitude, munich.geocode_source) == (48.1, 11.6, "manual")


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("openstack6bday,Bad,Munich,July 32", "date_text", '"July 32"'),
        ("openstack6bday,Bad,Munich,Jully 5", "date_text", "Jully 5"),
        ("openstack6bday,,Munich,July 5", "title", "is required"),
        ("openstack6bday,Bad,,July 5", "location", "is required"),
        ("openstack6bday,Bad,Atlantis,July 5", "location", "could not find the place 'Atlantis'"),
        ("nosuchcampaign,Bad,Munich,July 5", "campaign", "unknown campaign 'nosuchcampaign'"),
    ],
)
def test_a_bad_row_is_reported_with_row_and_column_and_nothing_is_written(
    ctx, tmp_path, geocoder, row, column, fragment
):
    run_import(write(tmp_path, GOOD), geocoder)
    before = snapshot()
    text = GOOD.replace(
        "openstack6bday,Brazil party,Brazil,TBD", "openstack6bday,New,Munich,July 1"
    )
    text += row + "\n"

    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)

    messages = [str(error) for error in caught.value.errors]
    assert any(
        error.where == "row 5" and error.column == column and fragment in error.message
        for error in caught.value.errors
    ), messages
    assert snapshot() == before  # neither the good new row nor the edit landed


@pytest.mark.parametrize(
    ("extra_header", "extra_cells", "column", "fragment"),
    [
        ("start,end", "2016-07-06,2016-07-08", "end", "does not match date_text"),
        ("start", "07/06/2016", "start", "not a date written YYYY-MM-DD"),
        ("latitude,longitude", "91,10", "latitude", "outside -90..90"),
        ("latitude,longitude", "48.1,", "longitude", "is empty"),
        ("latitude,longitude", "north,10", "latitude", "not a number"),
        ("link", "javascript:alert(1)", "link", "http:// or https://"),
        ("status", "published", "status", "is not one of"),
        ("slug", "Not A Slug", "slug", "lower-case"),
        ("latitude,longitude,timezone", "48.1,11.5,Mars/Olympus", "timezone", "IANA"),
        ("start_time", "24:00", "start_time", "HH:MM on the 24-hour clock"),
        ("start_time", "6pm", "start_time", "HH:MM on the 24-hour clock"),
        ("start_time", "18:30:15", "start_time", "HH:MM on the 24-hour clock"),
        ("start_time,end_time", "18:30,22:61", "end_time", "HH:MM on the 24-hour clock"),
        ("end_time", "22:00", "start_time", "is empty but end_time is given"),
        ("venue", "v" * 201, "venue", "the limit is 200"),
        ("address", "a" * 301, "address", "the limit is 300"),
        ("address", '"Platzl 9\nMunich"', "address", "control character"),
    ],
)
def test_column_checks(ctx, tmp_path, geocoder, extra_header, extra_cells, column, fragment):
    text = f"campaign,title,location,date_text,{extra_header}\n"
    text += f"openstack6bday,Japan party,Munich,July 6-7,{extra_cells}\n"
    path = write(tmp_path, text)
    with pytest.raises(ImportFileError) as caught:
        run_import(path, geocoder)
    errors = caught.value.errors
    assert any(
        e.column == column and fragment in e.message and e.where == "row 2" for e in errors
    ), [str(e) for e in errors]
    assert event_count() == 0


def test_every_problem_is_reported_not_just_the_first(ctx, tmp_path, geocoder):
    text = HEADER + "openstack6bday,A,Munich,July 32\nopenstack6bday,,Brazil,July 5\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    assert {(e.where, e.column) for e in caught.value.errors} == {
        ("row 2", "date_text"),
        ("row 3", "title"),
    }


def test_duplicate_slugs_in_one_file_are_refused(ctx, tmp_path, geocoder):
    text = HEADER + "openstack6bday,A,Munich,July 5\nopenstack6bday,B,Munich,July 6\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    (error,) = caught.value.errors
    assert (error.where, error.column) == ("row 3", "slug")
    assert "row 2" in error.message
    assert "add a slug column" in error.message


@pytest.mark.parametrize(
    ("text", "made"),
    [
        ("campaign,title,location,date_text,slug\nopenstack6bday,A,Munich,July 5,map\n", False),
        (HEADER + "openstack6bday,A,Memories,July 5\n", True),
    ],
)
def test_a_slug_that_is_a_campaign_page_s_address_is_refused(ctx, tmp_path, geocoder, text, made):
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    (error,) = [e for e in caught.value.errors if e.column == "slug"]  # (and the fake's place)
    assert error.where == "row 2"
    assert "/openstack6bday/map" in error.message
    assert ("add a slug column" in error.message) is made
    assert db.session.scalar(select(func.count(Event.id))) == 0  # nothing half-written


def test_header_problems_are_reported_before_rows(ctx, tmp_path, geocoder):
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, "campaign,titel,location\nx,y,z\n"), geocoder)
    assert {(e.where, e.column) for e in caught.value.errors} == {
        ("row 1", "titel"),
        ("row 1", "title"),
    }


def test_ragged_rows_and_bad_encoding_are_reported(ctx, tmp_path, geocoder):
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, HEADER + "openstack6bday,A,Munich\n"), geocoder)
    assert "3 cells but the header has 4" in str(caught.value.errors[0])
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "openstack6bday,Café,Munich,July 5\n").encode("latin-1"))
    with pytest.raises(ImportFileError) as caught:
        run_import(path, geocoder)
    assert "not UTF-8" in str(caught.value.errors[0])
    assert caught.value.errors[0].where == "line 2"


def test_skip_bad_rows_imports_the_good_ones_and_lists_the_rest(ctx, tmp_path, geocoder):
    text = GOOD + 'openstack6bday,Bad,"Kazan, Russia",July 32\n'
    report = run_import(write(tmp_path, text), geocoder, skip_bad_rows=True)
    assert len(report.created) == 3
    assert [(e.where, e.column) for e in report.rejected] == [("row 5", "date_text")]
    assert event_count() == 3


def test_html_in_fields_is_stored_as_text(ctx, tmp_path, geocoder):
    text = HEADER + 'openstack6bday,"<script>alert(1)</script>",Munich,July 5\n'
    run_import(write(tmp_path, text), geocoder)
    assert db.session.scalar(select(Event.title)) == "<script>alert(1)</script>"


def test_line_breaks_are_refused_in_single_line_fields(ctx, tmp_path, geocoder):
    text = HEADER + 'openstack6bday,"two\nlines",Munich,July 5\n'
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    assert caught.value.errors[0].column == "title"
    assert "control character" in caught.value.errors[0].message


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them():
    rows = read_csv('title,location\n"multi\nline",x\n\nlast,y\n')
    assert [row.where for row in rows] == ["row 2", "row 5"]


def test_start_and_end_without_a_phrase_make_a_date_text(ctx, tmp_path, geocoder):
    text = "campaign,title,location,start,end\nopenstack6bday,A,Munich,2016-07-06,2016-07-07\n"
    run_import(write(tmp_path, text), geocoder)
    event = db.session.scalar(select(Event))
    assert (event.start_date, event.end_date) == (date(2016, 7, 6), date(2016, 7, 7))
    assert event.date_text  # a phrase a person can read, generated from the dates
    assert "6" in event.date_text
    assert "7" in event.date_text


def _export_csv_text() -> str:
    buffer = io.StringIO()
    events = db.session.scalars(select(Event).order_by(Event.id))
    export_csv(events, csv.writer(buffer, lineterminator="\n"))
    return buffer.getvalue()


def test_csv_export_round_trips_into_an_empty_database(app, tmp_path, geocoder, empty_database):
    with app.app_context():
        text = (
            "campaign,title,location,date_text,link,description,contact,status\n"
            'openstack6bday,"=HYPERLINK(""x"")",Munich,July 5,https://example.org/a?b=1,'
            '"line one\nline two",alice@example.org,pending\n'
            "openstack6bday,Thai,Thailand,July 27-28 (tutorials); July 29 (launch party),,,,\n"
            "openstack6bday,Later,Brazil,TBD,,,,rejected\n"
        )
        run_import(write(tmp_path, text), geocoder)
        before = [row[:-2] + row[-1:] for row in snapshot()]  # all but updated_at
        with app.test_request_context():
            exported = _export_csv_text()
        assert "'=HYPERLINK" in exported  # the formula is neutralised for spreadsheets

    empty_database()
    with app.app_context():
        geocoder.calls.clear()
        report = run_import(write(tmp_path, exported, "export.csv"), geocoder)
        assert len(report.created) == 3
        assert geocoder.calls == []  # exported points are used as they are
        after = [row[:-2] + row[-1:] for row in snapshot()]
        assert after == before


def test_spanish_and_japanese_date_phrases_import_and_round_trip(
    app, tmp_path, geocoder, empty_database
):
    with app.app_context():
        text = (
            "campaign,title,location,date_text,start,end\n"
            "openstack6bday,Fiesta,Munich,del 30 de julio al 2 de agosto,2016-07-30,2016-08-02\n"
            "openstack6bday,パーティー,Thailand,7月27日～28日(ワークショップ); 7月29日(金),,\n"
            "openstack6bday,Sin fecha,Brazil,por confirmar,,\n"
        )
        run_import(write(tmp_path, text), geocoder)
        fiesta = db.session.scalar(select(Event).where(Event.title == "Fiesta"))
        assert (fiesta.start_date, fiesta.end_date) == (date(2016, 7, 30), date(2016, 8, 2))
        party = db.session.scalar(select(Event).where(Event.title == "パーティー"))
        assert party.date_text == "7月27日～28日(ワークショップ); 7月29日(金)"
        assert [(p.label, p.start_date, p.end_date) for p in party.parts] == [
            ("ワークショップ", date(2016, 7, 27), date(2016, 7, 28)),
            (None, date(2016, 7, 29), date(2016, 7, 29)),
        ]
        undated = db.session.scalar(select(Event).where(Event.title == "Sin fecha"))
        assert (undated.start_date, undated.end_date) == (None, None)
        before = [row[:-2] + row[-1:] for row in snapshot()]
        with app.test_request_context():
            exported = _export_csv_text()
    empty_database()
    with app.app_context():
        run_import(write(tmp_path, exported, "export.csv"), geocoder)
        assert [row[:-2] + row[-1:] for row in snapshot()] == before


def test_a_date_phrase_another_language_cannot_read_is_refused_by_row_and_column(
    ctx, tmp_path, geocoder
):
    text = HEADER + "openstack6bday,A,Munich,31 de junio\nopenstack6bday,B,Thailand,7月6日(金)\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    errors = caught.value.errors
    assert [(e.where, e.column) for e in errors] == [("row 2", "date_text"), ("row 3", "date_text")]
    assert 'could not read the date "31 de junio": 31 June 2016 is not a day' in errors[0].message
    assert '"7月6日(金)": 6 July 2016 is a Wednesday, not a Friday' in errors[1].message
    assert event_count() == 0


def test_geojson_export_round_trips(app, tmp_path, geocoder, empty_database):
    with app.app_context():
        run_import(write(tmp_path, GOOD), geocoder)
        before = [row[:-2] + row[-1:] for row in snapshot()]
        with app.test_request_context():
            document = export_geojson(db.session.scalars(select(Event).order_by(Event.id)))
    empty_database()
    with app.app_context():
        run_import(write(tmp_path, json.dumps(document), "export.geojson"), geocoder)
        assert [row[:-2] + row[-1:] for row in snapshot()] == before
        assert db.session.scalar(select(func.count()).select_from(EventPart)) == 2


def test_venue_address_and_local_times_are_read(ctx, tmp_path, geocoder):
    text = (
        "campaign,title,location,venue,address,date_text,start_time,end_time\n"
        'openstack6bday,Evening,Munich,Werk1,"Atelierstraße 29, München",July 19,18:30,22:00\n'
        "openstack6bday,Two days,Brazil,,,July 6-7,9:00:00,\n"
        "openstack6bday,Late,Paris,,,July 27-28,22:00,02:00\n"
    )
    geocoder.add("Paris", 48.857, 2.352, country_code="FR")
    run_import(write(tmp_path, text), geocoder)
    events = {e.title: e for e in db.session.scalars(select(Event))}
    evening = events["Evening"]
    assert (evening.venue, evening.address) == ("Werk1", "Atelierstraße 29, München")
    assert (evening.start_time, evening.end_time) == (time(18, 30), time(22, 0))
    assert (events["Two days"].start_time, events["Two days"].end_time) == (time(9, 0), None)
    assert events["Two days"].venue is None
    # Over two days, an end time "before" the start time is simply on the next day.
    assert (events["Late"].start_time, events["Late"].end_time) == (time(22, 0), time(2, 0))


@pytest.mark.parametrize(
    ("date_text", "start_time", "end_time", "column", "fragment"),
    [
        ("July 19", "22:00", "02:00", "end_time", "past midnight, make the end date the next day"),
        ("July 19", "18:30", "18:30", "end_time", "is not after start_time 18:30"),
        ("TBD", "18:30", "", "start_time", "times need a date"),
        ("", "", "22:00", "start_time", "is empty but end_time is given"),
    ],
)
def test_times_must_make_sense_with_the_dates(
    ctx, tmp_path, geocoder, date_text, start_time, end_time, column, fragment
):
    text = "campaign,title,location,date_text,start_time,end_time\n"
    text += f"openstack6bday,Timed,Munich,{date_text},{start_time},{end_time}\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    assert any(
        e.where == "row 2" and e.column == column and fragment in e.message
        for e in caught.value.errors
    ), [str(e) for e in caught.value.errors]
    assert event_count() == 0


@pytest.mark.parametrize(
    ("date_text", "start", "end", "column", "fragment"),
    [
        ("9999-12-31", "", "", "date_text", "more than 5 years after the campaign (2016)"),
        ("December 30 9999 - January 2", "", "", "date_text", "after the last day of year 9999"),
        ("July 1 1899", "", "", "date_text", "1899-07-01 is before 1900"),
        ("July 1; August 2", "", "", "date_text", "a party lasts at most 31 days"),
        ("", "0001-01-01", "", "start", "0001-01-01 is before 1900"),
        ("", "2016-07-19", "9999-12-31", "end", "the last day possible is 2021-12-31"),
        ("", "2016-07-01", "2016-08-31", "end", "this one runs 62 days"),
    ],
)
def test_days_outside_the_window_are_refused_by_row_and_column(
    ctx, tmp_path, geocoder, date_text, start, end, column, fragment
):
    text = "campaign,title,location,date_text,start,end\n"
    text += f"openstack6bday,Party,Munich,{date_text},{start},{end}\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    assert [(e.where, e.column) for e in caught.value.errors] == [("row 2", column)]
    assert fragment in caught.value.errors[0].message, str(caught.value.errors[0])
    assert event_count() == 0


def test_an_unreadable_date_is_not_reported_again_as_a_missing_one(ctx, tmp_path, geocoder):
    text = "campaign,title,location,date_text,start_time\nopenstack6bday,A,Munich,July 32,18:00\n"
    with pytest.raises(ImportFileError) as caught:
        run_import(write(tmp_path, text), geocoder)
    assert [e.column for e in caught.value.errors] == ["date_text"]


def test_an_import_leaves_the_organizer_contact_and_token_alone(
    ctx, tmp_path, geocoder, make_event
):
    _token, token_hash = new_edit_token()
    make_event(
        slug="submitted",
        title="Old title",
        organizer_name="Olga Organizer",
        organizer_email="olga@example.org",
        edit_token_hash=token_hash,
        contact="team-notes@example.org",
    )
    text = (
        "campaign,slug,title,location,venue,date_text,start_time,contact\n"
        "openstack6bday,submitted,New title,Munich,Werk1,July 19,19:00,team-notes@example.org\n"
    )
    report = run_import(write(tmp_path, text), geocoder)

    assert report.updated == ["openstack6bday/submitted"]
    event = db.session.scalar(select(Event).filter_by(slug="submitted"))
    assert (event.title, event.venue, event.start_time) == ("New title", "Werk1", time(19, 0))
    assert (event.organizer_name, event.organizer_email, event.edit_token_hash) == (
        "Olga Organizer",
        "olga@example.org",
        token_hash,
    )
    assert event.contact == "team-notes@example.org"


def _timed_events(make_event, make_thailand) -> None:
    """Store parties with every new detail: times, a venue and an address, parts."""
    make_event(
        slug="werk1",
        title="Evening",
        venue="Werk1",
        address="Atelierstraße 29, 81671 München",
        start_time=time(18, 30),
        end_time=time(22, 0),
        description="Bring *friends*\nand cake",
    )
    make_event(slug="from-nine", title="Morning", start_time=time(9, 0))
    make_event(slug="allday", title="All day")
    make_thailand(
        slug="thailand",
        title="Thai",
        date_text="July 27-28 (tutorials); July 29 (launch party)",
        start_time=time(9, 0),
        end_time=time(17, 0),
    )


def test_venue_address_and_times_round_trip_through_csv(
    app, tmp_path, geocoder, empty_database, make_event, make_thailand
):
    with app.app_context():
        _timed_events(make_event, make_thailand)
        before = [row[:-2] + row[-1:] for row in snapshot()]
        with app.test_request_context():
            exported = _export_csv_text()
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["werk1"]["start_time"] == "18:30"
    assert rows["werk1"]["end_time"] == "22:00"
    assert rows["werk1"]["venue"] == "Werk1"
    assert rows["from-nine"]["end_time"] == ""

    empty_database()
    with app.app_context():
        run_import(write(tmp_path, exported, "export.csv"), geocoder)
        assert [row[:-2] + row[-1:] for row in snapshot()] == before


def test_venue_address_and_times_round_trip_through_geojson(
    app, tmp_path, geocoder, empty_database, make_event, make_thailand
):
    with app.app_context():
        _timed_events(make_event, make_thailand)
        before = [row[:-2] + row[-1:] for row in snapshot()]
        with app.test_request_context():
            document = export_geojson(db.session.scalars(select(Event).order_by(Event.id)))
    werk1 = next(f for f in document["features"] if f["properties"]["slug"] == "werk1")
    assert werk1["properties"]["start_time"] == "18:30"
    assert werk1["properties"]["address"] == "Atelierstraße 29, 81671 München"

    empty_database()
    with app.app_context():
        run_import(write(tmp_path, json.dumps(document), "export.geojson"), geocoder)
        assert [row[:-2] + row[-1:] for row in snapshot()] == before


HOSTILE_CELLS = {
    "title": '=HYPERLINK("https://evil.example","click")',
    "location": "+Munich",
    "venue": "@SUM(1+1)*cmd|' /C calc'!A0",
    "address": "-2+3+cmd|' /C calc'!A0",
    "region": "=1+1",
    "place_name": "@place",
    "description": "=cmd|' /C notepad'!A0\nsecond line",
    "contact": "+49 89 123456",
}


def test_hostile_cells_in_every_column_are_neutralised_and_restored(
    app, tmp_path, geocoder, empty_database, make_event
):
    with app.app_context():
        make_event(
            slug="hostile",
            title=HOSTILE_CELLS["title"],
            location_text=HOSTILE_CELLS["location"],
            venue=HOSTILE_CELLS["venue"],
            address=HOSTILE_CELLS["address"],
            region=HOSTILE_CELLS["region"],
            place_name=HOSTILE_CELLS["place_name"],
            description=HOSTILE_CELLS["description"],
            contact=HOSTILE_CELLS["contact"],
            latitude=-33.8688,  # a minus sign starts a formula too
            longitude=-151.2093,
            start_time=time(18, 30),
            end_time=time(22, 0),
        )
        before = [row[:-2] + row[-1:] for row in snapshot()]
        with app.test_request_context():
            exported = _export_csv_text()

    header, row = list(csv.reader(io.StringIO(exported)))
    assert tuple(header) == CSV_COLUMNS
    cells = dict(zip(header, row, strict=True))
    for column, cell in cells.items():
        assert not cell.startswith(FORMULA_PREFIXES), f"{column}: {cell!r}"
    for column, value in HOSTILE_CELLS.items():
        assert cells[column] == "'" + value
    assert cells["latitude"] == "'-33.8688"

    empty_database()
    with app.app_context():
        run_import(write(tmp_path, exported, "export.csv"), geocoder)
        assert [row[:-2] + row[-1:] for row in snapshot()] == before
