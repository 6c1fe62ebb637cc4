"""Export buttons and their callbacks: per chart PNG, SVG, CSV and XLSX; the steering pack from any page.

**Per chart** (`chart_buttons`, placed under every chart by `components.figure_card` and
`components.kpi_tile`): the callback lays the page out again for the caller, from the page's URL
(`dashboard.exports`), finds the chart by its card id and sends the file. Nothing the browser
sends besides the card id, the format and the page's own URL is used, and the URL's unit counts
only for callers who see every unit (`controls.view_from`). A single chart takes well under a
second once the image browser runs.

**The steering pack** (`pack_panel`, put into the shell on every page by `with_pack_panel`) takes
10-30 seconds, so it runs as a background job (`dashboard.web.jobs`, the same runner as the import
page's) and the page polls its progress with a `dcc.Interval`: the request that starts it returns
at once, and no callback waits for it. The job's state and file are in the store
(`queries.store.jobs`), so any app instance answers the polls and sends the file; only the user
(and role and unit) that started a job may poll it, and it is deleted once the file has been sent,
or after `LOKET_JOB_HOURS`. One user may have at most `LOKET_PACKS_PER_USER` packs waiting or
running at once (over every instance); another click says so.

Every export is recorded in the audit log as `export` with its file name and scope (besides the
central `download` record of what the browser received).
"""
from __future__ import annotations

import functools
import time
from pathlib import Path

import flask
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import exports
from dashboard.web import jobs, runtime
from dashboard.web.auth import current_access
from dashboard.ui.components import message
from dashboard.ui.texts import current_language, t
from queries.accounts import audit_log
from queries import store
from queries.accounts.access import Access, AccessDenied
from queries.store import jobs as store_jobs

LOCATION = "shell-url"  # dashboard.ui.layout.ID_URL: the shell's location (the page's path and query)
CHART_BUTTON = "chart-export"
CHART_DOWNLOAD = "chart-export-download"
ID_PANEL = "pack-panel"
ID_FORMAT = "pack-format"
ID_START = "pack-start"
ID_STATUS = "pack-status"
ID_POLL = "pack-poll"
ID_JOB = "pack-job"
ID_DOWNLOAD = "pack-download"

STEPS = {"collect": (0, 10), "render": (10, 85), "write": (95, 5)}  # (start, share) of the whole, in percent
FAILURES = ("app.no_catalogue", "pack.failed")  # the reasons a failed pack may show


# --- components ---------------------------------------------------------------------------------------

def chart_buttons(card_id: str, lang: str) -> html.Div:
    """Return the export buttons of one chart (PNG, SVG, CSV, XLSX) with their download."""
    buttons = [
        html.Button(fmt.upper(), id={"type": CHART_BUTTON, "card": card_id, "format": fmt}, n_clicks=0,
                    className="button button-small export-button", type="button",
                    title=f"{fmt.upper()}: {t(f'export.{fmt}', lang)}",
                    **{"aria-label": f"{fmt.upper()}: {t(f'export.{fmt}', lang)}"})
        for fmt in exports.CHART_FORMATS
    ]
    return html.Div([html.Span(f"{t('export.group', lang)}:", className="export-label"), *buttons,
                     dcc.Download(id={"type": CHART_DOWNLOAD, "card": card_id})],
                    className="export-buttons", role="group", **{"aria-label": t("export.group", lang)})


def pack_panel(lang: str) -> html.Details:
    """Return the steering pack panel: format, button, progress and the download."""
    return html.Details(
        [
            html.Summary(t("pack.heading", lang)),
            html.P(t("pack.intro", lang)),
            html.Div([
                dcc.RadioItems(id=ID_FORMAT, value="pptx", inline=True, className="pack-format",
                               options=[{"label": t(f"pack.{f}", lang), "value": f} for f in exports.PACK_FORMATS]),
                html.Button(t("pack.start", lang), id=ID_START, n_clicks=0, className="button", type="button"),
            ], className="controls", role="group", **{"aria-label": t("pack.format", lang)}),
            html.Div(id=ID_STATUS, **{"aria-live": "polite"}),
            dcc.Interval(id=ID_POLL, interval=1000, disabled=True),
            dcc.Store(id=ID_JOB, storage_type="memory"),
            dcc.Download(id=ID_DOWNLOAD),
        ],
        id=ID_PANEL, className="pack-panel",
    )


def with_pack_panel(shell):
    """Wrap the shell so that every page has the steering pack panel (above the page's content)."""

    def layout():
        tree = shell()
        children = list(tree.children) if isinstance(tree.children, (list, tuple)) else [tree.children]
        panel = pack_panel(current_language())
        at = next((i for i, c in enumerate(children) if isinstance(c, html.Main)), len(children))
        children.insert(at, html.Div(panel, className="pack-bar"))
        tree.children = children
        return tree

    layout.__name__ = getattr(shell, "__name__", "shell")
    layout.__doc__ = shell.__doc__
    return layout


# --- one chart --------------------------------------------------------------------------------------------

def _clicked(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _caller() -> Access:
    access = current_access()
    if access.role is None:
        raise AccessDenied("no role")
    return access


@callback(
    Output({"type": CHART_DOWNLOAD, "card": MATCH}, "data"),
    *(Input({"type": CHART_BUTTON, "card": MATCH, "format": fmt}, "n_clicks") for fmt in exports.CHART_FORMATS),
    State(LOCATION, "pathname"), State(LOCATION, "search"),
    prevent_initial_call=True,
)
def export_chart(*args):
    """Send one chart of the page as PNG, SVG, CSV or XLSX, laid out anew for the caller."""
    *clicks, pathname, search = args
    access = _caller()
    trigger = ctx.triggered_id
    fmt = trigger.get("format") if isinstance(trigger, dict) else None
    if fmt not in exports.CHART_FORMATS or not _clicked(clicks[exports.CHART_FORMATS.index(fmt)]):
        raise PreventUpdate
    page = exports.page_for_path(pathname)
    if page is None:
        raise PreventUpdate
    rt, lang = runtime.current(), current_language()
    view = exports.view_for(rt.engine, access, exports.query_of(search))
    if view is None:
        raise PreventUpdate
    chart = exports.find_chart(page, view, lang, trigger.get("card"))
    if chart is None:
        raise PreventUpdate
    meta = exports.meta_for(rt.engine, view, lang, rt.config.DEMO_MODE, rt.policy)
    name, data = exports.chart_file(chart, meta, fmt)
    audit_log.record(rt.engine, access, "export", name, meta.scope_code(), status=200)
    return dcc.send_bytes(data, filename=name, type=exports.MIME[fmt])


# --- the steering pack: a background job ---------------------------------------------------------------------

def _draw(job_id: str, server: flask.Flask, engine, access: Access, query: dict, lang: str, fmt: str, demo: bool,
          folder: Path | None, store_seconds: float | None) -> None:
    """Build the pack and keep it in the store (run by `dashboard.web.jobs`, which fails the job on an error)."""
    last = [0.0]

    def progress(step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.25 and done < total:
            return
        last[0] = now
        store_jobs.progress(engine, job_id, step, done, total)

    with store.time_limited(store_seconds):  # a store that does not answer fails the pack, it does not hang it
        progress("collect", 0, 1)
        result = exports.build_pack(server, access, query, lang, fmt, demo=demo, progress=progress)
    # Outside the limit: on SQLite the result waits for an import's write lock rather than being lost.
    if result is None:
        store_jobs.fail(engine, job_id, "app.no_catalogue")
        return
    name, data, pack = result
    store_jobs.finish(engine, job_id, name=name, mime=exports.MIME[fmt], data=data, folder=folder)
    audit_log.record(engine, access, "export", name, pack.meta.scope_code(), status=200)


def start_pack(access: Access, query: dict, lang: str, fmt: str) -> str | None:
    """Start a steering pack for the caller in the background; return the job's id, or None
    when the caller already has `PACKS_PER_USER` packs waiting or running."""
    rt = runtime.current()
    store_jobs.expire(rt.engine, rt.config.JOB_HOURS)
    job_id = store_jobs.create(rt.engine, "pack", access, rt.config.PACKS_PER_USER, detail={"fmt": fmt})
    if job_id is None:
        return None
    server = flask.current_app._get_current_object()  # noqa: SLF001 - the app, for the thread
    work = functools.partial(_draw, job_id, server, rt.engine, access, query, lang, fmt, rt.config.DEMO_MODE,
                             jobs.folder(rt.config), rt.config.STORE_STATEMENT_SECONDS or None)
    jobs.submit(rt.engine, "pack", job_id, work, failed="pack.failed")
    return job_id


def _progress(job: store_jobs.JobView | None, lang: str) -> list:
    if job is None or job.state == "waiting" or job.step not in STEPS:
        text, percent = t("pack.waiting", lang), 0
    else:
        start, share = STEPS[job.step]
        percent = int(round(start + share * job.done / max(1, job.total)))
        text = t("pack.progress", lang).format(step=t(f"pack.step.{job.step}", lang), done=job.done, total=job.total)
    return [html.P(text, role="status"), html.Progress(value=str(percent), max="100", title=f"{percent}%")]


@callback(
    Output(ID_JOB, "data"), Output(ID_POLL, "disabled"), Output(ID_STATUS, "children"), Output(ID_DOWNLOAD, "data"),
    Output(ID_START, "disabled"),
    Input(ID_START, "n_clicks"), Input(ID_POLL, "n_intervals"),
    State(ID_FORMAT, "value"), State(LOCATION, "search"), State(ID_JOB, "data"),
    prevent_initial_call=True,
)
def steering_pack(clicks, _ticks, fmt, search, job):
    """Start a steering pack on the button; while it runs, show its progress; when done, send it."""
    access = _caller()
    lang = current_language()
    if ctx.triggered_id == ID_START:
        if not _clicked(clicks) or fmt not in exports.PACK_FORMATS:
            raise PreventUpdate
        job_id = start_pack(access, exports.query_of(search), lang, fmt)
        if job_id is None:
            limit = runtime.current().config.PACKS_PER_USER
            return no_update, no_update, message(t("pack.too_many", lang).format(n=limit), "error"), no_update, False
        return {"job": job_id}, False, _progress(None, lang), no_update, True
    if ctx.triggered_id != ID_POLL:
        raise PreventUpdate
    engine = runtime.current().engine
    job_id = job.get("job") if isinstance(job, dict) else None
    view = store_jobs.read(engine, job_id, access)  # the caller's own job only, from any instance
    if view is None or view.kind != "pack":
        return None, True, message(t("pack.expired", lang), "error"), no_update, False
    if view.state in store_jobs.ACTIVE:
        return no_update, False, _progress(view, lang), no_update, True
    sent = store_jobs.result(engine, job_id, access) if view.state == "done" else None
    store_jobs.remove(engine, job_id, access)  # a pack is sent once, or its failure said once
    if view.state == "done":
        if sent is None:
            return None, True, message(t("pack.expired", lang), "error"), no_update, False
        name, mime, data = sent
        text = t("pack.ready", lang).format(name=name, size=exports.size_text(len(data)))
        return None, True, html.P(text, role="status"), dcc.send_bytes(data, filename=name, type=mime), False
    reason = view.message if view.message in FAILURES else "pack.failed"
    return None, True, message(t(reason, lang), "error"), no_update, False
