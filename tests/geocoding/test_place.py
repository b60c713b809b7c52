"""How precise a point is: one rule for "approximate" and one wording per precision."""

from __future__ import annotations

from eventmap.geocoding import Precision


def test_only_regions_and_countries_are_approximate():
    assert [p for p in Precision if p.approximate] == [Precision.REGION, Precision.COUNTRY]
    assert Precision.approximate_kinds() == "region or country"


def test_each_precision_has_its_own_note_that_says_whether_it_is_approximate():
    notes = {p: p.note for p in Precision}
    assert notes == {
        Precision.VENUE: "exact place",
        Precision.CITY: "in or near the city",
        Precision.REGION: "approximate: somewhere in the region",
        Precision.COUNTRY: "approximate: somewhere in the country",
    }
    assert all(p.note.startswith("approximate") == p.approximate for p in Precision)


def test_an_answer_below_the_confident_mark_is_one_to_check():
    from eventmap.geocoding.place import CONFIDENT, Place

    def place(confidence: float) -> Place:
        return Place("x", 0.0, 0.0, Precision.CITY, "DE", None, "X", confidence, None)

    assert place(CONFIDENT - 0.01).needs_check
    assert not place(CONFIDENT).needs_check
