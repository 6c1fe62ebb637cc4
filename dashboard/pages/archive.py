"""Archive (every role): the steering packs of each release for the caller's scopes, to download.

The list and every download are checked on the server (`queries.delivery.archive`): a unit user
sees and gets its own unit's packs only (a national pack shows every unit); programme managers
and administrators every scope's. A pack the caller may not have is refused (403) exactly like
one that does not exist. Each download is a dcc.Download, which the app records in the audit log
like every other download (`dashboard.web.security`).
"""
from __future__ import annotations

import dash
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from dashboard import delivery, exports
from dashboard.ui.components import message, rows_table
from dashboard.ui.texts import current_language, fmt_period, t
from dashboard.web import runtime
from dashboard.web.auth import current_access
from queries.delivery import archive

PATH = "/archief"
dash.register_page(__name__, path=PATH, name="Archief", text_key="page.archive", order=8,
                   roles=("programme", "unit", "admin"))

ID_TABLE = "archive-table"
ID_GET = "archive-get"
ID_DOWNLOAD = "archive-download"


def archive_table(lang: str) -> html.Div | html.Table:
    """Return the archived packs of the caller's scopes, newest release first, each with a download button."""
    packs = archive.listing(runtime.current().engine, current_access())
    if not packs:
        return message(t("archive.none", lang))
    rows = [[f"{p.release_id} ({fmt_period(p.data_until, lang) if p.data_until else '-'})", fmt_period(p.period, lang),
             delivery.scope_label(p.scope, lang), p.format, t(f"language.{p.language}", lang),
             exports.size_text(p.size),
             html.Button(t("archive.download", lang), id={"type": ID_GET, "id": p.id}, n_clicks=0, className="button",
                         **{"aria-label": f"{t('archive.download', lang)} {p.file_name}"})] for p in packs]
    header = [t(k, lang) for k in ("archive.release", "archive.period", "archive.scope", "archive.format",
                                   "archive.language", "archive.size", "archive.download")]
    return rows_table(t("archive.caption", lang), header, rows, class_name="data-table archive-table")


def layout(**_ignored):
    """Lay out the archive of the caller's scopes (a caller without a role gets a refusal message)."""
    lang = current_language()
    if not archive.archive_scopes(current_access()):
        return message(t("app.forbidden", lang), "error")
    return html.Div([
        html.H2(t("page.archive", lang)),
        html.P(t("archive.intro", lang), className="intro"),
        html.Div(archive_table(lang), id=ID_TABLE),
        dcc.Download(id=ID_DOWNLOAD),
    ])


@callback(Output(ID_DOWNLOAD, "data"), Input({"type": ID_GET, "id": ALL}, "n_clicks"), prevent_initial_call=True)
def download(_clicks):
    """Send an archived pack of one of the caller's scopes (any other: 403; recorded like every download)."""
    access = current_access()
    clicked = ctx.triggered[0].get("value") if ctx.triggered else None
    trigger = ctx.triggered_id
    if not clicked or not isinstance(trigger, dict):
        return no_update
    packed, data = archive.read(runtime.current().engine, access, trigger.get("id"))
    return dcc.send_bytes(data, filename=packed.file_name, type=exports.MIME[packed.format])
