"""Copy what the last build of a collection wrote of each unchanged item into the next build.

At 100,000 parties, reading and writing every GeoJSON feature again after one party changed
kept the next client waiting 3 to 5 s. A build notes where each item (a GeoJSON feature, a
VEVENT, one column of a chunk of the map feed) lies in its plain body, under a key made of
everything the item's bytes depend on; the next build reads only those keys, copies the
items whose key it finds, and writes the others. Body and index are files, so a worker can
copy from the last build of any other, and nothing of them stays in memory between builds.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Sequence
from typing import IO, Any

INDEX_FORMAT = b"eventmap-items 1\n"  # the first line of an index file


def item_key(*depends_on: Any) -> int:
    """Return a 64-bit key of what an item's bytes depend on.

    Python's hash, for speed (a tenth of a second at 100,000 items, a digest costs nearly
    one): it is salted per interpreter, but a server's workers are forks of one, and
    context_key names the salt, so another server's index is never read as if it matched.
    """
    return hash(depends_on)


def context_key(*depends_on: Any) -> str:
    """Name what every item of a collection depends on (its scope, its links' base).

    The interpreter's hash salt goes in too: item keys mean something only under the same.
    """
    return hashlib.sha256(repr((hash("eventmap"), *depends_on)).encode()).hexdigest()


class Previous:
    """The plain body and item index of an earlier build, open for copying from."""

    def __init__(self, body: str, index: str, context: str) -> None:
        """Open both files; raise OSError when one is gone, ValueError when not for `context`."""
        starts, ends, keys = array("q"), array("q"), array("q")
        with open(index, "rb") as file:
            if file.readline() != INDEX_FORMAT or file.readline().strip() != context.encode():
                raise ValueError(f"{index} is not an index of this collection")
            count = int(file.readline())
            try:
                for numbers in (keys, starts, ends):
                    numbers.fromfile(file, count)
            except (EOFError, ValueError):  # fewer numbers than it says, or part of one
                raise ValueError(f"{index} is cut short") from None
        self._starts, self._ends = starts, ends
        self._where = dict(zip(keys, range(count), strict=True))
        self._fd = os.open(body, os.O_RDONLY)
        if os.fstat(self._fd).st_size < (ends[-1] if count else 0):
            self.close()
            raise ValueError(f"{body} is shorter than its index says")

    def has(self, key: int) -> bool:
        """Tell whether the earlier build wrote an item under `key`."""
        return key in self._where

    def __len__(self) -> int:
        """Return how many items the earlier build wrote."""
        return len(self._where)

    def texts(self, keys: Sequence[int]) -> list[bytes | None]:
        """Return each key's item as the earlier build wrote it, or None where it wrote none.

        Items that lay one after another there are read from the file in one go.
        """
        found = [self._where.get(key) for key in keys]
        texts: list[bytes | None] = [None] * len(found)
        n = 0
        while n < len(found):
            first = found[n]
            if first is None:
                n += 1
                continue
            m = n + 1
            while m < len(found) and found[m] == found[m - 1] + 1:  # type: ignore[operator]
                m += 1
            base = self._starts[first]
            end = self._ends[found[m - 1]]  # type: ignore[index]
            data = os.pread(self._fd, end - base, base)
            if len(data) != end - base:
                raise OSError(f"short read from a collection's body ({len(data)} bytes)")
            for i in range(n, m):
                at = found[i]
                texts[i] = data[self._starts[at] - base : self._ends[at] - base]  # type: ignore[index]
            n = m
        return texts

    def close(self) -> None:
        """Let go of the body's file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class Writer:
    """Count the bytes a build writes, note where each item goes, copy from the last build."""

    def __init__(self, previous: Previous | None = None) -> None:
        """Start at byte 0, copying from `previous` when there is one."""
        self.previous = previous
        self.position = 0
        self.copies = 0  # items found in the last build
        self._keys, self._starts, self._ends = array("q"), array("q"), array("q")

    def raw(self, data: bytes) -> bytes:
        """Count bytes that are not an item (the head, separators, the end)."""
        self.position += len(data)
        return data

    def item(self, key: int, data: bytes) -> bytes:
        """Count an item's bytes and note them under `key` for the next build."""
        self._keys.append(key)
        self._starts.append(self.position)
        self.position += len(data)
        self._ends.append(self.position)
        return data

    def items_joined(
        self, keys: Sequence[int], texts: Sequence[bytes], separator: bytes, *, more: bool
    ) -> bytes:
        """Count items `separator` comes between, and before them when `more` (of one list)."""
        step = len(separator)
        lead = step if more else 0
        position = self.position + lead
        for key, text in zip(keys, texts, strict=True):
            self._keys.append(key)
            self._starts.append(position)
            position += len(text)
            self._ends.append(position)
            position += step
        joined = separator.join(texts)
        if lead:
            joined = separator + joined
        self.position += len(joined)
        return joined

    def has(self, key: int) -> bool:
        """Tell whether the last build wrote an item under `key`."""
        return self.previous is not None and self.previous.has(key)

    def copied(self, keys: Sequence[int]) -> list[bytes | None]:
        """Return the last build's bytes of each key's item, None where it has none."""
        if self.previous is None:
            return [None] * len(keys)
        texts = self.previous.texts(keys)
        self.copies += len(texts) - texts.count(None)
        return texts

    @property
    def items(self) -> int:
        """Return how many items were noted."""
        return len(self._keys)

    def save(self, file: IO[bytes], context: str) -> None:
        """Write the index of the items noted, for `context`."""
        file.write(INDEX_FORMAT + context.encode() + b"\n" + b"%d\n" % len(self._keys))
        for numbers in (self._keys, self._starts, self._ends):
            numbers.tofile(file)

    def close(self) -> None:
        """Let go of the last build's files."""
        if self.previous is not None:
            self.previous.close()
