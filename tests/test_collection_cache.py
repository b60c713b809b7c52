"""Whole collections: built once per data version, kept compressed, revalidated by version."""

from __future__ import annotations

import gzip
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from sqlalchemy import select
from werkzeug.http import http_date

from eventmap import versions
from eventmap.extensions import db
from eventmap.models import Event
from eventmap.web import api
from eventmap.web.collection_cache import CollectionCache, Spool, cache_of, encode
from tests.helpers import recorded_statements

COLLECTIONS = (
    "/api/events",
    "/api/events?campaign=openstack6bday",
    "/api/map-events?campaign=openstack6bday",
    "/openstack6bday/calendar.ics",
)
EVENT_TABLES = re.compile(r"\b(events|event_parts)\b", re.IGNORECASE)


def quoted(tag: str) -> str:
    return f'"{tag}"'


@pytest.fixture
def events(make_event, make_thailand):
    """A few events, one of them in parts, so every collection has something to write."""
    make_event(title="Munich party", slug="munich")
    make_event(title="Zürich party", slug="zurich", latitude=47.37, longitude=8.54)
    make_thailand()


@pytest.mark.parametrize("path", COLLECTIONS)
def test_a_revalidation_reads_the_version_and_no_event(client, events, path):
    first = client.get(path)
    assert first.status_code == 200
    assert "no-cache" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"] == http_date(versions.current(db.session).changed_at)
    db.session.commit()  # nothing pending: only what the next requests send is counted
    for headers in (
        {"If-None-Match": first.headers["ETag"]},
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ):
        with recorded_statements() as statements:
            again = client.get(path, headers=headers)
        assert again.status_code == 304, headers
        assert again.data == b""
        assert any("data_version" in s for s in statements), statements
        assert not [s for s in statements if EVENT_TABLES.search(s)], statements
        if "If-None-Match" in headers:  # one of our tags: the version's row, not the campaign
            assert len(statements) == 1, statements


@pytest.mark.parametrize(
    "path",
    ["/api/events?campaign=nowhere", "/api/map-events?campaign=nowhere", "/nowhere/calendar.ics"],
)
def test_an_unknown_campaign_s_collection_is_a_404_whatever_tag_is_sent(client, events, path):
    known = client.get(path.replace("nowhere", "openstack6bday"))
    for headers in (
        {},
        {"If-None-Match": known.headers["ETag"]},
        {"If-None-Match": "*"},
        {"If-Modified-Since": known.headers["Last-Modified"]},
    ):
        assert client.get(path, headers=headers).status_code == 404, headers


@pytest.mark.parametrize("path", COLLECTIONS)
def test_a_change_is_a_new_body_with_new_validators(client, events, path):
    first = client.get(path)
    event = db.session.scalar(select(Event).where(Event.slug == "munich"))
    event.title = "Renamed party"
    db.session.commit()
    with recorded_statements() as statements:
        changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "Renamed party" in changed.get_data(as_text=True)
    assert any(EVENT_TABLES.search(s) for s in statements)  # really built anew


@pytest.mark.parametrize("path", COLLECTIONS)
def test_each_encoding_is_the_same_body_with_its_own_tag_and_length(client, events, path):
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    br = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert br.headers["Content-Encoding"] == "br"
    assert gz.headers["Content-Encoding"] == "gzip"
    assert brotli.decompress(br.data) == plain.data == gzip.decompress(gz.data)
    for response in (plain, br, gz):
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert "Accept-Encoding" in response.headers["Vary"]
    tag = plain.headers["ETag"].strip('"')
    assert br.headers["ETag"] == quoted(tag + "-br")
    assert gz.headers["ETag"] == quoted(tag + "-gz")
    assert len(gz.data) < len(plain.data)


def test_the_client_s_preference_chooses_the_encoding(client, events):
    cases = {
        "": None,
        "identity": None,
        "*": "br",
        "br;q=0.5, gzip": "gzip",
        "gzip;q=0, br": "br",
        "br;q=0, gzip;q=0": None,
        "deflate, zstd": None,
        "GZIP": "gzip",
    }
    for accept, expected in cases.items():
        response = client.get("/api/events", headers={"Accept-Encoding": accept})
        assert response.headers.get("Content-Encoding") == expected, accept
        assert response.status_code == 200


def test_any_representation_s_tag_revalidates_and_the_304_names_it(client, events):
    br = client.get("/api/events", headers={"Accept-Encoding": "br"})
    tag = br.headers["ETag"]
    # The client now asks for gzip (a proxy in between, say): same data, still a 304.
    again = client.get("/api/events", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["ETag"] == tag
    assert "Content-Encoding" not in again.headers
    weak = client.get("/api/events", headers={"If-None-Match": f'W/{tag}, "other"'})
    assert weak.status_code == 304
    star = client.get("/api/events", headers={"If-None-Match": "*", "Accept-Encoding": "gzip"})
    assert star.status_code == 304
    assert star.headers["ETag"].endswith('-gz"')
    other = client.get("/api/events", headers={"If-None-Match": '"not-ours"'})
    assert other.status_code == 200


def test_if_none_match_wins_over_if_modified_since(client, events):
    first = client.get("/api/events")
    response = client.get(
        "/api/events",
        headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert response.status_code == 200


def test_an_older_if_modified_since_gets_the_body(client, events):
    changed_at = versions.current(db.session).changed_at
    earlier = http_date(changed_at - timedelta(seconds=5))
    response = client.get("/api/events", headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert response.get_json()["features"]


def test_head_has_the_length_and_no_body(client, events):
    get = client.get("/api/events", headers={"Accept-Encoding": "br"})
    head = client.head("/api/events", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["ETag"] == get.headers["ETag"]


def test_the_calendar_keeps_its_file_name(client, events):
    response = client.get("/openstack6bday/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Disposition"] == 'inline; filename="openstack6bday.ics"'
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert gzip.decompress(response.data).startswith(b"BEGIN:VCALENDAR")


def test_a_version_is_written_once_whatever_the_encodings_asked(app, client, events, monkeypatch):
    calls = []
    real = api.public_collection_pieces
    monkeypatch.setattr(
        api, "public_collection_pieces", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    for accept in ("br", "gzip", "identity", "br"):
        assert client.get("/api/events", headers={"Accept-Encoding": accept}).status_code == 200
    assert len(calls) == 1


def spool_files(app) -> list[str]:
    """Return the files of versions in the test's spool folder (not the newest's name)."""
    folder = Path(app.config["COLLECTION_SPOOL"])
    return sorted(str(f) for f in folder.iterdir() if f.suffix != Spool.LATEST)


def test_concurrent_requests_after_a_change_build_once(tmp_path):
    cache = CollectionCache(Spool(tmp_path))
    builds = []

    def write(_writer):
        builds.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive meanwhile
        yield b"the body"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.built(("map", "*"), "v2", write)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(results) == 20
    assert len({id(r) for r in results}) == 1
    assert results[0].read("identity") == b"the body"


def test_the_cache_keeps_the_newest_version_of_a_few_collections(tmp_path):
    cache = CollectionCache(Spool(tmp_path), keep=2)

    def write(_writer):
        return iter([b"x"])

    cache.built(("geojson", "a"), "1", write)
    cache.built(("geojson", "a"), "2", write)  # replaces version 1
    assert cache.get(("geojson", "a"), "1") is None
    assert cache.get(("geojson", "a"), "2") is not None
    cache.built(("geojson", "b"), "2", write)
    cache.built(("geojson", "c"), "2", write)  # a third collection: the oldest goes
    assert cache.get(("geojson", "a"), "2") is None
    assert cache.get(("geojson", "b"), "2") is not None
    assert cache.get(("geojson", "c"), "2") is not None


def test_bodies_are_kept_in_files_not_in_memory(app, client, events):
    plain = client.get("/api/events").data
    (built,) = cache_of(app)._entries.values()
    assert set(built.files) == {"br", "gzip", "identity"}
    assert built.index is not None  # where each feature lies, for the next build to copy
    assert spool_files(app) == sorted(built.paths)
    assert built.length == len(plain)
    assert built.read("identity") == plain
    assert built.size < len(plain)
    assert not [v for v in vars(built).values() if isinstance(v, bytes)]


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_every_encoding_is_sent_as_its_file_holds_it(app, client, events, path, encoding):
    response = client.get(path, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding", "identity") == encoding
    assert int(response.headers["Content-Length"]) == len(response.data)
    (built,) = cache_of(app)._entries.values()
    assert response.data == built.read(encoding)
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)
    assert decoded(response.data) == built.read("identity")


def test_a_dropped_version_s_files_go_at_the_next_drop(app, client, events, make_event):
    client.get("/api/events")
    (first,) = cache_of(app)._entries.values()
    make_event(title="Added later")
    assert "Added later" in client.get("/api/events").get_data(as_text=True)
    (second,) = cache_of(app)._entries.values()
    # A request that took the first version a moment before may still open its files.
    assert spool_files(app) == sorted([*first.paths, *second.paths])
    make_event(title="Added later still")
    client.get("/api/events")
    (third,) = cache_of(app)._entries.values()
    assert spool_files(app) == sorted([*second.paths, *third.paths])
    cache_of(app).clear()
    assert spool_files(app) == []


def test_a_file_removed_under_the_worker_is_built_again(app, client, events, caplog):
    first = client.get("/api/events", headers={"Accept-Encoding": "gzip"})
    (built,) = cache_of(app)._entries.values()
    for path in built.files.values():
        Path(path).unlink()
    again = client.get("/api/events", headers={"Accept-Encoding": "gzip"})
    assert again.status_code == 200
    assert gzip.decompress(again.data) == gzip.decompress(first.data)
    assert "is gone" in caplog.text


def test_without_a_spool_setting_a_private_folder_is_used(app, client, events):
    app.config["COLLECTION_SPOOL"] = ""
    plain = client.get("/api/events", headers={"Accept-Encoding": "identity"})
    (built,) = cache_of(app)._entries.values()
    assert Path(built.files["identity"]).read_bytes() == plain.data
    assert "eventmap-collections-" in built.files["identity"]


def test_starting_sweeps_the_files_of_processes_that_are_gone(tmp_path):
    import os
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    folder = tmp_path / "spool"
    folder.mkdir()
    dead = folder / f"{gone.stdout.strip()}-gzip-abc.body"
    alive = folder / f"{os.getpid()}-gzip-def.body"
    other = folder / "notes.txt"
    for path in (dead, alive, other):
        path.write_bytes(b"x")
    Spool(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([alive.name, other.name])


def test_a_failed_build_leaves_no_file(tmp_path):
    cache = CollectionCache(Spool(tmp_path / "spool"))

    def write(_writer):
        yield b"half a body" * 100_000
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cache.built(("geojson", "*"), "1", write)
    assert list((tmp_path / "spool").iterdir()) == []
    assert cache.get(("geojson", "*"), "1") is None


def test_a_database_made_anew_does_not_match_old_tags(client, events, empty_database, make_event):
    first = client.get("/api/events")
    empty_database()
    make_event(title="Another world")
    again = client.get("/api/events", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Another world" in again.get_data(as_text=True)


def test_encoding_in_threads_gives_the_same_bytes_and_passes_errors_on(tmp_path):
    import zlib

    from eventmap.web.collection_cache import CHUNK

    spool = Spool(tmp_path)
    pieces = [f"piece {n} ".encode() * 999 for n in range(300)]  # several chunks
    built = spool.write("t", lambda files: encode(iter(pieces), files))
    plain = b"".join(pieces)
    assert len(plain) > 3 * CHUNK
    assert built.length == len(plain)
    assert built.read("identity") == plain
    assert brotli.decompress(built.read("br")) == plain
    assert zlib.decompress(built.read("gzip"), 16 + zlib.MAX_WBITS) == plain

    def broken():
        yield b"x" * CHUNK * 2
        raise RuntimeError("the database went away")

    before = threading.active_count()
    with pytest.raises(RuntimeError, match="went away"):
        spool.write("t", lambda files: encode(broken(), files))
    time.sleep(0.1)
    assert threading.active_count() == before  # the encoders' threads ended
    assert sorted(tmp_path.iterdir()) == sorted(Path(f) for f in built.files.values())


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def shared(app):
    """Point the app at the local Redis under a prefix of this test's own; clean up after."""
    import uuid

    import redis

    from tests.conftest import IN_CI

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"eventmap-test-{uuid.uuid4().hex[:12]}:"
    app.config.update(CACHE_URL=REDIS_URL, CACHE_PREFIX=prefix)
    yield prefix
    store = cache_of(app).shared
    store.clear()
    assert not list(store._redis.scan_iter(match=prefix + "*"))


def another_worker(app):
    """Return a second app on the same database and cache settings: another worker."""
    from eventmap import create_app

    return create_app(
        {
            key: app.config[key]
            for key in (
                "TESTING",
                "SQLALCHEMY_DATABASE_URI",
                "SECRET_KEY",
                "GEOCODER",
                "CAMPAIGNS_FILE",
                "MAIL_SERVER",
                "CACHE_URL",
                "CACHE_PREFIX",
                "COLLECTION_SPOOL",
            )
        }
    )


@pytest.mark.parametrize("path", COLLECTIONS)
def test_workers_share_what_one_of_them_built(app, client, events, shared, path):
    first = client.get(path, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200
    other = another_worker(app)
    try:
        with other.app_context(), recorded_statements() as statements:
            again = other.test_client().get(path, headers={"Accept-Encoding": "br"})
        assert again.status_code == 200
        assert again.data == first.data
        assert again.headers["ETag"] == first.headers["ETag"]
        assert not [s for s in statements if EVENT_TABLES.search(s)], statements
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_worker_taking_a_shared_collection_spools_its_plain_body(app, client, events, shared):
    first = client.get("/api/events", headers={"Accept-Encoding": "identity"})
    other = another_worker(app)
    try:
        with other.app_context(), recorded_statements() as statements:
            again = other.test_client().get("/api/events", headers={"Accept-Encoding": "identity"})
        assert again.data == first.data
        assert not [s for s in statements if EVENT_TABLES.search(s)], statements
        (built,) = cache_of(other)._entries.values()
        assert built.read("identity") == first.data
    finally:
        with other.app_context():
            db.engine.dispose()


def test_without_redis_each_worker_builds_its_own(app, client, events):
    from tests.conftest import free_port

    app.config.update(CACHE_URL=f"redis://127.0.0.1:{free_port()}/0", CACHE_PREFIX="nowhere:")
    response = client.get("/api/events", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert gzip.decompress(response.data).startswith(b'{"type":"FeatureCollection"')
    assert client.get("/api/events").status_code == 200


HOSTILE_TEXT = [
    "",
    "Zürich",
    'a "quoted" \\ back',
    "\x00\x1f\x7f\u2028\u2029",
    "</script>",
    "😀",
    "\ud7ff",
    "\ud800",
]
HOSTILE_NUMBERS = [
    0, -1, 2**63 - 1, 2**63, 2**64, -(2**70), True, False, None, 0.0, -0.0, 1e-05, 1e-4,
    1e16, 1e15, -1e22, 123456789012345.6, 0.1, 13.40495, float("nan"), float("inf"),
    float("-inf"),
]  # fmt: skip


def outcome(write):
    """Return what a writer wrote, or the kind of error it raised (json refuses some text)."""
    try:
        return write()
    except (UnicodeEncodeError, ValueError, TypeError) as error:
        return type(error)


def test_the_geojson_writer_is_byte_for_byte_json_on_hostile_events():
    from datetime import date, time

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from eventmap.geocoding import Precision
    from eventmap.listing import CampaignRef, PartRef, PublicEvent
    from eventmap.serialize import compact_json, feature_json, public_feature

    text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text())
    maybe_text = st.none() | text
    coordinate = st.one_of(st.none(), st.floats(), st.sampled_from(HOSTILE_NUMBERS))
    day = st.none() | st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 30))
    clock = st.none() | st.times().map(lambda t: time(t.hour, t.minute))
    part = st.builds(PartRef, maybe_text, st.dates(), st.dates())
    event = st.builds(
        PublicEvent,
        id=st.integers(),
        slug=text,
        title=text,
        location_text=text,
        latitude=coordinate,
        longitude=coordinate,
        precision=st.none() | st.sampled_from(Precision),
        country_code=maybe_text,
        timezone=st.none() | st.sampled_from(["Europe/Berlin", "UTC", "Asia/Bangkok"]),
        start_date=day,
        end_date=day,
        date_text=text,
        start_time=clock,
        end_time=clock,
        venue=maybe_text,
        address=maybe_text,
        campaign=st.builds(CampaignRef, text),
        parts=st.lists(part, max_size=2).map(tuple),
        going=st.integers(),
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(event, text), max_size=4))
    def check(pairs):
        assert outcome(lambda: [feature_json(e, u) for e, u in pairs]) == outcome(
            lambda: [compact_json(public_feature(e, u)) for e, u in pairs]
        )

    check()


def test_the_column_writer_is_byte_for_byte_json_on_hostile_values():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from eventmap.serialize import compact_json, value_json

    scalars = st.one_of(
        st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS), st.text(), st.integers(), st.floats()
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    )

    @settings(max_examples=300, deadline=None)
    @given(values | st.lists(scalars))
    def check(value):
        assert outcome(lambda: value_json(value)) == outcome(lambda: compact_json(value))

    check()


def test_the_fast_writers_keep_pythons_float_text():
    from eventmap.listing import CampaignRef, PublicEvent
    from eventmap.serialize import compact_json, feature_json, public_feature, value_json

    for number in HOSTILE_NUMBERS:
        event = PublicEvent(
            1, "s", "t", "l", 1.0, number, None, None, None, None, None, "", None, None, None,
            None, None, CampaignRef("c"), (),
        )  # fmt: skip
        assert feature_json(event, "u") == compact_json(public_feature(event, "u"))
        assert value_json([number, "x"]) == compact_json([number, "x"]), number
