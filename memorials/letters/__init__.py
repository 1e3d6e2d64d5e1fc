"""Letters to members of Congress, state legislators and governors: find them by ZIP, write letters ready to send."""
from .admin import admin_bp  # noqa: F401 (the campaign editor for admins)
from .api import api_bp  # noqa: F401 (the lookup as JSON)
from .views import bp  # noqa: F401 (the package's blueprint)
