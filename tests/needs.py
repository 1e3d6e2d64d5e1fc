"""What a test needs from the machine (PostgreSQL, Redis, the S3 server, Chromium): skipped where it is missing,
unless CI set REQUIRE_<THING>=1, in which case a missing part fails the run loudly instead of passing quietly."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest


def missing(variable: str, what: str) -> NoReturn:
    """Skip: `what` is not on this machine; fail if `variable` (REQUIRE_…) says it must be."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {what}")
    pytest.skip(what)


@contextmanager
def running(make: Callable, variable: str, what: str) -> Iterator:
    """A server made by `make` (which raises FileNotFoundError where its program is missing), started for the
    block and stopped after it."""
    try:
        server = make()
    except FileNotFoundError:
        missing(variable, what)
    started = server.start()
    try:
        yield server, started
    finally:
        server.stop()
