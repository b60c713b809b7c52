"""Interim stand-in for h18img's photo storage (replaced on merge): files on local disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class PhotoStorage:
    """Files by key in a folder."""

    def __init__(self, root: Path) -> None:
        """Keep files under `root`."""
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store a file."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._path(key).write_bytes(data)

    def get(self, key: str) -> bytes | None:
        """Return a file's bytes, or None."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        """Remove a file if it is there."""
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored."""
        return self._path(key).exists()


def storage_from_config(config: Any, instance_path: str | Path) -> PhotoStorage:
    """Return the storage the config names."""
    return PhotoStorage(Path(instance_path) / "photos")
