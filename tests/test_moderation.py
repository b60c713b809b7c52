"""What the moderation queue flags: duplicates, dates outside the campaign, vague places."""

from __future__ import annotations

from datetime import date

import pytest

from eventmap import moderation
from eventmap.geocoding import CONFIDENT, Precision
from eventmap.models import EventStatus

PENDING = EventStatus.PENDING


def on(day: int, until: int | None = None, month: int = 7, year: int = 2016) -> dict:
    return {"start_date": date(year, month, day), "end_date": date(year, month, until or day)}


def test_same_folded_place_text_on_an_overlapping_day_is_a_duplicate(make_event):
    approved = make_event(location_text="München, Germany", **on(18, 20))
    make_event(location_text="Munchen germany", latitude=None, longitude=None, precision=None)
    event = make_event(
        status=PENDING, location_text="MÜNCHEN,  Germany", latitude=None, longitude=None, **on(20)
    )

    assert moderation.duplicates_of(event) == [approved]


def test_points_within_two_km_are_the_same_place(make_event):
    near = make_event(location_text="Werksviertel", latitude=48.125, longitude=11.603)  # ~1.5 km
    make_event(location_text="Garching", latitude=48.249, longitude=11.651)  # ~14 km
    event = make_event(
        status=PENDING, location_text="Ostbahnhof", latitude=48.127, longitude=11.585
    )

    assert moderation.duplicates_of(event) == [near]


def test_approximate_points_are_not_compared(make_event):
    make_event(
        location_text="Brazil", latitude=-15.78, longitude=-47.93, precision=Precision.COUNTRY
    )
    event = make_event(
        status=PENDING,
        location_text="Somewhere in Brazil",
        latitude=-15.78,
        longitude=-47.93,
        precision=Precision.COUNTRY,
    )

    assert moderation.duplicates_of(event) == []


def test_other_days_campaigns_and_dead_events_are_not_duplicates(make_event, make_campaign):
    other = make_campaign(slug="other", name="Other")
    make_event(**on(21))  # another day
    make_event(campaign=other)  # another campaign
    make_event(status=EventStatus.REJECTED)
    make_event(status=EventStatus.WITHDRAWN)
    pending = make_event(status=PENDING)
    event = make_event(status=PENDING)

    assert moderation.duplicates_of(event) == [pending]  # pending ones count, not itself


def test_an_undated_event_is_compared_with_undated_ones(make_event):
    make_event()
    tbd = make_event(start_date=None, end_date=None)
    event = make_event(status=PENDING, start_date=None, end_date=None)

    assert moderation.duplicates_of(event) == [tbd]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (on(19), []),
        (on(17, month=6), []),  # 14 days before July 1
        (on(14, month=9), []),  # 14 days after August 31
        (on(16, month=6), ["Starts 15 days before the campaign begins (2016-07-01)."]),
        (on(15, month=9), ["Ends 15 days after the campaign ends (2016-08-31)."]),
        (
            on(19, year=2017),
            [
                "Dated 2017, but the campaign is in 2016.",
                "Ends 322 days after the campaign ends (2016-08-31).",
            ],
        ),
        (
            {"start_date": date(2016, 8, 30), "end_date": date(2017, 1, 2)},
            [
                "Dated 2017, but the campaign is in 2016.",
                "Ends 124 days after the campaign ends (2016-08-31).",
            ],
        ),
        ({"start_date": None, "end_date": None}, ["The date is still to be announced."]),
    ],
)
def test_date_warnings_against_the_campaign_window(make_event, dates, expected):
    assert moderation.date_warnings(make_event(status=PENDING, **dates)) == expected


def test_a_campaign_without_a_window_is_checked_by_its_year_only(make_event, make_campaign):
    campaign = make_campaign(
        slug="loose", starts_on=None, ends_on=None, anniversary=date(2020, 5, 1)
    )

    assert moderation.date_warnings(make_event(campaign=campaign, **on(1, year=2020))) == []
    assert moderation.date_warnings(make_event(campaign=campaign, **on(1, year=2021))) == [
        "Dated 2021, but the campaign is in 2020."
    ]


def test_place_warnings(make_event):
    assert moderation.place_warnings(make_event()) == []
    assert moderation.place_warnings(make_event(latitude=None, longitude=None, precision=None)) == [
        "Not on the map: the place was not found."
    ]
    assert moderation.place_warnings(
        make_event(precision=Precision.COUNTRY, place_name="Thailand")
    ) == ["Approximate: somewhere in the country (Thailand)."]
    assert moderation.place_warnings(make_event(precision=Precision.REGION)) == [
        "Approximate: somewhere in the region."
    ]
    assert moderation.place_warnings(make_event(geocode_source="manual")) == [
        "The point was set by hand, not found by the geocoder."
    ]


def test_an_unsure_geocoder_answer_is_one_to_check(make_event):
    unsure = make_event(location_text="Gothenberg", geocode_confidence=0.6)
    assert moderation.place_warnings(unsure) == [
        "To check: the geocoder is not sure it read “Gothenberg” right (confidence 0.60)."
    ]
    assert moderation.place_warnings(make_event(geocode_confidence=CONFIDENT)) == []
    assert moderation.place_warnings(make_event(geocode_confidence=None)) == []


def test_review_gathers_flags_and_duplicates(make_event):
    make_event(status=PENDING)  # Munich too, but in July
    event = make_event(status=PENDING, precision=Precision.REGION, **on(20, month=9))
    twin = make_event(status=PENDING, latitude=None, longitude=None, **on(20, month=9))

    review = moderation.review(event)

    assert review.event is event
    assert [(f.kind, f.message) for f in review.flags] == [
        ("date", "Ends 20 days after the campaign ends (2016-08-31)."),
        ("place", "Approximate: somewhere in the region."),
    ]
    assert review.duplicates == [twin]


def test_who_may_be_approved_or_rejected(make_event):
    assert moderation.can_approve(make_event(status=PENDING))
    assert moderation.can_approve(make_event(status=EventStatus.REJECTED))
    assert not moderation.can_approve(make_event(status=EventStatus.APPROVED))
    assert not moderation.can_approve(make_event(status=EventStatus.WITHDRAWN))
    assert moderation.can_reject(make_event(status=PENDING))
    assert moderation.can_reject(make_event(status=EventStatus.APPROVED))
    assert not moderation.can_reject(make_event(status=EventStatus.REJECTED))
    assert not moderation.can_reject(make_event(status=EventStatus.WITHDRAWN))


def test_map_points_leave_out_events_without_a_point(make_event):
    placed = make_event(status=PENDING, title="<b>Here</b>")
    make_event(status=PENDING, latitude=None, longitude=None, precision=None)

    assert moderation.map_points([placed]) == [
        {
            "id": placed.id,
            "title": "<b>Here</b>",
            "place": "Munich",
            "lat": 48.137,
            "lon": 11.575,
            "precision": "city",
        }
    ]


def test_for_moderators_filters_by_status_campaign_and_text(make_event, make_campaign):
    from eventmap.extensions import db
    from eventmap.models import Event

    other = make_campaign(slug="other", name="Other")
    cake = make_event(title="Cake 100% free", venue="Bakery_1")
    kazan = make_event(status=PENDING, location_text="Kazan, Russia")
    elsewhere = make_event(campaign=other, status=PENDING, title="CAKE again")

    def titles(**criteria):
        return [e.title for e in db.session.scalars(Event.for_moderators(**criteria))]

    assert titles() == [elsewhere.title, kazan.title, cake.title]  # newest first
    assert titles(status=PENDING) == [elsewhere.title, kazan.title]
    assert titles(campaign=other) == [elsewhere.title]
    assert titles(text=" cake ") == [elsewhere.title, cake.title]
    assert titles(text="kaz") == [kazan.title]
    assert titles(text="bakery_") == [cake.title]  # by venue
    assert titles(text="100%") == [cake.title]  # % and _ are letters, not wildcards
    assert titles(text="y_1") == [cake.title]
    assert titles(text="%") == [cake.title]
    assert titles(text="_") == [cake.title]
