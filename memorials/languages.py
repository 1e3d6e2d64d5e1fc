"""The site's languages and their addresses: names only, so any module can import them (nothing of ours is
imported here). memorials/i18n.py turns them into words, numbers, dates and links."""
from __future__ import annotations

LANGUAGES = ("en", "es")     # the first is the default; translations live in memorials/translations/
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
PREFIXES = {"es": "/es"}     # the default language has no prefix
COOKIE = "lang"
# How numbers and dates are written for each language (Babel locale). Spanish as written in the United
# States (es_US): "1,330" and "12.5%", as US Spanish-language media and the Census Bureau's Spanish
# pages write them, not "1.330" (see the README).
FORMAT_LOCALES = {"en": "en_US", "es": "es_US"}
# Endpoints whose answer is the same in every language: one address, never redirected by language.
NEUTRAL_ENDPOINTS = {"static", "stories.photo", "stories.manage_photo", "moderation.photo", "stats.data_csv",
                     "stats.data_json", "stats.state_data_csv", "stats.state_data_json", "i18n.switch"}
NEUTRAL_BLUEPRINTS = {"letters_api", "feeds"}


def is_neutral(endpoint: str | None) -> bool:
    """Whether an endpoint's answer is the same in every language (one address, never redirected)."""
    if not endpoint:
        return True
    return endpoint in NEUTRAL_ENDPOINTS or endpoint.split(".", 1)[0] in NEUTRAL_BLUEPRINTS
