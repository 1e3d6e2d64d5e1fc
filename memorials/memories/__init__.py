"""Memories from friends and family: longer words and a photo, shared on a memorial, read by a moderator (and by
the family, if they asked) before they appear. Its own tables, pages, moderation tab and tests."""
from .moderate import moderate_bp  # noqa: F401 (the moderators' tab)
from .views import bp  # noqa: F401 (the package's blueprint)
