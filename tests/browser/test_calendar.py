"""The month view in Chromium: every dated party on its days (or in "N more"), and navigation."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from eventmap.calendars import DAY_LIMIT
from tests.browser.conftest import PARTIES


def test_july_2016_shows_each_dated_party_on_its_days(seeded, wide_page, live_server, artifacts):
    page = wide_page
    page.goto(live_server + "/openstack6bday/calendar?month=2016-07")

    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack turns 6: July 2016"
    with PARTIES.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["start"].startswith("2016-07")]
    on_day: dict[date, list[str]] = {}
    for row in rows:
        start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
        for n in range((end - start).days + 1):
            on_day.setdefault(start + timedelta(days=n), []).append(row["title"])
    for day, titles in on_day.items():
        # Each party is on each of its days: in the cell, or counted in its "N more".
        cell = page.locator(f'td[data-day="{day.isoformat()}"]')
        shown = cell.locator(".occurrence").count()
        assert shown == min(len(titles), DAY_LIMIT), day
        more = cell.locator(".more")
        if len(titles) > DAY_LIMIT:
            assert more.inner_text().startswith(f"{len(titles) - DAY_LIMIT} more"), day
        else:
            assert more.count() == 0, day
    page.screenshot(path=str(artifacts / "calendar-july-2016.png"), full_page=True)

    # "4 more" on the 28th leads to that day in the agenda, where every party of it is.
    page.locator('td[data-day="2016-07-28"] .more').click()
    agenda = page.locator(".agenda").inner_text()
    for title in on_day[date(2016, 7, 28)]:
        assert title.removeprefix("OpenStack 6th Birthday: ") in agenda, title
    page.go_back()

    page.get_by_role("link", name="August 2016", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack turns 6: August 2016"
    assert (
        "OpenStack 6th Birthday: Malaysia" in page.locator('td[data-day="2016-08-10"]').inner_text()
    )
    page.get_by_role("link", name="July 2016", exact=True).click()
    page.locator('td[data-day="2016-07-29"]').get_by_role(
        "link", name="OpenStack 6th Birthday: Thailand (launch party)"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack 6th Birthday: Thailand"


def test_the_month_reads_as_a_list_on_a_phone(seeded, page, live_server):
    page.goto(live_server + "/openstack6bday/calendar?month=2016-07")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator('td[data-day="2016-07-01"]').is_hidden()  # no party that day
    assert page.locator('td[data-day="2016-07-19"]').is_visible()
