"""The wall benchmark measures what it says: real pages of a database of published photos."""

from __future__ import annotations

from bench.memories import run


def test_a_measurement_reads_and_renders_every_page_it_times():
    results = dict(run(photos=60))
    assert set(results) == {"first page", "page 1 (near the oldest)", "one country (JP)"}
    for result in results.values():
        assert result["median"] > 0
        assert result["images"] >= 5  # the photos of the page, and the lightbox's
        assert result["statements"] >= 1  # no page cache: each request reads
