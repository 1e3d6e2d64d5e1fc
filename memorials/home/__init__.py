"""The front page and the site's plain pages: help and support, the sharing terms."""
from .views import bp  # noqa: F401 (the package's blueprint)
