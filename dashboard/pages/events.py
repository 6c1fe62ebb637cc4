"""Events on the timeline (programme managers and administrators): record one (a day, national or one unit,
a short text) and retire one; below, every active event, the units' roll-outs among them.

Every time chart of an event's scope marks it (`dashboard.ui.event_marks`). Only the roles that
record events may open this page (`roles=` below: the layout is refused on the server) and use its
callback (the query layer refuses anyone else with 403, before anything the caller sent is read).
The form says, in so many words, that an event's text must never describe a client; the text is
at most 200 characters, here (`maxLength`) and again on the server (`queries.events`).
"""
from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.ui.components import message, rows_table
from dashboard.ui.event_marks import event_text, scope_name
from dashboard.ui.texts import current_language, fmt_date, t
from dashboard.web import runtime
from dashboard.web.auth import current_access
from queries import events
from queries.accounts.access import NATIONAL, AccessDenied
from queries.store.codes import UNITS, UNKNOWN_UNIT

PATH = "/beheer/gebeurtenissen"
dash.register_page(__name__, path=PATH, name="Gebeurtenissen", text_key="page.events", order=9,
                   roles=events.RECORDERS)

ID_DAY = "events-day"
ID_SCOPE = "events-scope"
ID_SCOPES = "events-scopes"  # the scope's suggestions
ID_TEXT = "events-text"
ID_WARNING = "events-warning"
ID_SAVE = "events-save"
ID_STATUS = "events-status"
ID_LIST = "events-list"
RETIRE = "events-retire"  # pattern-matching buttons {"type": RETIRE, "id": <event id>}


def _require_recorder() -> None:
    access = current_access()
    if access.role not in events.RECORDERS:
        raise AccessDenied(f"{access.user or 'anonymous'} may not record or retire events")


def _control(label: str, control_id: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="control")


def _form(lang: str) -> html.Section:
    """The form that records an event, with the warning that an event never describes a client."""
    scopes = [{"label": scope_name(s, lang), "value": s} for s in (NATIONAL, *UNITS.values) if s != UNKNOWN_UNIT]
    heading = f"{ID_SAVE}-heading"
    return html.Section([
        html.H3(t("events.form", lang), id=heading),
        html.P(t("events.warning", lang), id=ID_WARNING, className="message message-warning"),
        html.Div([
            _control(t("events.day", lang), ID_DAY,
                     dcc.Input(id=ID_DAY, type="text", maxLength=10, placeholder="2014-03-01", value="")),
            # A text field with suggestions (a native datalist): Dash's Dropdown and RadioItems fail axe's checks
            # (a focusable element under aria-hidden, unnamed and nested interactive options).
            _control(t("events.scope_hint", lang), ID_SCOPE,
                     dcc.Input(id=ID_SCOPE, type="text", list=ID_SCOPES, maxLength=40, value=NATIONAL)),
            html.Datalist([html.Option(value=s["value"], label=s["label"]) for s in scopes], id=ID_SCOPES),
            _control(t("events.text", lang).format(n=events.MAX_TEXT), ID_TEXT,
                     dcc.Input(id=ID_TEXT, type="text", maxLength=events.MAX_TEXT, value="")),
            html.Button(t("events.save", lang), id=ID_SAVE, n_clicks=0, className="button"),
        ], className="controls events-form"),
    ], className="card", **{"aria-labelledby": heading})


def events_table(lang: str) -> html.Div:
    """Return every active event the caller sees, by date, with a retire button for the recorded ones."""
    listed = events.events_for(runtime.current().engine, current_access())
    if not listed:
        return message(t("events.empty", lang))
    rows = []
    for event in listed:
        text = event_text(event, lang)
        if event.retirable:
            action = html.Button(t("events.retire", lang), id={"type": RETIRE, "id": event.id}, n_clicks=0,
                                 className="button", **{"aria-label": t("events.retire_label", lang).format(
                                     id=event.id, text=text)})
        else:
            action = t("events.from_units", lang)  # a roll-out changes with the units' data, not here
        rows.append([str(event.id) if event.id else "–", fmt_date(event.day, lang), scope_name(event.scope, lang),
                     text, event.created_by or "", action])
    header = [t(k, lang) for k in ("events.id", "events.col_day", "events.scope", "events.col_text", "events.by",
                                   "events.action")]
    return rows_table(t("events.caption", lang), header, rows, class_name="data-table events-table")


def layout(**_ignored):
    """Lay out the form and the list of events (the page's `roles` refuse anyone else before this runs)."""
    lang = current_language()
    if current_access().role not in events.RECORDERS:  # and again here, should the page be registered otherwise
        return message(t("app.forbidden", lang), "error")
    return html.Div([
        html.H2(t("page.events", lang)),
        html.P(t("events.intro", lang), className="intro"),
        _form(lang),
        html.Div(id=ID_STATUS, role="status"),
        html.Div(events_table(lang), id=ID_LIST),
    ])


def _refusal(exc: events.EventError, key: str, lang: str) -> html.Div:
    reason = t(f"events.err.{exc.key}", lang).format(**exc.params)
    return message(t(key, lang).format(reason=reason), "error")


def save_event(day, scope, text) -> tuple:
    """Record an event from the form; return the message and the new list (the list unchanged when refused)."""
    lang = current_language()
    try:
        events.record(runtime.current().engine, current_access(), day=day, scope=scope, text=text)
    except events.EventError as exc:
        return _refusal(exc, "events.not_saved", lang), no_update
    shown = events.parse_day(day)  # valid: it was just recorded
    done = t("events.saved", lang).format(day=fmt_date(shown, lang), scope=scope_name(events.parse_scope(scope), lang),
                                          text=events.clean_text(text))
    return message(done), events_table(lang)


def retire_event(event_id) -> tuple:
    """Retire a recorded event; return the message and the new list."""
    lang = current_language()
    try:
        events.retire(runtime.current().engine, current_access(), event_id)
    except events.EventError as exc:
        return _refusal(exc, "events.not_retired", lang), no_update
    return message(t("events.retired", lang).format(id=event_id)), events_table(lang)


@callback(Output(ID_STATUS, "children"), Output(ID_LIST, "children"),
          Input(ID_SAVE, "n_clicks"), Input({"type": RETIRE, "id": ALL}, "n_clicks"),
          State(ID_DAY, "value"), State(ID_SCOPE, "value"), State(ID_TEXT, "value"), prevent_initial_call=True)
def change(_save_clicks, _retire_clicks, day, scope, text):
    """Record or retire an event, whichever button was clicked (programme managers and administrators only)."""
    _require_recorder()  # refused on the server before anything the caller sent is read
    clicked = ctx.triggered[0].get("value") if ctx.triggered else None
    if not clicked:
        return no_update, no_update
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        return retire_event(trigger.get("id"))
    return save_event(day, scope, text)
