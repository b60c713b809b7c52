"""Where photo renditions live: a folder under the instance, or an S3-compatible bucket.

Keys are content addressed (`<sha256 hex>.webp` or `.jpg`, as `eventmap.images` names them)
and nothing else is accepted, so no key can reach outside the store. The same picture uploaded
twice gives the same keys: a key may be deleted only when no photo refers to it any more.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

KEY_RE = re.compile(r"^[0-9a-f]{64}\.(?:webp|jpg)$")
STORAGE_KINDS = ("local", "s3")
# Renditions never change under a key, so anything in front may keep them for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class PhotoStorage(Protocol):
    """What the app needs of a place for photo files."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the bytes under the key (replacing any there)."""
        ...  # pragma: no cover - protocol

    def get(self, key: str) -> bytes | None:
        """Return the bytes under the key, or None when there are none."""
        ...  # pragma: no cover - protocol

    def delete(self, key: str) -> None:
        """Remove the file under the key for real (nothing when there is none)."""
        ...  # pragma: no cover - protocol

    def exists(self, key: str) -> bool:
        """Tell whether the key holds a file."""
        ...  # pragma: no cover - protocol


def check_key(key: str) -> str:
    """Return the key if it is a rendition's content-addressed name; raise ValueError if not."""
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise ValueError(f"not a photo key: {key!r}")
    return key


class LocalPhotoStorage:
    """Photo files in a folder, in subfolders named by the first two characters of the key."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        """Keep files under `root` (made when the first file is written)."""
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Return the file a key is kept in."""
        check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the file whole or not at all: a temporary file renamed over the key."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)  # readable by a web server that serves the folder
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def get(self, key: str) -> bytes | None:
        """Read the file, or None when it is not there."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        """Unlink the file (its subfolder stays: another upload may be writing into it)."""
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Tell whether the file is there."""
        return self.path(key).is_file()


_BOTO_SESSION: list[Any] = []
_BOTO_LOCK = threading.Lock()


def _boto_session() -> Any:
    """Return one boto3 session for the process (it loads the S3 model once, not per client)."""
    with _BOTO_LOCK:
        if not _BOTO_SESSION:
            import boto3  # imported here: only S3 storage needs it, and it is slow to import

            _BOTO_SESSION.append(boto3.session.Session())
        return _BOTO_SESSION[0]


class S3PhotoStorage:
    """Photo files as objects in an S3-compatible bucket (AWS, MinIO, Ceph, R2 and others)."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        """Talk to the bucket through boto3; credentials come from the usual AWS variables."""
        if not bucket:
            raise ValueError("EVENTMAP_S3_BUCKET must name a bucket when photos go to S3")
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            from botocore.config import Config as BotoConfig

            other_server = bool(endpoint_url)
            client = _boto_session().client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or None,
                config=BotoConfig(
                    # Other S3 servers mostly want the bucket in the path, not the host name,
                    # and many refuse the CRC checksums boto3 sends to AWS unasked.
                    s3={"addressing_style": "path" if other_server else "auto"},
                    request_checksum_calculation="when_required" if other_server else None,
                    response_checksum_validation="when_required" if other_server else None,
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                ),
            )
        self.client = client

    def object_key(self, key: str) -> str:
        """Return the object name a key is kept under."""
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload the object with its content type, cacheable for good."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.object_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    def get(self, key: str) -> bytes | None:
        """Download the object, or None when the bucket has none under the key."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        """Delete the object and, in a versioned bucket, every earlier version of it too."""
        from botocore.exceptions import ClientError

        name = self.object_key(key)
        self.client.delete_object(Bucket=self.bucket, Key=name)
        try:
            versions = self.client.list_object_versions(Bucket=self.bucket, Prefix=name)
        except ClientError as error:
            if _error_code(error) in ("NotImplemented", "501"):  # a server without versions
                return
            raise
        for entry in [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]:
            if entry["Key"] == name and entry.get("VersionId") not in (None, "null"):
                self.client.delete_object(
                    Bucket=self.bucket, Key=name, VersionId=entry["VersionId"]
                )

    def exists(self, key: str) -> bool:
        """Ask the bucket whether the object is there."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as error:
            if _error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def _error_code(error: Any) -> str:
    """Return the code of an S3 error answer ("NoSuchKey", "404"...)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def storage_from_config(config: Mapping[str, Any], instance_path: str) -> PhotoStorage:
    """Build the storage the app's settings name (PHOTO_STORAGE and the S3_* settings)."""
    kind = (config.get("PHOTO_STORAGE") or "local").strip().lower()
    if kind == "local":
        folder = config.get("PHOTO_DIR") or os.path.join(instance_path, "photos")
        return LocalPhotoStorage(folder)
    if kind == "s3":
        return S3PhotoStorage(
            config.get("S3_BUCKET") or "",
            prefix=config.get("S3_PREFIX") or "",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region=config.get("S3_REGION") or None,
        )
    raise ValueError(
        f"EVENTMAP_PHOTO_STORAGE must be one of {', '.join(STORAGE_KINDS)}, not {kind!r}"
    )
