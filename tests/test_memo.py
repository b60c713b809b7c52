"""The per-process cache of values derived from the public data, kept per data version."""

from __future__ import annotations

import threading
import time

from eventmap.extensions import db
from eventmap.memo import VersionedMemo, memoized


def test_a_value_is_built_once_per_version_and_rebuilt_for_the_next():
    memo = VersionedMemo()
    built = []

    def build(value):
        built.append(value)
        return value

    assert memo.get("k", 1, lambda: build("one")) == "one"
    assert memo.get("k", 1, lambda: build("again")) == "one"
    assert memo.get("k", 2, lambda: build("two")) == "two"
    assert built == ["one", "two"]


def test_threads_asking_at_once_wait_for_one_build():
    memo = VersionedMemo()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(memo.get("k", 1, slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(result) for result in results}) == 1


def test_the_least_recently_used_values_make_room():
    memo = VersionedMemo(max_entries=2)
    memo.get("a", 1, lambda: "a")
    memo.get("b", 1, lambda: "b")
    memo.get("a", 1, lambda: "not rebuilt")
    memo.get("c", 1, lambda: "c")  # drops b, the least recently used
    assert memo.get("a", 1, lambda: "rebuilt") == "a"
    assert memo.get("b", 1, lambda: "rebuilt") == "rebuilt"


def test_memoized_follows_the_data_version(make_event):
    event = make_event()
    assert memoized("title", lambda: event.title) == event.title
    assert memoized("title", lambda: "stale") == event.title
    event.title = "Renamed"
    db.session.commit()
    assert memoized("title", lambda: event.title) == "Renamed"
