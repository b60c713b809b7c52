"""The load test's generator: realistic, valid, repeatable parties, stored in bulk."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from bench.events import cities, generate, insert_events
from eventmap import versions
from eventmap.dates import DatePart, date_window_problem, parse_date_phrase
from eventmap.extensions import db
from eventmap.models import Event, EventPart


def test_parties_read_back_to_their_days_and_lie_near_real_cities(make_campaign):
    campaign = make_campaign()
    near = {(round(c.latitude), round(c.longitude)) for c in cities()}
    parties = list(generate(campaign, 2000, seed=1))
    for party in parties:
        row = party.event
        parsed = parse_date_phrase(row["date_text"], campaign.year)
        if not parsed.parts:
            assert row["start_date"] is None
            assert row["end_date"] is None
            assert party.parts == []
            continue
        assert (parsed.parts[0].start, parsed.parts[-1].end) == (row["start_date"], row["end_date"])
        assert date_window_problem(parsed.parts, campaign.year) is None
        if len(parsed.parts) > 1:
            assert [
                DatePart(p["start_date"], p["end_date"], p["label"]) for p in party.parts
            ] == list(parsed.parts)
        if row["start_time"] and row["end_time"]:
            assert row["end_time"] > row["start_time"]
        assert -90 <= row["latitude"] <= 90
        assert -180 <= row["longitude"] <= 180
        # within a degree or so of a GeoNames city: on land, where people are
        assert any(
            (round(row["latitude"]) + dy, round(row["longitude"]) + dx) in near
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        )
    kinds = Counter(
        "tbd" if p.event["start_date"] is None else "parts" if p.parts else "plain" for p in parties
    )
    assert kinds["tbd"] > 50
    assert kinds["parts"] > 30
    assert Counter(p.event["precision"] for p in parties).keys() == {"city", "region", "country"}
    days = sorted(p.event["start_date"] for p in parties if p.event["start_date"])
    assert date(2016, 7, 12) <= days[len(days) // 2] <= date(2016, 7, 26)  # around the 19th
    assert len({p.event["slug"] for p in parties}) == len(parties)


def test_the_same_seed_gives_the_same_parties_and_taken_slugs_are_avoided(make_campaign):
    campaign = make_campaign()
    first = [p.event for p in generate(campaign, 300, seed=3)]
    assert first == [p.event for p in generate(campaign, 300, seed=3)]
    assert first != [p.event for p in generate(campaign, 300, seed=4)]
    taken = {p["slug"] for p in first}
    again = [p.event["slug"] for p in generate(campaign, 300, seed=3, taken=set(taken))]
    assert not taken & set(again)


def test_insert_events_stores_every_party_and_moves_the_data_version(make_campaign, client):
    campaign = make_campaign()
    before = versions.current(db.session).value
    assert insert_events(db.session, campaign, 1200, seed=2) == 1200
    assert db.session.scalar(select(func.count(Event.id))) == 1200
    with_parts = db.session.scalar(select(func.count(func.distinct(EventPart.event_id))))
    assert with_parts > 20
    assert versions.current(db.session).value > before
    features = client.get("/api/events?campaign=openstack6bday").get_json()["features"]
    assert len(features) == 1200
    assert all(math.isfinite(f["geometry"]["coordinates"][0]) for f in features)
    assert client.get("/openstack6bday/calendar?month=2016-07").status_code == 200
