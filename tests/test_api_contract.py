"""The API against its OpenAPI description: schemathesis drives every operation through the app.

Each operation gets schemathesis' explicit examples, its coverage phase (boundaries, wrong
types, missing and unexpected methods) and a bounded, derandomized run of generated requests;
every answer must be no 5xx and match the description: status code, content type, headers and
body schema. The document is built by the code the app serves it with (test_openapi.py checks
that /api/openapi.json is this document): schemathesis' lazy loader from a fixture
(schemathesis.pytest.from_fixture) reads pytest's Node._nodeid, which pytest 9.2 no longer has,
so the document is loaded at import and the app over its events comes in as a fixture.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

from eventmap.geocoding import Precision
from eventmap.listing import MAP_PARTS
from eventmap.models import EventStatus
from eventmap.web.openapi import openapi_document

schema = schemathesis.openapi.from_dict(openapi_document("http://127.0.0.1:5000", "openstack6bday"))
# What each operation answered across its cases: (status, which body: "search" for a nearby
# search, a part of the map feed, "" for the plain one or an error).
ANSWERS: defaultdict[str, set[tuple[int, str]]] = defaultdict(set)
# What each operation must have answered at least once, or the generated requests missed a
# whole branch of it (the nearby search, a part, an error) and the run proved little.
MUST_ANSWER = {
    "/api/events": {(200, ""), (200, "search"), (400, ""), (404, "")},
    "/api/map-events": {(200, ""), *((200, part) for part in MAP_PARTS), (400, ""), (404, "")},
    "/api/openapi.json": {(200, "")},
    "/api/": {(200, "")},
}


@schema.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but the 400 for a combination no OpenAPI parameter schema forbids.

    near and q exclude each other, and radius_km and limit need one of them; OpenAPI can bound
    each parameter but not say that, so schemathesis counts such a request as valid.
    """
    if not isinstance(failure, RejectedPositiveData):
        return True
    given = set(case.query or {})
    both = {"near", "q"} <= given
    alone = not given & {"near", "q"} and bool(given & {"radius_km", "limit"})
    return not ((both or alone) and response.status_code == 400)


@pytest.fixture
def api_app(app, make_event, make_thailand, request):
    """Give the app over events of every shape, and check what the operation answered."""
    make_event(
        slug="munich",
        venue="Werk1",
        address="Atelierstraße 29, 81671 München",
        start_time=time(18, 30),
        end_time=time(22, 0),
    )
    make_thailand(slug="thailand", latitude=13.754, longitude=100.501, country_code="TH")
    make_event(
        slug="somewhere",
        latitude=None,
        longitude=None,
        precision=None,
        country_code=None,
        timezone=None,
        start_date=None,
        end_date=None,
        date_text="TBD",
    )
    make_event(
        slug="brazil",
        campaign_slug="other",
        latitude=-15.78,
        longitude=-47.93,
        precision=Precision.COUNTRY,
        country_code="BR",
        start_date=date(2016, 7, 2),
        end_date=date(2016, 7, 3),
    )
    make_event(slug="hidden", status=EventStatus.PENDING)
    ANSWERS.clear()
    yield app
    path = request.node.name.split(" ", 1)[1].rstrip("]")
    missing = MUST_ANSWER[path] - ANSWERS[path]
    assert not missing, f"{path} never answered {sorted(missing)}"


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the API only reads
)
def test_every_answer_matches_the_description(case, api_app):
    # The WSGI client decodes no gzip or brotli; compression has tests of its own.
    response = case.call_and_validate(app=api_app, headers={"Accept-Encoding": "identity"})
    if case.method != "GET":
        return  # the coverage phase also sends undeclared methods: OPTIONS, TRACE, ...
    path = case.operation.path
    body = ""
    if response.status_code == 200 and path == "/api/events" and "search" in response.json():
        body = "search"
    elif response.status_code == 200 and path == "/api/map-events":
        body = (case.query or {}).get("part") or ""
    ANSWERS[path].add((response.status_code, body))
