"""S3-compatible object storage through boto3: AWS S3, Cloudflare R2, Backblaze B2, Ceph, MinIO, moto's server.

Objects are written with their SHA-256 in their metadata (move-photos checks a copy against it) and with
`Cache-Control: public, max-age=31536000, immutable`, which a bucket or a CDN serving the public area passes
on: a name never changes what it holds. Every call has short timeouts, so a store that is down costs a
family a plain message in seconds, not a hung page.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Response, abort, request

from .base import IMMUTABLE, NAME, StoreUnavailable

MISSING = {"NoSuchKey", "404", "NotFound"}


def _config(path_style: bool) -> Config:
    return Config(
        connect_timeout=3, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"} if path_style else {},
        # Checksums only where S3 requires them: several S3-compatible services refuse the newer default ones.
        request_checksum_calculation="when_required", response_checksum_validation="when_required",
    )


class S3Store:
    """One area: the objects under `prefix/` in `bucket`."""

    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None = None, access_key: str | None = None,
                 secret_key: str | None = None, region: str | None = None) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self._options = {"endpoint_url": endpoint_url, "aws_access_key_id": access_key,
                         "aws_secret_access_key": secret_key, "region_name": region or "us-east-1",
                         "config": _config(path_style=bool(endpoint_url))}
        self._client = None
        self._pid = None

    def __repr__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def client(self):
        # One client per process: a client made before gunicorn forks must not be shared by its workers.
        if self._client is None or self._pid != os.getpid():
            self._client = boto3.session.Session().client("s3", **self._options)
            self._pid = os.getpid()
        return self._client

    def key(self, name: str) -> str:
        if not NAME.fullmatch(name or ""):
            raise FileNotFoundError(name)
        return f"{self.prefix}/{name}" if self.prefix else name

    def save(self, name: str, data: bytes) -> None:
        key = self.key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType="image/jpeg",
                                   CacheControl=IMMUTABLE, Metadata={"sha256": hashlib.sha256(data).hexdigest()})
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"could not write {key} to {self.bucket}: {error}") from error

    def _get(self, name: str) -> dict:
        key = self.key(name)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                raise FileNotFoundError(name) from None
            raise StoreUnavailable(f"could not read {key} from {self.bucket}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"could not read {key} from {self.bucket}: {error}") from error

    def read(self, name: str) -> bytes:
        found = self._get(name)
        try:
            return found["Body"].read()
        except (BotoCoreError, OSError) as error:
            raise StoreUnavailable(f"could not read {name} from {self.bucket}: {error}") from error

    def delete(self, name: str) -> None:
        if not NAME.fullmatch(name or ""):
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"could not delete {name} from {self.bucket}: {error}") from error

    def digest(self, name: str) -> str | None:
        """The SHA-256 recorded when the object was written (None: missing, or written by something else)."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise StoreUnavailable(f"could not look up {name} in {self.bucket}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"could not look up {name} in {self.bucket}: {error}") from error
        return (head.get("Metadata") or {}).get("sha256") or ""

    def exists(self, name: str) -> bool:
        return NAME.fullmatch(name or "") is not None and self.digest(name) is not None

    def names(self, prefix: str = "") -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start + prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(start):]
                    if NAME.fullmatch(name):
                        yield name
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"could not list {start}{prefix} in {self.bucket}: {error}") from error

    def send(self, name: str, max_age: int) -> Response:
        try:
            found = self._get(name)
            body = found["Body"].read()
        except FileNotFoundError:
            abort(404)
        except (StoreUnavailable, BotoCoreError, OSError):
            abort(503)
        response = Response(body, mimetype="image/jpeg")
        if found.get("ETag"):
            response.set_etag(found["ETag"].strip('"'))
        if found.get("LastModified"):
            response.last_modified = found["LastModified"]
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        return response.make_conditional(request)
