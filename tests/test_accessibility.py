"""The accessibility statement: what it says was tested, its contact, the footer link to it."""

from __future__ import annotations

import json
import re

from eventmap.web.accessibility import (
    ASSETS,
    AUDITED_LANGUAGES,
    AUDITED_PAGES,
    KEYBOARD_FLOWS,
    pinned_version,
)


def test_the_statement_names_the_bar_the_tools_and_what_was_tested(client):
    answer = client.get("/accessibility")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "<h1>Accessibility</h1>" in page
    assert "WCAG 2.2 level AA" in page
    version = json.loads(ASSETS.read_text())["devDependencies"]["axe-core"]
    assert re.fullmatch(r"4\.\d+\.\d+", version)  # pinned exactly, as npm ci installs it
    assert f"axe-core {version}" in page
    for language in AUDITED_LANGUAGES.values():
        assert str(language) in page
    for description in [*AUDITED_PAGES.values(), *KEYBOARD_FLOWS.values()]:
        assert str(description) in page  # a lazy string is trusted markup: written as is
    assert "390×844" in page
    assert "1280×900" in page
    assert "Known problems" in page
    assert "The map is a picture." in page
    assert "partially conforms" in page
    assert "have not published a contact" in page


def test_the_statement_gives_the_configured_contact(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = "access@example.org"
    page = client.get("/accessibility").get_data(as_text=True)
    assert '<a href="mailto:access@example.org">access@example.org</a>' in page
    app.config["ACCESSIBILITY_CONTACT"] = "https://example.org/report"
    page = client.get("/accessibility").get_data(as_text=True)
    assert '<a href="https://example.org/report">https://example.org/report</a>' in page


def test_the_contact_is_read_from_the_environment(monkeypatch, tmp_path):
    from eventmap.config import Config

    monkeypatch.setenv("EVENTMAP_ACCESSIBILITY_CONTACT", " access@example.org ")
    assert Config(tmp_path).ACCESSIBILITY_CONTACT == "access@example.org"


def test_every_page_links_the_statement_from_its_footer(client, make_event):
    make_event(slug="werk1")
    for path in ["/", "/openstack6bday/map", "/openstack6bday/werk1", "/submit", "/nope/x"]:
        page = client.get(path).get_data(as_text=True)
        footer = page[page.index('<footer class="site-footer">') :]
        assert '<a href="/accessibility">Accessibility</a>' in footer, path


def test_pinned_versions_come_from_the_committed_manifest():
    manifest = json.loads(ASSETS.read_text())
    assert pinned_version("axe-core") == manifest["devDependencies"]["axe-core"]
    assert pinned_version("supercluster") == "9.1.0"
