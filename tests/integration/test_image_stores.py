"""The ImageStore port's contract, run against each adapter: a directory, and an S3 bucket on
moto's S3-compatible server (ThreadedMotoServer, in this process, on 127.0.0.1: no request
leaves the machine). Then the whole upload path over HTTP with COMPTOIR_IMAGE_STORE=s3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import boto3
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from adapters.image_stores import FileImageStore, S3ImageStore
from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.ports import ImageStore
from tests.http.images import jpeg_with_gps
from tests.support import Api, free_port

BUCKET = "comptoir-images"
KEY = "images/ab/" + "ab" * 16 + "/large.webp"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_DEFAULT_REGION", "ca-central-1")):
        monkeypatch.setenv(name, value)


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="ca-central-1")


def new_bucket(endpoint: str) -> str:
    name = f"{BUCKET}-{uuid4().hex[:16]}"  # a free port number may come back: not unique
    s3_client(endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"})
    return name


@pytest.fixture(params=["files", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ImageStore:
    if request.param == "files":
        return FileImageStore(tmp_path / "images")
    request.getfixturevalue("s3_credentials")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3ImageStore(new_bucket(endpoint), endpoint_url=endpoint, region="ca-central-1",
                        prefix="comptoir/")


def test_a_stored_image_reads_back_byte_for_byte(store: ImageStore) -> None:
    assert store.get(KEY) is None and not store.exists(KEY)
    store.put(KEY, b"RIFF....WEBP", "image/webp")
    assert store.get(KEY) == b"RIFF....WEBP"
    assert store.exists(KEY)
    store.put(KEY, b"RIFF....WEBP", "image/webp")  # content addressed: twice is harmless
    assert store.get(KEY) == b"RIFF....WEBP"


@pytest.mark.parametrize("key", ["../secrets/kek", "/etc/passwd", "images/../../x",
                                 "images/AB/x.webp", ""])
def test_a_key_the_application_never_makes_is_refused(store: ImageStore, key: str) -> None:
    with pytest.raises(ValueError, match="bad image key"):
        store.put(key, b"x", "image/webp")
    with pytest.raises(ValueError, match="bad image key"):
        store.get(key)


def test_s3_objects_carry_their_type_and_a_year_long_cache(
        s3_endpoint: str, s3_credentials: None) -> None:
    bucket = new_bucket(s3_endpoint)
    S3ImageStore(bucket, endpoint_url=s3_endpoint, prefix="p/").put(KEY, b"data", "image/webp")
    head = s3_client(s3_endpoint).head_object(Bucket=bucket, Key="p/" + KEY)
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


def test_an_upload_over_http_lands_in_the_bucket(
        s3_endpoint: str, s3_credentials: None, tmp_path: Path) -> None:
    bucket = new_bucket(s3_endpoint)
    settings = Settings(backend="sqlite", data_dir=tmp_path / "var", image_store="s3",
                        image_s3_bucket=bucket, image_s3_endpoint_url=s3_endpoint,
                        image_s3_region="ca-central-1")
    container = build_container(settings)
    try:
        with TestClient(create_app(container=container)) as client:
            api = Api(client, container)
            merchant_id, owner = api.approved_merchant()
            response = client.post(f"/v1/merchants/{merchant_id}/images", headers=owner,
                                   files={"file": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
            assert response.status_code == 201, response.text
            image_id = response.json()["id"]
            served = client.get(f"/images/{image_id}/medium.webp")
            assert served.status_code == 200 and served.content[:4] == b"RIFF"
    finally:
        container.close()
    keys = {o["Key"] for o in s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {f"images/{image_id[:2]}/{image_id}/{size}.webp"
                    for size in ("small", "medium", "large")}
    assert not (tmp_path / "var" / "images").exists()


def test_an_s3_store_without_a_bucket_is_refused_at_start(tmp_path: Path) -> None:
    from api.settings import InvalidSettingsError

    with pytest.raises(InvalidSettingsError, match="IMAGE_S3_BUCKET"):
        build_container(Settings(backend="sqlite", data_dir=tmp_path / "var",
                                 image_store="s3"))
