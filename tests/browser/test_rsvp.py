"""A visitor says "I'm going" in Chromium, confirms by the mailed link, sees the count, cancels."""

from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from eventmap.extensions import db
from eventmap.models import Rsvp, RsvpStatus

CONFIRM = re.compile(r"^(http://127\.0\.0\.1:\d+/rsvp/\S+/confirm)\s*$", re.M)


def test_answer_confirm_from_the_mail_see_the_count_and_cancel(
    app, make_event, mail_server, page, live_server, artifacts
):
    make_event(slug="werk1", title="Werk1 party", start_time=time(18, 30), end_time=time(22, 0))
    page.goto(live_server + "/openstack6bday/werk1")
    page.get_by_role("heading", name="I’m going").wait_for()
    assert page.locator(".rsvp-count").inner_text().startswith("0 going")
    page.get_by_label("Your e-mail").fill("ann@example.org")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("How many people").select_option("1")
    page.get_by_role("button", name="I’m going").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert "ann@example.org" in page.locator(".rsvp-sent").inner_text()

    (message,) = mail_server.messages
    body = message.get_body(("plain",)).get_content()
    link = CONFIRM.search(body).group(1)
    assert [a.get_filename() for a in message.iter_attachments()] == ["werk1.ics"]
    page.goto(link)
    page.get_by_role("button", name="Yes, I’m going").click()
    page.get_by_role("heading", name="You are going").wait_for()
    assert "1 going" in page.locator(".rsvp-count").inner_text()

    page.get_by_role("link", name="The party’s page").click()
    page.get_by_role("heading", name="Werk1 party").wait_for()
    assert page.locator(".rsvp-count").inner_text().startswith("1 going")
    page.screenshot(path=str(artifacts / "event-with-rsvps.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "Ann" not in page.content()  # the name is for the organizer only

    page.go_back()
    page.get_by_role("button", name="Cancel my answer").click()
    page.get_by_role("heading", name="You cancelled").wait_for()
    with app.app_context():
        assert db.session.scalar(select(Rsvp.status)) == RsvpStatus.CANCELLED
    page.goto(live_server + "/openstack6bday/werk1")
    assert page.locator(".rsvp-count").inner_text().startswith("0 going")
