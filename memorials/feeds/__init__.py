"""Share and be found: share cards, the printable remembrance card, the Atom feed, the sitemap,
robots.txt, and memorial addresses that keep working when a name changes."""
from . import models, receivers  # noqa: F401 (the addresses table; share cards kept in step with memorials)
from .views import bp  # noqa: F401 (the package's blueprint)
