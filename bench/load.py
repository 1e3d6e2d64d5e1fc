"""A small HTTP load generator in pure Python (asyncio): N connections, each sending one GET after another.

Every request opens a new connection, as a browser's first visit does and as gunicorn's sync workers
require (they close each connection), asks for gzip like a browser, and reads the whole answer.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field


@dataclass
class Measure:
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)   # milliseconds, successful answers
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _one(host: str, port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readline()
        while await reader.read(65536):
            pass
        return int(head.split()[1])
    finally:
        writer.close()


async def _run(host: str, port: int, path: str | list[str], seconds: float, connections: int,
               warmup: float) -> Measure:
    paths = [path] if isinstance(path, str) else path
    requests = [(f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
                 "User-Agent: memorials-bench\r\nConnection: close\r\n\r\n").encode() for p in paths]
    chooser = random.Random(len(paths))
    measure = Measure(paths[0] if len(paths) == 1 else f"{len(paths)} addresses", seconds)
    start = time.perf_counter()
    counting_from = start + warmup
    stop = counting_from + seconds

    async def worker():
        while (now := time.perf_counter()) < stop:
            try:
                status = await _one(host, port, chooser.choice(requests))
            except OSError:
                status = 0
            done = time.perf_counter()
            if now >= counting_from:
                measure.statuses[status] = measure.statuses.get(status, 0) + 1
                if 200 <= status < 400:
                    measure.latencies.append((done - now) * 1000)
                else:
                    measure.failures += 1

    await asyncio.gather(*(worker() for _ in range(connections)))
    return measure


def hammer(host: str, port: int, path: str | list[str], *, seconds: float = 5.0, connections: int = 16,
           warmup: float = 1.0) -> Measure:
    """GET path (or one of these paths, at random) over `connections` connections for `seconds` (after
    `warmup`); every latency kept."""
    return asyncio.run(_run(host, port, path, seconds, connections, warmup))
