"""The main tasks with the keyboard alone (issue 19): Tab, Shift+Tab, Enter, Space and Escape.

No clicks and no filling by selector: each field is reached by Tab and typed into, each button
pressed with Enter or Space. At every stop the focused element must show its focus: a computed
outline of at least 2px (the site's :focus-visible ring).
"""

from __future__ import annotations

import time as clock
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from eventmap import languages, operations
from eventmap.extensions import db
from eventmap.models import Event, EventStatus, Rsvp
from eventmap.web.accessibility import AUDITED_LANGUAGES, KEYBOARD_FLOWS
from eventmap.web.i18n import COOKIE
from tests.browser.conftest import _open_local_page, wait_until

PASSWORD = "a long enough secret"
LIMIT = 250  # Tab presses before a target counts as unreachable

# What is focused, and whether it shows: an outline of 2px or more, or a box-shadow ring.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return null; }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    tag: el.tagName.toLowerCase(), name: el.getAttribute("name"), id: el.id,
    cls: typeof el.className === "string" ? el.className : "",
    text: (el.getAttribute("aria-label") || el.innerText || el.value || "").slice(0, 80),
    outline: style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor,
    visible: outline,
  };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    """Describe the focused element (None for the page itself)."""
    return page.evaluate(FOCUSED)


def tab_to(page: Any, test: str, *, back: bool = False, stops: list | None = None) -> dict:
    """Press Tab (or Shift+Tab) until the focused element `el` passes the JS test `test`.

    Every element focused on the way must show its focus.
    """
    page.wait_for_load_state("load")  # the stylesheets in, after a form's navigation
    for _ in range(LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        info = focused(page)
        if info is None:
            continue
        if stops is not None:
            stops.append(info)
        assert info["visible"], f"no visible focus on {info}"
        if page.evaluate(f"(el => !!({test}))(document.activeElement)"):
            return info
    raise AssertionError(f"{test} not reached in {LIMIT} presses of Tab")


def type_into(page: Any, name: str, text: str) -> None:
    """Tab to the field called `name` and type into it."""
    tab_to(page, f"el.name === {name!r}")
    page.keyboard.type(text)


def test_the_flows_here_are_the_ones_the_statement_names():
    tested = {"find", "submit", "rsvp", "moderate", "map"}
    assert set(KEYBOARD_FLOWS) == tested


@pytest.mark.parametrize("locale", sorted(AUDITED_LANGUAGES))
def test_find_a_party_from_the_home_page(make_event, wide_page, live_server, artifacts, locale):
    page = wide_page
    page.context.add_cookies([{"name": COOKIE, "value": locale, "url": live_server}])
    make_event(slug="werk1", title="Werk1 party")
    make_event(
        slug="paris",
        title="Paris party",
        location_text="Paris",
        latitude=48.857,
        longitude=2.352,
        country_code="FR",
    )
    page.goto(live_server + "/")

    # The first stop is the skip link, shown when focused; it moves focus to the content.
    skip = tab_to(page, "el.classList.contains('skip-link')")
    assert page.evaluate("document.documentElement.lang") == languages.tag(locale)
    if locale == "en":
        assert skip["text"] == "Skip to content"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0
    assert box["y"] >= 0
    page.screenshot(path=str(artifacts / f"keyboard-skip-link-{locale}.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Past the map's markers with its own skip link, then to a party in the list.
    tab_to(page, "el.classList.contains('skip-map')")
    assert page.locator(".skip-map").bounding_box()["width"] > 50  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "map-tools"
    stops: list[dict] = []
    link = tab_to(page, "el.matches('a.event-title')", stops=stops)
    assert not any("leaflet-marker-icon" in s["cls"] for s in stops)  # skipped indeed
    # Shift+Tab goes back, Tab comes again to the same party.
    tab_to(page, "true", back=True)
    again = tab_to(page, "el.matches('a.event-title')")
    assert again["text"] == link["text"]
    page.locator(":focus").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"keyboard-focus-ring-{locale}.png"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/openstack6bday/*")
    assert page.locator("h1").inner_text() == link["text"]


def test_the_map_with_the_keyboard_popup_and_escape(make_event, wide_page, live_server):
    page = wide_page
    make_event(slug="werk1", title="Werk1 party")
    make_event(
        slug="kazan",
        title="Kazan party",
        location_text="Kazan",
        latitude=55.796,
        longitude=49.106,
        country_code="RU",
    )
    page.goto(live_server + "/openstack6bday/map")
    # The markers and their names: the labels part comes after the clusters, before the list.
    wait_until(page, "!!(window.eventmapMap && window.eventmapMap.shown() === 2)")
    page.wait_for_selector(".map-frame.list-ready", state="attached")
    # The map itself is a stop (arrow keys pan it), named after its heading.
    container = tab_to(page, "el.classList.contains('leaflet-container')")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "group"
    assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "map-heading"
    assert container["visible"]
    marker = tab_to(page, "el.classList.contains('party-marker')")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert marker["text"] in popup.inner_text()
    # The focus goes into the popup, to its link (with its ring), and Escape brings it back.
    wait_until(page, "!!document.activeElement.closest('.leaflet-popup-content')")
    assert focused(page)["text"] == "Party page →"
    assert focused(page)["visible"]
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    # Focus is back on the marker it came from, not lost to the page.
    assert "party-marker" in focused(page)["cls"]

    # The list gives every party too: its buttons show each one on the map.
    tab_to(page, "el.classList.contains('show-on-map')")
    page.keyboard.press("Space")
    popup.wait_for()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")


def test_submit_a_party_with_the_keyboard(app, make_campaign, page, live_server):
    make_campaign()
    page.goto(live_server + "/submit")
    type_into(page, "title", "Stackers of Munich turn 6")
    type_into(page, "location", "Munich")
    type_into(page, "date_text", "July 21")
    type_into(page, "organizer_name", "Ada")
    type_into(page, "organizer_email", "ada@example.org")
    tab_to(page, "el.matches('button[value=preview]')")
    page.keyboard.press("Enter")
    page.locator("#preview-heading").wait_for()
    tab_to(page, "el.matches('button[value=save]')")
    page.keyboard.press("Enter")
    page.locator(".private-link").wait_for()
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.title == "Stackers of Munich turn 6"
        assert event.status == EventStatus.PENDING


def test_a_failed_submission_takes_the_focus_to_its_errors(make_campaign, page, live_server):
    make_campaign()
    page.goto(live_server + "/submit")
    tab_to(page, "el.matches('button[value=preview]')")
    page.keyboard.press("Enter")
    page.locator("#error-summary").wait_for()
    # The summary's links lead to the fields: Enter on the first focuses its field.
    tab_to(page, "el.closest('#error-summary') && el.tagName === 'A'")
    target = page.evaluate("document.activeElement.getAttribute('href')").lstrip("#")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target


def test_say_im_going_with_the_keyboard(app, make_event, mail_server, page, live_server):
    event_id = make_event(slug="werk1", title="Werk1 party").id
    page.goto(live_server + "/openstack6bday/werk1")
    type_into(page, "email", "ann@example.org")
    page.keyboard.press("Tab")  # the next field: the name
    assert focused(page)["name"] == "name"
    page.keyboard.type("Ann")
    tab_to(page, "el.name === 'people'")
    page.keyboard.press("ArrowDown")  # one more person
    tab_to(page, "el.closest('.rsvp-form') && el.type === 'submit'")
    page.keyboard.press("Space")
    page.locator(".rsvp-sent").wait_for()
    with app.app_context():
        rsvp = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event_id))
        assert rsvp.email == "ann@example.org"
        assert rsvp.people == 2
    assert len(mail_server.messages) == 1


def test_moderate_with_the_keyboard(app, make_event, page, live_server):
    make_event(slug="kazan", title="Kazan birthday", status=EventStatus.PENDING)
    operations.create_admin("eve", PASSWORD)
    page.goto(live_server + "/admin/login")
    type_into(page, "username", "eve")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/admin/")
    tab_to(page, "el.classList.contains('admin-approve')")
    page.keyboard.press("Enter")
    page.locator(".admin-flashes").wait_for()
    assert "it is on the map now" in page.locator(".admin-flashes").inner_text()
    with app.app_context():
        assert db.session.scalar(select(Event.status)) == EventStatus.APPROVED


def test_reduced_motion_stops_the_time_slider_playing(make_event, browser, live_server):
    for day in (5, 12, 19):
        make_event(start_date=date(2016, 7, day), end_date=date(2016, 7, day))
    pages = _open_local_page(browser, live_server, 1280, 900, reduced_motion="reduce")
    page = next(pages)
    page.goto(live_server + "/openstack6bday/map")
    wait_until(page, "!!(window.eventmapMap && window.eventmapMap.shown() === 3)")
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    # Leaflet animates nothing, and the stylesheet cuts any transition short.
    assert page.evaluate("window.eventmapMap.map.options.zoomAnimation") is False
    assert page.evaluate("window.eventmapMap.map.options.fadeAnimation") is False
    pane = "getComputedStyle(document.querySelector('.leaflet-pane'))"
    assert page.evaluate(pane + ".transitionDuration") in ("1e-05s", "0.00001s")

    # The Play button is a step button: one day per press, never a timer.
    page.evaluate("document.querySelector('[data-map-name]').dataset.playMs = '20'")
    button = page.locator("#play")
    assert button.inner_text() == "Next day"
    assert button.get_attribute("aria-pressed") is None
    tab_to(page, "el.id === 'play'")
    page.keyboard.press("Enter")  # from "all days" to the first day
    assert page.locator("#day-slider").input_value() == "0"
    page.keyboard.press("Enter")
    assert page.locator("#day-slider").input_value() == "1"
    clock.sleep(0.3)  # fifteen frames of the fast timer set above, had it started
    assert page.locator("#day-slider").input_value() == "1"
    assert button.inner_text() == "Next day"
    next(pages, None)


def test_without_reduced_motion_play_still_plays(make_event, wide_page, live_server):
    page = wide_page
    for day in (5, 12, 19):
        make_event(start_date=date(2016, 7, day), end_date=date(2016, 7, day))
    page.goto(live_server + "/openstack6bday/map")
    wait_until(page, "!!(window.eventmapMap && window.eventmapMap.shown() === 3)")
    page.evaluate("document.querySelector('[data-map-name]').dataset.playMs = '20'")
    assert page.locator("#play").get_attribute("aria-pressed") == "false"
    tab_to(page, "el.id === 'play'")
    page.keyboard.press("Enter")
    wait_until(page, "+document.querySelector('#day-slider').value > 2")
    assert page.evaluate("window.eventmapMap.map.options.zoomAnimation") is True


def test_the_map_list_holds_every_party_not_only_the_markers(make_event, wide_page, live_server):
    page = wide_page
    make_event(slug="werk1", title="Werk1 party")
    make_event(slug="tbd", title="Someday party", start_date=None, end_date=None, date_text="TBD")
    make_event(
        slug="nowhere",
        title="Unplaced party",
        latitude=None,
        longitude=None,
        precision=None,
        country_code=None,
    )
    make_event(slug="hidden", title="Pending party", status=EventStatus.PENDING)
    page.goto(live_server + "/openstack6bday/")
    # The campaign page links the full map with its list, and the agenda of all parties.
    assert page.locator("a[href='/openstack6bday/map']").count() >= 1
    assert page.locator("a[href='/openstack6bday/calendar/agenda']").count() >= 1
    page.goto(live_server + "/openstack6bday/map")
    wait_until(page, "document.querySelectorAll('#map-list .event-item').length === 3")
    titles = page.locator("#map-list .event-title").all_inner_texts()
    assert sorted(titles) == ["Someday party", "Unplaced party", "Werk1 party"]
    assert page.evaluate("window.eventmapMap.shown()") == 2  # the unplaced one is in the list only
    assert page.locator("#list-heading").inner_text().startswith("All 3 parties")
