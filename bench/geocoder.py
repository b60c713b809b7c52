"""Geocoder benchmark: accuracy against the naive way, speed, index load, memory and build.

Run with `make bench` (or `.venv/bin/python -m bench.geocoder`). Timing-sensitive parts run in
fresh subprocesses so one measurement cannot warm another.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "data" / "geocoder_dev.csv"
INDEX_DIR = ROOT / "instance"


def run(code: str) -> dict:
    """Run a snippet in a fresh interpreter and return the JSON it prints."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


PRELUDE = """
import json, time, sqlite3, random
from pathlib import Path
def rss_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
"""


def accuracy() -> dict:
    """Score the offline geocoder and the naive way on the development set."""
    return run(
        PRELUDE
        + f"""
from eventmap.geocoding import OfflineGeocoder
from eventmap.geocoding.evaluation import read_cases, score, naive_lookup
cases = read_cases(Path({str(DEV_SET)!r}))
geocoder = OfflineGeocoder(Path({str(INDEX_DIR)!r}))
ours, naive = score(geocoder.lookup, cases), score(naive_lookup(geocoder.gazetteer), cases)
by_note = {{}}
for label, result in (("ours", ours), ("naive", naive)):
    for case, _ in result.misses:
        by_note.setdefault(case.note, {{"ours": 0, "naive": 0}})[label] += 1
print(json.dumps({{"total": ours.total, "ours": ours.correct, "naive": naive.correct,
    "misses": [c.query for c, _ in ours.misses], "by_note": by_note,
    "notes": dict(__import__("collections").Counter(c.note for c in cases))}}))
"""
    )


def speed() -> dict:
    """Time index opening, warm throughput and memory in one fresh process."""
    return run(
        PRELUDE
        + f"""
import eventmap.geocoding.gazetteer as gz
from eventmap.geocoding import OfflineGeocoder
from eventmap.geocoding.evaluation import read_cases
path = gz.index_path(Path({str(INDEX_DIR)!r}))
assert path.exists(), "build the index first"
base = rss_mb()
t = time.perf_counter(); index = gz.Gazetteer(path); load_s = time.perf_counter() - t
geocoder = OfflineGeocoder(); geocoder._gazetteer = index
rows = sqlite3.connect(path).execute(
    "SELECT p.name, c.name FROM places p JOIN places c ON c.kind = 'country'"
    " AND c.country_code = p.country_code WHERE p.kind = 'city' AND p.population > 5000"
).fetchall()
random.seed(7)
distinct = [f"{{city}}, {{country}}" for city, country in random.sample(rows, 20000)]
t = time.perf_counter(); first = [geocoder.lookup(q) for q in distinct]
cold_qps = len(distinct) / (time.perf_counter() - t)
dev = [c.query for c in read_cases(Path({str(DEV_SET)!r}))]
for q in dev: geocoder.lookup(q)
n = 0; t = time.perf_counter()
while time.perf_counter() - t < 3:
    for q in dev: geocoder.lookup(q)
    n += len(dev)
warm_qps = n / (time.perf_counter() - t)
print(json.dumps({{"load_s": load_s, "distinct_qps": cold_qps, "warm_qps": warm_qps,
    "found": sum(p is not None for p in first), "queries": len(distinct),
    "rss_index_mb": rss_mb() - base, "rss_total_mb": rss_mb(),
    "index_file_mb": path.stat().st_size / 1e6}}))
"""
    )


def build() -> dict:
    """Time the one-off index build in a fresh process, with its peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        return run(
            PRELUDE
            + f"""
import resource
import eventmap.geocoding.gazetteer as gz
t = time.perf_counter(); gz.write_index(Path({folder!r}) / "index.sqlite3")
print(json.dumps({{"build_s": time.perf_counter() - t,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
        )


def main() -> None:
    """Measure, print and write the Geocoder section of docs/benchmarks.md."""
    run(
        PRELUDE
        + f"""
from eventmap.geocoding.gazetteer import open_index
open_index(Path({str(INDEX_DIR)!r})); print("{{}}")
"""
    )  # make sure the current index exists before timing anything
    acc, fast, built = accuracy(), speed(), build()
    total = acc["total"]
    notes = ", ".join(f"{n} {k}" for k, n in sorted(acc["notes"].items(), key=lambda kv: -kv[1]))
    rows = "\n".join(
        f"| {note} | {acc['notes'][note]} | {acc['notes'][note] - m['ours']} | {acc['notes'][note] - m['naive']} |"
        for note, m in sorted(acc["by_note"].items())
    )
    body = f"""
Reproduce: `make bench` (runs `.venv/bin/python -m bench.geocoder`).

### Accuracy on `tests/data/geocoder_dev.csv` ({total} queries: {notes})

| geocoder | correct | accuracy |
| --- | --- | --- |
| eventmap offline geocoder | {acc["ours"]} / {total} | {acc["ours"] / total:.1%} |
| naive: most populous place with exactly that name | {acc["naive"]} / {total} | {acc["naive"] / total:.1%} |

Categories where either one misses (cases, right for ours, right for naive):

| category | cases | ours | naive |
| --- | --- | --- | --- |
{rows}

Still missed by ours: {", ".join(f"`{q}`" for q in acc["misses"]) or "none"}.

A case is right when a non-place gives no answer; a country query gives that country; a
region query gives the right country and the named admin-1 region (or a point within the
case's radius); a city query gives the right country within the case's radius (25-40 km).

### Speed, load and memory (one core, fresh process)

| measure | result | target |
| --- | --- | --- |
| warm lookups, development set repeated for 3 s | {fast["warm_qps"]:,.0f} queries/s | ≥ 2,000 |
| distinct lookups, {fast["queries"]:,} random "City, Country" ({fast["found"]:,} found) | {fast["distinct_qps"]:,.0f} queries/s | |
| index load (open the SQLite index, read qualifier tables) | {fast["load_s"] * 1000:.0f} ms | ≤ 1 s |
| memory added by the index after all lookups | {fast["rss_index_mb"]:.0f} MB (process total {fast["rss_total_mb"]:.0f} MB) | ≤ 150 MB |
| index file on disk | {fast["index_file_mb"]:.0f} MB | |
| one-off index build | {built["build_s"]:.1f} s (peak {built["peak_mb"]:.0f} MB) | ≤ 2 min |
"""
    print(body)
    write_section("Geocoder", body)


if __name__ == "__main__":
    main()
