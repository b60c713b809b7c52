"""Regions people name that no administrative list has, each pinned to the city at its heart.

Each row: names people use, country code, the admin-1 region it lies in, and the city where
most of its people are (the point shown). Keep this table small and obvious; add a row only
for a name organizers really write.
"""

from __future__ import annotations

VERNACULAR_REGIONS: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("Bay Area", "SF Bay Area", "San Francisco Bay Area"), "US", "California", "San Francisco"),
    (("Silicon Valley",), "US", "California", "San Jose"),
    (("Southern California", "SoCal"), "US", "California", "Los Angeles"),
    (("Northern California", "NorCal"), "US", "California", "San Francisco"),
    (("Northern Virginia", "NOVA", "NoVA"), "US", "Virginia", "Arlington"),
    (("Central Florida",), "US", "Florida", "Orlando"),
    (("South Florida",), "US", "Florida", "Miami"),
    (
        ("Twin Cities", "Minneapolis-Saint Paul", "Minneapolis-St. Paul"),
        "US",
        "Minnesota",
        "Minneapolis",
    ),
    (("Research Triangle", "The Triangle", "RTP"), "US", "North Carolina", "Raleigh"),
    (("Pacific Northwest", "PNW"), "US", "Washington", "Seattle"),
    (("New England",), "US", "Massachusetts", "Boston"),
    (("DFW", "Dallas-Fort Worth", "Metroplex"), "US", "Texas", "Dallas"),
    (("North Texas",), "US", "Texas", "Dallas"),
    (("Central Texas",), "US", "Texas", "Austin"),
    (("Tri-State Area", "Tristate Area"), "US", "New York", "New York City"),
    (
        ("DMV", "DC Metro", "Washington Metropolitan Area"),
        "US",
        "District of Columbia",
        "Washington",
    ),
    (("Greater London",), "GB", "England", "London"),
    (("Greater Toronto Area", "GTA", "Greater Toronto"), "CA", "Ontario", "Toronto"),
    (
        ("Greater Vancouver", "Lower Mainland", "Metro Vancouver"),
        "CA",
        "British Columbia",
        "Vancouver",
    ),
    (("Scottish Highlands", "Highlands"), "GB", "Scotland", "Inverness"),
    (("Ruhr", "Ruhrgebiet", "Ruhr Area"), "DE", "North Rhine-Westphalia", "Essen"),
    (("Randstad",), "NL", "North Holland", "Amsterdam"),
    (("Greater Tokyo", "Kanto"), "JP", "Tokyo", "Tokyo"),
)
