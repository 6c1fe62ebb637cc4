"""The one catalogue of the interface's texts, Dutch and English side by side, and the caller's language."""
from __future__ import annotations

import flask

from dashboard.ui.formats import LOCALES
from dashboard.ui.texts import admin, delivery, events, exports, funnel, indicators, monitor, privacy, targets

LANGUAGES = tuple(LOCALES)
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "loket_lang"

AREAS = (monitor, indicators, targets, exports, admin, privacy, delivery, events, funnel)
TEXTS: dict[str, tuple[str, str]] = {key: pair for area in AREAS for key, pair in area.TEXTS.items()}


def current_language() -> str:
    """Return the caller's language from its cookie, Dutch by default."""
    if flask.has_request_context():
        lang = flask.request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None) -> str:
    """Return the text for a key in a language (the caller's by default)."""
    nl, en = TEXTS[key]
    return en if (lang or current_language()) == "en" else nl
