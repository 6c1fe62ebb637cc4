"""Expected values (streefwaarden): every role sees them and their history; programme managers and
administrators record, change (a new row) and retire them.

The choice of indicator, product and target group is a plain GET form (native selects, like the
monitor's controls); the record and retire buttons are callbacks, and the query layer checks the
caller's role on the server (a unit user's request is refused with 403, whatever it sends).
There is no unit field: an expected value never holds per unit.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.ui import cards
from dashboard.web import runtime
from dashboard.web.auth import current_access
from dashboard.ui.components import message
from dashboard.ui.texts import current_language, fmt_period, fmt_value, t
from queries.catalogue import indicators
from queries.targets import target_rules
from queries import targets
from queries.accounts.access import ROLES, AccessDenied
from queries.store.codes import PRODUCTS, TARGET_GROUPS

PATH = "/streefwaarden"
dash.register_page(__name__, path=PATH, name="Streefwaarden", text_key="page.targets", order=7)

ID_CHOOSE = "targets-choose"
ID_INDICATOR = "targets-indicator"
ID_PRODUCT = "targets-product"
ID_GROUP = "targets-target-group"
ID_SELECTION = "targets-selection"
ID_VALUE = "targets-value"
ID_FROM = "targets-valid-from"
ID_RATIONALE = "targets-rationale"
ID_SAVE = "targets-save"
ID_STATUS = "targets-status"
ID_HISTORY = "targets-history"
RETIRE = "targets-retire"  # pattern-matching buttons {"type": RETIRE, "id": <target id>}
KEYS = {"indicator": "indicator", "product": "product", "target_group": "doelgroep"}
LOCAL = ZoneInfo("Europe/Amsterdam")


def _may_set() -> bool:
    return current_access().role in targets.SETTERS


def selection_from(indicator=None, product=None, target_group=None) -> dict:
    """Return the indicator, product and target group chosen in the URL (anything unknown: none)."""
    return {
        "indicator": indicator if isinstance(indicator, str) and indicator in indicators.INDICATORS else None,
        "product": product if isinstance(product, str) and product in PRODUCTS else None,
        "target_group": target_group if isinstance(target_group, str) and target_group in TARGET_GROUPS else None,
    }


def _what(selection: dict, lang: str) -> str:
    name = cards.indicator_name(selection["indicator"], lang)
    return f"{name} ({cards.holds_for(selection['product'], selection['target_group'], lang)})"


def _select(select_id: str, name: str, label: str, options: list[tuple[str, str]], value: str | None) -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=select_id),
        html.Select([html.Option(text, value=key, selected=key == (value or "")) for key, text in options],
                    id=select_id, name=name, className="select"),
    ], className="control")


def _choice_form(selection: dict, lang: str) -> html.Form:
    """The GET form that chooses what a new expected value holds for (no unit: never per unit)."""
    names = sorted(((k, cards.indicator_name(k, lang)) for k in indicators.INDICATORS), key=lambda kv: kv[1])
    return html.Form([
        _select(ID_INDICATOR, KEYS["indicator"], t("targets.indicator", lang), [("", "–"), *names],
                selection["indicator"]),
        _select(ID_PRODUCT, KEYS["product"], t("targets.product", lang),
                [("", t("targets.all_products", lang))] + [(c, PRODUCTS.label(c, lang)) for c in PRODUCTS.values],
                selection["product"]),
        _select(ID_GROUP, KEYS["target_group"], t("targets.target_group", lang),
                [("", t("targets.all_groups", lang))] + [(c, TARGET_GROUPS.label(c, lang)) for c in TARGET_GROUPS.values],
                selection["target_group"]),
        html.Button(t("targets.choose_button", lang), type="submit", className="button apply", id=f"{ID_CHOOSE}-apply"),
    ], method="get", action=PATH, className="controls", id=ID_CHOOSE, **{"aria-label": t("targets.choose", lang)})


def _record_form(selection: dict, lang: str) -> html.Section:
    """The form that records a new expected value for the chosen indicator (a change is a new row)."""
    measure = indicators.INDICATORS[selection["indicator"]].measure
    heading = f"{ID_SAVE}-heading"
    return html.Section([
        html.H3(t("targets.form", lang).format(what=_what(selection, lang)), id=heading),
        html.Div([
            html.Div([html.Label(t("targets.value", lang).format(measure=t(f"measure.{measure}", lang).lower()),
                                 htmlFor=ID_VALUE),
                      dcc.Input(id=ID_VALUE, type="text", inputMode="decimal", maxLength=20, value="")],
                     className="control"),
            html.Div([html.Label(t("targets.valid_from", lang), htmlFor=ID_FROM),
                      dcc.Input(id=ID_FROM, type="text", maxLength=7, placeholder="2014-01", value="")],
                     className="control"),
            html.Div([html.Label(t("targets.rationale", lang), htmlFor=ID_RATIONALE),
                      dcc.Textarea(id=ID_RATIONALE, maxLength=targets.MAX_RATIONALE, value="")], className="control"),
            html.Button(t("targets.save", lang), id=ID_SAVE, n_clicks=0, className="button"),
        ], className="targets-form"),
    ], className="card", **{"aria-labelledby": heading})


def _cell_time(value) -> str:
    if value is None or pd.isna(value):
        return ""
    local = pd.Timestamp(value).to_pydatetime().replace(tzinfo=dt.UTC).astimezone(LOCAL)
    return local.strftime("%d-%m-%Y %H:%M")


def history_table(lang: str, *, with_actions: bool) -> html.Div:
    """Return every recorded expected value, newest first, with its status (and retire buttons for setters)."""
    df = targets.history(runtime.current().engine, current_access())
    if df.empty:
        return message(t("targets.empty", lang))
    headings = ["targets.id", "targets.indicator", "targets.for", "target.label", "targets.from", "targets.until",
                "targets.rationale", "targets.set_by", "targets.set_at", "targets.status"]
    if with_actions:
        headings.append("targets.action")
    rows = []
    for row in df.sort_values(["set_at", "id"], ascending=False, na_position="last").itertuples():
        product = None if pd.isna(row.product) else row.product
        group = None if pd.isna(row.target_group) else row.target_group
        what = f"{cards.indicator_name(row.indicator, lang)} ({cards.holds_for(product, group, lang)})"
        measure = indicators.INDICATORS[row.indicator].measure if row.indicator in indicators.INDICATORS else "count"
        last = target_rules.last_month(row.start, row.end)
        until = "" if last is None else fmt_period(last, lang) if last else "–"
        status = t(f"targets.status.{row.status}", lang)
        if row.status == targets.RETIRED:
            status = status.format(by=row.retired_by or "", at=_cell_time(row.retired_at))
        cells = [html.Th(str(row.id), scope="row"), html.Td(cards.indicator_name(row.indicator, lang)),
                 html.Td(cards.holds_for(product, group, lang)), html.Td(fmt_value(row.expected_value, measure, lang)),
                 html.Td(fmt_period(row.start, lang)), html.Td(until),
                 html.Td(row.rationale or ""), html.Td(row.set_by or ""), html.Td(_cell_time(row.set_at)),
                 html.Td(status)]
        if with_actions:
            button = html.Button(t("targets.retire", lang), id={"type": RETIRE, "id": int(row.id)}, n_clicks=0,
                                 className="button", **{"aria-label": t("targets.retire_label", lang).format(
                                     id=row.id, what=what)}) \
                if row.status in (targets.CURRENT, targets.PLANNED) else ""
            cells.append(html.Td(button))
        rows.append(html.Tr(cells))
    header = html.Tr([html.Th(t(h, lang), scope="col") for h in headings])
    return html.Div(html.Table([html.Caption(t("targets.history", lang)), html.Thead(header), html.Tbody(rows)],
                               className="data-table targets-history-table"), className="targets-history")


def layout(indicator=None, product=None, doelgroep=None, **_ignored):
    """Lay out the expected values: the history for every role, the forms for programme managers and admins."""
    lang = current_language()
    if current_access().role not in ROLES:
        return message(t("app.forbidden", lang), "error")
    selection = selection_from(indicator, product, doelgroep)
    setter = _may_set()
    parts = [html.H2(t("page.targets", lang)), html.P(t("targets.intro", lang), className="intro")]
    if setter:
        parts.append(_choice_form(selection, lang))
        if selection["indicator"]:
            parts.append(_record_form(selection, lang))
        parts.append(dcc.Store(id=ID_SELECTION, data=selection))
    else:
        parts.append(message(t("targets.read_only", lang)))
    parts.append(html.Div(id=ID_STATUS, role="status"))
    parts.append(html.Div(history_table(lang, with_actions=setter), id=ID_HISTORY))
    return html.Div(parts)


def _refusal(exc: targets.TargetError, lang: str) -> html.Div:
    reason = t(f"targets.err.{exc.key}", lang).format(**exc.params)
    return message(t("targets.not_saved", lang).format(reason=reason), "error")


def save_target(selection, value, valid_from, rationale) -> tuple:
    """Record a new expected value for the chosen indicator; refused on the server for anyone but setters."""
    lang = current_language()
    chosen = selection_from(**{k: selection.get(k) for k in ("indicator", "product", "target_group")}) \
        if isinstance(selection, dict) else selection_from()
    try:
        targets.record(runtime.current().engine, current_access(), indicator=chosen["indicator"],
                       value=value if isinstance(value, (str, int, float)) else None,
                       valid_from=valid_from if isinstance(valid_from, str) else None,
                       rationale=rationale if isinstance(rationale, str) else "",
                       product=chosen["product"], target_group=chosen["target_group"])
    except targets.TargetError as exc:
        return _refusal(exc, lang), no_update
    measure = indicators.INDICATORS[chosen["indicator"]].measure
    done = t("targets.saved", lang).format(what=_what(chosen, lang), month=fmt_period(valid_from.strip(), lang),
                                           value=fmt_value(float(str(value).replace(",", ".")), measure, lang))
    return message(done), history_table(lang, with_actions=True)


def retire_target(target_id) -> tuple:
    """Retire an expected value (its row stays); refused on the server for anyone but setters."""
    lang = current_language()
    try:
        targets.retire(runtime.current().engine, current_access(), target_id=target_id)
    except targets.TargetError as exc:
        return _refusal(exc, lang), no_update
    return message(t("targets.retired", lang).format(id=target_id)), history_table(lang, with_actions=True)


@callback(Output(ID_STATUS, "children"), Output(ID_HISTORY, "children"),
          Input(ID_SAVE, "n_clicks"), Input({"type": RETIRE, "id": ALL}, "n_clicks"),
          State(ID_SELECTION, "data"), State(ID_VALUE, "value"), State(ID_FROM, "value"), State(ID_RATIONALE, "value"),
          prevent_initial_call=True)
def change(_save_clicks, _retire_clicks, selection, value, valid_from, rationale):
    """Record or retire an expected value, whichever button was clicked."""
    access = current_access()
    if access.role not in targets.SETTERS:  # refused on the server before anything the caller sent is read
        raise AccessDenied(f"{access.user or 'anonymous'} may not set expected values")
    trigger = ctx.triggered_id
    clicked = ctx.triggered[0].get("value") if ctx.triggered else None
    if not clicked:
        return no_update, no_update
    if isinstance(trigger, dict):
        return retire_target(trigger.get("id"))
    return save_target(selection, value, valid_from, rationale)
