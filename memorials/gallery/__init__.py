"""A memorial's gallery: up to twelve photos besides the main one, each read by a moderator before it is public,
in the order the family chooses, with their own words. Its own table, pages, moderation tab and tests."""
from .moderate import moderate_bp  # noqa: F401 (the moderators' tab)
from .views import bp  # noqa: F401 (the package's blueprint)
