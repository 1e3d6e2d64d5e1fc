"""Moderators: signing in with two factors, the team, the queue (a tab for each kind of item) and the log."""
from . import signin, team  # noqa: F401 (their routes join the blueprint)
from .views import bp  # noqa: F401 (the package's blueprint)
