"""GET /api/openapi.json: a valid OpenAPI 3.1 document whose limits are the code's; GET /api/."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from eventmap.geocoding import Precision
from eventmap.listing import MAP_COLUMNS, MAP_PARTS
from eventmap.nearby import HALF_CIRCUMFERENCE_KM, MAX_LIMIT, MAX_QUERY, MIN_RADIUS_KM
from eventmap.rules import MAX_LENGTHS
from eventmap.web.openapi import openapi_document
from eventmap.web.params import MAX_ID


@pytest.fixture
def document(client):
    """Return the description as the app serves it."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def parameter(document, name):
    """Return a query parameter of the document by name."""
    return document["components"]["parameters"][name]


def test_the_description_is_a_valid_openapi_3_1_document(document):
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)  # raises on the first error


def test_the_validator_would_catch_a_broken_description(document):
    del document["components"]["parameters"]["near"]["in"]

    with pytest.raises(OpenAPIValidationError):
        validate(document, cls=OpenAPIV31SpecValidator)


def test_the_served_description_is_the_one_the_contract_test_uses(app, document):
    assert document == openapi_document(app.config["PUBLIC_URL"], app.config["DEFAULT_CAMPAIGN"])


def test_every_api_route_is_described(app, document):
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and "GET" in (rule.methods or ())
    }
    assert routes == set(document["paths"])
    assert all(set(item) == {"get"} for item in document["paths"].values())


def test_the_limits_are_the_codes(document):
    schemas = document["components"]["schemas"]
    assert parameter(document, "limit")["schema"]["maximum"] == MAX_LIMIT
    assert parameter(document, "radius_km")["schema"]["minimum"] == MIN_RADIUS_KM
    assert parameter(document, "radius_km")["schema"]["maximum"] == HALF_CIRCUMFERENCE_KM
    assert parameter(document, "q")["schema"]["maxLength"] == MAX_QUERY
    assert parameter(document, "campaign")["schema"]["maxLength"] == MAX_LENGTHS["campaign"]
    properties = schemas["Event"]["properties"]["properties"]["properties"]
    for field, name in (("title", "title"), ("location", "location"), ("venue", "venue")):
        assert properties[field]["maxLength"] == MAX_LENGTHS[name]
    assert properties["id"]["maximum"] == MAX_ID
    assert properties["precision"]["enum"] == [*(p.value for p in Precision), None]
    assert schemas["MapEvents"]["required"] == list(MAP_COLUMNS)
    assert schemas["MapPoints"]["required"] == list(MAP_PARTS["points"])
    assert schemas["MapLabels"]["required"] == list(MAP_PARTS["labels"])
    [part] = [
        p
        for p in document["paths"]["/api/map-events"]["get"]["parameters"]
        if p.get("name") == "part"
    ]
    assert part["schema"]["enum"] == list(MAP_PARTS)


@pytest.mark.parametrize(
    ("name", "value", "companion"),
    [
        ("limit", "maximum", "near=1,2"),
        ("radius_km", "maximum", "near=1,2"),
        ("radius_km", "minimum", "near=1,2"),
    ],
)
def test_the_api_takes_its_described_bounds_and_refuses_beyond(
    client, document, name, value, companion
):
    schema = parameter(document, name)["schema"]
    bound = schema[value]
    beyond = bound + 1 if value == "maximum" else bound / 2
    if schema["type"] == "integer":
        bound, beyond = int(bound), int(beyond)

    assert client.get(f"/api/events?{companion}&{name}={bound}").status_code == 200
    refused = client.get(f"/api/events?{companion}&{name}={beyond}")
    assert refused.status_code == 400
    assert refused.get_json()["parameter"] == name


def test_a_place_name_of_the_described_length_is_looked_up_and_a_longer_one_refused(
    client, document, geocoder
):
    longest = parameter(document, "q")["schema"]["maxLength"]

    assert client.get("/api/events?q=" + "x" * longest).status_code == 404  # looked up
    assert geocoder.calls == ["x" * longest]
    assert client.get("/api/events?q=" + "x" * (longest + 1)).status_code == 400


@pytest.mark.parametrize("text", ["48.14,11.58", "-90,180", "1,2,3", "91,0", "1e1,2", " 1,2"])
def test_the_point_pattern_is_what_the_api_reads(client, document, text):
    pattern = parameter(document, "near")["schema"]["pattern"]
    status = client.get("/api/events", query_string={"near": text}).status_code

    assert status == (200 if re.search(pattern, text) else 400)


def test_the_parameter_examples_fit_their_schemas(document):
    for item in document["components"]["parameters"].values():
        Draft202012Validator(item["schema"]).validate(item["example"])


def test_the_server_is_the_public_url_path_included(app, client):
    app.config["PUBLIC_URL"] = "https://parties.example.org/events"

    document = client.get("/api/openapi.json").get_json()
    page = client.get("/api/").get_data(as_text=True)

    assert document["servers"] == [{"url": "https://parties.example.org/events"}]
    assert (
        "curl &#39;https://parties.example.org/events/api/events?near=48.14,11.58&amp;limit=5"
        in page
    )


def test_the_reference_page_shows_every_operation_its_limits_and_curl_examples(client, document):
    response = client.get("/api/")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Content-Security-Policy" in response.headers
    page = response.get_data(as_text=True)
    for path in document["paths"]:
        assert f"<code>GET {path}</code>" in page
    assert f"from 1 to {MAX_LIMIT:,}" in page
    assert f"from {MIN_RADIUS_KM} to {HALF_CIRCUMFERENCE_KM:,}" in page
    assert f"1 to {MAX_QUERY} characters" in page
    assert f"at most {MAX_LENGTHS['title']} characters" in page
    assert "curl &#39;http://127.0.0.1:5000/api/events?q=Munich&amp;radius_km=500&#39;" in page
    assert 'href="/api/openapi.json"' in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page


def test_the_reference_page_runs_no_script_and_loads_nothing_from_elsewhere(app, client):
    page = client.get("/api/").get_data(as_text=True)
    own = app.config["PUBLIC_URL"].rstrip("/") + "/"

    assert "<script" not in page
    # Absolute addresses only for its own canonical link and preview, on this site.
    elsewhere = [
        url
        for url in re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', page)
        if not url.startswith(own)
    ]
    assert elsewhere == []


def test_every_page_links_the_api_reference_in_its_footer(client, make_event):
    make_event()

    page = client.get("/").get_data(as_text=True)

    footer = page[page.index('<footer class="site-footer">') :]
    assert '<a href="/api/">API</a>' in footer
