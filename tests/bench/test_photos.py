"""The photo benchmark measures what it says: a real run in a fresh interpreter."""

from __future__ import annotations

import io

from bench.photos import camera_exif, measure, photo_like


def test_a_measurement_processes_the_file_in_a_child_and_reports_memory():
    buffer = io.BytesIO()
    photo_like(320, 240).save(buffer, "JPEG", exif=camera_exif(6))
    result = measure(buffer.getvalue(), runs=2)
    assert len(result["times"]) == 2
    assert all(seconds > 0 for seconds in result["times"])
    assert result["size"] == [240, 320]  # turned upright
    assert result["peak_kb"] >= result["extra_kb"] >= 0
    assert result["bytes"] > 0
