"""The campaign catalogue's rules: slugs that cannot shadow the app's own pages."""

from __future__ import annotations

import pytest

from eventmap.campaigns import RESERVED_SLUGS, CatalogueError, validate_slug


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


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_a_campaign_cannot_take_a_reserved_slug(slug):
    with pytest.raises(CatalogueError, match="reserved"):
        validate_slug(slug)


def test_an_ordinary_slug_is_kept():
    assert validate_slug("openstack6bday") == "openstack6bday"
