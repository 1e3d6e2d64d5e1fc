"""A throwaway PostgreSQL cluster on loopback, started with initdb/pg_ctl for the test run."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """initdb into a temporary folder, start on a free loopback port, stop and remove at the end."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = settings or {}   # more server settings (-c NAME=VALUE): the bench's shared_buffers
        self.initdb = find_binary("initdb")
        self.pg_ctl = find_binary("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("initdb/pg_ctl not found")
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="memorials-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (subprocess.SubprocessError, OSError):
            pass
        for _ in range(20):
            try:
                shutil.rmtree(self.folder)
                return
            except OSError:
                time.sleep(0.1)
