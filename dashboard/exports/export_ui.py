"""Export buttons and their callbacks: per chart PNG, SVG, CSV and XLSX; the steering pack from any page.

**Per chart** (`chart_buttons`, placed under every chart by `components.figure_card` and
`components.kpi_tile`): the callback lays the page out again for the caller, from the page's URL
(`dashboard.exports`), finds the chart by its card id and sends the file. Nothing the browser
sends besides the card id, the format and the page's own URL is used, and the URL's unit counts
only for callers who see every unit (`controls.view_from`). A single chart takes well under a
second once the image browser runs.

**The steering pack** (`pack_panel`, put into the shell on every page by `with_pack_panel`) takes
10-30 seconds, so it runs in a background thread of the serving process and the page polls its
progress with a `dcc.Interval` (the same pattern as the import page): the request that starts it
returns at once, and no callback waits for it. A job's state and file live in a private folder
(`JOB_ROOT/<token>`, readable by its owner only), so any worker of the same host can answer the
polls; only the user (and role and unit) that started a job may poll it, and its folder is
deleted once the file has been sent, or after an hour. At most `MAX_RUNNING` packs are drawn at
once per process; more wait for a free slot. One user may have at most `LOKET_PACKS_PER_USER`
packs waiting or running at once (counted over the host's workers); another click says so.

Every export is recorded in the audit log as `export` with its file name and scope (besides the
central `download` record of what the browser received).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

import flask
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import exports
from dashboard.web import jobs, runtime
from dashboard.web.auth import current_access
from dashboard.ui.texts import current_language, t
from queries.accounts import audit_log
from queries import store
from queries.accounts.access import Access, AccessDenied

log = logging.getLogger(__name__)

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

JOB_ROOT = Path(tempfile.gettempdir()) / "loket-exports"
JOB_SECONDS = 3600
STALE_SECONDS = 600  # a running job whose status has not moved for this long died with its worker
MAX_RUNNING = 2
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_THREADS: dict[str, threading.Thread] = {}  # token -> the running job (tests join them)
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING)


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

def _job_root() -> Path:
    return jobs.private_root(JOB_ROOT)


def _owner(access: Access) -> dict:
    return {"owner": access.user, "role": access.role, "unit": access.unit}


def _job_dir(job, access: Access) -> Path | None:
    """Return the folder of the caller's own job named in the page's store, else None."""
    token = job.get("job") if isinstance(job, dict) else None
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = _job_root() / token
    meta = jobs.read_json(folder / "meta.json")
    if meta is None or {k: meta.get(k) for k in ("owner", "role", "unit")} != _owner(access):
        return None
    return folder


def _purge_old_jobs() -> None:
    cutoff = time.time() - JOB_SECONDS
    for folder in _job_root().iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff and folder.name not in _THREADS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


STEPS = {"collect": (0, 10), "render": (10, 85), "write": (95, 5)}  # (start, share) of the whole, in percent


def _active_packs(user: str) -> int:
    """Count a user's packs that are waiting or running, in any worker of this host."""
    active = 0
    for folder in _job_root().iterdir():
        meta = jobs.read_json(folder / "meta.json") if folder.is_dir() else None
        status = jobs.read_json(folder / "status.json") if meta and meta.get("owner") == user else None
        if status is None or status.get("state") not in ("waiting", "running"):
            continue
        try:
            fresh = time.time() - (folder / "status.json").stat().st_mtime <= STALE_SECONDS
        except OSError:
            continue
        active += fresh or folder.name in _THREADS
    return active


def _run(folder: Path, server: flask.Flask, engine, access: Access, query: dict, lang: str, fmt: str,
         demo: bool, store_seconds: float | None = None) -> None:
    with store.time_limited(store_seconds):  # a store that does not answer fails the pack, it does not hang it
        _draw(folder, server, engine, access, query, lang, fmt, demo)


def _draw(folder: Path, server: flask.Flask, engine, access: Access, query: dict, lang: str, fmt: str,
          demo: bool) -> None:
    status = folder / "status.json"
    last = [0.0]

    def progress(step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.25 and done < total:
            return
        last[0] = now
        start, share = STEPS.get(step, (0, 0))
        percent = start + share * done / max(1, total)
        jobs.write_json(status, {"state": "running", "step": step, "done": done, "total": total,
                             "percent": round(percent, 1)})

    try:
        with _SLOTS:
            progress("collect", 0, 1)
            result = exports.build_pack(server, access, query, lang, fmt, demo=demo, progress=progress)
            if result is None:
                jobs.write_json(status, {"state": "failed", "reason": "app.no_catalogue"})
                return
            name, data, pack = result
            (folder / "pack.bin").write_bytes(data)
            os.chmod(folder / "pack.bin", 0o600)
            audit_log.record(engine, access, "export", name, pack.meta.scope_code(), status=200)
            jobs.write_json(status, {"state": "done", "name": name, "size": len(data), "fmt": fmt, "percent": 100})
    except Exception:  # noqa: BLE001 - the store, the browser or the disk failed: say so on the page
        log.exception("steering pack failed")
        jobs.write_json(status, {"state": "failed", "reason": "pack.failed"})
    finally:
        _THREADS.pop(folder.name, None)


def start_pack(access: Access, query: dict, lang: str, fmt: str) -> str | None:
    """Start a steering pack for the caller in a background thread; return the job's token, or None
    when the caller already has `PACKS_PER_USER` packs waiting or running."""
    rt = runtime.current()
    _purge_old_jobs()
    with jobs.locked(_job_root()):  # two clicks in two workers count one after the other
        if _active_packs(access.user) >= rt.config.PACKS_PER_USER:
            return None
        token = secrets.token_hex(16)
        folder = _job_root() / token
        folder.mkdir(mode=0o700)
        jobs.write_json(folder / "meta.json", {**_owner(access), "fmt": fmt, "lang": lang,
                                           "created": dt.datetime.now(dt.UTC).isoformat()})
        jobs.write_json(folder / "status.json", {"state": "waiting", "percent": 0})
    server = flask.current_app._get_current_object()  # noqa: SLF001 - the app, for the thread
    thread = threading.Thread(target=_run, name=f"loket-pack-{token[:8]}", daemon=True,
                              args=(folder, server, rt.engine, access, query, lang, fmt, rt.config.DEMO_MODE,
                                    rt.config.STORE_STATEMENT_SECONDS or None))
    _THREADS[token] = thread
    thread.start()
    return token


def _progress(status: dict, lang: str) -> list:
    percent = int(round(float(status.get("percent") or 0)))
    step = status.get("step")
    if status.get("state") == "waiting" or step not in STEPS:
        text = t("pack.waiting", lang)
    else:
        text = t("pack.progress", lang).format(step=t(f"pack.step.{step}", lang), done=status.get("done", 0),
                                               total=status.get("total", 0))
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
        token = start_pack(access, exports.query_of(search), lang, fmt)
        if token is None:
            limit = runtime.current().config.PACKS_PER_USER
            return no_update, no_update, exports_message_text(t("pack.too_many", lang).format(n=limit)), no_update, False
        return {"job": token}, False, _progress({"state": "waiting"}, lang), no_update, True
    if ctx.triggered_id != ID_POLL:
        raise PreventUpdate
    folder = _job_dir(job, access)
    status = jobs.read_json(folder / "status.json") if folder else None
    if status is None:
        return None, True, exports_message("pack.expired", lang), no_update, False
    state = status.get("state")
    if state in ("waiting", "running"):
        stale = time.time() - (folder / "status.json").stat().st_mtime > STALE_SECONDS
        if not stale or folder.name in _THREADS:
            return no_update, False, _progress(status, lang), no_update, True
        state, status = "failed", {"reason": "pack.failed"}
    if state == "done":
        try:
            data = (folder / "pack.bin").read_bytes()
        except OSError:
            return None, True, exports_message("pack.expired", lang), no_update, False
        shutil.rmtree(folder, ignore_errors=True)
        name = status["name"]
        text = t("pack.ready", lang).format(name=name, size=exports.size_text(len(data)))
        return None, True, html.P(text, role="status"), dcc.send_bytes(data, filename=name,
                                                                        type=exports.MIME[status.get("fmt", "pptx")]), False
    shutil.rmtree(folder, ignore_errors=True)
    reason = status.get("reason") if status.get("reason") in ("app.no_catalogue", "pack.failed") else "pack.failed"
    return None, True, exports_message(reason, lang), no_update, False


def exports_message(key: str, lang: str) -> html.Div:
    return exports_message_text(t(key, lang))


def exports_message_text(text: str) -> html.Div:
    from dashboard.ui.components import message

    return message(text, "error")
