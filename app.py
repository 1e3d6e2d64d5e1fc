"""Entry point: `flask --app app run` or `gunicorn app:app`."""
import gc

from memorials import create_app

app = create_app()
# What exists now (the code, the app, its routes and settings) lives as long as the worker: it is set aside from
# Python's cyclic garbage collector, which otherwise walked all of it again at each full collection, about a
# tenth of a millisecond of every page a worker draws (measured: see the README, "Speed").
gc.freeze()
