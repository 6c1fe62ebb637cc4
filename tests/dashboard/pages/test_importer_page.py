"""The admin import page (/beheer/import): upload, check, load, report download, batches; admins only."""
from __future__ import annotations

import base64
import importlib
import re

import pytest
import sqlalchemy as sa

from dashboard.ui.texts import t
from dashboard.web import jobs
from queries.ingest import importer
from queries.store.schema import AuditEntry, ImportBatch, Job, Registration
from tests.import_corpus import EXAMPLES, fake_refresh, registration, registrations, registrations_csv
from tests.factories import headers
from tests.http_client import body_text, callback_body, router_body

pytestmark = pytest.mark.usefixtures("fast_hashes")

OUTPUTS = ["admin-import-job.data", "admin-import-poll.disabled", "admin-import-status.children",
           "admin-import-batches.children", "admin-import-load.disabled", "admin-import-report.disabled"]


@pytest.fixture
def page(app):
    return importlib.import_module("dashboard.pages.admin_import")


@pytest.fixture(autouse=True)
def refreshes(monkeypatch):
    calls = []
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh(calls))
    return calls


def data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def update(client, trigger: str, *, contents=None, filenames=None, job=None, valid_only=None, role="admin"):
    ids = {"upload": ("admin-import-upload", "contents"), "load": ("admin-import-load", "n_clicks"),
           "poll": ("admin-import-poll", "n_intervals")}
    inputs = [("admin-import-upload", "contents", contents), ("admin-import-load", "n_clicks", 1),
              ("admin-import-poll", "n_intervals", 1)]
    order = {"upload": 0, "load": 1, "poll": 2}[trigger]
    inputs = [inputs[order]] + [i for n, i in enumerate(inputs) if n != order]
    body = callback_body("..." + "...".join(OUTPUTS) + "..",
                         [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in OUTPUTS],
                         inputs, [("admin-import-upload", "filename", filenames), ("admin-import-job", "data", job),
                                  ("admin-import-valid-only", "value", valid_only or [])])
    body["output"] = ".." + "...".join(OUTPUTS) + ".."
    body["inputs"] = sorted(body["inputs"], key=lambda i: ["admin-import-upload", "admin-import-load",
                                                           "admin-import-poll"].index(i["id"]))
    body["changedPropIds"] = [f"{ids[trigger][0]}.{ids[trigger][1]}"]
    return client.post("/_dash-update-component", json=body, headers=headers(role))


def wait(page):
    jobs.wait(timeout=60)


def out(response, component: str, prop: str):
    return response.json["response"].get(component, {}).get(prop)


def upload_and_check(client, page, files: dict[str, bytes]):
    response = update(client, "upload", contents=[data_url(d) for d in files.values()], filenames=list(files))
    assert response.status_code == 200, response.data
    job = out(response, "admin-import-job", "data")
    assert out(response, "admin-import-poll", "disabled") is False
    wait(page)
    return job, update(client, "poll", job=job)


def test_admin_uploads_checks_and_loads(store, client, page, refreshes):
    files = {p.name: p.read_bytes() for p in sorted(EXAMPLES.glob("*.csv"))}
    job, checked = upload_and_check(client, page, files)
    text = body_text(checked)
    assert t("admin_import.check_ok", "nl") in text and "aanmeldingen" in text and "registrations.csv" in text
    assert out(checked, "admin-import-load", "disabled") is False
    assert out(checked, "admin-import-poll", "disabled") is True
    with store.connect() as conn:  # the check changed nothing
        assert conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 35
    loading = update(client, "load", job=job)
    assert out(loading, "admin-import-poll", "disabled") is False
    wait(page)
    done = update(client, "poll", job=job)
    text = body_text(done)
    assert t("admin_import.loaded", "nl") in text and "geladen" in text  # the outcome and the batches table
    assert "R2013" not in text  # the page shows counts and file names, never a client's row
    assert len(refreshes) == 1
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 35 + 6
        batch = conn.execute(sa.select(ImportBatch).where(ImportBatch.kind == "registrations")).one()
        audit = conn.execute(sa.select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert (batch.imported_by, batch.status, batch.inserted, batch.filename) == ("t-admin", "loaded", 6,
                                                                                 "registrations.csv")
    assert audit.username == "t-admin" and audit.target.startswith("upload: units.csv")
    with store.connect() as conn:
        kept = conn.execute(sa.select(Job.input_data, Job.input_path).where(Job.id == job["job"])).one()
    assert tuple(kept) == (None, None)  # the uploaded data are gone after the load
    page_view = client.post("/_dash-update-component", json=router_body("/beheer/import"), headers=headers("admin"))
    assert "registrations.csv" in body_text(page_view) and "admin-import-upload" in body_text(page_view)


def test_errors_show_a_report_and_need_an_explicit_choice(store, client, page, refreshes):
    data = registrations_csv(registrations(3) + [registration(4, geslacht="Onzijdig"),
                                                 registration(5, aanmelding_id="=HYPERLINK(\"x\")")])
    job, checked = upload_and_check(client, page, {"aanmeldingen.csv": data})
    text = body_text(checked)
    assert "2 fout(en) in 2 regel(s)" in text and "Onzijdig" in text and "formule-injectie" in text
    assert out(checked, "admin-import-report", "disabled") is False
    body = callback_body("admin-import-download.data", {"id": "admin-import-download", "property": "data"},
                         [("admin-import-report", "n_clicks", 1)], [("admin-import-job", "data", job)])
    report = client.post("/_dash-update-component", json=body, headers=headers("admin"))
    download = report.json["response"]["admin-import-download"]["data"]
    content = base64.b64decode(download["content"]).decode("utf-8-sig")
    assert content.splitlines()[0] == "bestand;regel;kolom;waarde;reden" and len(content.splitlines()) == 3
    assert "'=HYPERLINK" in content and download["filename"].endswith(".csv")
    # Load without choosing the valid rows: refused, nothing happens
    refused = update(client, "load", job=job)
    assert t("admin_import.needs_valid_only", "nl") in body_text(refused)
    assert out(refused, "admin-import-poll", "disabled") is True
    # with the choice: the three valid rows are loaded
    update(client, "load", job=job, valid_only=["valid_only"])
    wait(page)
    done = update(client, "poll", job=job)
    assert "3 afgekeurde" not in body_text(done) and "2 afgekeurde regel(s) zijn overgeslagen" in body_text(done)
    with store.connect() as conn:
        assert conn.execute(sa.select(ImportBatch.status)).scalars().all() == ["partial"]
        assert conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 35 + 3


def test_others_are_refused(client, page):
    for role in ("unit", "programme"):
        response = update(client, "upload", contents=[data_url(b"x")], filenames=["a.csv"], role=role)
        assert response.status_code == 403 and b"Traceback" not in response.data
        view = client.post("/_dash-update-component", json=router_body("/beheer/import"), headers=headers(role))
        assert t("app.forbidden", "nl") in body_text(view) and "admin-import-upload" not in body_text(view)
        assert "/beheer/import" not in body_text(client.get("/_dash-layout", headers=headers(role)))
    assert "/beheer/import" in body_text(client.get("/_dash-layout", headers=headers("admin")))


@pytest.mark.parametrize("contents, filenames", [
    ("LB", "a.csv"), (["data:text/csv;base64,!!!"], ["a.csv"]), ([1], ["a.csv"]), ({"$ne": 1}, None),
    (["data:text/csv;base64,eA=="], ["a.csv", "b.csv"]), (None, None), ("x" * 5000, ["../../etc/passwd"]),
])
def test_forged_uploads_get_a_message(client, page, contents, filenames):
    response = update(client, "upload", contents=contents, filenames=filenames)
    assert response.status_code == 200
    assert t("admin_import.bad_upload", "nl") in body_text(response)
    assert not jobs.held()


def test_a_job_is_only_its_owners(store, client, page):
    job, _ = upload_and_check(client, page, {"a.csv": registrations_csv(registrations(2))})
    for forged in ({"job": "0" * 32}, {"job": "../../etc"}, {"job": job["job"][:-1] + "x"}, "LB", None):
        response = update(client, "poll", job=forged)
        assert t("admin_import.expired", "nl") in body_text(response)
    with store.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job["job"]).values(owner="someone-else"))
    assert t("admin_import.expired", "nl") in body_text(update(client, "load", job=job))


def test_too_large_and_too_many(client, page, monkeypatch):
    monkeypatch.setattr(page, "MAX_UPLOAD_MB", 0)
    response = update(client, "upload", contents=[data_url(b"x" * 4096)], filenames=["a.csv"])
    assert t("admin_import.too_large", "nl").format(mb=0) in body_text(response)
    response = update(client, "upload", contents=[data_url(b"x")] * 13, filenames=["a.csv"] * 13)
    assert t("admin_import.too_many", "nl").format(n=12) in body_text(response)


def test_a_failed_refresh_is_shown(store, client, page, monkeypatch):
    def broken(engine, policy):
        raise RuntimeError("catalogue busy")

    monkeypatch.setattr(importer, "refresh_catalogue", broken)
    job, _ = upload_and_check(client, page, {"a.csv": registrations_csv(registrations(2))})
    update(client, "load", job=job)
    wait(page)
    text = body_text(update(client, "poll", job=job))
    assert t("admin_import.loaded", "nl") in text and t("admin_import.refresh_failed", "nl") in text


def test_a_store_refusal_is_shown_plainly_and_recorded(store, client, page, monkeypatch):
    # Without the duplicate check, two spellings of one month reach the store, which refuses them
    # (already in the check, which writes and rolls back).
    monkeypatch.setattr(importer, "_duplicate_hashes", lambda hashes: set())
    data = b"maand;bezoeken;nieuwe_bezoeken;terugkerende_bezoeken\r\n2013-03;500;400;100\r\nmrt 2013;510;410;100\r\n"
    _, checked = upload_and_check(client, page, {"bezoek.csv": data})
    text = body_text(checked)
    assert t("admin_import.store_error", "nl") in text and "De database weigerde de regels 2-3" in text
    assert not re.search(r"INSERT|\[SQL|IntegrityError|Traceback", text)
    # a load the store refuses: the same plain reason, a batch and an audit record
    job, _ = upload_and_check(client, page, {"bezoek.csv": data.replace(b"mrt 2013", b"apr 2013")})

    def refused(*args, **kwargs):
        raise sa.exc.IntegrityError("INSERT INTO website_visits (month) VALUES (?)", ("2013-03-01",),
                                    Exception("UNIQUE constraint failed: website_visits.month"))

    monkeypatch.setattr(importer, "_upsert", refused)
    update(client, "load", job=job)
    wait(page)
    text = body_text(update(client, "poll", job=job))
    assert t("admin_import.store_error", "nl") in text and "(UNIQUE constraint failed: website_visits.month)" in text
    assert not re.search(r"INSERT|\[SQL|IntegrityError|Traceback", text)
    with store.connect() as conn:
        batch = conn.execute(sa.select(ImportBatch).where(ImportBatch.filename == "bezoek.csv")).one()
        audit = conn.execute(sa.select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert batch.status == "rejected" and (audit.target, audit.status) == ("upload: bezoek.csv", 500)
