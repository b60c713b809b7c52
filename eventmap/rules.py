"""Field rules shared by every entry point (forms, importer, admin views, Markdown renderer).

A limit or a check lives here once, so a value the form accepts is one the importer accepts.
"""

from __future__ import annotations

import re

# Campaign and event slugs: the last parts of permalinks.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Upper bounds on each text field, matching the database column sizes (descriptions are Text,
# bounded here so that rendering stays cheap).
MAX_LENGTHS = {
    "campaign": 64,
    "slug": 120,
    "title": 200,
    "location": 300,
    "venue": 200,
    "address": 300,
    "date_text": 200,
    "region": 200,
    "place_name": 300,
    "timezone": 64,
    "link": 500,
    "description": 10_000,
    "contact": 300,
    "organizer_name": 200,
    "organizer_email": 254,
}
