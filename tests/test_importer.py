"""Importing event files: validation, all-or-nothing, idempotence and round trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventmap.exporting import export_csv, export_geojson
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.importer import ImportFileError, import_file, read_csv
from eventmap.models import Campaign, Event, EventPart, EventStatus

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
            e.date_text,
            e.start_date,
            e.end_date,
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
