"""Geocoder benchmark: accuracy against the naive way, speed, index load, memory and build.

Run with `make bench` (or `.venv/bin/python -m bench.geocoder`). Timing-sensitive parts run in
fresh subprocesses so one measurement cannot warm another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import command_line, write_section

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "data" / "geocoder_dev.csv"
REAL_SET = ROOT / "tests" / "data" / "geocoder_real.csv"
# Strings organizers and community members typed into public data, with the pins they set
# (tests/data/README.md; rebuilt by bench/public_set.py).
PUBLIC_SET = ROOT / "tests" / "data" / "geocoder_public.csv"
# Strings a reviewer session wrote as organizers type them, to probe the geocoder
# (tests/data/README.md); a check against regressions beside the public set, not a target.
PROBE_SET = ROOT / "tests" / "data" / "geocoder_probe.csv"
# The tidy set, hand-written organizer-typed strings by cause, the public real-text set and
# the reviewer's probes.
DEV_SETS = (DEV_SET, REAL_SET, PUBLIC_SET, PROBE_SET)
FAR_KM = 25  # a confident answer farther than this from the truth is a confident wrong pin
LISTED_MISSES = 40  # list at most this many of a set's misses by name
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


# local-geocode, the best offline peer on PyPI, lives in a virtualenv of its own
# (requirements-peer.txt, made by `make bench`): it brings pandas, which in the app's
# virtualenv folium would load into every worker (+34 MB each).
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"
PEER_CODE = """
import json, logging, sys
from geocode.geocode import Geocode
logging.getLogger().setLevel(logging.WARNING)
peer = Geocode(); peer.load()
out = {}
for query in json.load(sys.stdin):
    found = peer.decode(query)
    m = found[0] if found else None
    out[query] = None if m is None else [m["latitude"], m["longitude"], m["country_code"], m["name"]]
print(json.dumps(out))
"""


def peer_answers(dev_set: Path, folder: Path) -> Path | None:
    """Write local-geocode's first match for each query of a set to a file; None without it."""
    import csv

    if not PEER_PYTHON.exists():
        print(f"local-geocode not measured: no {PEER_PYTHON} (`make bench` makes it)")
        return None
    with dev_set.open(encoding="utf-8") as rows:
        queries = [row["query"] for row in csv.DictReader(rows)]
    out = subprocess.run(
        [str(PEER_PYTHON), "-c", PEER_CODE],
        input=json.dumps(queries),
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / f"{dev_set.stem}-local-geocode.json"
    path.write_text(out.strip().splitlines()[-1], encoding="utf-8")
    return path


def accuracy(dev_set: Path) -> dict:
    """Score the offline geocoder, the naive way and local-geocode on one labelled set."""
    with tempfile.TemporaryDirectory() as folder:
        return _accuracy(dev_set, peer_answers(dev_set, Path(folder)))


def _accuracy(dev_set: Path, answers_file: Path | None) -> dict:
    """Score ours and the naive way in a fresh interpreter, the peer from its answers."""
    return run(
        PRELUDE
        + f"""
import collections
from geopy.distance import geodesic
from eventmap.geocoding import OfflineGeocoder, Place, Precision
from eventmap.geocoding.evaluation import read_cases, score, naive_lookup
cases = read_cases(Path({str(dev_set)!r}))
geocoder = OfflineGeocoder(Path({str(INDEX_DIR)!r}))
peers = {{"ours": geocoder.lookup, "naive": naive_lookup(geocoder.gazetteer)}}
answers_path = {str(answers_file) if answers_file else None!r}
if answers_path:  # the best offline peer's first matches, found in its own virtualenv
    answers = json.load(open(answers_path))
    def local_geocode(query):
        m = answers.get(query)
        if m is None:
            return None
        return Place(query, m[0], m[1], Precision.CITY, m[2], None, m[3], 1.0, None)
    peers["local-geocode"] = local_geocode
results = {{name: score(lookup, cases) for name, lookup in peers.items()}}
notes = collections.Counter(c.note for c in cases)
right = {{name: {{note: notes[note] - sum(1 for c, _ in r.misses if c.note == note)
    for note in notes}} for name, r in results.items()}}
def far(case, place):
    return (place is not None and case.point is not None and place.confidence >= 0.8
        and (place.country_code != case.country_code
             or geodesic(case.point, (place.latitude, place.longitude)).km > {FAR_KM}))
ours = results["ours"]
print(json.dumps({{"total": ours.total, "correct": {{n: r.correct for n, r in results.items()}},
    "right": right, "notes": dict(notes), "misses": [c.query for c, _ in ours.misses],
    "confident_far": [c.query for c, p in ours.misses if far(c, p)],
    "far_counts": {{n: sum(1 for c, p in r.misses if far(c, p)) for n, r in results.items()}}}}))
"""
    )


def _listed(queries: list[str]) -> str:
    """Name up to LISTED_MISSES queries, and say how many more there are."""
    shown = ", ".join(f"`{q}`" for q in queries[:LISTED_MISSES]) or "none"
    more = len(queries) - LISTED_MISSES
    return f"{shown} and {more} more" if more > 0 else shown


def accuracy_section(title: str, acc: dict) -> str:
    """Write one set's accuracy table, by cause, for every geocoder measured."""
    total = acc["total"]
    names = list(acc["correct"])
    label = {
        "ours": "eventmap offline geocoder",
        "naive": "naive: most populous place with exactly that name",
        "local-geocode": "local-geocode 0.0.2 (best offline peer on PyPI; first match)",
    }
    overall = "\n".join(
        f"| {label[n]} | {acc['correct'][n]} / {total} | {acc['correct'][n] / total:.1%} "
        f"| {acc['far_counts'][n]} |"
        for n in names
    )
    header = " | ".join(names)
    by_note = "\n".join(
        f"| {note} | {count} | "
        + " | ".join(
            f"{acc['right'][n][note]} ({acc['right'][n][note] / count:.0%})" for n in names
        )
        + " |"
        for note, count in sorted(acc["notes"].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"""
### Accuracy on `{title}` ({total} queries)

| geocoder | correct | accuracy | answers with confidence ≥ 0.8 more than {FAR_KM} km off (or in another country) |
| --- | --- | --- | --- |
{overall}

Right answers by cause:

| cause | cases | {header} |
| --- | --- | {" | ".join("---" for _ in names)} |
{by_note}

Still missed by ours ({len(acc["misses"])}): {_listed(acc["misses"])}.

Answers of ours with confidence ≥ 0.8 more than {FAR_KM} km off (target: none;
{len(acc["confident_far"])}): {_listed(acc["confident_far"])}.
"""


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
real = [c.query for c in read_cases(Path({str(REAL_SET)!r}))]
t = time.perf_counter(); first_real = [geocoder.lookup(q) for q in real]
first_real_s = time.perf_counter() - t
n = 0; t = time.perf_counter()
while time.perf_counter() - t < 3:
    for q in real: geocoder.lookup(q)
    n += len(real)
warm_real_qps = n / (time.perf_counter() - t)
public = [c.query for c in read_cases(Path({str(PUBLIC_SET)!r}))]
t = time.perf_counter(); first_public = [geocoder.lookup(q) for q in public]
first_public_s = time.perf_counter() - t
n = 0; t = time.perf_counter()
while time.perf_counter() - t < 3:
    for q in public: geocoder.lookup(q)
    n += len(public)
warm_public_qps = n / (time.perf_counter() - t)
print(json.dumps({{"load_s": load_s, "distinct_qps": cold_qps, "warm_qps": warm_qps,
    "warm_real_qps": warm_real_qps, "first_real_s": first_real_s,
    "warm_public_qps": warm_public_qps, "first_public_s": first_public_s,
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


def load_note() -> str:
    """Say how busy the machine was, since the timings depend on it."""
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "Machine load unknown; timings may be pessimistic on a shared machine."
    cpus = os.cpu_count() or 1
    busy = " (a loaded machine: the timings are pessimistic)" if five > cpus * 0.75 else ""
    return (
        f"Load average while measuring: {one:.1f} (1 min), {five:.1f} (5 min) on {cpus} "
        f"CPU(s){busy}."
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
    sets = {path: accuracy(path) for path in DEV_SETS}
    fast, built = speed(), build()
    loaded = load_note()
    accuracy_text = "".join(
        accuracy_section(str(path.relative_to(ROOT)), acc) for path, acc in sets.items()
    )
    body = f"""
Reproduce: `make bench` (runs `.venv/bin/python -m bench.geocoder`).
{accuracy_text}
A case is right when a non-place gives no answer; a country query gives that country; a
region query gives the right country and the named admin-1 region (or a point within the
case's radius); a city query gives the right country within the case's radius (25-40 km).

### Speed, load and memory (one core, fresh process)

{loaded}

| measure | result | target |
| --- | --- | --- |
| warm lookups, tidy development set repeated for 3 s | {fast["warm_qps"]:,.0f} queries/s | ≥ 2,000 |
| warm lookups, organizer-typed set repeated for 3 s | {fast["warm_real_qps"]:,.0f} queries/s | ≥ 2,000 |
| first pass over the organizer-typed set (loads the fuzzy name list once) | {fast["first_real_s"]:.1f} s | |
| warm lookups, public real-text set repeated for 3 s | {fast["warm_public_qps"]:,.0f} queries/s | ≥ 2,000 |
| first pass over the public real-text set | {fast["first_public_s"]:.1f} s | |
| distinct lookups, {fast["queries"]:,} random "City, Country" ({fast["found"]:,} found) | {fast["distinct_qps"]:,.0f} queries/s | |
| index load (open the SQLite index, read qualifier tables) | {fast["load_s"] * 1000:.0f} ms | ≤ 1 s |
| memory added by the index after all lookups | {fast["rss_index_mb"]:.0f} MB (process total {fast["rss_total_mb"]:.0f} MB) | process ≤ 200 MB |
| index file on disk | {fast["index_file_mb"]:.0f} MB | |
| one-off index build | {built["build_s"]:.1f} s (peak {built["peak_mb"]:.0f} MB) | ≤ 2 min |
"""
    print(body)
    write_section("Geocoder", body)


if __name__ == "__main__":
    command_line(__doc__)
    main()
