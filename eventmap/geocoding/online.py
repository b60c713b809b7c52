"""Nominatim through geopy, rate-limited, answering with the same Place as the offline geocoder."""

from __future__ import annotations

from typing import Any

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location

from .place import Place, Precision
from .timezones import timezone_at

# Nominatim's addresstype (or type) for each precision; anything else is a venue.
_PRECISIONS = {
    Precision.COUNTRY: {"country"},
    Precision.REGION: {"state", "region", "province", "state_district", "county", "district"},
    Precision.CITY: {
        "city",
        "town",
        "village",
        "municipality",
        "hamlet",
        "suburb",
        "quarter",
        "neighbourhood",
        "city_district",
        "borough",
        "administrative",
    },
}


class NominatimGeocoder:
    """Ask a Nominatim server (OpenStreetMap's or your own) at most once a second by default."""

    def __init__(
        self,
        url: str,
        user_agent: str,
        *,
        timeout: float = 5.0,
        min_delay_seconds: float = 1.0,
    ) -> None:
        """Point geopy at the server; `url` is like https://nominatim.openstreetmap.org."""
        scheme, _, domain = url.rstrip("/").partition("://")
        if not domain:
            scheme, domain = "https", scheme
        self.url = f"{scheme}://{domain}"
        self._nominatim = Nominatim(
            user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout
        )
        self._geocode = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,  # fail fast to the offline answer; the next lookup asks again
            swallow_exceptions=False,
        )

    def lookup(self, query: str) -> Place | None:
        """Return Nominatim's best answer as a Place; geopy errors propagate to the caller."""
        location = self._geocode(query, exactly_one=True, addressdetails=True, language="en")
        return place_from_nominatim(query, location) if location is not None else None


def place_from_nominatim(query: str, location: Location) -> Place:
    """Describe a Nominatim answer as a Place, its precision read from the address type."""
    raw: dict[str, Any] = location.raw
    address = raw.get("address") or {}
    kind = raw.get("addresstype") or raw.get("type") or ""
    precision = next((p for p, kinds in _PRECISIONS.items() if kind in kinds), Precision.VENUE)
    country = address.get("country_code")
    importance = raw.get("importance")
    return Place(
        query=query,
        latitude=location.latitude,
        longitude=location.longitude,
        precision=precision,
        country_code=country.upper() if country else None,
        region=address.get("state") or address.get("region") or address.get("province"),
        display_name=location.address,
        confidence=round(min(max(float(importance), 0.1), 1.0), 2) if importance else 0.6,
        timezone=timezone_at(location.latitude, location.longitude),
    )
