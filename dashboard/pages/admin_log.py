"""Audit log (admins): who looked at what, when; filter by action and user, download as CSV."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.web import runtime
from dashboard.web.auth import current_access
from dashboard.ui.components import message
from dashboard.pages.admin_import import refresh_notice
from dashboard.ui.texts import current_language, t
from queries.accounts import audit_log
from queries.store.codes import UNITS

dash.register_page(__name__, path="/beheer/logboek", name="Logboek", text_key="page.admin_log", order=90,
                   roles=("admin",))

ID_ACTION = "admin-log-action"
ID_USER = "admin-log-user"
ID_TABLE = "admin-log-table"
ID_CSV = "admin-log-csv"
ID_DOWNLOAD = "admin-log-download"
LOCAL = ZoneInfo("Europe/Amsterdam")
COLUMNS = ("at", "username", "role", "unit_code", "action", "target", "scope", "status")
HEADINGS = ("admin_log.at", "admin_log.user", "admin_log.role", "admin_log.unit", "admin_log.action",
            "admin_log.target", "admin_log.scope", "admin_log.status")


def _action(value) -> str | None:
    return value if isinstance(value, str) and value in audit_log.ACTIONS else None


def _user(value) -> str | None:
    return value.strip()[:80] or None if isinstance(value, str) else None


def _label(prefix: str, value, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    key = f"{prefix}.{value}"
    try:
        return t(key, lang)
    except KeyError:
        return str(value)


def _cell(column: str, value, lang: str) -> str:
    if column == "at":
        local = value.replace(tzinfo=dt.UTC).astimezone(LOCAL)
        return local.strftime("%d-%m-%Y %H:%M:%S" if lang == "nl" else "%Y-%m-%d %H:%M:%S")
    if column == "role":
        return _label("role", value, lang)
    if column == "action":
        return _label("action", value, lang)
    if column == "unit_code":
        return UNITS.label(value, lang) if isinstance(value, str) and value in UNITS else ""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(int(value)) if column == "status" else str(value)


def log_table(action: str | None = None, user: str | None = None) -> html.Div:
    """Return the newest audit entries for the caller (raises AccessDenied for non-admins)."""
    lang = current_language()
    df = audit_log.entries(runtime.current().engine, current_access(), action=action, user=user)
    if df.empty:
        return message(t("admin_log.empty", lang))
    header = html.Tr([html.Th(t(h, lang), scope="col") for h in HEADINGS])
    rows = [html.Tr([html.Td(_cell(c, row[c], lang)) for c in COLUMNS]) for _, row in df.iterrows()]
    return html.Table([html.Caption(t("admin_log.caption", lang)), html.Thead(header), html.Tbody(rows)],
                      className="data-table audit-log")


def layout(actie: str | None = None, gebruiker: str | None = None, **_ignored):
    """Lay out the audit log for an administrator (anyone else gets a refusal message)."""
    lang = current_language()
    if current_access().role != "admin":
        return message(t("app.forbidden", lang), "error")
    action, user = _action(actie), _user(gebruiker)
    return html.Div(
        [
            html.H2(t("page.admin_log", lang)),
            refresh_notice(lang),  # where administrators look: loaded rows that are not yet published
            html.P(t("admin_log.intro", lang)),
            html.Div(
                [
                    html.Label(t("admin_log.action", lang), htmlFor=ID_ACTION),
                    dcc.Dropdown(
                        id=ID_ACTION, value=action, placeholder=t("admin_log.all_actions", lang),
                        options=[{"label": t(f"action.{a}", lang), "value": a} for a in audit_log.ACTIONS],
                    ),
                    html.Label(t("admin_log.user", lang), htmlFor=ID_USER),
                    dcc.Input(id=ID_USER, type="text", value=user or "", debounce=True, maxLength=80),
                    html.Button(t("admin_log.download", lang), id=ID_CSV, n_clicks=0, className="button"),
                    dcc.Download(id=ID_DOWNLOAD),
                ],
                className="controls",
            ),
            html.Div(log_table(action, user), id=ID_TABLE),
        ]
    )


@callback(Output(ID_TABLE, "children"), Input(ID_ACTION, "value"), Input(ID_USER, "value"),
          prevent_initial_call=True)
def update(action, user):
    """Show the log for another action or user."""
    return log_table(_action(action), _user(user))


@callback(Output(ID_DOWNLOAD, "data"), Input(ID_CSV, "n_clicks"), State(ID_ACTION, "value"),
          State(ID_USER, "value"), prevent_initial_call=True)
def download(_clicks, action, user):
    """Send the (filtered) log as CSV (the download is recorded centrally, like every dcc.Download)."""
    text = audit_log.export_csv(runtime.current().engine, current_access(), action=_action(action), user=_user(user))
    return dcc.send_string(text, f"loket-logboek-{dt.date.today():%Y%m%d}.csv", type="text/csv")
