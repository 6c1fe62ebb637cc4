"""Subscriptions (admins): who gets the steering pack of every release by e-mail; the latest mailings.

An administrator adds a subscription (an account of the store, an address, the pack's scope,
format and language) or stops one. Whether the account may have that scope is decided on the
server (`queries.delivery.subscriptions.add`: a unit account only its own unit), and again
before each mailing. Below, the mailings of the newest releases with their state, attempts and
last error, so failed sends are seen. Every callback checks the caller's role on the server.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import delivery
from dashboard.ui.components import message, rows_table
from dashboard.ui.texts import current_language, fmt_date, fmt_number, fmt_period, t
from dashboard.web import runtime
from dashboard.web.auth import current_access
from queries.accounts import users
from queries.accounts.access import NATIONAL
from queries.delivery import deliveries, subscriptions
from queries.store.codes import UNITS

PATH = "/beheer/abonnementen"
dash.register_page(__name__, path=PATH, name="Abonnementen", text_key="page.admin_subscriptions", order=92,
                   roles=("admin",))

ID_ACCOUNT = "admin-subscriptions-account"
ID_EMAIL = "admin-subscriptions-email"
ID_SCOPE = "admin-subscriptions-scope"
ID_FORMAT = "admin-subscriptions-format"
ID_LANGUAGE = "admin-subscriptions-language"
ID_ADD = "admin-subscriptions-add"
ID_STOP = "admin-subscriptions-stop"
ID_STATUS = "admin-subscriptions-status"
ID_LIST = "admin-subscriptions-list"
ID_DELIVERIES = "admin-subscriptions-deliveries"
LOCAL = ZoneInfo("Europe/Amsterdam")


def _when(moment: dt.datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=dt.UTC).astimezone(LOCAL)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"


def _scope(scope: str, lang: str) -> str:
    return delivery.scope_label(scope, lang)


def _control(label: str, control_id: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="control")


def _form(lang: str) -> html.Section:
    """The form that adds a subscription (the scope is checked against the account on the server)."""
    accounts = [{"label": f"{u.username} ({t(f'role.{u.role}', lang)}{f' {u.unit}' if u.unit else ''})",
                 "value": u.username} for u in users.list_users(runtime.current().engine) if u.role]
    scopes = [{"label": _scope(s, lang), "value": s} for s in (NATIONAL, *UNITS.values)]
    heading = f"{ID_ADD}-heading"
    return html.Section([
        html.H3(t("subscriptions.add", lang), id=heading),
        html.Div([
            _control(t("subscriptions.account", lang), ID_ACCOUNT, dcc.Dropdown(id=ID_ACCOUNT, options=accounts)),
            _control(t("subscriptions.email", lang), ID_EMAIL,
                     dcc.Input(id=ID_EMAIL, type="email", maxLength=254, value="")),
            _control(t("subscriptions.scope", lang), ID_SCOPE,
                     dcc.Dropdown(id=ID_SCOPE, options=scopes, value=NATIONAL, clearable=False)),
            _control(t("subscriptions.format", lang), ID_FORMAT,
                     dcc.Dropdown(id=ID_FORMAT, options=list(subscriptions.FORMATS), value="pptx", clearable=False)),
            _control(t("subscriptions.language", lang), ID_LANGUAGE,
                     dcc.Dropdown(id=ID_LANGUAGE, value="nl", clearable=False,
                                  options=[{"label": t(f"language.{c}", lang), "value": c}
                                           for c in subscriptions.LANGUAGES])),
            html.Button(t("subscriptions.add", lang), id=ID_ADD, n_clicks=0, className="button"),
        ], className="controls"),
    ], className="card", **{"aria-labelledby": heading})


def subscriptions_table(lang: str) -> html.Div:
    """Return every subscription with a stop button for the active ones (administrators only)."""
    listed = subscriptions.listing(runtime.current().engine, current_access())
    if not listed:
        return message(t("subscriptions.none", lang))
    rows = []
    for s in listed:
        stop = html.Button(t("subscriptions.deactivate", lang), id={"type": ID_STOP, "id": s.id}, n_clicks=0,
                           className="button", **{"aria-label": f"{t('subscriptions.deactivate', lang)} {s.id}"}) \
            if s.active else t("subscriptions.stopped", lang)
        rows.append([str(s.id), s.username, s.email, _scope(s.scope, lang), s.format, t(f"language.{s.language}", lang),
                     s.created_by, _when(s.created_at, lang), stop])
    header = [t(k, lang) for k in ("subscriptions.id", "subscriptions.account", "subscriptions.email",
                                   "subscriptions.scope", "subscriptions.format", "subscriptions.language",
                                   "subscriptions.by", "subscriptions.since", "subscriptions.active")]
    return rows_table(t("subscriptions.caption", lang), header, rows, class_name="data-table subscriptions-table")


def deliveries_table(lang: str) -> html.Div:
    """Return the mailings of the newest releases with their state and last error (administrators only)."""
    listed = deliveries.recent(runtime.current().engine, current_access())
    if not listed:
        return message(t("subscriptions.no_deliveries", lang))
    rows = [[f"{d.release_id} ({fmt_period(d.data_until, lang) if d.data_until else '-'})", d.username, d.email,
             _scope(d.scope, lang), d.format, t(f"delivery.state.{d.state}", lang), fmt_number(d.attempts, lang),
             d.last_error or "", _when(d.sent_at, lang)] for d in listed]
    header = [t(k, lang) for k in ("subscriptions.release", "subscriptions.account", "subscriptions.email",
                                   "subscriptions.scope", "subscriptions.format", "subscriptions.state",
                                   "subscriptions.attempts", "subscriptions.error", "subscriptions.sent_at")]
    return rows_table(t("subscriptions.deliveries", lang), header, rows, class_name="data-table deliveries-table")


def layout(**_ignored):
    """Lay out the subscriptions for an administrator (anyone else gets a refusal message)."""
    lang = current_language()
    if current_access().role != "admin":
        return message(t("app.forbidden", lang), "error")
    configured = delivery.smtp_configured(runtime.current().config)
    return html.Div([
        html.H2(t("page.admin_subscriptions", lang)),
        html.P(t("subscriptions.intro", lang), className="intro"),
        None if configured else message(t("subscriptions.no_smtp", lang), "error"),
        _form(lang),
        html.Div(id=ID_STATUS, role="status"),
        html.Div(subscriptions_table(lang), id=ID_LIST),
        html.H3(t("subscriptions.deliveries", lang)),
        html.Div(deliveries_table(lang), id=ID_DELIVERIES),
    ])


@callback(Output(ID_STATUS, "children"), Output(ID_LIST, "children"), Output(ID_DELIVERIES, "children"),
          Input(ID_ADD, "n_clicks"), Input({"type": ID_STOP, "id": ALL}, "n_clicks"),
          State(ID_ACCOUNT, "value"), State(ID_EMAIL, "value"), State(ID_SCOPE, "value"), State(ID_FORMAT, "value"),
          State(ID_LANGUAGE, "value"), prevent_initial_call=True)
def change(_add_clicks, _stop_clicks, account, email, scope, fmt, lang_choice):
    """Add or stop a subscription, whichever button was clicked (administrators only, checked on the server)."""
    access = subscriptions.require_admin(current_access())  # before anything the caller sent is read
    lang = current_language()
    clicked = ctx.triggered[0].get("value") if ctx.triggered else None
    if not clicked:
        return no_update, no_update, no_update
    engine = runtime.current().engine
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        stop_id = trigger.get("id")
        if isinstance(stop_id, int) and not isinstance(stop_id, bool):
            subscriptions.deactivate(engine, access, stop_id)
        done = message(t("subscriptions.deactivated", lang))
    else:
        try:
            subscriptions.add(engine, access, account, email, scope, fmt, lang_choice)
        except subscriptions.SubscriptionError as exc:
            return message(t(str(exc), lang), "error"), no_update, no_update
        done = message(t("subscriptions.added", lang))
    return done, subscriptions_table(lang), deliveries_table(lang)
