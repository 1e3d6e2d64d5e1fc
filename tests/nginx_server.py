"""Debian's nginx on loopback, in front of app servers, with the deploy example's own files (deploy/nginx/).

The test configuration is the shipped one with the machine-specific parts swapped: loopback addresses for the
upstream and the listening port, temporary folders for logs, cache and pid. The server block's body
(memorials-site.conf) and the log redaction (memorials-log.conf) are included as they ship. Tests skip where
nginx is missing, unless REQUIRE_NGINX=1 (which .ci/run sets).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from .smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


class Nginx:
    """nginx in the foreground (its own process), proxying to `upstreams` ("127.0.0.1:port" each)."""

    def __init__(self, upstreams: list[str], folder: Path | None = None) -> None:
        self.binary = find_nginx()
        if not self.binary:
            raise FileNotFoundError("nginx not found")
        self.upstreams = upstreams
        self.folder = folder or Path(tempfile.mkdtemp(prefix="memorials-nginx-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def config(self) -> str:
        servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in self.upstreams)
        temp = self.folder / "temp"
        user = "user root;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes 1;
daemon off;
pid {self.folder}/nginx.pid;
error_log {self.error_log} warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {DEPLOY / "memorials-log.conf"};
    proxy_cache_path {self.folder}/cache levels=1:2 keys_zone=memorials:10m max_size=256m inactive=1h use_temp_path=off;
    upstream memorials_app {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        access_log {self.access_log} memorials_redacted;
        location = /__ready {{ access_log off; return 204; }}
        include {DEPLOY / "memorials-site.conf"};
    }}
}}
"""

    def start(self) -> str:
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen([self.binary, "-c", str(conf), "-p", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/__ready", timeout=2)
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode() if self.process.poll() is not None else ""
                    self.stop()
                    raise RuntimeError(f"nginx did not start: {error}{self._errors()}") from None
                time.sleep(0.05)
        return self.url

    def _errors(self) -> str:
        return self.error_log.read_text() if self.error_log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)   # graceful: finishes what it is serving
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def log_lines(self) -> list[str]:
        time.sleep(0.1)   # nginx writes each line as the request ends: a moment for the last one
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


def check_config(text: str, folder: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a whole configuration (written to folder/nginx.conf)."""
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return subprocess.run([find_nginx(), "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True,
                          timeout=30)
