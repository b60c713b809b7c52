"""The numbers page: parties per country, continent and day, and the SVG chart with its table."""

from __future__ import annotations

import re
from datetime import date

from eventmap.extensions import db
from eventmap.models import EventPart
from eventmap.stats import campaign_stats


def test_parties_are_counted_by_country_continent_and_day(make_campaign, make_event):
    campaign = make_campaign(starts_on=date(2016, 7, 18), ends_on=date(2016, 7, 20))
    make_event(
        campaign=campaign,
        country_code="DE",
        start_date=date(2016, 7, 18),
        end_date=date(2016, 7, 19),
    )
    make_event(
        campaign=campaign,
        country_code="FR",
        start_date=date(2016, 7, 19),
        end_date=date(2016, 7, 19),
    )
    make_event(campaign=campaign, country_code="JP", start_date=None, end_date=None)
    parted = make_event(
        campaign=campaign,
        country_code="DE",
        start_date=date(2016, 7, 18),
        end_date=date(2016, 7, 20),
    )
    parted.parts.extend(
        [
            EventPart(position=0, start_date=date(2016, 7, 18), end_date=date(2016, 7, 18)),
            EventPart(position=1, start_date=date(2016, 7, 20), end_date=date(2016, 7, 20)),
        ]
    )
    db.session.commit()
    stats = campaign_stats(campaign)
    assert stats.total == 4
    assert stats.undated == 1
    assert stats.countries[0] == ("DE", "Germany", 2)
    assert dict(stats.continents) == {"Europe": 3, "Asia": 1}
    # The parted party counts on its two parts' days, not on the day between them.
    assert stats.days == [(date(2016, 7, 18), 2), (date(2016, 7, 19), 2), (date(2016, 7, 20), 1)]


def test_the_stats_page_draws_the_chart_and_the_same_numbers_as_tables(client, make_event):
    make_event(country_code="DE", start_date=date(2016, 7, 19), end_date=date(2016, 7, 19))
    make_event(country_code="BR", start_date=date(2016, 7, 19), end_date=date(2016, 7, 19))
    response = client.get("/openstack6bday/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<svg class="day-chart"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.search(r"<th scope=\"row\">Tue 19 July 2016</th><td class=\"number\">2</td>", html)
    assert re.search(r"<th scope=\"row\">Brazil</th><td class=\"number\">1</td>", html)
    assert re.search(r"<th scope=\"row\">South America</th><td class=\"number\">1</td>", html)
    assert "2 parties in 2 countries on 2 continents" in html


def test_the_stats_page_of_an_empty_campaign_says_so(client, make_campaign):
    make_campaign(starts_on=None, ends_on=None, anniversary=None)
    html = client.get("/openstack6bday/stats").get_data(as_text=True)
    assert "0 parties in 0 countries" in html
