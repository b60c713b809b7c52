"""The campaign catalogue's rules: slugs that cannot shadow the app's own pages."""

from __future__ import annotations

import pytest

from eventmap.campaigns import RESERVED_EVENT_SLUGS, RESERVED_SLUGS, CatalogueError, validate_slug


def first_segments(app) -> set[str]:
    """Return every fixed first path segment the app routes ("admin" of /admin/...)."""
    segments = set()
    for rule in app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            segments.add(first)
    return segments


def test_every_first_path_segment_the_app_routes_is_reserved(app):
    routed = first_segments(app)
    assert "edit" in routed  # the organizers' private links
    assert routed <= RESERVED_SLUGS, sorted(routed - RESERVED_SLUGS)


def test_every_page_under_a_campaign_is_kept_from_event_slugs(app):
    pages = set()
    for rule in app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        # card.png, calendar.ics: a slug never has a dot
        fixed = len(parts) == 2 and "<" not in parts[1] and "." not in parts[1]
        if fixed and parts[0] == "<campaign_slug>":
            pages.add(parts[1])
    assert "embed" in pages
    assert pages <= RESERVED_EVENT_SLUGS, sorted(pages - RESERVED_EVENT_SLUGS)


def test_a_party_named_like_a_campaign_page_gets_another_slug(make_campaign):
    from eventmap.submissions import unique_slug

    campaign = make_campaign()
    assert unique_slug(campaign, "Map") == "map-2"
    assert unique_slug(campaign, "Embed") == "embed-2"
    assert unique_slug(campaign, "Munich") == "munich"


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_a_campaign_cannot_take_a_reserved_slug(slug):
    with pytest.raises(CatalogueError, match="reserved"):
        validate_slug(slug)


def test_an_ordinary_slug_is_kept():
    assert validate_slug("openstack6bday") == "openstack6bday"
