"""The app as the page benchmark serves it: the site itself (app.py) plus one no-op route, which exists only here.

    gunicorn --workers 2 bench.wsgi:app

The no-op route goes through the same request machinery (hooks, headers, sessions) and does no work (it is
not even looked up in the page cache),
so each page's rate divided by its rate measures the page's own cost, whatever the machine's load.
"""
from __future__ import annotations

from app import app   # the site exactly as gunicorn serves it (app.py)
from memorials.responses import never_kept


@app.get("/__noop")
@never_kept
def noop():
    """Nothing: the yardstick for every page's rate."""
    return "ok"
