"""Loads the bundled stats snapshot (placeholder until the feature lands)."""


def load_bundled() -> str:
    return "no stats data bundled yet"
