"""Telling a CDN to drop what it keeps of a memorial: one request per purge key (see memorials/responses.py:
every copy a shared cache may keep names what it shows in `Surrogate-Key`).

    CDN_PURGE_URL      where a purge goes, with {key} where the key belongs, e.g. Fastly's
                       https://api.fastly.com/service/SERVICE_ID/purge/{key}; empty: no CDN, nothing sent
    CDN_PURGE_HEADER   one header that authorises it, e.g. "Fastly-Key: TOKEN"

A purge that fails waits in store_task and is tried again with the store's other work (tasks.py).
"""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote

from flask import current_app

from .base import StoreUnavailable

TIMEOUT = 10


def configured() -> bool:
    return bool(current_app.config["CDN_PURGE_URL"])


def purge(key: str) -> None:
    """Ask the CDN to drop every copy it keeps under this key; raises StoreUnavailable when it does not answer."""
    url = current_app.config["CDN_PURGE_URL"].replace("{key}", quote(key, safe=""))
    request = urllib.request.Request(url, method="POST", data=b"")
    name, _, value = (current_app.config["CDN_PURGE_HEADER"] or "").partition(":")
    if name.strip():
        request.add_header(name.strip(), value.strip())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            answer.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise StoreUnavailable(f"the CDN did not take the purge of {key}: {error}") from error
