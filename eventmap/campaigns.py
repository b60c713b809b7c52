"""Read the campaign catalogue (data/campaigns.toml) into validated campaign data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .rules import SLUG_RE

# Campaign pages live at /<slug>/, so a slug must not shadow the app's own paths: every first
# path segment the app routes (a test checks it against the URL map), and a few kept for pages
# planned (tag pages, health checks).
RESERVED_SLUGS = frozenset(
    {
        "accessibility",
        "admin",
        "api",
        "calendar",
        "edit",
        "events",
        "feeds",
        "health",
        "healthz",
        "i18n",
        "language",
        "oembed",
        "map",
        "photos",
        "readyz",
        "rsvp",
        "search",
        "share",
        "static",
        "submit",
        "tag",
        "vendor",
    }
)
# Paths under a campaign that an event's slug must not take: /<campaign>/<these> are pages.
RESERVED_EVENT_SLUGS = frozenset({"calendar", "embed", "map", "memories", "near", "stats"})


class CatalogueError(ValueError):
    """A campaign catalogue that cannot be used, with the file and entry it concerns."""


@dataclass(frozen=True)
class CampaignData:
    """The fields of one campaign as the catalogue gives them."""

    slug: str
    name: str
    hashtag: str = ""
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    anniversary: date | None = None

    @property
    def year(self) -> int | None:
        """Return the year that date phrases without one belong to."""
        return year_of(self.anniversary, self.starts_on, self.ends_on)


def year_of(*days: date | None) -> int | None:
    """Return the year of a campaign's first known day (anniversary, start, end), if any.

    Date phrases without a year ("July 19") belong to it.
    """
    return next((day.year for day in days if day is not None), None)


def _optional_date(entry: dict[str, Any], key: str, where: str) -> date | None:
    """Return a TOML date field, refusing strings and date-times that would be misread."""
    value = entry.get(key)
    if value is None:
        return None
    if type(value) is not date:
        raise CatalogueError(f"{where}: {key} must be a date such as 2016-07-19, not {value!r}")
    return value


def validate_slug(slug: object) -> str:
    """Return a usable campaign slug or raise CatalogueError saying why not."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug) or len(slug) > 64:
        raise CatalogueError(
            f"slug {slug!r} must be lower-case letters, digits and single hyphens (64 at most)"
        )
    if slug in RESERVED_SLUGS:
        raise CatalogueError(f"slug {slug!r} is reserved for the app's own pages")
    return slug


def parse_catalogue(text: str, source: str = "catalogue") -> dict[str, CampaignData]:
    """Parse catalogue TOML text into campaigns keyed by slug."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from exc
    entries = document.get("campaign", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: expected [[campaign]] tables")
    campaigns: dict[str, CampaignData] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{source}, campaign #{index}"
        try:
            slug = validate_slug(entry.get("slug"))
        except CatalogueError as exc:
            raise CatalogueError(f"{where}: {exc}") from None
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"{where}: name is required")
        if slug in campaigns:
            raise CatalogueError(f"{where}: slug {slug!r} appears twice")
        data = CampaignData(
            slug=slug,
            name=name.strip(),
            hashtag=str(entry.get("hashtag", "")).lstrip("#").strip(),
            description=str(entry.get("description", "")).strip(),
            starts_on=_optional_date(entry, "starts_on", where),
            ends_on=_optional_date(entry, "ends_on", where),
            anniversary=_optional_date(entry, "anniversary", where),
        )
        if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
            raise CatalogueError(f"{where}: ends_on is before starts_on")
        campaigns[slug] = data
    return campaigns


def load_catalogue(path: str | Path) -> dict[str, CampaignData]:
    """Read a catalogue file; a missing file is an empty catalogue."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return parse_catalogue(text, source=str(path))
