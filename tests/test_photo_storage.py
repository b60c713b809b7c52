"""The photo storage contract, on local disk and on an S3 stand-in (moto's server, 127.0.0.1).

One test class runs against both stores, each built by `storage_from_config` as the app builds
it. The S3 stand-in is moto's own server in this process, on a port of 127.0.0.1: nothing here
ever talks to AWS. Under CI=true a missing stand-in fails instead of skipping.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from eventmap import create_app
from eventmap.config import Config
from eventmap.photo_storage import (
    CACHE_CONTROL,
    LocalPhotoStorage,
    PhotoStorage,
    S3PhotoStorage,
    check_key,
    storage_from_config,
)
from tests.conftest import IN_CI, free_port

# This suite's ports for the stand-in, tried in turn (any free one when all are taken).
MOTO_PORTS = range(5300, 5400)
BAD_KEYS = [
    "",
    "../../etc/passwd",
    "/etc/passwd",
    "a" * 64 + ".png",
    "A" * 64 + ".jpg",
    "a" * 63 + ".jpg",
    "a" * 65 + ".jpg",
    "a" * 64 + ".jpg/",
    "a" * 64 + ".jpg\n",
    "a" * 64 + ".webp.html",
    "../" + "a" * 61 + ".jpg",
    "a" * 64,
    "g" * 64 + ".jpg",
]


def key_for(data: bytes, extension: str = "webp") -> str:
    """Name bytes the way renditions are named."""
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def _port() -> int:
    """Return the first port of MOTO_PORTS that nothing listens on."""
    for port in MOTO_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """Run moto's S3 server on 127.0.0.1 for this module; its address."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # pragma: no cover - moto[server] is in requirements-dev.txt
        if IN_CI:
            pytest.fail("moto[server] is not installed: the S3 storage tests cannot run")
        pytest.skip("moto[server] is not installed (pip install -r requirements-dev.txt)")
    port = _port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path) -> None:
    """Give boto3 throwaway credentials and no other source of any (files, instance metadata)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3_config(request, aws_env) -> dict[str, str]:
    """Settings for a fresh bucket on the stand-in."""
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"eventmap-{uuid.uuid4().hex[:12]}"
    config = {
        "PHOTO_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "eu-west-1",
        "S3_PREFIX": "photos/",
    }
    storage = storage_from_config(config, "/nonexistent")
    assert isinstance(storage, S3PhotoStorage)
    storage.client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return config


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path) -> PhotoStorage:
    """Each store, as the app builds it from its settings."""
    if request.param == "local":
        return storage_from_config({"PHOTO_STORAGE": "local"}, str(tmp_path / "instance"))
    return storage_from_config(request.getfixturevalue("s3_config"), "/nonexistent")


class TestPhotoStorageContract:
    """What every store promises the app."""

    def test_put_then_get_returns_the_same_bytes(self, storage):
        data = b"RIFF\x00\x00\x00\x00WEBPVP8 " + os.urandom(2000)
        key = key_for(data)
        assert not storage.exists(key)
        assert storage.get(key) is None
        storage.put(key, data, "image/webp")
        assert storage.exists(key)
        assert storage.get(key) == data

    def test_put_replaces_whatever_the_key_held(self, storage):
        key = key_for(b"first", "jpg")
        storage.put(key, b"first", "image/jpeg")
        storage.put(key, b"second", "image/jpeg")
        assert storage.get(key) == b"second"

    def test_keys_are_independent(self, storage):
        blobs = [os.urandom(100) for _ in range(5)]
        for blob in blobs:
            storage.put(key_for(blob, "jpg"), blob, "image/jpeg")
        storage.delete(key_for(blobs[2], "jpg"))
        for index, blob in enumerate(blobs):
            expected = None if index == 2 else blob
            assert storage.get(key_for(blob, "jpg")) == expected

    def test_delete_removes_the_file_for_real(self, storage):
        data = os.urandom(500)
        key = key_for(data)
        storage.put(key, data, "image/webp")
        storage.delete(key)
        assert not storage.exists(key)
        assert storage.get(key) is None
        assert leftovers(storage) == []

    def test_deleting_what_is_not_there_is_no_error(self, storage):
        storage.delete(key_for(b"never stored"))
        assert not storage.exists(key_for(b"never stored"))

    def test_empty_files_round_trip(self, storage):
        key = key_for(b"", "jpg")
        storage.put(key, b"", "image/jpeg")
        assert storage.exists(key)
        assert storage.get(key) == b""

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_only_content_addressed_keys_are_accepted(self, storage, key):
        with pytest.raises(ValueError, match="not a photo key"):
            storage.put(key, b"x", "image/jpeg")
        for method in (storage.get, storage.delete, storage.exists):
            with pytest.raises(ValueError, match="not a photo key"):
                method(key)
        assert leftovers(storage) == []

    def test_real_renditions_are_stored_under_their_keys(self, storage):
        from PIL import Image

        from eventmap.images import process_image
        from tests.image_corpus import encode

        processed = process_image(encode(Image.new("RGB", (40, 30), "red"), "PNG"), "p.png")
        for rendition in processed.renditions:
            storage.put(rendition.key, rendition.data, rendition.content_type)
        for rendition in processed.renditions:
            assert storage.get(rendition.key) == rendition.data
        for key in processed.keys:
            storage.delete(key)
        assert leftovers(storage) == []


def leftovers(storage: PhotoStorage) -> list[str]:
    """List every file or object left in a store, temporary files and old versions included."""
    if isinstance(storage, LocalPhotoStorage):
        if not storage.root.exists():
            return []
        return sorted(str(path) for path in storage.root.rglob("*") if path.is_file())
    assert isinstance(storage, S3PhotoStorage)
    answer = storage.client.list_object_versions(Bucket=storage.bucket)
    return sorted(
        entry["Key"] for entry in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]
    )


# -- Local disk --------------------------------------------------------------------------------


def test_local_files_live_under_the_instance_folder(tmp_path):
    storage = storage_from_config({}, str(tmp_path))
    assert isinstance(storage, LocalPhotoStorage)
    key = key_for(b"photo", "jpg")
    storage.put(key, b"photo", "image/jpeg")
    path = tmp_path / "photos" / key[:2] / key
    assert path.read_bytes() == b"photo"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == [key]  # no temporary file left


def test_a_local_write_is_whole_or_not_at_all(tmp_path, monkeypatch):
    storage = LocalPhotoStorage(tmp_path / "photos")
    key = key_for(b"old", "jpg")
    storage.put(key, b"old", "image/jpeg")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        storage.put(key, b"new, interrupted", "image/jpeg")
    monkeypatch.undo()
    assert storage.get(key) == b"old"
    assert sorted(p.name for p in (tmp_path / "photos").rglob("*") if p.is_file()) == [key]


def test_concurrent_local_writes_leave_one_whole_file(tmp_path):
    storage = LocalPhotoStorage(tmp_path / "photos")
    key = key_for(b"any", "jpg")
    versions = [bytes([n]) * 200_000 for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda blob: storage.put(key, blob, "image/jpeg"), versions * 3))
    assert storage.get(key) in versions
    assert [p.name for p in (tmp_path / "photos").rglob("*") if p.is_file()] == [key]


def test_a_local_folder_can_be_named(tmp_path):
    folder = tmp_path / "elsewhere"
    storage = storage_from_config({"PHOTO_STORAGE": "local", "PHOTO_DIR": str(folder)}, "/x")
    assert isinstance(storage, LocalPhotoStorage)
    assert storage.root == folder


def test_keys_cannot_leave_the_folder(tmp_path):
    storage = LocalPhotoStorage(tmp_path / "photos")
    for key in BAD_KEYS:
        with pytest.raises(ValueError, match="not a photo key"):
            storage.path(key)
    good = "0" * 64 + ".webp"
    assert check_key(good) == good
    assert storage.path(good).resolve().is_relative_to((tmp_path / "photos").resolve())


# -- S3 ----------------------------------------------------------------------------------------


def test_s3_objects_carry_their_content_type_and_prefix(s3_config):
    storage = storage_from_config(s3_config, "/nonexistent")
    assert isinstance(storage, S3PhotoStorage)
    options = storage.client.meta.config
    assert options.s3 == {"addressing_style": "path"}  # another server than AWS: bucket in path
    assert options.request_checksum_calculation == "when_required"
    key = key_for(b"jpeg bytes", "jpg")
    storage.put(key, b"jpeg bytes", "image/jpeg")
    head = storage.client.head_object(Bucket=s3_config["S3_BUCKET"], Key=f"photos/{key}")
    assert head["ContentType"] == "image/jpeg"
    assert head["CacheControl"] == CACHE_CONTROL
    assert leftovers(storage) == [f"photos/{key}"]


def test_without_an_endpoint_the_client_is_aws_s_own(aws_env):
    # Built only (nothing is sent): AWS's regional endpoint, its usual addressing and checks.
    config = {"PHOTO_STORAGE": "s3", "S3_BUCKET": "party-photos", "S3_REGION": "eu-west-1"}
    storage = storage_from_config(config, "/nonexistent")
    assert isinstance(storage, S3PhotoStorage)
    assert storage.client.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"
    assert storage.client.meta.config.s3 == {"addressing_style": "auto"}
    assert storage.client.meta.config.request_checksum_calculation == "when_supported"


def test_s3_delete_removes_every_version_in_a_versioned_bucket(s3_config):
    storage = storage_from_config(s3_config, "/nonexistent")
    assert isinstance(storage, S3PhotoStorage)
    storage.client.put_bucket_versioning(
        Bucket=storage.bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    key = key_for(b"v1")
    other = key_for(b"other")
    storage.put(key, b"v1", "image/webp")
    storage.put(key, b"v2", "image/webp")
    storage.put(other, b"other", "image/webp")  # its name shares no prefix with key's
    assert len(leftovers(storage)) == 3
    storage.delete(key)
    assert storage.get(key) is None
    assert leftovers(storage) == [f"photos/{other}"]


def test_s3_errors_other_than_missing_are_raised(s3_config):
    from botocore.exceptions import ClientError

    storage = storage_from_config({**s3_config, "S3_BUCKET": "no-such-bucket"}, "/x")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        storage.get(key_for(b"x"))  # a missing bucket is not a missing photo
    with pytest.raises(ClientError, match="NoSuchBucket"):
        storage.put(key_for(b"x"), b"x", "image/webp")


def test_s3_delete_works_on_servers_without_versions(s3_config):
    from botocore.stub import Stubber

    storage = storage_from_config(s3_config, "/nonexistent")
    assert isinstance(storage, S3PhotoStorage)
    key = key_for(b"x")
    name = f"photos/{key}"
    with Stubber(storage.client) as stub:
        stub.add_response("delete_object", {}, {"Bucket": storage.bucket, "Key": name})
        stub.add_client_error(
            "list_object_versions", service_error_code="NotImplemented", http_status_code=501
        )
        storage.delete(key)
        stub.assert_no_pending_responses()


# -- Settings ----------------------------------------------------------------------------------


def test_unknown_or_incomplete_settings_are_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="EVENTMAP_PHOTO_STORAGE must be one of local, s3"):
        storage_from_config({"PHOTO_STORAGE": "ftp"}, str(tmp_path))
    with pytest.raises(ValueError, match="EVENTMAP_S3_BUCKET"):
        storage_from_config({"PHOTO_STORAGE": "s3"}, str(tmp_path))
    monkeypatch.setenv("EVENTMAP_PHOTO_STORAGE", "ftp")
    with pytest.raises(ValueError, match="EVENTMAP_PHOTO_STORAGE must be local or s3"):
        Config(tmp_path)
    monkeypatch.setenv("EVENTMAP_PHOTO_STORAGE", "s3")
    with pytest.raises(ValueError, match="needs EVENTMAP_S3_BUCKET"):
        Config(tmp_path)


def test_the_settings_come_from_the_environment(tmp_path, monkeypatch):
    for name in ("STORAGE", "DIR"):
        monkeypatch.delenv(f"EVENTMAP_PHOTO_{name}", raising=False)
    config = Config(tmp_path)
    assert (config.PHOTO_STORAGE, Path(config.PHOTO_DIR)) == ("local", tmp_path / "photos")
    monkeypatch.setenv("EVENTMAP_PHOTO_STORAGE", "S3")
    monkeypatch.setenv("EVENTMAP_S3_BUCKET", "party-photos")
    monkeypatch.setenv("EVENTMAP_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("EVENTMAP_S3_REGION", "eu-central-1")
    monkeypatch.setenv("EVENTMAP_S3_PREFIX", "photos/")
    config = Config(tmp_path)
    assert (config.PHOTO_STORAGE, config.S3_BUCKET, config.S3_PREFIX) == (
        "s3",
        "party-photos",
        "photos/",
    )
    assert (config.S3_ENDPOINT_URL, config.S3_REGION) == ("http://127.0.0.1:9", "eu-central-1")


def test_the_app_builds_local_storage_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTMAP_PHOTO_STORAGE", raising=False)
    monkeypatch.delenv("EVENTMAP_PHOTO_DIR", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    storage = storage_from_config(app.config, app.instance_path)
    assert isinstance(storage, LocalPhotoStorage)
    assert storage.root == Path(app.instance_path) / "photos"
