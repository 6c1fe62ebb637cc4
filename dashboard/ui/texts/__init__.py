"""Every label of the interface, Dutch and English, in one catalogue split by area; and its sentences.

`catalogue` holds TEXTS (merged from the area modules), `t` and the caller's language; `rules` the
sentences that fill texts in (the privacy rule among them). The number and date formats live in
`dashboard.ui.formats` and are exported here too, so `from dashboard.ui.texts import fmt_value` keeps working.
"""
from __future__ import annotations

from dashboard.ui.formats import MONTHS, fmt_date, fmt_number, fmt_period, fmt_value
from dashboard.ui.texts.catalogue import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, TEXTS, current_language, t
from dashboard.ui.texts.rules import hidden_sentence, release_note, rule_sentence, rule_text

__all__ = [
    "DEFAULT_LANGUAGE", "LANGUAGES", "LANG_COOKIE", "MONTHS", "TEXTS", "current_language", "fmt_date", "fmt_number",
    "fmt_period", "fmt_value", "hidden_sentence", "release_note", "rule_sentence", "rule_text", "t",
]
