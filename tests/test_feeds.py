"""The Atom feed of newly approved parties."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import time

from eventmap import operations
from eventmap.models import EventStatus

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client) -> list[ET.Element]:
    response = client.get("/openstack6bday/feed.atom")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    # Our own feed, generated in this test: nothing untrusted to defuse.
    return ET.fromstring(response.data).findall(f"{ATOM}entry")  # noqa: S314


def test_the_newest_approval_comes_first_and_pending_events_stay_out(client, make_event):
    make_event(title="First <b>party</b> & friends")
    late = make_event(title="Second party", status=EventStatus.PENDING)
    make_event(title="Hidden", status=EventStatus.PENDING)

    before = entries(client)
    assert [e.findtext(f"{ATOM}title") for e in before] == ["First <b>party</b> & friends"]

    operations.approve_event(late)
    after = entries(client)
    assert [e.findtext(f"{ATOM}title") for e in after] == [
        "Second party",
        "First <b>party</b> & friends",
    ]
    link = after[0].find(f"{ATOM}link").get("href")
    assert link.endswith(f"/openstack6bday/{late.slug}")
    assert after[0].findtext(f"{ATOM}id") == link
    assert "Tue 19 July 2016" in after[0].findtext(f"{ATOM}summary")


def test_a_rejected_event_leaves_the_feed(client, make_event):
    event = make_event(title="Soon gone")
    operations.reject_event(event)
    assert entries(client) == []
    assert event.approved_at is None


def test_an_entry_says_the_time_and_the_venue(client, make_event):
    make_event(
        title="Timed party",
        venue="Werk1",
        address="Atelierstraße 29",
        start_time=time(18, 30),
        end_time=time(22, 0),
    )
    (entry,) = entries(client)
    assert entry.findtext(f"{ATOM}summary") == (
        "Tue 19 July 2016, 18:30–22:00, local time (Europe/Berlin)"
        " · Werk1, Atelierstraße 29, Munich · #OpenStack6Bday"
    )


def test_feed_links_are_on_the_public_url_whatever_the_request_host(app, client, make_event):
    app.config["PUBLIC_URL"] = "https://parties.example.org/openstack"
    app.config["TRUSTED_HOSTS"] = ["parties.example.org", "mirror.example"]
    event = make_event(slug="werk1")

    response = client.get("/openstack6bday/feed.atom", base_url="http://mirror.example")

    feed = ET.fromstring(response.data)  # noqa: S314  (our own feed, written in this test)
    public = "https://parties.example.org/openstack/openstack6bday"
    assert feed.findtext(f"{ATOM}id") == f"{public}/"
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "alternate": f"{public}/",
        "self": f"{public}/feed.atom",
    }
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"{public}/{event.slug}"
    assert b"mirror.example" not in response.data


def test_the_feed_reads_only_its_50_entries(app, client, make_event):
    from datetime import UTC, datetime, timedelta

    from eventmap.extensions import db
    from eventmap.feeds import FEED_ENTRIES
    from tests.helpers import add_events, statements

    events = add_events(FEED_ENTRIES + 30)
    start = datetime(2016, 6, 1, tzinfo=UTC)
    for n, event in enumerate(events):
        event.approved_at = start + timedelta(minutes=n)
    db.session.commit()

    with statements(app) as seen:
        found = entries(client)

    assert len(found) == FEED_ENTRIES
    newest = [e.title for e in reversed(events)][:FEED_ENTRIES]
    assert [e.findtext(f"{ATOM}title") for e in found] == newest
    on_events = [s for s in seen if "FROM events" in s]
    assert len(on_events) == 1, seen  # one query for the events, then their parts by id
    assert "LIMIT" in on_events[0]
    assert "ORDER BY events.approved_at DESC, events.id DESC" in on_events[0]
    assert len(seen) <= 4, seen  # the campaign, the events, their parts (and the version)


def test_the_feed_query_walks_its_index_instead_of_sorting_every_event(app, make_event):
    from eventmap.extensions import db
    from eventmap.feeds import FEED_ENTRIES
    from eventmap.models import Event
    from tests.helpers import add_events

    event = make_event()
    add_events(300)  # enough rows that a planner weighs the index against a sort
    compiled = Event.newest_approved(event.campaign, FEED_ENTRIES).compile(db.engine)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        values = tuple(compiled.params[name] for name in compiled.positiontup)
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        )
    else:  # PostgreSQL: on a table this small, a plain scan would win unless ruled out
        connection.exec_driver_sql("ANALYZE events")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plan = " ".join(
            str(row[0])
            for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", dict(compiled.params))
        )
    assert "ix_events_campaign_approved_at" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite: no sort of the rows
    assert "Sort" not in plan, plan  # PostgreSQL: ditto
