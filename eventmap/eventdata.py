"""The validated data of events, as every entry point hands it to operations.

The importer, the submission form and the moderators' edit each check their own input and
produce these; operations writes them. They live apart from all three so that none imports
another for its types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from .dates import DatePart
from .geocoding import Place, Precision
from .models import Campaign, Event, EventStatus


@dataclass(frozen=True)
class RowError:
    """One problem in an input file, located by row (or feature) and column."""

    where: str
    column: str | None
    message: str

    def __str__(self) -> str:
        """Say where and what, as the CLI prints it."""
        if self.column:
            return f"{self.where}, column {self.column!r}: {self.message}"
        return f"{self.where}: {self.message}"


class ImportFileError(Exception):
    """The file had problems; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        """Keep every problem found, not only the first."""
        super().__init__(f"{len(errors)} problem(s) in the input; nothing was imported")
        self.errors = errors


@dataclass(frozen=True)
class PointData:
    """Where an event is, and how that was found out."""

    latitude: float
    longitude: float
    precision: Precision | None
    country_code: str | None
    region: str | None
    place_name: str | None
    timezone: str | None
    source: str
    confidence: float | None = None  # the geocoder's, when it found the point


class _Dated:
    """The first and last day of data made of dated parts."""

    parts: tuple[DatePart, ...]

    @property
    def start_date(self) -> date | None:
        """Return the first day of the first part."""
        return min((part.start for part in self.parts), default=None)

    @property
    def end_date(self) -> date | None:
        """Return the last day of the last part (inclusive)."""
        return max((part.end for part in self.parts), default=None)


@dataclass(frozen=True)
class EventData(_Dated):
    """One validated event, ready for operations to create or update."""

    where: str
    campaign: str
    slug: str
    title: str
    location_text: str
    date_text: str
    parts: tuple[DatePart, ...]
    point: PointData | None
    link: str | None
    description: str
    contact: str | None
    status: EventStatus
    venue: str | None = None
    address: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    language: str | None = None


@dataclass(frozen=True)
class SubmissionData(_Dated):
    """One validated submission (from the public form or a moderator's edit)."""

    campaign: Campaign
    title: str
    location_text: str
    date_text: str
    parts: tuple[DatePart, ...]
    point: PointData | None
    venue: str | None = None
    address: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    link: str | None = None
    description: str = ""
    language: str | None = None
    organizer_name: str | None = None
    organizer_email: str | None = None


def point_from_place(place: Place) -> PointData:
    """Return a geocoder's answer as the point stored with an event."""
    return PointData(
        latitude=place.latitude,
        longitude=place.longitude,
        precision=place.precision,
        country_code=place.country_code,
        region=place.region,
        place_name=place.display_name,
        timezone=place.timezone,
        source="geocoder",
        confidence=place.confidence,
    )


def point_of(event: Event) -> PointData:
    """Return the stored point of an event."""
    assert event.latitude is not None and event.longitude is not None  # noqa: PT018
    return PointData(
        latitude=event.latitude,
        longitude=event.longitude,
        precision=event.precision,
        country_code=event.country_code,
        region=event.region,
        place_name=event.place_name,
        timezone=event.timezone,
        source=event.geocode_source or "geocoder",
        confidence=event.geocode_confidence,
    )
