"""The flask commands: import, export and campaigns, through the CLI runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from eventmap.extensions import db
from eventmap.models import Campaign, Event

HEADER = "campaign,title,location,date_text\n"


def count_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event))


def test_import_reports_counts_and_is_idempotent(app, runner, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "openstack6bday,A,Munich,July 19\nopenstack6bday,B,Brazil,TBD\n")

    first = runner.invoke(args=["import", str(path)])
    second = runner.invoke(args=["import", str(path)])

    assert first.exit_code == 0, first.output
    assert "Created campaign openstack6bday" in first.output
    assert "2 row(s): 2 created, 0 updated, 0 unchanged, 0 rejected." in first.output
    assert second.exit_code == 0, second.output
    assert "2 row(s): 0 created, 0 updated, 2 unchanged, 0 rejected." in second.output
    assert count_events(app) == 2


def test_import_with_a_bad_row_prints_where_and_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "openstack6bday,A,Munich,July 19\nopenstack6bday,B,Munich,Julyy 3\n")

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 1
    assert "row 3, column 'date_text'" in result.output
    assert "Julyy 3" in result.output
    assert "nothing was imported" in result.output
    assert "--skip-bad-rows" in result.output
    assert count_events(app) == 0


def test_import_skip_bad_rows_lists_the_rejected(app, runner, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "openstack6bday,A,Munich,July 19\nopenstack6bday,B,Nowhere,July 3\n")

    result = runner.invoke(args=["import", "--skip-bad-rows", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert "1 rejected" in result.output
    assert "row 3, column 'location': could not find the place 'Nowhere'" in result.output
    assert count_events(app) == 1


def test_import_of_a_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_large_file_shows_progress(app, runner, tmp_path, geocoder):
    text = "campaign,slug,title,location,date_text\n" + "\n".join(
        f"openstack6bday,p{n},Party {n},Munich,July {1 + n % 28}" for n in range(150)
    )
    path = tmp_path / "big.csv"
    path.write_text(text + "\n")

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.output
    assert "150 created" in result.output
    assert geocoder.calls == ["Munich"]  # one question per distinct place, not per row


def test_export_csv_and_geojson(app, runner, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "openstack6bday,A,Munich,July 19\n")
    runner.invoke(args=["import", str(path)])

    as_csv = runner.invoke(args=["export", "--format", "csv"])
    as_geojson = runner.invoke(args=["export", "--format", "geojson"])

    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["slug"], r["location"], r["start"], r["latitude"]) for r in rows] == [
        ("munich", "Munich", "2016-07-19", "48.137")
    ]
    document = json.loads(as_geojson.output)
    assert document["type"] == "FeatureCollection"
    assert document["features"][0]["properties"]["url"] == (
        "http://127.0.0.1:5000/openstack6bday/munich"
    )


def test_export_to_a_file_and_import_it_back(app, runner, tmp_path, empty_database):
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "openstack6bday,A,Munich,July 19\nopenstack6bday,B,Brazil,TBD\n")
    runner.invoke(args=["import", str(path)])
    out = tmp_path / "out.geojson"
    assert runner.invoke(args=["export", "--format", "geojson", "-o", str(out)]).exit_code == 0

    empty_database()
    result = runner.invoke(args=["import", str(out)])

    assert result.exit_code == 0, result.output
    assert "2 created" in result.output


def test_export_unknown_campaign(runner):
    result = runner.invoke(args=["export", "--campaign", "nope"])
    assert result.exit_code == 2
    assert "no campaign 'nope'" in result.output


def test_campaigns_command_loads_the_catalogue(app, runner, tmp_path):
    catalogue = tmp_path / "c.toml"
    catalogue.write_text(
        '[[campaign]]\nslug = "meetup"\nname = "A meetup"\nanniversary = 2020-01-01\n'
    )
    result = runner.invoke(args=["campaigns", str(catalogue)])
    assert result.exit_code == 0, result.output
    assert "1 campaign(s), 1 created or updated." in result.output
    with app.app_context():
        assert db.session.scalar(Campaign.by_slug("meetup")).name == "A meetup"


def test_campaigns_command_reports_a_bad_catalogue(runner, tmp_path):
    catalogue = tmp_path / "c.toml"
    catalogue.write_text('[[campaign]]\nslug = "api"\nname = "Clash"\n')
    result = runner.invoke(args=["campaigns", str(catalogue)])
    assert result.exit_code == 1
    assert "reserved" in result.output
    assert Path(catalogue).exists()


def test_geocode_prints_a_readable_answer(runner):
    result = runner.invoke(args=["geocode", "Kazan, Russia", "Nowhere"])
    assert result.exit_code == 0, result.output
    assert "Kazan, Russia (fake)" in result.output
    assert "55.79600, 49.10600 · city · RU" in result.output
    assert "Nowhere\n  not found" in result.output


def test_geocode_json_reads_stdin_in_order(runner):
    result = runner.invoke(args=["geocode", "--json", "-", "Munich"], input="Brazil\nOnline\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["query"] for a in answers] == ["Brazil", "Online", "Munich"]
    keys = {"query", "lat", "lon", "precision", "country_code", "region", "display_name"}
    keys |= {"confidence", "ambiguous", "candidates"}
    assert all(set(a) == keys for a in answers)
    assert (answers[0]["precision"], answers[0]["country_code"]) == ("country", "BR")
    assert (answers[1]["lat"], answers[1]["lon"]) == (None, None)
    assert answers[2]["lat"] == 48.137


def test_geocode_needs_a_query(runner):
    result = runner.invoke(args=["geocode"])
    assert result.exit_code == 2
    assert "give a place" in result.output


def test_geocode_events_moves_geocoded_points_and_keeps_manual_ones(
    app, runner, make_event, geocoder
):
    moved = make_event(location_text="Kazan, Russia", latitude=0.0, longitude=0.0)
    manual = make_event(
        location_text="Kazan, Russia", latitude=55.8, longitude=49.2, geocode_source="manual"
    )
    lost = make_event(location_text="Atlantis")
    ids = moved.id, manual.id, lost.id

    result = runner.invoke(args=["geocode", "--events"])

    assert result.exit_code == 0, result.output
    assert "3 event(s): 1 moved, 0 unchanged, 1 manual point(s) kept, 1 not found." in result.output
    assert "Geocoding events" in result.output  # the progress bar
    with app.app_context():
        moved, manual, lost = (db.session.get(Event, i) for i in ids)
        assert (moved.latitude, moved.country_code, moved.region) == (55.796, "RU", "Tatarstan")
        assert (manual.latitude, manual.geocode_source) == (55.8, "manual")
        assert (lost.latitude, lost.longitude) == (48.137, 11.575)  # left as it was
    assert geocoder.calls.count("Kazan, Russia") == 1


def test_geocode_events_records_the_confidence_without_counting_it_as_a_move(
    app, runner, make_event, geocoder
):
    # Placed before confidences were kept: same point, no confidence yet.
    kept = make_event(
        location_text="Munich",
        region="Bavaria",
        place_name="Munich (fake)",
        geocode_confidence=None,
    )

    result = runner.invoke(args=["geocode", "--events"])

    assert "1 event(s): 0 moved, 1 unchanged" in result.output
    with app.app_context():
        assert db.session.get(Event, kept.id).geocode_confidence == 1.0
