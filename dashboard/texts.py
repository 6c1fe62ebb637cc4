"""Every label of the interface, Dutch and English, in one place; plus Dutch number and date formats."""
from __future__ import annotations

import math

import flask

from queries.privacy import SYMBOL

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "loket_lang"

TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Loket-monitor", "Loket monitor"),
    "app.subtitle": ("24/7 Loket Politie: maandcijfers", "24/7 Loket Politie: monthly figures"),
    "app.demo": ("Demodata: geen echte cliënten", "Demo data: no real clients"),
    "app.data_until": ("Gegevens tot en met", "Data up to and including"),
    "app.no_catalogue": (
        "Er zijn nog geen gepubliceerde cijfers. Laad gegevens en ververs de catalogus.",
        "No figures have been published yet. Load data and refresh the catalogue.",
    ),
    "app.store_down": (
        "De registratiedatabase is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.",
        "The registration store cannot be reached right now. Please try again in a few minutes.",
    ),
    "app.no_access": (
        "Uw account heeft geen rol in de Loket-monitor. Neem contact op met de beheerder.",
        "Your account has no role in the Loket monitor. Please contact the administrator.",
    ),
    "nav.label": ("Hoofdnavigatie", "Main navigation"),
    "lang.switch": ("English", "Nederlands"),
    "legend.symbol": (
        f"{SYMBOL} = niet getoond: minder dan 10 cliënten, of terug te rekenen uit andere cijfers. "
        "Overige aantallen zijn afgerond op 5.",
        f"{SYMBOL} = not shown: fewer than 10 clients, or could be worked out from other figures. "
        "Other counts are rounded to the nearest 5.",
    ),
    "legend.hidden_bar": ("Niet getoond", "Not shown"),
    "control.period_type": ("Periode", "Period"),
    "period.month": ("Maand", "Month"),
    "period.quarter": ("Kwartaal", "Quarter"),
    "period.year": ("Jaar", "Year"),
    "scope.national": ("Landelijk", "National"),
    "table.period": ("Periode", "Period"),
    "table.value": ("Aantal", "Count"),
    "table.caption": ("Tabel bij de grafiek", "Table for the chart"),
    "page.registrations": ("Aanmeldingen", "Registrations"),
    "registrations.per_period": ("Aanmeldingen per periode", "Registrations per period"),
    "registrations.per_period.alt": (
        "Staafdiagram van het aantal aanmeldingen per periode; dezelfde cijfers staan in de tabel eronder.",
        "Bar chart of registrations per period; the same figures are in the table below it.",
    ),
    # Users, roles and access (dashboard/auth.py, dashboard/security.py, pages/admin_log.py)
    "auth.login_required": ("Inloggen is nodig.", "Login required."),
    "auth.too_many_attempts": (
        "Te veel mislukte inlogpogingen. Probeer het later opnieuw.",
        "Too many failed login attempts. Please try again later.",
    ),
    "app.forbidden": (
        "U hebt geen toegang tot deze gegevens.",
        "You do not have access to these data.",
    ),
    "app.bad_request": ("Dit verzoek is niet geldig.", "This request is not valid."),
    "app.error": (
        "Er ging iets mis. Probeer het opnieuw of neem contact op met de beheerder.",
        "Something went wrong. Please try again or contact the administrator.",
    ),
    "page.admin_log": ("Logboek", "Audit log"),
    "admin_log.intro": (
        "Wie heeft wat bekeken: paginabezoeken, downloads, exports, API-verzoeken en geweigerde verzoeken. "
        "Het logboek bevat nooit cijfers.",
        "Who looked at what: page views, downloads, exports, API calls and refused requests. "
        "The log never holds figures.",
    ),
    "admin_log.action": ("Handeling", "Action"),
    "admin_log.all_actions": ("Alle handelingen", "All actions"),
    "admin_log.user": ("Gebruiker", "User"),
    "admin_log.download": ("Download als CSV", "Download as CSV"),
    "admin_log.caption": ("Laatste 500 regels, nieuwste eerst", "Latest 500 entries, newest first"),
    "admin_log.empty": ("Het logboek heeft (nog) geen regels.", "The log has no entries (yet)."),
    "admin_log.at": ("Tijdstip", "Time"),
    "admin_log.role": ("Rol", "Role"),
    "admin_log.unit": ("Eenheid", "Unit"),
    "admin_log.target": ("Wat", "What"),
    "admin_log.scope": ("Bereik", "Scope"),
    "admin_log.status": ("Status", "Status"),
    "action.page_view": ("Pagina bekeken", "Page view"),
    "action.api": ("API-verzoek", "API call"),
    "action.download": ("Download", "Download"),
    "action.export": ("Export", "Export"),
    "action.denied": ("Geweigerd", "Refused"),
    "action.login_failed": ("Inloggen mislukt", "Login failed"),
    "action.login": ("Ingelogd", "Logged in"),
    "role.programme": ("Programma", "Programme"),
    "role.unit": ("Eenheid", "Unit"),
    "role.admin": ("Beheerder", "Administrator"),
}

MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


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


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """Format a number with Dutch (1.234,5) or English (1,234.5) separators; None as the symbol."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SYMBOL
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_period(period: str, lang: str) -> str:
    """Format a period key (2014-03, 2014-Q1, 2014) for display."""
    if "-Q" in period:
        return f"{period[:4]} {'K' if lang == 'nl' else 'Q'}{period[-1]}"
    if len(period) == 7:
        return f"{MONTHS[lang][int(period[5:7]) - 1]} {period[:4]}"
    return period
