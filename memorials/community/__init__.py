"""Visitors remember together and tell us when something is wrong: condolences, candles, remembrance
notes, reports about a memorial. A guestbook is not a story: this package owns its own tables, and
moderation lists and decides its items through the small services here."""
from . import context  # noqa: F401 (its formatting filters join the blueprint)
from .moderate import moderate_bp  # noqa: F401 (the moderators' tabs)
from .views import bp  # noqa: F401 (the package's blueprint)
