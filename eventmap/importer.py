"""Check a whole event file (CSV or GeoJSON) first, then write it in one transaction."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import cache
from pathlib import Path

from slugify import slugify
from sqlalchemy import select

from . import operations
from .campaigns import RESERVED_EVENT_SLUGS, CampaignData, load_catalogue
from .dates import (
    DateParseError,
    DatePart,
    campaign_last_year,
    date_window_problem,
    parse_date_phrase,
    to_phrase,
)
from .eventdata import EventData, ImportFileError, PointData, RowError, point_from_place, point_of
from .extensions import db
from .geocoding import Geocoder, Place, Precision
from .models import Campaign, Event, EventStatus
from .operations import ImportReport
from .rules import (
    MAX_LENGTHS,
    MULTILINE_FIELDS,
    SLUG_RE,
    TimeProblem,
    control_character,
    is_web_link,
    language_tag,
    time_problem,
)
from .serialize import CSV_COLUMNS, restore_formula

REQUIRED_COLUMNS = ("title", "location")
# A local time of day on the 24-hour clock; ":00" seconds, as spreadsheets add, are accepted.
TIME_RE = re.compile(r"^(\d{1,2}):([0-5]\d)(?::00)?$")
POINT_SOURCES = ("geocoder", "manual")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RawRow:
    """One input record before validation: where it is and its cells by column."""

    where: str
    cells: Mapping[str, str]


# --------------------------------------------------------------------------- reading


def read_rows(path: str | Path) -> list[RawRow]:
    """Read a CSV or GeoJSON event file into raw rows, or raise ImportFileError saying why not."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            [RowError(str(path), None, f"cannot read the file: {exc.strerror}")]
        ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            [
                RowError(
                    f"line {line}",
                    None,
                    f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                )
            ]
        ) from exc
    if path.suffix.lower() in (".geojson", ".json"):
        return read_geojson(text)
    return read_csv(text)


def read_csv(text: str) -> list[RawRow]:
    """Parse CSV text with a header row; rows are numbered as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(
            [RowError("row 1", None, "the file is empty; expected a header row")]
        ) from None
    except csv.Error as exc:
        raise ImportFileError([RowError("row 1", None, f"unreadable CSV: {exc}")]) from exc
    columns = [name.strip().lower() for name in header]
    _check_columns(columns)
    rows: list[RawRow] = []
    errors: list[RowError] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFileError(
                [*errors, RowError(f"row {start}", None, f"unreadable CSV: {exc}")]
            ) from exc
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines separate groups in hand-edited files
        where = f"row {start}"
        if len(cells) != len(columns):
            errors.append(
                RowError(
                    where, None, f"has {len(cells)} cells but the header has {len(columns)} columns"
                )
            )
            continue
        rows.append(RawRow(where, dict(zip(columns, cells, strict=True))))
    if errors:
        raise ImportFileError(errors)
    return rows


def read_geojson(text: str) -> list[RawRow]:
    """Parse a GeoJSON FeatureCollection as written by `export --format geojson`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            [RowError(f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}")]
        ) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFileError([RowError("document", None, "expected a GeoJSON FeatureCollection")])
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for number, feature in enumerate(document.get("features") or [], start=1):
        where = f"feature {number}"
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            errors.append(RowError(where, None, "expected a Feature with properties"))
            continue
        cells = {
            key: "" if value is None else str(value)
            for key, value in feature["properties"].items()
            if key in CSV_COLUMNS
        }
        geometry = feature.get("geometry")
        if geometry is not None:
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                geometry.get("type") != "Point"
                or not isinstance(coordinates, list)
                or len(coordinates) < 2
            ):
                errors.append(
                    RowError(where, "geometry", "expected a Point with [longitude, latitude]")
                )
                continue
            cells["longitude"], cells["latitude"] = str(coordinates[0]), str(coordinates[1])
        rows.append(RawRow(where, cells))
    if errors:
        raise ImportFileError(errors)
    if rows:
        _check_columns(list(rows[0].cells))
    return rows


def _check_columns(columns: list[str]) -> None:
    """Refuse unknown, repeated or missing columns before looking at any row."""
    errors = []
    known = set(CSV_COLUMNS)
    for name in columns:
        if name not in known:
            errors.append(
                RowError(
                    "row 1", name, f"unknown column; the columns are: {', '.join(CSV_COLUMNS)}"
                )
            )
    for name in sorted({name for name in columns if columns.count(name) > 1}):
        errors.append(RowError("row 1", name, "column appears more than once"))
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(RowError("row 1", name, "required column is missing"))
    if errors:
        raise ImportFileError(errors)


# --------------------------------------------------------------------------- checking


class _RowChecker:
    """Validate rows one by one, collecting every problem with its row and column."""

    def __init__(
        self,
        campaigns: Mapping[str, CampaignData | Campaign],
        existing: Mapping[tuple[str, str], Event],
        geocoder: Geocoder,
        default_campaign: str | None,
    ) -> None:
        """Keep what every row is checked against."""
        self.campaigns = campaigns
        self.existing = existing
        self.geocoder = geocoder
        self.default_campaign = default_campaign
        self.seen_slugs: dict[tuple[str, str], str] = {}
        self.places: dict[str, Place | None] = {}

    def check(self, raw: RawRow) -> tuple[EventData | None, list[RowError]]:
        """Return the row's event data, or the list of what is wrong with it."""
        errors: list[RowError] = []

        def fail(column: str | None, message: str) -> None:
            errors.append(RowError(raw.where, column, message))

        cells = self._cells(raw, fail)
        campaign_slug, campaign = self._campaign(cells, fail)
        for column in REQUIRED_COLUMNS:
            if not cells[column]:
                fail(column, "is required")
        slug = self._slug(cells, campaign_slug, campaign, raw.where, fail)
        parts = self._parts(cells, campaign, fail)
        dates_read = not any(e.column in ("date_text", "start", "end") for e in errors)
        start_time, end_time = self._times(cells, parts, dates_read, fail)
        point = self._point(cells, (campaign_slug, slug), fail) if cells["location"] else None
        status = self._status(cells["status"], fail)
        language = _language(cells["language"], fail)
        if errors:
            return None, errors
        return (
            EventData(
                where=raw.where,
                campaign=campaign_slug,
                slug=slug,
                title=cells["title"],
                location_text=cells["location"],
                date_text=cells["date_text"] or (to_phrase(parts) if parts else ""),
                parts=parts,
                point=point,
                link=cells["link"] or None,
                description=raw_description(raw.cells.get("description", "")),
                contact=cells["contact"] or None,
                status=status,
                venue=cells["venue"] or None,
                address=cells["address"] or None,
                start_time=start_time,
                end_time=end_time,
                language=language,
            ),
            [],
        )

    @staticmethod
    def _cells(raw: RawRow, fail: Callable[[str | None, str], None]) -> dict[str, str]:
        """Return every column's text, trimmed and without formula quotes, checked as text."""
        cells: dict[str, str] = {}
        for column in CSV_COLUMNS:
            value = restore_formula(raw.cells.get(column, "") or "").strip()
            problem = _text_problem(column, value)
            if problem:
                fail(column, problem)
            cells[column] = value
        return cells

    def _campaign(
        self, cells: Mapping[str, str], fail: Callable[[str | None, str], None]
    ) -> tuple[str, CampaignData | Campaign | None]:
        """Return the row's campaign slug (or the default) and the campaign it names."""
        campaign_slug = cells["campaign"] or self.default_campaign or ""
        campaign = self.campaigns.get(campaign_slug)
        if not campaign_slug:
            fail("campaign", "is empty; name the campaign (for example openstack6bday)")
        elif campaign is None:
            fail(
                "campaign", f"unknown campaign {campaign_slug!r}; add it to the campaign catalogue"
            )
        return campaign_slug, campaign

    def _slug(
        self,
        cells: Mapping[str, str],
        campaign_slug: str,
        campaign: CampaignData | Campaign | None,
        where: str,
        fail: Callable[[str | None, str], None],
    ) -> str:
        """Return the row's slug, given or made from the place, unused by earlier rows."""
        slug = cells["slug"] or slugify(cells["location"] or cells["title"], max_length=120)
        if cells["slug"] and not SLUG_RE.fullmatch(slug):
            fail("slug", f"{slug!r} must be lower-case letters, digits and single hyphens")
        elif slug in RESERVED_EVENT_SLUGS:
            pages = ", ".join(f"/{campaign_slug}/{name}" for name in sorted(RESERVED_EVENT_SLUGS))
            made = "" if cells["slug"] else " (made from the location; add a slug column)"
            fail("slug", f"{slug!r}{made} is the address of a page of the campaign's own: {pages}")
        elif slug and campaign is not None:
            key = (campaign_slug, slug)
            if key in self.seen_slugs:
                message = f"{slug!r} is already used by {self.seen_slugs[key]}"
                if not cells["slug"]:
                    message += (
                        "; it was made from the location, so add a slug column to tell them apart"
                    )
                fail("slug", message)
            else:
                self.seen_slugs[key] = where
        return slug

    def _parts(
        self,
        cells: Mapping[str, str],
        campaign: CampaignData | Campaign | None,
        fail: Callable[[str | None, str], None],
    ) -> tuple[DatePart, ...]:
        """Read the dates, check they fit the window of sane days, and return their parts."""
        parts = self._read_parts(cells, campaign, fail)
        if campaign is not None:
            year = campaign_last_year(campaign, date.today().year)
            problem = date_window_problem(parts, year)
            if problem is not None:
                fail("date_text" if cells["date_text"] else problem.side, problem.reason)
                return ()
        return parts

    def _read_parts(
        self,
        cells: Mapping[str, str],
        campaign: CampaignData | Campaign | None,
        fail: Callable[[str | None, str], None],
    ) -> tuple[DatePart, ...]:
        """Read the date phrase and check the start/end columns agree with it."""
        start = _iso_date(cells["start"], "start", fail)
        end = _iso_date(cells["end"], "end", fail)
        if end is not None and start is None:
            fail("start", "is empty but end is given")
        if start is not None and end is not None and end < start:
            fail("end", f"{end.isoformat()} is before start {start.isoformat()}")
        year = (campaign.year if campaign is not None else None) or (
            start.year if start is not None else date.today().year
        )
        if cells["date_text"]:
            try:
                parsed = parse_date_phrase(cells["date_text"], year)
            except DateParseError as exc:
                fail("date_text", str(exc))
                return ()
            for column, given, expected in (
                ("start", start, parsed.start),
                ("end", end, parsed.end),
            ):
                if cells[column] and given is not None and given != expected:
                    shown = expected.isoformat() if expected else "empty (date to be announced)"
                    fail(
                        column,
                        f"{given.isoformat()} does not match date_text {cells['date_text']!r},"
                        f" which gives {shown}",
                    )
            return parsed.parts
        if start is not None:
            return (DatePart(start, end or start, None),)
        return ()

    @staticmethod
    def _times(
        cells: Mapping[str, str],
        parts: tuple[DatePart, ...],
        dates_read: bool,
        fail: Callable[[str | None, str], None],
    ) -> tuple[time | None, time | None]:
        """Read the local start and end times, checked by the rule the submission form uses."""
        start = _time_of_day(cells["start_time"], "start_time", fail)
        end = _time_of_day(cells["end_time"], "end_time", fail)
        unreadable = (cells["start_time"] and start is None) or (cells["end_time"] and end is None)
        if not dates_read or unreadable:
            return start, end
        problem = time_problem(start, end, parts)
        if problem is TimeProblem.NEEDS_DATE:
            fail("start_time", "times need a date; leave them empty while the date is TBD")
        elif problem is TimeProblem.NEEDS_START:
            fail("start_time", "is empty but end_time is given")
        elif problem is TimeProblem.ENDS_BEFORE_START:
            fail(
                "end_time",
                f"{cells['end_time']} is not after start_time {cells['start_time']} on a"
                " one-day party; for a party past midnight, make the end date the next day",
            )
        return start, end

    def _point(
        self,
        cells: Mapping[str, str],
        key: tuple[str, str],
        fail: Callable[[str | None, str], None],
    ) -> PointData | None:
        """Return the event's point: given in the row, kept from before, or geocoded."""
        if cells["latitude"] or cells["longitude"]:
            return self._given_point(cells, fail)
        existing = self.existing.get(key)
        if (
            existing is not None
            and existing.is_placed
            and existing.location_text == cells["location"]
        ):
            # Same place text as before: keep the stored point, including manual corrections.
            return point_of(existing)
        place = self._geocode(cells["location"])
        if place is None:
            fail(
                "location",
                f"could not find the place {cells['location']!r}; write it as 'City, Country'"
                " or give latitude and longitude",
            )
            return None
        return point_from_place(place)

    def _geocode(self, location: str) -> Place | None:
        """Ask the geocoder once per distinct place text in a file."""
        if location not in self.places:
            self.places[location] = self.geocoder.lookup(location)
        return self.places[location]

    def _given_point(
        self, cells: Mapping[str, str], fail: Callable[[str | None, str], None]
    ) -> PointData | None:
        """Validate coordinates and their details given in the row itself."""
        latitude = _coordinate(cells["latitude"], "latitude", 90, fail)
        longitude = _coordinate(cells["longitude"], "longitude", 180, fail)
        precision = None
        if cells["precision"]:
            try:
                precision = Precision(cells["precision"].lower())
            except ValueError:
                choices = ", ".join(p.value for p in Precision)
                fail("precision", f"{cells['precision']!r} is not one of: {choices}")
        country = cells["country_code"].upper() or None
        if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
            fail("country_code", f"{country!r} is not a two-letter ISO 3166 code")
        timezone = cells["timezone"] or None
        if timezone is not None and timezone not in _time_zones():
            fail("timezone", f"{timezone!r} is not an IANA time zone such as Europe/Berlin")
        source = cells["point_source"].lower() or "manual"
        if source not in POINT_SOURCES:
            fail("point_source", f"{source!r} is not one of: {', '.join(POINT_SOURCES)}")
        if latitude is None or longitude is None:
            return None
        if timezone is None:
            from .geocoding import timezone_at

            timezone = timezone_at(latitude, longitude)
        return PointData(
            latitude=latitude,
            longitude=longitude,
            precision=precision or Precision.VENUE,
            country_code=country,
            region=cells["region"] or None,
            place_name=cells["place_name"] or None,
            timezone=timezone,
            source=source,
        )

    @staticmethod
    def _status(value: str, fail: Callable[[str | None, str], None]) -> EventStatus:
        """Read the status column; a file from the campaign team is approved by default."""
        if not value:
            return EventStatus.APPROVED
        try:
            return EventStatus(value.lower())
        except ValueError:
            fail("status", f"{value!r} is not one of: {', '.join(s.value for s in EventStatus)}")
            return EventStatus.PENDING


def _language(value: str, fail: Callable[[str | None, str], None]) -> str | None:
    """Read the language column: a BCP 47 tag (es, pt-BR) written canonically, or empty."""
    if not value:
        return None
    tag = language_tag(value)
    if tag is None:
        fail("language", f"{value!r} is not a known language tag; write it like es, pt-BR or ja")
    return tag


def raw_description(value: str) -> str:
    """Keep a description's inner line breaks while trimming the ends and formula quotes."""
    return restore_formula(value or "").strip()


def _text_problem(column: str, value: str) -> str | None:
    """Say what is wrong with a cell's text as such (length, control characters, links)."""
    limit = MAX_LENGTHS.get(column)
    if limit is not None and len(value) > limit:
        return f"is {len(value)} characters long; the limit is {limit}"
    char = control_character(value, multiline=column in MULTILINE_FIELDS)
    if char is not None:
        return f"contains a control character ({char!r}); use plain text on one line"
    if column == "link" and value and not is_web_link(value):
        return f"{value!r} must be an http:// or https:// address"
    return None


def _iso_date(value: str, column: str, fail: Callable[[str | None, str], None]) -> date | None:
    """Read a YYYY-MM-DD cell."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(column, f"{value!r} is not a date written YYYY-MM-DD (or not a real day)")
        return None


def _time_of_day(value: str, column: str, fail: Callable[[str | None, str], None]) -> time | None:
    """Read an HH:MM cell."""
    if not value:
        return None
    match = TIME_RE.fullmatch(value)
    if match is None or int(match.group(1)) > 23:
        fail(column, f"{value!r} is not a time of day written HH:MM on the 24-hour clock (18:30)")
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _coordinate(
    value: str, column: str, bound: float, fail: Callable[[str | None, str], None]
) -> float | None:
    """Read a latitude or longitude in decimal degrees."""
    if not value:
        fail(column, "is empty but the other coordinate is given")
        return None
    try:
        number = float(value)
    except ValueError:
        fail(column, f"{value!r} is not a number in decimal degrees")
        return None
    if not math.isfinite(number) or not -bound <= number <= bound:
        fail(column, f"{value} is outside -{bound}..{bound}")
        return None
    return number


@cache
def _time_zones() -> frozenset[str]:
    """Return the IANA time zone names this Python knows."""
    return frozenset(zoneinfo.available_timezones())


# --------------------------------------------------------------------------- importing


def check_rows(
    rows: Iterable[RawRow],
    *,
    geocoder: Geocoder,
    catalogue: Mapping[str, CampaignData],
    default_campaign: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[EventData], list[RowError]]:
    """Validate (and geocode) every row; return the good ones and every problem found."""
    rows = list(rows)
    stored = {c.slug: c for c in db.session.scalars(select(Campaign))}
    campaigns: dict[str, CampaignData | Campaign] = {**catalogue, **stored}
    existing = {
        (campaign_slug, event.slug): event
        for campaign_slug, event in db.session.execute(
            select(Campaign.slug, Event).join(Event.campaign)
        )
    }
    checker = _RowChecker(campaigns, existing, geocoder, default_campaign)
    good: list[EventData] = []
    errors: list[RowError] = []
    for raw in rows:
        data, problems = checker.check(raw)
        if data is not None:
            good.append(data)
        errors.extend(problems)
        if progress is not None:
            progress(1)
    return good, errors


def import_file(
    path: str | Path,
    *,
    geocoder: Geocoder,
    catalogue_path: str | Path | None = None,
    default_campaign: str | None = None,
    skip_bad_rows: bool = False,
    progress: Callable[[int], Progress] | None = None,
) -> ImportReport:
    """Import an event file: all or nothing, or with `skip_bad_rows` the good rows only.

    `progress(total)` is called once with the number of rows and returns the callback that is
    told of each row checked, so the CLI can show a bar without this module knowing of it.
    """
    rows = read_rows(path)
    catalogue = load_catalogue(catalogue_path) if catalogue_path else {}
    advance = progress(len(rows)) if progress is not None else None
    good, errors = check_rows(
        rows,
        geocoder=geocoder,
        catalogue=catalogue,
        default_campaign=default_campaign,
        progress=advance,
    )
    if errors and not skip_bad_rows:
        raise ImportFileError(errors)
    report = operations.apply_import(good, catalogue)
    report.rows = len(rows)
    report.rejected = errors
    return report
