"""Import (admins): upload the registration system's export files, check them, load them; past batches.

The flow: uploading files starts a check (a dry run of `queries.ingest.importer.import_files`: every row
validated, nothing changed); its outcome shows what a load would do, the first rejected rows and a
downloadable report of all of them. Load then runs the import for real (one transaction), with
"load only the valid rows" as an explicit choice when there were errors.

Both run as one background job (`dashboard.web.jobs`, the same runner as the steering pack's),
owned by the administrator who uploaded the files; the page polls its progress. The job's uploads,
report and outcome are in the store (`queries.store.jobs`), so any app instance answers the polls,
runs the load and sends the report; the uploaded data are deleted after the load, and the job
after `LOKET_JOB_HOURS`. One administrator has at most one import waiting or running.
Every callback checks the caller's role on the server (AccessDenied: 403). The page says when a
refresh of the published catalogue is due (`refresh_notice`: an import's rows are loaded but not
yet published, after a failed refresh or a crash); the audit log page shows the same notice.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import io
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import delivery
from dashboard.web import jobs, runtime
from dashboard.web.auth import current_access
from dashboard.ui.components import message
from dashboard.ui.texts import current_language, fmt_number, t
from queries.ingest import importer
from queries.catalogue import refresh_due
from queries.accounts.access import Access, AccessDenied
from queries.store import jobs as store_jobs

dash.register_page(__name__, path="/beheer/import", name="Importeren", text_key="page.admin_import", order=91,
                   roles=("admin",))

ID_UPLOAD = "admin-import-upload"
ID_VALID_ONLY = "admin-import-valid-only"
ID_LOAD = "admin-import-load"
ID_REPORT = "admin-import-report"
ID_DOWNLOAD = "admin-import-download"
ID_JOB = "admin-import-job"
ID_POLL = "admin-import-poll"
ID_STATUS = "admin-import-status"
ID_BATCHES = "admin-import-batches"

MAX_UPLOAD_MB = 50
MAX_FILES = 12
SHOWN_ERRORS = 100
IMPORTS_PER_USER = 1  # imports run one at a time anyway (the importer holds the store's lock)
LOCAL = ZoneInfo("Europe/Amsterdam")


def _require_admin() -> Access:
    access = current_access()
    if access.role != "admin":
        raise AccessDenied(f"{access.user or 'anonymous'} may not import data")
    return access


# --- uploads and the background job --------------------------------------------------------------

def _decode_uploads(contents, filenames) -> list[tuple[str, bytes]] | str:
    """Return (name, bytes) per uploaded file, or the text key of what is wrong with the upload."""
    if isinstance(contents, str):
        contents = [contents]
    if isinstance(filenames, str):
        filenames = [filenames]
    if (not isinstance(contents, list) or not isinstance(filenames, list) or not contents
            or len(contents) != len(filenames)
            or not all(isinstance(c, str) for c in contents) or not all(isinstance(f, str) for f in filenames)):
        return "admin_import.bad_upload"
    if len(contents) > MAX_FILES:
        return "admin_import.too_many"
    if sum(len(c) for c in contents) * 3 // 4 > MAX_UPLOAD_MB * 2**20 + 1024:
        return "admin_import.too_large"
    files = []
    for content, name in zip(contents, filenames):
        header, sep, data = content.partition(",")
        if not sep or not header.startswith("data:") or not header.endswith(";base64"):
            return "admin_import.bad_upload"
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return "admin_import.bad_upload"
        clean = re.sub(r"[\x00-\x1f\x7f/\\]", "_", os.path.basename(name.replace("\\", "/")))[:200] or "upload"
        files.append((clean, raw))
    return files


def _packed(files: list[tuple[str, bytes]]) -> tuple[bytes, list[dict]]:
    """Pack the uploads into one ZIP for the store; return it and the files' names and places in it."""
    listed, out = [], io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, raw) in enumerate(files):
            path = f"upload-{i}{Path(name).suffix.lower()[:6]}"
            zf.writestr(path, raw)
            listed.append({"name": name, "path": path})
    return out.getvalue(), listed


def _submit(job_id: str, detail: dict, *, access: Access, lang: str) -> None:
    rt = runtime.current()
    work = functools.partial(_job, job_id, detail, rt.engine, rt.policy, access, lang, rt.config)
    jobs.submit(rt.engine, "import", job_id, work, failed="admin_import.failed")


def _job(job_id: str, detail: dict, engine, policy, access: Access, lang: str, config) -> None:
    """Check or load the job's uploads (run by `dashboard.web.jobs`, which fails the job on an error); a load
    that published a release starts its delivery to the subscribers."""
    phase, valid_only = detail["phase"], detail["valid_only"]
    packed = store_jobs.job_input(engine, job_id)
    if packed is None:
        raise FileNotFoundError("the job's uploads are gone")
    label = t("admin_import.checking" if phase == "check" else "admin_import.loading", lang)
    last = [0.0]

    def progress(p: importer.Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3:
            return
        last[0] = now
        text = t("admin_import.progress", lang).format(phase=label, file=p.file, number=p.file_number,
                                                       files=p.files, rows=fmt_number(p.rows, lang))
        store_jobs.progress(engine, job_id, phase, round(1000 * p.overall), 1000, text)

    shown: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="loket-import-") as work:  # private to this user (mode 0700)
        with zipfile.ZipFile(io.BytesIO(packed)) as zf:
            zf.extractall(work, members=[f["path"] for f in detail["files"]])
        sources = [importer.Source(Path(work) / f["path"], f["name"]) for f in detail["files"]]
        report_path = Path(work) / "report.csv"
        with open(report_path, "w", encoding="utf-8", newline="") as report:
            writer = importer.ReportWriter(report, lang)

            def on_error(error: importer.RowError) -> None:
                writer(error)
                if len(shown) < SHOWN_ERRORS:
                    shown.append({"file": error.file, "line": error.line, "column": error.column,
                                  "value": error.value[:100], "reason": error.reason(lang)})

            # A load records itself in the audit log ("upload: <files>"), also when it is rejected or the
            # store refuses it; a check (a dry run) is not an import and is not recorded.
            result = importer.import_files(engine, sources, user=access.user, policy=policy, valid_only=valid_only,
                                           dry_run=(phase == "check"), on_error=on_error, progress=progress,
                                           audit=access, via="upload")
        store_jobs.finish(engine, job_id, detail={**detail, "summary": importer.result_summary(result), "errors": shown},
                          name=f"loket-import-fouten-{dt.date.today():%Y%m%d}.csv", mime="text/csv",
                          data=report_path.read_bytes(), folder=jobs.folder(config),
                          drop_input=phase == "load")  # the data are in the store now (or were refused)
    if result.refreshed:
        delivery.start_after_refresh(config, engine, access)


# --- rendering ---------------------------------------------------------------------------------------

def _status_label(status: str, lang: str) -> str:
    try:
        return t(f"admin_import.status.{status}", lang)
    except KeyError:
        return status or "-"


def _kind_label(kind: str | None, lang: str) -> str:
    try:
        return t(f"admin_import.kind.{kind}", lang)
    except KeyError:
        return kind or "-"


def _table(headings: list[str], rows: list[list], caption: str, lang: str, numeric: set[int] = frozenset(),
           nowrap: set[int] = frozenset()) -> html.Div:
    def cls(i: int) -> str | None:
        return " ".join(c for c in ("text" if i not in numeric else "", "nowrap" if i in nowrap else "") if c) or None

    header = html.Tr([html.Th(t(h, lang), scope="col", className=cls(i)) for i, h in enumerate(headings)])
    body = [html.Tr([html.Td(v, className=cls(i)) for i, v in enumerate(row)]) for row in rows]
    table = html.Table([html.Caption(caption), html.Thead(header), html.Tbody(body)],
                       className="data-table import-table")
    return html.Div(table, className="import-table-wrap")


def _files_table(summary: dict, lang: str, dry_run: bool) -> html.Div:
    rows = []
    for f in summary["files"]:
        status = "" if dry_run else _status_label(f["status"], lang)
        if f.get("seen_before"):
            note = t("admin_import.seen_before", lang).format(ids=", ".join(map(str, f["seen_before"])))
            status = f"{status} ({note})" if status else note
        rows.append([f["name"], _kind_label(f["kind"], lang), fmt_number(f["rows"], lang),
                     fmt_number(f["rejected"], lang), fmt_number(f["inserted"], lang),
                     fmt_number(f["updated"], lang), fmt_number(f["unchanged"], lang), status])
    return _table(["admin_import.file", "admin_import.kind", "admin_import.rows", "admin_import.rejected",
                   "admin_import.inserted", "admin_import.updated", "admin_import.unchanged", "admin_import.status"],
                  rows, t("admin_import.files_caption", lang), lang, numeric={2, 3, 4, 5, 6})


def _errors_table(errors: list[dict], lang: str) -> html.Div:
    rows = [[e["file"], str(e["line"] or ""), e["column"], e["value"], e["reason"]] for e in errors]
    return _table(["admin_import.file", "admin_import.line", "admin_import.column", "admin_import.value",
                   "admin_import.reason"], rows,
                  t("admin_import.errors_caption", lang).format(n=SHOWN_ERRORS), lang, numeric={1})


def _outcome(status: dict, lang: str) -> tuple[list, bool, bool]:
    """Return (what to show, load button disabled, report button disabled) for a finished job."""
    summary, errors = status.get("summary") or {}, status.get("errors") or []
    dry_run = status.get("phase") == "check"
    n_errors = summary.get("errors", 0)
    rejected = sum(f["rejected"] for f in summary.get("files", []))
    valid = sum(f["rows"] - f["rejected"] for f in summary.get("files", []))
    fmt = {"errors": fmt_number(n_errors, lang), "rows": fmt_number(rejected, lang)}
    if dry_run:
        text = t("admin_import.check_errors" if n_errors else "admin_import.check_ok", lang).format(**fmt)
        if summary.get("store_error"):
            text = t("admin_import.store_error", lang)
        notes = [message(text, "error" if n_errors else "info"), html.P(t("admin_import.check_note", lang))]
        load_disabled = valid == 0
    else:
        if summary.get("store_error"):
            text, kind = t("admin_import.store_error", lang), "error"
        elif not summary.get("committed"):
            text, kind = t("admin_import.not_loaded", lang).format(**fmt), "error"
        elif rejected or n_errors:
            text, kind = t("admin_import.loaded_partly", lang).format(**fmt), "info"
        elif sum(f["inserted"] + f["updated"] for f in summary.get("files", [])) == 0:
            text, kind = t("admin_import.nothing_new", lang), "info"
        else:
            text, kind = t("admin_import.loaded", lang), "info"
        notes = [message(text, kind)]
        if summary.get("refresh_error"):
            notes.append(message(t("admin_import.refresh_failed", lang), "error"))
        elif summary.get("refresh_was_due") and summary.get("refreshed"):
            notes.append(message(t("admin_import.due_done", lang)))
        load_disabled = True
    parts = [*notes, _files_table(summary, lang, dry_run)]
    if errors:
        parts.append(_errors_table(errors, lang))
    return parts, load_disabled, n_errors == 0


def _running(job: store_jobs.JobView | None, lang: str) -> list:
    percent = int(round(100 * job.done / job.total)) if job is not None and job.total else 0
    text = job.message if job is not None and job.message else t("admin_import.waiting", lang)
    return [html.P(text, role="status"), html.Progress(value=str(percent), max="100", title=f"{percent}%")]


def _when(moment: dt.datetime, lang: str) -> str:
    local = moment.replace(tzinfo=dt.UTC).astimezone(LOCAL)
    return local.strftime("%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M")


def _due_notice(due: refresh_due.Due | None, lang: str) -> html.Div | None:
    if due is None:
        return None
    text = t("admin_import.refresh_due", lang).format(
        batches=", ".join(map(str, due.batches)) or "-", files=", ".join(due.files) or "-", when=_when(due.since, lang))
    return message(text, "error")


def refresh_notice(lang: str) -> html.Div | None:
    """Say that loaded rows wait to be published (a refresh is due), or nothing when none do."""
    return _due_notice(refresh_due.due(runtime.current().engine), lang)


def batches_table(lang: str) -> html.Div:
    """The newest import batches: who loaded which file when, with what result (and what is not yet published)."""
    engine = runtime.current().engine
    due = refresh_due.due(engine)
    waiting = set(due.batches) if due else set()
    batches = importer.recent_batches(engine, 30)
    if not batches:
        return html.Div([_due_notice(due, lang), message(t("admin_import.no_batches", lang))])
    rows = []
    for b in batches:
        status = _status_label(b["status"], lang)
        if b["id"] in waiting:
            status = f"{status} ({t('admin_import.not_published', lang)})"
        rows.append([str(b["id"]), _when(b["started_at"], lang),
                     b["imported_by"], _kind_label(b["kind"], lang), b["filename"], b["file_hash"][:10],
                     fmt_number(b["inserted"], lang), fmt_number(b["updated"], lang),
                     fmt_number(b["unchanged"], lang), fmt_number(b["rejected"], lang), status])
    table = _table(["admin_import.batch", "admin_import.when", "admin_import.who", "admin_import.kind",
                    "admin_import.file", "admin_import.hash", "admin_import.inserted", "admin_import.updated",
                    "admin_import.unchanged", "admin_import.rejected", "admin_import.status"],
                   rows, t("admin_import.batches", lang), lang, numeric={0, 6, 7, 8, 9}, nowrap={1})
    return html.Div([_due_notice(due, lang), table])


# --- layout and callbacks -----------------------------------------------------------------------------

def layout(**_ignored):
    """Lay out the import page for an administrator (anyone else gets a refusal message)."""
    lang = current_language()
    if current_access().role != "admin":
        return message(t("app.forbidden", lang), "error")
    return html.Div(
        [
            html.H2(t("page.admin_import", lang)),
            html.P(t("admin_import.intro", lang)),
            dcc.Upload(
                id=ID_UPLOAD, multiple=True, max_size=MAX_UPLOAD_MB * 2**20,
                accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                children=html.Div(t("admin_import.upload", lang).format(mb=MAX_UPLOAD_MB)), className="upload",
                style={"border": "2px dashed #8a9bb0", "borderRadius": "6px", "padding": "1.5rem",
                       "textAlign": "center", "cursor": "pointer", "margin": "1rem 0"},
            ),
            html.Div(
                [
                    dcc.Checklist(id=ID_VALID_ONLY, value=[],
                                  options=[{"label": t("admin_import.valid_only", lang), "value": "valid_only"}]),
                    html.Button(t("admin_import.load", lang), id=ID_LOAD, n_clicks=0, className="button", disabled=True),
                    html.Button(t("admin_import.report", lang), id=ID_REPORT, n_clicks=0, className="button",
                                disabled=True),
                    dcc.Download(id=ID_DOWNLOAD),
                ],
                className="controls",
            ),
            dcc.Store(id=ID_JOB, storage_type="memory"),
            dcc.Interval(id=ID_POLL, interval=1000, disabled=True),
            html.Div(id=ID_STATUS, **{"aria-live": "polite"}),
            html.Div(batches_table(lang), id=ID_BATCHES),
        ]
    )


@callback(
    Output(ID_JOB, "data"), Output(ID_POLL, "disabled"), Output(ID_STATUS, "children"), Output(ID_BATCHES, "children"),
    Output(ID_LOAD, "disabled"), Output(ID_REPORT, "disabled"),
    Input(ID_UPLOAD, "contents"), Input(ID_LOAD, "n_clicks"), Input(ID_POLL, "n_intervals"),
    State(ID_UPLOAD, "filename"), State(ID_JOB, "data"), State(ID_VALID_ONLY, "value"),
    prevent_initial_call=True,
)
def update(contents, _load_clicks, _ticks, filenames, job, valid_only):
    """Start a check on upload, a load on the button, and show a running job's progress."""
    access = _require_admin()
    lang = current_language()
    trigger = ctx.triggered_id
    rt = runtime.current()
    if trigger == ID_UPLOAD:
        files = _decode_uploads(contents, filenames)
        if isinstance(files, str):
            return None, True, message(t(files, lang).format(mb=MAX_UPLOAD_MB, n=MAX_FILES), "error"), no_update, True, True
        store_jobs.expire(rt.engine, rt.config.JOB_HOURS)
        packed, listed = _packed(files)
        detail = {"phase": "check", "valid_only": False, "files": listed}
        job_id = store_jobs.create(rt.engine, "import", access, IMPORTS_PER_USER, detail=detail, data=packed,
                                   folder=jobs.folder(rt.config))
        if job_id is None:
            return no_update, no_update, message(t("admin_import.busy", lang), "error"), no_update, True, True
        _submit(job_id, detail, access=access, lang=lang)
        return {"job": job_id}, False, _running(None, lang), no_update, True, True
    job_id = job.get("job") if isinstance(job, dict) else None
    view = store_jobs.read(rt.engine, job_id, access)  # the caller's own job only, from any instance
    if view is not None and view.kind != "import":
        view = None
    if trigger == ID_LOAD:
        status = view.detail if view is not None and view.state == "done" else {}
        if status.get("phase") != "check":
            return no_update, True, message(t("admin_import.expired", lang), "error"), no_update, True, no_update
        chosen = isinstance(valid_only, list) and "valid_only" in valid_only
        if (status.get("summary") or {}).get("errors") and not chosen:
            parts, _, report_disabled = _outcome(status, lang)
            return no_update, True, [message(t("admin_import.needs_valid_only", lang), "error"), *parts], \
                no_update, False, report_disabled
        detail = {"phase": "load", "valid_only": chosen, "files": status["files"]}
        if not store_jobs.restart(rt.engine, job_id, access, IMPORTS_PER_USER, detail):
            return no_update, True, message(t("admin_import.busy", lang), "error"), no_update, True, no_update
        _submit(job_id, detail, access=access, lang=lang)
        return no_update, False, _running(None, lang), no_update, True, True
    if trigger == ID_POLL:
        if view is None:
            return no_update, True, message(t("admin_import.expired", lang), "error"), no_update, True, True
        if view.state in store_jobs.ACTIVE:
            return no_update, False, _running(view, lang), no_update, True, True
        if view.state == "failed":
            return no_update, True, message(t("admin_import.failed", lang), "error"), batches_table(lang), True, True
        parts, load_disabled, report_disabled = _outcome(view.detail, lang)
        batches = batches_table(lang) if view.detail.get("phase") == "load" else no_update
        return no_update, True, parts, batches, load_disabled, report_disabled
    return no_update, no_update, no_update, no_update, no_update, no_update


@callback(Output(ID_DOWNLOAD, "data"), Input(ID_REPORT, "n_clicks"), State(ID_JOB, "data"), prevent_initial_call=True)
def download(_clicks, job):
    """Send the report of every rejected row of the caller's job (recorded centrally, like every download)."""
    access = _require_admin()
    job_id = job.get("job") if isinstance(job, dict) else None
    sent = store_jobs.result(runtime.current().engine, job_id, access)  # the caller's own job only
    if sent is None:
        return no_update
    name, mime, data = sent
    return dcc.send_bytes(data, filename=name, type=mime)
