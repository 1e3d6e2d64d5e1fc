"""Several machines, one site: a short run of `python -m bench cluster` (PostgreSQL, Redis, moto's S3 server, two
app servers behind Debian's nginx; one app server killed with kill -9 in the middle of the load)."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .nginx_server import find_nginx
from .postgres import find_binary

ROOT = Path(__file__).resolve().parent.parent

NEEDED = {"REQUIRE_NGINX": find_nginx() is not None, "REQUIRE_POSTGRES": find_binary("initdb") is not None,
          "REQUIRE_S3": importlib.util.find_spec("moto") is not None,
          "REQUIRE_REDIS": shutil.which("redis-server") is not None}


@pytest.fixture
def cluster_parts():
    missing = [name for name, found in NEEDED.items() if not found]
    required = [name for name in missing if os.environ.get(name) == "1"]
    if required:
        pytest.fail(f"{', '.join(required)}=1 but {'that part is' if len(required) == 1 else 'those parts are'} "
                    "not installed")
    if missing:
        pytest.skip(f"the cluster needs nginx, PostgreSQL, moto[server] and redis-server ({', '.join(missing)})")


def test_two_app_servers_behind_nginx_lose_nothing_when_one_is_killed(cluster_parts):
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "cluster", "--seconds", "12", "--readers", "6", "--candles", "2",
         "--stories", "3", "--family-pause", "1.5", "--schema-only"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = finished.stdout
    result = json.loads(output[:output.rindex("}") + 1])
    assert result["stories acknowledged"] >= 3 and result["approvals acknowledged"] >= 3, output
    assert result["candles acknowledged"] > 0 and result["GET requests"] > 50, output
    assert result["stories lost"] == result["approvals lost"] == result["candles lost"] == 0, output
    assert result["failed GETs"] == 0, output    # nginx sent what the killed server could not answer to the other
    assert result["photos checked on both servers"] >= 6 and result["photos not served alike"] == [], output
    # No stale page: a memorial read from each server just after a candle counts every candle acknowledged.
    assert result["reads of a memorial from each server just after a candle"] > 0, output
    assert result["reads that showed fewer candles than acknowledged"] == 0, output
    assert result["mail"]["written twice"] == 0 and result["mail"]["still queued"] == 0, output
    assert finished.returncode == 0 and output.rstrip().endswith("goals met"), finished.stderr[-2000:]
