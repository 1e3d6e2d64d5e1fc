"""The numbers: CDC's overdose-death statistics, imported, computed once per import, and served."""
from .views import bp  # noqa: F401 (the package's blueprint)
