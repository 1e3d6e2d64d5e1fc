"""Memorials: a family shares a story, keeps a private link to edit or withdraw it, and visitors read it."""
from .views import bp  # noqa: F401 (the package's blueprint)
