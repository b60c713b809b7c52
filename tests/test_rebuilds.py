"""A collection's next build copies the items of the last one that did not change."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from eventmap import rebuilds, serialize
from eventmap.extensions import db
from eventmap.models import Campaign, EventPart, EventStatus
from eventmap.rebuilds import Previous, Writer, context_key, item_key
from eventmap.urls import event_url_builder
from eventmap.web.collection_cache import CollectionCache, Spool, cache_of
from tests.test_campaign_feed import _delete, _event, _publish, _reslug, _unpublish

GEOJSON = "/api/events?campaign=openstack6bday"
PLAIN = {"Accept-Encoding": "identity"}


def written(tmp_path: Path, items: list[tuple[int, bytes]], context: str = "c") -> Previous:
    """Write items the way a build does, separated by commas, and open them for copying."""
    writer = Writer()
    body = writer.raw(b"[") + writer.items_joined(*zip(*items, strict=True), b",", more=False)
    body += writer.raw(b"]")
    (tmp_path / "body").write_bytes(body)
    with open(tmp_path / "index", "wb") as file:
        writer.save(file, context)
    return Previous(str(tmp_path / "body"), str(tmp_path / "index"), context)


def test_items_are_copied_as_they_were_written(tmp_path, monkeypatch):
    items = [(item_key(n), f'{{"n":{n}}}'.encode() * (n + 1)) for n in range(50)]
    previous = written(tmp_path, items)
    reads = []
    pread = os.pread
    monkeypatch.setattr(rebuilds.os, "pread", lambda *a: reads.append(a) or pread(*a))

    keys = [key for key, _ in items]
    assert previous.texts(keys) == [text for _, text in items]
    assert len(reads) == 1  # items side by side are read in one go

    reads.clear()
    chosen = [keys[7], item_key("unknown"), keys[3], keys[4], keys[5], keys[40]]
    assert previous.texts(chosen) == [items[7][1], None, items[3][1], items[4][1], items[5][1],
                                      items[40][1]]  # fmt: skip
    assert len(reads) == 3  # 7, then 3-5 together, then 40
    previous.close()


def test_a_writer_counts_every_byte_it_is_given(tmp_path):
    writer = Writer()
    pieces = [writer.raw(b"head ")]
    pieces.append(writer.items_joined([1, 2], [b"one", b"two"], b"; ", more=False))
    pieces.append(writer.items_joined([3], [b"three"], b"; ", more=True))  # "; " first
    pieces.append(writer.item(4, b"four"))
    assert b"".join(pieces) == b"head one; two; threefour"
    assert writer.position == len(b"".join(pieces))
    assert writer.items == 4
    (tmp_path / "body").write_bytes(b"".join(pieces))
    with open(tmp_path / "index", "wb") as file:
        writer.save(file, "ctx")
    previous = Previous(str(tmp_path / "body"), str(tmp_path / "index"), "ctx")
    assert previous.texts([4, 3, 2, 1]) == [b"four", b"three", b"two", b"one"]
    assert len(previous) == 4


def test_an_index_is_refused_unless_whole_and_of_the_same_context(tmp_path):
    written(tmp_path, [(1, b"a"), (2, b"b")], context="mine").close()
    with pytest.raises(ValueError, match="not an index of this collection"):
        Previous(str(tmp_path / "body"), str(tmp_path / "index"), "another")
    index = (tmp_path / "index").read_bytes()
    (tmp_path / "index").write_bytes(index[:-5])
    with pytest.raises(ValueError, match="cut short"):
        Previous(str(tmp_path / "body"), str(tmp_path / "index"), "mine")
    (tmp_path / "index").write_bytes(index)
    (tmp_path / "body").write_bytes(b"[a")
    with pytest.raises(ValueError, match="shorter than its index"):
        Previous(str(tmp_path / "body"), str(tmp_path / "index"), "mine")
    (tmp_path / "body").unlink()
    with pytest.raises(FileNotFoundError):
        Previous(str(tmp_path / "body"), str(tmp_path / "index"), "mine")


def test_a_context_names_the_hash_salt_of_its_process():
    """Item keys are Python hashes: an index written under another salt is never read."""
    import subprocess
    import sys

    code = "from eventmap.rebuilds import context_key; print(context_key('geojson', 'x'))"
    other = subprocess.run(  # noqa: S603 - this Python on our own snippet
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout.strip()
    assert other != context_key("geojson", "x")
    assert context_key("geojson", "x") == context_key("geojson", "x")


# The GeoJSON collection, built again after each kind of change.


def from_scratch(app) -> bytes:
    """Write the campaign's FeatureCollection with nothing to copy."""
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))
    with app.test_request_context():
        pieces = serialize.public_collection_pieces(campaign, event_url_builder(), Writer(), 3)
        return b"".join(pieces)


@pytest.fixture
def parties(make_event, make_thailand):
    """A dozen public parties, one of them in parts, one pending."""
    for n in range(12):
        day = date(2016, 7, 18 + n % 4)
        make_event(slug=f"p{n}", title=f"Party {n % 3}", start_date=day, end_date=day)
    make_event(slug="pending", status=EventStatus.PENDING)
    make_thailand(slug="thailand")


def _retitle() -> None:
    _event("p4").title = "A party"  # moves it to the front of its day


def _going() -> None:
    from eventmap import operations

    asked = operations.request_rsvp(_event("p2"), 0, "Ann", "ann@example.org", 3, None)
    operations.confirm_rsvp(asked.rsvp)  # the party's own row is unchanged


def _move_part() -> None:
    event = _event("thailand")
    part = db.session.scalar(select(EventPart).where(EventPart.event_id == event.id))
    part.start_date = part.end_date = date(2016, 7, 27)
    event.updated_at = datetime.now(UTC)  # as operations does: parts live in their own table


def _rename_campaign() -> None:
    db.session.scalar(Campaign.by_slug("openstack6bday")).name = "A new name"  # in no feature


@pytest.mark.parametrize(
    ("change", "rewritten"),
    [
        (_retitle, 1),
        (_delete, 0),
        (_unpublish, 0),
        (_publish, 1),
        (_going, 1),
        (_move_part, 1),
        (_reslug, 1),
        (_rename_campaign, 0),
    ],
)
def test_the_collection_after_a_change_is_the_one_built_from_scratch(
    app, client, parties, monkeypatch, change, rewritten
):
    monkeypatch.setattr("eventmap.web.api.FEATURES_AT_ONCE", 3)  # several batches
    calls: list[str] = []
    real = serialize.feature_json
    monkeypatch.setattr(serialize, "feature_json", lambda e, u: calls.append(e.slug) or real(e, u))
    first = client.get(GEOJSON, headers=PLAIN).data
    assert first == from_scratch(app)
    assert len(calls) == 13 * 2  # the route's build, then from_scratch's

    change()
    db.session.commit()
    calls.clear()
    again = client.get(GEOJSON, headers=PLAIN).data

    assert len(calls) == rewritten
    assert again == from_scratch(app)
    assert again != first or change is _rename_campaign


def test_changes_one_after_another_stay_the_collection_built_from_scratch(
    app, client, parties, monkeypatch
):
    monkeypatch.setattr("eventmap.web.api.FEATURES_AT_ONCE", 4)
    for round_ in range(10):
        event = _event(f"p{round_ % 12}")
        event.title = f"Party again {round_}"
        if round_ % 3 == 0:
            event.start_date = event.end_date = date(2016, 7, 30 - round_ % 7)
        db.session.commit()
        assert client.get(GEOJSON, headers=PLAIN).data == from_scratch(app), round_


def test_another_worker_copies_from_the_newest_build(app, client, parties, monkeypatch):
    """Workers share the spool folder: the one asked after a change copies another's build."""
    client.get(GEOJSON, headers=PLAIN)
    _retitle()
    db.session.commit()
    calls: list[str] = []
    real = serialize.feature_json
    monkeypatch.setattr(serialize, "feature_json", lambda e, u: calls.append(e.slug) or real(e, u))
    other = CollectionCache(Spool(Path(app.config["COLLECTION_SPOOL"])))
    monkeypatch.setitem(app.extensions, "eventmap.collections", other)

    again = client.get(GEOJSON, headers=PLAIN).data

    assert calls == ["p4"]
    assert again == from_scratch(app)


def test_without_the_last_build_s_files_every_feature_is_written(app, client, parties):
    client.get(GEOJSON, headers=PLAIN)
    (built,) = cache_of(app)._entries.values()
    Path(built.index).unlink()  # a cleaned folder
    _retitle()
    db.session.commit()
    assert client.get(GEOJSON, headers=PLAIN).data == from_scratch(app)
    (rebuilt,) = cache_of(app)._entries.values()
    assert rebuilt.index is not None  # and the next one copies again


def test_a_build_that_counts_wrong_keeps_no_index(tmp_path, caplog):
    cache = CollectionCache(Spool(tmp_path))

    def write(writer: Writer):
        yield writer.items_joined([1], [b"counted"], b",", more=False)
        yield b" not counted"

    built = cache.built(("geojson", "*"), "v1", write, context="c")
    assert built.read("identity") == b"counted not counted"
    assert built.index is None
    assert "not kept" in caplog.text


# The map feed, copied a chunk of events at a time.

MAP = "/api/map-events?campaign=openstack6bday"


def map_from_scratch(app, part: str | None = None) -> bytes:
    """Write the campaign's map feed (or one part of it) with nothing to copy."""
    from eventmap.listing import MAP_COLUMNS, MAP_PARTS
    from eventmap.urls import event_link_pattern

    columns = MAP_COLUMNS if part is None else MAP_PARTS[part]
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))
    with app.test_request_context():
        pattern = event_link_pattern(external=False)
        return b"".join(serialize.map_feed_pieces(campaign, pattern, Writer(), columns))


def test_the_map_feed_in_chunks_is_the_columns_written_whole(app, parties, monkeypatch):
    from eventmap.listing import map_columns, map_inputs, map_rows
    from eventmap.urls import event_link_pattern

    monkeypatch.setattr(serialize, "MAP_CHUNK", 3)
    campaign = db.session.scalar(Campaign.by_slug("openstack6bday"))
    with app.test_request_context():
        pattern = event_link_pattern(external=False)
        rows = [row for batch in map_rows(campaign, 100) for row in batch]
        whole = map_columns(campaign, rows, map_inputs(campaign), {}, pattern)
    assert len(whole["id"]) == 13
    assert map_from_scratch(app) == serialize.compact_json(whole)


@pytest.mark.parametrize("part", [None, "points", "labels"])
@pytest.mark.parametrize(
    "change",
    [_retitle, _delete, _unpublish, _publish, _going, _move_part, _reslug, _rename_campaign],
)
def test_the_map_feed_after_a_change_is_the_one_built_from_scratch(
    app, client, parties, monkeypatch, change, part
):
    # Several chunks of a dozen parties, wherever the database's ids begin.
    monkeypatch.setattr(serialize, "MAP_CHUNK", 3)
    monkeypatch.setattr(serialize, "MAP_CHUNK_MOST", 4)
    chunks: list[list[int]] = []
    real = serialize.map_columns
    monkeypatch.setattr(
        serialize,
        "map_columns",
        lambda campaign, rows, *rest: (
            chunks.append([r[0] for r in rows]) or real(campaign, rows, *rest)
        ),
    )
    url = MAP if part is None else f"{MAP}&part={part}"
    first = client.get(url, headers=PLAIN).data
    assert first == map_from_scratch(app, part)
    assert len(chunks) >= 2 * 4  # the route's build, then map_from_scratch's
    whole = len(chunks) // 2
    change()
    db.session.commit()
    chunks.clear()

    again = client.get(url, headers=PLAIN).data

    # The chunk the party was in and the one it went to (a new title can move it), and
    # the next ones while a cut forced at MAP_CHUNK_MOST moves with it (the ids the
    # database hands out decide that): never the whole feed again.
    if change is _rename_campaign:
        assert chunks == []
    assert len(chunks) < whole
    assert again == map_from_scratch(app, part)
    # Every change shows in the whole feed; a part shows those of its own columns only.
    assert again != first or change is _rename_campaign or part is not None
