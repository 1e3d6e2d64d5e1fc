"""Loads the bundled letters snapshot (placeholder until the feature lands)."""


def load_bundled() -> str:
    return "no letters data bundled yet"
