"""Posting the real forms: fetch the page, take its CSRF token, send what a person would."""
from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return next(group for group in match.groups() if group)


def submit(client, url: str, data: dict, *, page: str | None = None, follow_redirects=False, **kwargs):
    """GET the page that holds the form (url, or page), then POST data with its token."""
    response = client.get(page or url)
    assert response.status_code == 200, f"GET {page or url} answered {response.status_code}"
    payload = {"csrf_token": csrf_token(response.get_data(as_text=True)), **data}
    return client.post(url, data=payload, follow_redirects=follow_redirects, **kwargs)
