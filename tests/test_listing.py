"""How the public details of a party read: the time of day with its zone, and the place."""

from __future__ import annotations

from datetime import time

import pytest

from eventmap.listing import event_place, event_time
from eventmap.models import Event


def test_the_time_of_day_names_its_clock():
    event = Event(start_time=time(18, 30), end_time=time(22, 0), timezone="Europe/Berlin")
    assert event_time(event) == "18:30–22:00, local time (Europe/Berlin)"
    event.end_time = None
    assert event_time(event) == "from 18:30, local time (Europe/Berlin)"
    event.timezone = None
    assert event_time(event) == "from 18:30, local time"


def test_an_all_day_party_has_no_time_of_day():
    assert event_time(Event(timezone="Europe/Berlin")) == ""


@pytest.mark.parametrize(
    ("venue", "address", "location", "line"),
    [
        (None, None, "Munich", "Munich"),
        ("Werk1", None, "Munich", "Werk1, Munich"),
        (
            "Werk1",
            "Atelierstraße 29, 81671 Munich",
            "Munich",
            "Werk1, Atelierstraße 29, 81671 Munich",
        ),
        (None, "Platzl 9", "Munich, Germany", "Platzl 9, Munich, Germany"),
        ("  Hofbräuhaus \n", "", "Munich", "Hofbräuhaus, Munich"),
        ("Munich Hall", None, "munich", "Munich Hall"),
    ],
)
def test_the_place_reads_venue_address_then_the_place_as_typed(venue, address, location, line):
    assert event_place(Event(venue=venue, address=address, location_text=location)) == line
