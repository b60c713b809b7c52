"""flask backup / flask restore: every row of every table back, column by column, on any database.

Round trips run on the suite's database (SQLite, or PostgreSQL with DATABASE_URL), and from
SQLite to PostgreSQL and back on databases of their own: a temporary SQLite file and a
throwaway database on the PostgreSQL server (POSTGRES_URL, default the local one), dropped
afterwards. Without that server the cross-database test is skipped, and under CI=true it fails.
"""

from __future__ import annotations

import gzip
import json
import logging
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, make_url, select, text

from eventmap import backup, operations
from eventmap.extensions import db
from eventmap.geocoding import Place, Precision
from eventmap.models import (
    Admin,
    AuditEntry,
    Campaign,
    DataVersion,
    Event,
    EventPart,
    EventReport,
    EventStatus,
    GeocodeAnswer,
    Photo,
    PhotoStatus,
    Rsvp,
    RsvpStatus,
    RsvpTally,
)
from tests.helpers import PASSWORD, campaign_values, event_values, sign_in

from .conftest import make_app

EMOJI = "🎂🥳 👩🏽‍💻 🇺🇦"  # a skin tone, a zero-width-joined person, a flag
ARABIC = "حفلة عيد ميلاد أوبن ستاك السادس"
HEBREW = "מסיבת יום הולדת"
# Longer than any page shows: Text columns have no limit on either database.
LONG = ("Cake, talks & “quotes” \\ back\tslash\n" + ARABIC + " " + EMOJI + "\n\n") * 2500


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def fill(zone: timezone = UTC) -> dict[str, Any]:
    """Store rows in every table, with the values a copy most easily gets wrong.

    `zone` is the offset written into the hand-set timestamps: SQLite keeps no offset (the app
    writes UTC there), PostgreSQL keeps the instant whatever the offset.
    """
    main = Campaign(**campaign_values(description=LONG))
    other = Campaign(
        **campaign_values(
            slug="iftar",
            name=f"إفطار OpenStack {EMOJI}",
            hashtag="",
            description="",
            starts_on=None,
            ends_on=None,
            anniversary=None,
        )
    )
    db.session.add_all([main, other])
    db.session.commit()
    stamp = datetime(2016, 7, 19, 18, 30, 15, 123456, tzinfo=zone)
    events = [
        Event(campaign=main, **event_values(status=status, title=f"{status.value} {EMOJI}"))
        for status in EventStatus
    ]
    events += [
        Event(
            campaign=main,
            **event_values(
                title=f"{ARABIC} ({HEBREW})",
                language="ar",  # the party's own language (migration 0010)
                location_text="Kazan, Russia",
                latitude=0.1 + 0.2,  # 0.30000000000000004, exactly
                longitude=-179.99999999999997,
                precision=Precision.REGION,
                start_time=time(18, 30),
                end_time=time(23, 59, 59),
                venue="Café “Zürich” – upstairs",
                address="ул. Баумана, 1",
                link="https://example.org/?q=a&b=%F0%9F%8E%82",
                description=LONG,
                contact="Ada <ada@example.org>",
                organizer_name="Zoë Ñandú",
                organizer_email="zoe@example.org",
                edit_token_hash="ab" * 32,
                status_reason=None,
                approved_at=stamp,
                created_at=stamp - timedelta(days=3),
                updated_at=stamp + timedelta(microseconds=1),
            ),
        ),
        Event(  # to be announced, nowhere yet: NULL in every optional column
            campaign=other,
            **event_values(
                slug="tbd",
                title="TBD",
                location_text="Online",
                latitude=None,
                longitude=None,
                precision=None,
                country_code=None,
                timezone=None,
                geocode_source=None,
                start_date=None,
                end_date=None,
                date_text="TBD",
                description="",
                status=EventStatus.REJECTED,
                status_reason="Not a party: “just” a webinar 🙃",
            ),
        ),
    ]
    db.session.add_all(events)
    db.session.commit()
    events[-2].parts.extend(
        [
            EventPart(
                position=0,
                label="tutorials 📚",
                start_date=date(2016, 7, 27),
                end_date=date(2016, 7, 28),
            ),
            EventPart(
                position=1, label=None, start_date=date(2016, 7, 29), end_date=date(2016, 7, 29)
            ),
        ]
    )
    db.session.commit()
    operations.create_admin("eve", PASSWORD)
    dana = operations.create_admin("dana", PASSWORD)
    operations.start_session(dana)
    operations.set_status(events[0], EventStatus.APPROVED, actor="admin:dana")
    operations.set_status(events[1], EventStatus.REJECTED, actor="admin:dana", reason=ARABIC)
    db.session.add(
        AuditEntry(
            at=stamp,
            actor="admin:dana",
            action="note",
            event=events[2],
            event_label="openstack6bday/x",
            details={
                "text": f"{EMOJI} {ARABIC}",
                "nested": {"list": [1, 2.5, None, True, "x"], "empty": {}},
                "big": 2**53 + 1,
                "float": 1e-300,
            },
        )
    )
    munich = Place(
        query="München",
        latitude=48.137154,
        longitude=11.576124,
        precision=Precision.CITY,
        country_code="DE",
        region="Bayern",
        display_name="München, Bayern, Deutschland",
        confidence=0.87654321,
        timezone="Europe/Berlin",
    )
    db.session.add(GeocodeAnswer.from_place("munchen", "München", munich, "nominatim"))
    db.session.add(GeocodeAnswer.from_place("atlantis", "Atlantis 🌊", None, "nominatim"))
    approved = next(e for e in events if e.status == EventStatus.APPROVED)
    db.session.add_all(
        [
            Rsvp(
                event_id=approved.id,
                name=f"Zoë {EMOJI}",
                email="zoe@example.org",
                email_key="zoe@example.org",
                people=3,
                note="عيد ميلاد سعيد",
                status=RsvpStatus.GOING,
                token_hash="a" * 64,
                created_at=stamp,
                confirmed_at=stamp,
            ),
            Rsvp(
                event_id=approved.id,
                email=None,
                email_key=None,
                people=1,
                status=RsvpStatus.CANCELLED,
                token_hash="b" * 64,
                created_at=stamp,
                cancelled_at=stamp,
                purged_at=stamp,
            ),
            RsvpTally(event_id=approved.id, position=0, going=3),
            Photo(
                event_id=approved.id,
                caption=f"Cake {EMOJI} {ARABIC}",
                consent=True,
                delete_token_hash="c" * 64,
                status=PhotoStatus.REJECTED,
                rejection_reason="blurry",
                reported_count=2,
                reported_at=stamp,
                width=2048,
                height=1536,
                sizes={"thumb": [320, 240], "page": [1024, 768], "full": [2048, 1536]},
                **{
                    f"{size}_{fmt}": f"{size[0] * 64}.{'webp' if fmt == 'webp' else 'jpg'}"
                    for size in ("thumb", "page", "full")
                    for fmt in ("webp", "jpeg")
                },
                created_at=stamp,
                decided_at=stamp,
            ),
            EventReport(
                event_id=approved.id,
                attendance=42,
                words=f"Cake for all {EMOJI}",
                links=["https://example.org/slides", "https://mastodon.example/@x/1"],
                created_at=stamp,
                updated_at=stamp,
            ),
        ]
    )
    db.session.commit()
    return {"events": [e.id for e in events]}


def _utc(value: Any) -> Any:
    """Compare timestamps as instants: SQLite gives them without a zone (always UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def snapshot() -> dict[str, list[tuple]]:
    """Read every row of every table, in primary-key order, timestamps as UTC instants."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(_utc(value) for value in row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def assert_same_rows(restored: dict[str, list[tuple]], original: dict[str, list[tuple]]) -> None:
    """Check every table, row by row and column by column (types included), but the audit log's
    last entry, which is the restore's own."""
    assert restored.keys() == original.keys()
    for name, rows in original.items():
        got = restored[name][:-1] if name == "audit_log" else restored[name]
        assert len(got) == len(rows), name
        for mine, theirs in zip(got, rows, strict=True):
            assert mine == theirs, name
            assert [type(v) for v in mine] == [type(v) for v in theirs], name
    restore_entry = restored["audit_log"][-1]
    assert restore_entry[2:4] == ("cli", "database-restored")


def the_restore_entry() -> AuditEntry:
    entry = db.session.scalars(AuditEntry.newest()).first()
    assert entry is not None
    assert entry.action == "database-restored"
    return entry


def version() -> int | None:
    return db.session.scalar(select(DataVersion.value))


# Round trips on the suite's database


def test_a_backup_restored_into_an_empty_database_gives_every_row_back(
    app, ctx, runner, tmp_path, empty_database
):
    fill()
    original = snapshot()
    assert all(original[t.name] for t in db.metadata.sorted_tables), "every table has rows"
    path = tmp_path / "eventmap.backup.gz"

    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "to " + str(path) in result.output
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes and organizers' e-mail
    empty_database()
    result = runner.invoke(args=["restore", str(path)])

    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    db.session.expire_all()
    assert_same_rows(snapshot(), original)
    entry = the_restore_entry()
    assert entry.details["source"] == str(path)
    assert entry.details["rows"] == sum(len(rows) for rows in original.values())
    assert "rows_replaced" not in entry.details


def test_restore_replace_swaps_everything_at_once_and_the_data_version_moves_on(
    app, ctx, runner, tmp_path
):
    ids = fill()
    original = snapshot()
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    # Changes after the backup: gone again after the restore.
    db.session.delete(db.session.get(Event, ids["events"][0]))
    db.session.add(Event(campaign_id=original["campaigns"][0][0], **event_values()))
    db.session.commit()
    before = version()

    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0
    assert "not empty" in refused.output
    assert "--replace" in refused.output
    result = runner.invoke(args=["restore", "--replace", str(path)])

    assert result.exit_code == 0, result.output
    assert "replaced" in result.output
    restored = snapshot()
    # The backup's counter is not above the database's: a restore never repeats a version.
    assert version() == before + 1
    restored["data_version"] = original["data_version"]
    assert_same_rows(restored, original)
    assert the_restore_entry().details["rows_replaced"] > 0


def test_new_rows_after_a_restore_get_fresh_ids_in_every_table(app, ctx, runner, tmp_path):
    fill()
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    assert runner.invoke(args=["restore", "--replace", str(path)]).exit_code == 0
    highest = {
        t.name: db.session.scalar(select(func.max(t.c.id)))
        for t in db.metadata.tables.values()
        if "id" in t.c  # rsvp_tallies is keyed by its party and part
    }

    insert_one_of_everything()

    for table in ("campaigns", "events", "event_parts", "admins", "moderator_sessions",
                  "audit_log", "geocode_answers"):  # fmt: skip
        newest = db.session.scalar(select(func.max(db.metadata.tables[table].c.id)))
        assert newest > highest[table], table


def insert_one_of_everything() -> None:
    """Write a row into every table through the app's own paths (operations, the cache)."""
    campaign = Campaign(**campaign_values(slug=f"new-{uuid.uuid4().hex[:6]}"))
    db.session.add(campaign)
    event = Event(campaign=campaign, **event_values())
    event.parts.append(
        EventPart(position=0, label="x", start_date=date(2016, 7, 1), end_date=date(2016, 7, 1))
    )
    db.session.add(event)
    db.session.commit()
    operations.set_status(event, EventStatus.REJECTED, reason="after the restore")
    admin = operations.create_admin(f"new-{uuid.uuid4().hex[:6]}", PASSWORD)
    operations.start_session(admin)
    db.session.add(GeocodeAnswer.from_place(uuid.uuid4().hex, "Nowhere", None, "nominatim"))
    db.session.commit()


def test_a_moderator_signed_in_before_the_backup_is_still_signed_in_after_the_restore(
    app, client, runner, tmp_path, empty_database
):
    # No test-held app context: Flask-Login keeps the signed-in user in it (flask.g).
    with app.app_context():
        operations.create_admin("eve", PASSWORD)
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    empty_database()
    assert client.get("/admin/").status_code == 302  # the session's row is gone

    assert runner.invoke(args=["restore", str(path)]).exit_code == 0

    assert client.get("/admin/").status_code == 200


def test_backup_to_standard_output_and_restore_from_standard_input(
    app, ctx, runner, empty_database
):
    fill()
    original = snapshot()
    result = runner.invoke(args=["backup", "-"])
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data[:2] == b"\x1f\x8b"  # gzip, and nothing else on standard output
    assert "Backed up" in result.stderr
    empty_database()

    result = runner.invoke(args=["restore", "-"], input=data)

    assert result.exit_code == 0, result.output
    assert_same_rows(snapshot(), original)


def test_small_batches_stream_every_table_in_several_pieces(
    app, ctx, runner, tmp_path, empty_database, monkeypatch
):
    fill()
    for _ in range(7):
        db.session.add(Event(campaign_id=db.session.scalar(select(Campaign.id)), **event_values()))
    db.session.commit()
    original = snapshot()
    monkeypatch.setattr(backup, "BATCH_ROWS", 3)
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    empty_database()

    assert runner.invoke(args=["restore", str(path)]).exit_code == 0

    assert_same_rows(snapshot(), original)


def test_the_file_says_what_it_holds(app, ctx, runner, tmp_path):
    fill()
    original = snapshot()
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0

    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    manifest = json.loads(lines[0])

    assert manifest["format"] == "eventmap-backup"
    assert manifest["schema_revision"] == backup.head_revision()
    assert manifest["schema_revision"] == sorted(p.name[:4] for p in MIGRATIONS.glob("0*.py"))[-1]
    assert manifest["app_version"] == "0.1.0"
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        name: len(rows) for name, rows in original.items()
    }
    assert json.loads(lines[-1]) == {"end": "eventmap-backup", "tables": len(original)}
    assert any(EMOJI in line for line in lines)  # UTF-8 as it is, not \u escapes


# Refusals: a clear message, a failing exit code and nothing written


def rewrite(path: Path, change: Any) -> Path:
    """Write a copy of a backup whose decompressed lines `change` has edited."""
    lines = gzip.decompress(path.read_bytes()).split(b"\n")
    copy = path.with_name("changed-" + path.name)
    copy.write_bytes(gzip.compress(b"\n".join(change(lines))))
    return copy


def with_checksums(lines: list[bytes]) -> list[bytes]:
    """Recompute every table's checksum line, as someone editing a file carefully would."""
    import hashlib

    out, digest = [], hashlib.sha256()
    for line in lines:
        value = json.loads(line) if line else None
        if isinstance(value, dict) and "sha256" in value:
            value["sha256"] = digest.hexdigest()
            out.append(json.dumps(value).encode())
            digest = hashlib.sha256()
            continue
        if isinstance(value, list):
            digest.update(line + b"\n")
        out.append(line)
    return out


def edit_first_event(lines: list[bytes]) -> list[bytes]:
    manifest = json.loads(lines[0])
    start = 1
    for table in manifest["tables"]:
        if table["name"] == "events":
            break
        start += table["rows"] + 1
    row = json.loads(lines[start])
    row[3] = "Changed by hand"
    return [*lines[:start], json.dumps(row).encode(), *lines[start + 1 :]]


def manifest_change(**values: Any) -> Any:
    def change(lines: list[bytes]) -> list[bytes]:
        manifest = {**json.loads(lines[0]), **values}
        return [json.dumps(manifest).encode(), *lines[1:]]

    return change


def overwrite(path: Path, change: Any) -> Path:
    """Change a backup's compressed bytes in place."""
    path.write_bytes(change(path.read_bytes()))
    return path


BROKEN = {
    "cut in half": lambda p: overwrite(p, lambda data: data[: len(data) // 2]),
    "cut short by a few bytes": lambda p: overwrite(p, lambda data: data[:-5]),
    "a byte flipped": lambda p: overwrite(p, flip),
    "a row edited": lambda p: rewrite(p, edit_first_event),
    "no end marker": lambda p: rewrite(p, lambda lines: lines[:-2]),
    "a line after the end": lambda p: rewrite(p, lambda lines: [*lines, b"[1]", b""]),
    "a row dropped, its checksum redone": lambda p: rewrite(
        p, lambda lines: with_checksums(edit_first_event(lines)[:1] + lines[2:])
    ),
}


def flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.fixture
def good_backup(app, ctx, runner, tmp_path) -> tuple[Path, dict]:
    """Fill the database, back it up, and return the file and the rows it holds."""
    fill()
    path = tmp_path / "good.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    return path, snapshot()


@pytest.mark.parametrize("damage", BROKEN.keys())
def test_a_damaged_backup_is_refused_and_a_replace_keeps_the_old_rows(good_backup, runner, damage):
    path, original = good_backup
    damaged = BROKEN[damage](path)

    result = runner.invoke(args=["restore", "--replace", str(damaged)])

    assert result.exit_code == 1, result.output
    assert "damaged or incomplete" in result.output
    assert "nothing was restored" in result.output
    assert snapshot() == original


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "it is empty"),
        (b"campaign,slug,title\nopenstack6bday,x,y\n", "not a gzip file"),
        (gzip.compress(b'{"type": "FeatureCollection"}\n'), "no manifest"),
        (gzip.compress(b"\x00\x01 binary"), "no manifest"),
        (gzip.compress(b""), "it is empty"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused(app, ctx, runner, tmp_path, content, says):
    path = tmp_path / "not-a-backup"
    path.write_bytes(content)

    result = runner.invoke(args=["restore", str(path)])

    assert result.exit_code == 1
    assert says in result.output
    assert "not an eventmap backup" in result.output
    assert sum(len(rows) for rows in snapshot().values()) == 0


def test_a_backup_of_another_format_version_is_refused(good_backup, runner):
    path, original = good_backup
    newer = rewrite(path, manifest_change(format_version=2))

    result = runner.invoke(args=["restore", "--replace", str(newer)])

    assert result.exit_code == 1
    assert "format version 2" in result.output
    assert snapshot() == original


def test_a_backup_from_another_schema_revision_is_refused(good_backup, runner):
    path, original = good_backup
    older = rewrite(path, manifest_change(schema_revision="0005", app_version="0.0.9"))

    result = runner.invoke(args=["restore", "--replace", str(older)])

    assert result.exit_code == 1
    assert "made at schema revision 0005" in result.output
    assert "0.0.9" in result.output
    assert "flask db upgrade" in result.output
    assert snapshot() == original


def test_a_missing_file_is_refused(app, ctx, runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "nope.gz")])

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_restore_into_a_database_that_is_not_migrated_far_enough_says_to_upgrade(
    good_backup, tmp_path
):
    path, _ = good_backup
    behind = make_app(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    with behind.app_context():
        upgrade(revision="0006")
        result = behind.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 1
        assert "at schema revision 0006" in result.output
        assert f"needs revision {backup.head_revision()}" in result.output
        assert "run `flask db upgrade` first" in result.output
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM events")) == 0
        db.engine.dispose()


def test_a_backup_into_a_missing_folder_says_so(app, ctx, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "b.gz")])

    assert result.exit_code == 1
    assert "cannot write" in result.output
    assert "No such file or directory" in result.output


def test_restore_into_a_database_without_a_schema_says_to_upgrade(good_backup, tmp_path):
    path, _ = good_backup
    bare = make_app(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    with bare.app_context():
        result = bare.test_cli_runner().invoke(args=["restore", str(path)])
        db.engine.dispose()

    assert result.exit_code == 1
    assert "the database has no schema yet" in result.output
    assert "run `flask db upgrade` first" in result.output


def test_a_backup_of_a_database_without_the_newest_schema_is_refused(app, tmp_path):
    behind = make_app(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    target = tmp_path / "b.gz"
    with behind.app_context():
        upgrade(revision="0006")
        result = behind.test_cli_runner().invoke(args=["backup", str(target)])
        head = backup.head_revision()
        db.engine.dispose()

    assert result.exit_code == 1
    assert f"revision 0006, this eventmap expects {head}" in result.output
    assert "no backup was written" in result.output
    assert list(tmp_path.iterdir()) == [tmp_path / "behind.sqlite3"]


def test_a_failed_backup_leaves_the_older_file_as_it_was_and_no_half_file(
    app, ctx, runner, tmp_path, monkeypatch
):
    fill()
    target = tmp_path / "nightly.gz"
    target.write_bytes(b"yesterday's backup")
    real = backup._write_table
    written = []

    def fail_on_the_third_table(*args: Any) -> None:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(real(*args))

    monkeypatch.setattr(backup, "_write_table", fail_on_the_third_table)

    result = runner.invoke(args=["backup", str(target)])

    assert result.exit_code == 1
    assert "cannot write" in result.output
    assert "No space left on device; no backup was written" in result.output
    assert target.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.gz"]


def test_a_refused_restore_changes_nothing_even_when_the_database_refuses_a_row(
    app, ctx, runner, tmp_path
):
    fill()
    original = snapshot()
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0

    def duplicate_a_slug(lines: list[bytes]) -> list[bytes]:
        """Give the last event the first one's slug: the unique constraint refuses it."""
        manifest = json.loads(lines[0])
        start = 1
        for table in manifest["tables"]:
            if table["name"] == "events":
                break
            start += table["rows"] + 1
        rows = [json.loads(line) for line in lines[start : start + 6]]
        rows[-2][1], rows[-2][2] = rows[0][1], rows[0][2]
        return [*lines[:start], *(json.dumps(r).encode() for r in rows), *lines[start + 6 :]]

    clashing = rewrite(path, lambda lines: with_checksums(duplicate_a_slug(lines)))
    result = runner.invoke(args=["restore", "--replace", str(clashing)])

    assert result.exit_code == 1, result.output
    assert "the database refused the backup's rows" in result.output
    assert snapshot() == original


def test_a_restore_is_logged(app, ctx, runner, tmp_path, empty_database, caplog):
    fill()
    path = tmp_path / "b.gz"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    empty_database()

    with caplog.at_level(logging.INFO, logger="eventmap.operations"):
        assert runner.invoke(args=["restore", str(path)]).exit_code == 0

    assert any(r.message.startswith("restored ") and str(path) in r.message for r in caplog.records)


# From one database to the other


def migrated(url: str) -> Flask:
    app = make_app(url)
    with app.app_context():
        upgrade()
    return app


def test_sqlite_to_postgresql_and_back_gives_every_row_back(postgres_database, tmp_path):
    first = migrated(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    postgres = migrated(postgres_database)
    last = migrated(f"sqlite:///{tmp_path / 'last.sqlite3'}")
    to_postgres, to_sqlite = tmp_path / "from-sqlite.gz", tmp_path / "from-postgres.gz"
    try:
        with first.app_context():
            fill()
            original = snapshot()
            assert first.test_cli_runner().invoke(args=["backup", str(to_postgres)]).exit_code == 0

        with postgres.app_context():
            result = postgres.test_cli_runner().invoke(args=["restore", str(to_postgres)])
            assert result.exit_code == 0, result.output
            on_postgres = snapshot()
            assert_same_rows(on_postgres, original)
            # The sequences moved past the restored ids: the app's own writes work.
            insert_one_of_everything()
            assert db.session.scalar(select(func.count(Admin.id))) == 3
            result = postgres.test_cli_runner().invoke(args=["backup", str(to_sqlite)])
            assert result.exit_code == 0, result.output
            with_new_rows = snapshot()

        with last.app_context():
            result = last.test_cli_runner().invoke(args=["restore", str(to_sqlite)])
            assert result.exit_code == 0, result.output
            assert_same_rows(snapshot(), with_new_rows)
            assert snapshot()["events"][: len(original["events"])] == original["events"]
            insert_one_of_everything()
    finally:
        for app in (first, postgres, last):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_postgresql_timestamps_in_any_zone_arrive_in_sqlite_as_the_same_instants(
    postgres_database, tmp_path
):
    postgres = migrated(postgres_database)
    sqlite = migrated(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    path = tmp_path / "b.gz"
    try:
        with postgres.app_context():
            # Every connection, the backup's too, reads timestamps at +05:30.
            name = make_url(postgres_database).database
            db.session.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Kolkata'"))
            db.session.commit()
            db.engine.dispose()
            assert db.session.scalar(text("SHOW timezone")) == "Asia/Kolkata"
            fill(zone=timezone(timedelta(hours=-9, minutes=-30)))
            original = snapshot()
            assert postgres.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
        with sqlite.app_context():
            assert sqlite.test_cli_runner().invoke(args=["restore", str(path)]).exit_code == 0
            restored = snapshot()
        assert_same_rows(restored, original)
        stamped = [row for row in restored["audit_log"] if row[3] == "note"]
        assert stamped[0][1] == datetime(2016, 7, 20, 4, 0, 15, 123456, tzinfo=UTC)
    finally:
        for app in (postgres, sqlite):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
