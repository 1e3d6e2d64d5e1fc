"""An S3-protocol server on loopback (moto's standalone server, `moto[server]` in tests/requirements.txt).

Tests that need it skip where moto is not installed, unless REQUIRE_S3=1 (which .ci/run sets). Each test gets
a bucket of its own, so nothing is shared between tests. Import the fixtures into a test module:

    from .s3_server import s3_bucket, s3_server  # noqa: F401 (fixtures)
"""
from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from . import needs
from .smtp import free_port

KEY, SECRET = "testing-key", "testing-secret"
_buckets = itertools.count(1)


class S3Server:
    """moto's server on a free loopback port; stopped (and waited for) at the end."""

    def __init__(self) -> None:
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask_cors") is None:
            raise FileNotFoundError("moto[server] is not installed")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2).read()
                return self.url
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))

    def new_bucket(self) -> str:
        name = f"memorials-{os.getpid()}-{next(_buckets)}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "site") -> dict:
        """The app's settings for a store in this bucket (what an operator puts in the environment)."""
        return {"PHOTO_STORE_URL": f"s3://{bucket}/{prefix}", "S3_ENDPOINT_URL": self.url,
                "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "S3_REGION": "us-east-1"}

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server():
    """One S3 server for the run; its tests skip where moto[server] is missing (unless REQUIRE_S3=1)."""
    with needs.running(S3Server, "REQUIRE_S3", "moto[server] is not installed (pip install -r tests/requirements.txt)") \
            as (server, _):
        yield server


@pytest.fixture
def s3_bucket(s3_server) -> str:
    """An empty bucket of this test's own (s3_server.settings(bucket) are the app's settings for it)."""
    return s3_server.new_bucket()
