"""axe-core on every page type, in each language and at phone and desktop sizes (issue 19).

axe-core comes from npm (pinned in assets/package-lock.json, installed by `make assets`) and is
injected through Playwright after each page has settled. A `serious` or `critical` violation of
the WCAG 2.0-2.2 A/AA rules or of axe's best practices fails the test; every result is saved
under artifacts/axe/ (one JSON file per page, plus summary.json and summary.md).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from eventmap import languages, operations
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Campaign, EventStatus
from eventmap.submissions import hash_token
from eventmap.web.accessibility import AUDITED_LANGUAGES, AUDITED_PAGES, AXE_TAGS, SCREEN_SIZES
from eventmap.web.i18n import COOKIE
from tests.browser.conftest import _open_local_page, wait_until

AXE_DIR = Path(__file__).resolve().parents[2] / "assets" / "node_modules" / "axe-core"
TAGS = list(AXE_TAGS)
FAILING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")
# The languages audited: adding one to AUDITED_LANGUAGES (eventmap/web/accessibility.py, which
# the statement reads) is all it takes; each page is then opened with ?lang= and the language
# menu's cookie, so that the pages a form leads to are in that language too.
LOCALES = sorted(AUDITED_LANGUAGES)
SIZES = SCREEN_SIZES
PASSWORD = "a long enough secret"
EDIT_TOKEN = "a-private-edit-token-for-the-axe-run-0123456789"
CONFIRM = re.compile(r"(http://127\.0\.0\.1:\d+/rsvp/[^/\s]+)/confirm")


def axe_version() -> str:
    """Return the installed axe-core's version; fail when `make assets` has not run."""
    package = AXE_DIR / "package.json"
    assert package.is_file(), "axe-core is not installed: run `make assets`"
    return json.loads(package.read_text())["version"]


def localized(url: str, locale: str) -> str:
    """Return the address with ?lang= for a language other than English."""
    if locale == "en":
        return url
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({"lang": locale})]))
    return urlunsplit(parts._replace(query=query))


class Auditor:
    """Run axe on pages and keep every result, for the artifacts and the verdict."""

    def __init__(self, page: Any, locale: str, size: str, folder: Path) -> None:
        self.page, self.locale, self.size = page, locale, size
        self.folder = folder / f"{locale}-{size}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.source = (AXE_DIR / "axe.min.js").read_text()
        self.results: dict[str, dict[str, Any]] = {}

    def audit(self, name: str) -> None:
        """Run axe on the page as it is now and record the result under a page-type name."""
        page = self.page
        page.wait_for_load_state("load")
        # Through DevTools, so the page's Content-Security-Policy stays as it is served.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            TAGS,
        )
        kept = {
            "page": name,
            "url": page.url,
            "locale": self.locale,
            "size": self.size,
            "lang": page.evaluate("document.documentElement.lang"),
            "dir": page.evaluate("document.documentElement.dir"),
            # Reflow (WCAG 1.4.10): wider than the window means scrolling sideways to read.
            "overflow": page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            ),
            "testEngine": result["testEngine"],
            "violations": result["violations"],
            # What axe could not decide (text over the map, say): for a person to review.
            "incomplete": [
                {
                    "id": item["id"],
                    "impact": item["impact"],
                    "help": item["help"],
                    "targets": [n["target"] for n in item["nodes"]],
                }
                for item in result.get("incomplete", [])
            ],
        }
        self.results[name] = kept
        (self.folder / f"{name}.json").write_text(json.dumps(kept, indent=1))

    def goto(self, url: str, name: str, settle: str | None = None) -> None:
        """Open a page (in the auditor's language), wait for it, and audit it."""
        self.page.goto(localized(url, self.locale))
        if settle:
            wait_until(self.page, settle)
        self.audit(name)

    def counts(self) -> Counter[str]:
        """Count the violating nodes by impact over every page audited."""
        seen: Counter[str] = Counter()
        for result in self.results.values():
            for violation in result["violations"]:
                seen[violation["impact"] or "minor"] += len(violation["nodes"])
        return seen

    def failures(self) -> list[str]:
        """Describe each serious or critical violation: page, rule, first nodes."""
        lines = []
        for name, result in self.results.items():
            for violation in result["violations"]:
                if violation["impact"] in FAILING:
                    targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
                    lines.append(
                        f"{name}: {violation['id']} ({violation['impact']}, "
                        f"{len(violation['nodes'])} nodes) {violation['help']}: {targets}"
                    )
        return lines

    def write_summary(self) -> None:
        """Write summary.json and summary.md for this language and size."""
        rows = []
        for name, result in self.results.items():
            by_impact = Counter()
            for violation in result["violations"]:
                by_impact[violation["impact"] or "minor"] += len(violation["nodes"])
            rows.append({"page": name, "url": result["url"], **{i: by_impact[i] for i in IMPACTS}})
        summary = {
            "axe": axe_version(),
            "locale": self.locale,
            "size": self.size,
            "tags": TAGS,
            "pages": rows,
            "total": {i: self.counts()[i] for i in IMPACTS},
        }
        (self.folder / "summary.json").write_text(json.dumps(summary, indent=1))
        lines = [
            f"# axe-core {summary['axe']}: {self.locale}, {self.size} ({len(rows)} pages)",
            "",
            "Violating nodes by impact; tags " + ", ".join(TAGS) + ".",
            "",
            "| page | " + " | ".join(IMPACTS) + " |",
            "| --- |" + " --- |" * len(IMPACTS),
        ]
        lines += [f"| {r['page']} | " + " | ".join(str(r[i]) for i in IMPACTS) + " |" for r in rows]
        lines += ["| **total** | " + " | ".join(str(summary["total"][i]) for i in IMPACTS) + " |"]
        rules = Counter()
        for result in self.results.values():
            for violation in result["violations"]:
                rules[f"{violation['id']} ({violation['impact']})"] += len(violation["nodes"])
        if rules:
            lines += ["", "Rules still reported (nodes):", ""]
            lines += [f"- {rule}: {n}" for rule, n in rules.most_common()]
        review = Counter()
        for result in self.results.values():
            for item in result["incomplete"]:
                review[f"{item['id']}: {item['help']}"] += len(item["targets"])
        if review:
            lines += ["", "For a person to review (axe could not decide; nodes):", ""]
            lines += [f"- {rule}: {n}" for rule, n in review.most_common()]
        (self.folder / "summary.md").write_text("\n".join(lines) + "\n")
        write_index(self.folder.parent)


def write_index(folder: Path) -> None:
    """Write summary.md over every language and size audited so far."""
    lines = [
        "# axe-core results",
        "",
        "Violating nodes by impact, per language and screen size (details in each folder).",
        "",
        "| run | pages | " + " | ".join(IMPACTS) + " |",
        "| --- | --- |" + " --- |" * len(IMPACTS),
    ]
    for path in sorted(folder.glob("*/summary.json")):
        summary = json.loads(path.read_text())
        counts = " | ".join(str(summary["total"][i]) for i in IMPACTS)
        run = f"{summary['locale']}, {summary['size']}"
        lines.append(
            f"| [{run}]({path.parent.name}/summary.md) | {len(summary['pages'])} | {counts} |"
        )
    (folder / "summary.md").write_text("\n".join(lines) + "\n")


def make_parties(make_event: Any) -> dict[str, Any]:
    """Store the parties the pages need: dated ones, a TBD one, one with times and a private
    link, a pending one for the queue; return what the walk needs to know."""
    for n in range(3):
        make_event(slug=f"munich-{n}", title=f"Munich party {n}")
    make_event(
        slug="tokyo",
        title="Tokyo birthday",
        location_text="Tokyo, Japan",
        latitude=35.68,
        longitude=139.69,
        country_code="JP",
        timezone="Asia/Tokyo",
        start_date=None,
        end_date=None,
        date_text="TBD",
        precision=Precision.CITY,
    )
    werk = make_event(
        slug="werk1",
        title="Werk1 party",
        start_time=time(18, 30),
        end_time=time(22, 0),
        description="Cake and *talks*.",
        link="https://meetup.example/munich",
        venue="Werksviertel",
        organizer_email="org@example.org",
        organizer_name="Org",
        edit_token_hash=hash_token(EDIT_TOKEN),
    )
    pending = make_event(
        slug="kazan",
        title="Kazan birthday",
        status=EventStatus.PENDING,
        location_text="Kazan, Russia",
        latitude=55.796,
        longitude=49.106,
        country_code="RU",
        organizer_email="kazan@example.org",
    )
    operations.create_admin("eve", PASSWORD)
    return {"werk": werk.id, "pending": pending.id}


def walk(auditor: Auditor, base: str, mail_server: Any, ids: dict[str, Any]) -> None:
    """Open every page type once and audit it."""
    page = auditor.page
    c = base + "/openstack6bday"
    # Clusters drawn and the labels in (the list is built, every marker named).
    map_ready = (
        "!!(window.eventmapMap && window.eventmapMap.shown() > 0"
        " && document.querySelector('.map-frame.list-ready'))"
    )
    auditor.goto(base + "/", "home", settle=map_ready)
    auditor.goto(c + "/", "campaign", settle=map_ready)
    auditor.goto(c + "/map", "map", settle=map_ready)
    auditor.goto(c + "/calendar?month=2016-07", "calendar-month")
    auditor.goto(c + "/calendar/week?week=2016-07-18", "calendar-week")
    auditor.goto(c + "/calendar/agenda", "calendar-agenda")
    auditor.goto(c + "/calendar/undated", "calendar-undated")
    auditor.goto(c + "/werk1", "event")
    auditor.goto(c + "/near?q=Munich", "near-results")
    auditor.goto(c + "/near?q=Nowhere+at+all+xyz", "near-nothing")
    auditor.goto(c + "/stats", "stats")
    auditor.goto(c + "/embed", "embed", settle=map_ready)
    auditor.goto(c + "/werk1/poster", "poster")
    auditor.goto(base + "/share/mastodon?url=" + c + "/werk1&text=Party", "share-mastodon")
    auditor.goto(base + "/api/", "api-reference")
    auditor.goto(base + "/accessibility", "accessibility-statement")
    auditor.goto(c + "/no-such-party", "error-404")

    # The submission form, its errors and its preview, then the private edit link.
    auditor.goto(base + "/submit", "submit")
    page.locator("form.event-form button[value=preview]").first.press("Enter")
    page.locator(".error-summary").wait_for()
    auditor.audit("submit-errors")
    page.locator("input[name=title]").fill("Stackers of Munich turn 6")
    page.locator("input[name=location]").fill("Munich")
    page.locator("input[name=date_text]").fill("July 21")
    page.locator("input[name=organizer_name]").fill("Ada")
    page.locator("input[name=organizer_email]").fill("ada@example.org")
    page.locator("form.event-form button[value=preview]").first.press("Enter")
    page.locator(".preview").first.wait_for()
    auditor.audit("submit-preview")
    page.locator("form.event-form button[value=save]").first.press("Enter")
    page.locator(".status-box").first.wait_for()
    auditor.audit("submit-received")
    auditor.goto(base + "/edit/" + EDIT_TOKEN, "edit-private-link")

    # I'm going: the answer, the confirmation by the mailed link, the answer's own page.
    page.goto(localized(c + "/werk1", auditor.locale))
    page.locator("form.rsvp-form input[name=email]").fill(f"ann-{auditor.size}@example.org")
    page.locator("form.rsvp-form button[type=submit]").press("Enter")
    page.locator(".rsvp-sent").wait_for()
    auditor.audit("rsvp-sent")
    body = mail_server.messages[-1].get_body(("plain",)).get_content()
    link = CONFIRM.search(body).group(1)
    auditor.goto(link + "/confirm", "rsvp-confirm")
    page.locator("button.rsvp-confirm").press("Enter")
    page.locator(".rsvp-status-going").wait_for()
    auditor.audit("rsvp-manage")
    auditor.goto(link + "/cancel", "rsvp-cancel")
    page.goto(localized(link, auditor.locale))
    page.locator("button.rsvp-delete").press("Enter")
    page.wait_for_url("**/delete")
    auditor.audit("rsvp-deleted")

    # Moderation: sign in, the queue, one party, its edit form, all events, the audit log.
    auditor.goto(base + "/admin/login", "admin-login")
    page.locator("input[name=username]").fill("eve")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/admin/")
    page.wait_for_selector(".admin-map-frame.markers-ready", state="attached")
    auditor.audit("admin-queue")
    auditor.goto(f"{base}/admin/events/{ids['pending']}", "admin-event")
    auditor.goto(f"{base}/admin/events/{ids['pending']}/edit", "admin-edit")
    auditor.goto(base + "/admin/events", "admin-events")
    auditor.goto(base + "/admin/audit", "admin-audit")


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_type_has_no_serious_or_critical_axe_violation(
    app, make_event, mail_server, browser, live_server, artifacts, locale, size
):
    ids = make_parties(make_event)
    assert db.session.query(Campaign).count() == 1
    width, height = SIZES[size]
    pages = _open_local_page(browser, live_server, width, height)
    page = next(pages)
    page.context.add_cookies([{"name": COOKIE, "value": locale, "url": live_server}])
    auditor = Auditor(page, locale, size, artifacts / "axe")
    try:
        walk(auditor, live_server, mail_server, ids)
    finally:
        auditor.write_summary()
    assert list(auditor.results) == list(AUDITED_PAGES)  # what the statement says was tested
    for name, result in auditor.results.items():
        assert result["testEngine"]["version"] == axe_version(), name
        assert result["lang"] == languages.tag(locale), (name, result["lang"])
        assert result["dir"] == languages.direction(locale), (name, result["dir"])
    wide = {name: r["overflow"] for name, r in auditor.results.items() if r["overflow"] > 0}
    assert wide == {}, f"pages wider than the {size} screen (CSS pixels too wide): {wide}"
    failures = auditor.failures()
    assert failures == [], "\n".join(failures)
    next(pages, None)  # closes the context; page errors seen there fail the test
