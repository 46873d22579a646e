"""The ImageStore port: a directory under the data dir (the embedded default), or an
S3-compatible bucket (production; boto3, tested against moto's server)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

_KEY = re.compile(r"^[a-z0-9]+(/[a-z0-9._-]+)*$")


def _checked(key: str) -> str:
    """Keys are made by application/images.py; anything else (.., absolute) is refused."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"bad image key {key!r}")
    return key


class FileImageStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.directory / _checked(key)
        if path.exists():
            return  # content addressed: the same key holds the same bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(partial, path)  # never a half-written image at its address

    def get(self, key: str) -> bytes | None:
        path = self.directory / _checked(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return (self.directory / _checked(key)).is_file()


class S3ImageStore:
    """A bucket of an S3-compatible service (AWS S3, MinIO, Ceph...). Objects are written
    with their content type and a year-long immutable Cache-Control, for a CDN in front."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None,
                 region: str | None = None, prefix: str = "", client: Any = None) -> None:
        import boto3  # only when an S3 store is configured: an optional dependency

        self.bucket, self.prefix = bucket, prefix
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url,
                                             region_name=region)
        self._missing = self.client.exceptions.NoSuchKey

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _checked(key), Body=data,
                               ContentType=content_type,
                               CacheControl="public, max-age=31536000, immutable")

    def get(self, key: str) -> bytes | None:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except self._missing:
            return None
        return bytes(found["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True
