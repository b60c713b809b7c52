"""What a shared link says: the campaign's numbers and stage, the cards' data."""

from __future__ import annotations

from datetime import date

import pytest

from eventmap import sharing


@pytest.mark.parametrize(
    ("today", "said"),
    [
        (date(2016, 6, 25), "6 days to go"),
        (date(2016, 6, 30), "1 day to go"),
        (date(2016, 7, 1), "happening today"),
        (date(2016, 7, 31), "happening today"),
        (date(2016, 8, 1), "celebrated"),
    ],
)
def test_the_stage_says_how_far_the_campaign_is(today, said):
    assert sharing.campaign_stage(date(2016, 7, 1), date(2016, 7, 31), today) == said
    assert sharing.campaign_stage(None, None, today) == ""


def test_the_figures_count_parties_and_countries(make_campaign, make_event):
    campaign = make_campaign(starts_on=date(2016, 7, 1), ends_on=date(2016, 7, 31))
    make_event(campaign=campaign, country_code="DE")
    make_event(campaign=campaign, country_code="JP")
    make_event(campaign=campaign, country_code="JP")
    assert sharing.campaign_figures(campaign, date(2016, 6, 25)) == (
        "3 parties in 2 countries · 6 days to go"
    )


def test_the_event_card_has_its_neighbours_and_not_itself(make_event):
    here = make_event(latitude=48.1, longitude=11.5)
    near = make_event(latitude=48.4, longitude=10.9)
    make_event(latitude=-33.9, longitude=151.2)  # Sydney: out of the inset
    card = sharing.event_card(here)
    assert card.point == (48.1, 11.5)
    assert card.others == [(near.latitude, near.longitude)]
    assert card.hashtag == "#OpenStack6Bday"
    assert card.title == here.title
