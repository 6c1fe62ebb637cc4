"""The archive (/archief, every role) and the subscriptions page (/beheer/abonnementen, admins), through the app."""
from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from dashboard import delivery
from dashboard.ui.texts import t
from dashboard.web import jobs
from queries import catalogue
from queries.accounts.access import Access
from queries.delivery import archive, subscriptions
from queries.ingest import importer
from queries.store.schema import AuditEntry, Delivery
from tests.dashboard.pages.test_importer_page import update, upload_and_check
from tests.factories import headers, make_app
from tests.http_client import body_text, callback_body, router_body
from tests.import_corpus import EXAMPLES, fake_refresh

GET = "archive-get"
STOP = "admin-subscriptions-stop"
SUBSCRIPTION_OUTPUTS = ["admin-subscriptions-status.children", "admin-subscriptions-list.children",
                        "admin-subscriptions-deliveries.children"]


@pytest.fixture
def client(store):
    return make_app(store).server.test_client()


@pytest.fixture
def packs(store):
    with store.connect() as conn:
        release = catalogue.latest_refresh(conn).id
    return {scope: archive.put(store, release, scope, "pptx", "nl", "2014-03", f"loket_stuurpakket_{scope}.pptx",
                               f"pack of {scope}".encode())
            for scope in ("NL", "NN", "LB")}


def page(client, path: str, role: str) -> str:
    return body_text(client.post("/_dash-update-component", json=router_body(path), headers=headers(role)))


def pattern_id(kind: str, n) -> str:
    return json.dumps({"id": n, "type": kind}, sort_keys=True, separators=(",", ":"))


def download(client, role: str, pack_id):
    body = {"output": "archive-download.data", "outputs": {"id": "archive-download", "property": "data"},
            "inputs": [[{"id": {"id": pack_id, "type": GET}, "property": "n_clicks", "value": 1}]], "state": [],
            "changedPropIds": [f"{pattern_id(GET, pack_id)}.n_clicks"]}
    return client.post("/_dash-update-component", json=body, headers=headers(role))


def test_a_unit_user_lists_and_downloads_only_its_own_units_packs(client, store, packs):
    listed = page(client, "/archief", "unit")
    assert packs["NN"].file_name in listed
    assert packs["LB"].file_name not in listed and packs["NL"].file_name not in listed
    response = download(client, "unit", packs["NN"].id)
    assert response.status_code == 200
    sent = response.get_json()["response"]["archive-download"]["data"]
    assert sent["filename"] == packs["NN"].file_name and base64.b64decode(sent["content"]) == b"pack of NN"
    for other in (packs["LB"].id, packs["NL"].id, 10**6):
        assert download(client, "unit", other).status_code == 403
    with store.connect() as conn:
        audited = conn.execute(sa.select(AuditEntry.action, AuditEntry.target, AuditEntry.status)
                               .where(AuditEntry.action.in_(("download", "denied")))).all()
    assert ("download", packs["NN"].file_name, 200) in audited
    assert sum(1 for a in audited if a.action == "denied") == 3


@pytest.mark.parametrize("role", ["programme", "admin"])
def test_programme_and_administrators_see_every_scopes_packs(client, packs, role):
    listed = page(client, "/archief", role)
    assert all(p.file_name in listed for p in packs.values())
    assert download(client, role, packs["LB"].id).status_code == 200
    assert "/archief" in body_text(client.get("/_dash-layout", headers=headers(role)))


def test_the_subscriptions_page_is_for_administrators_only(client):
    for role in ("unit", "programme"):
        assert t("app.forbidden", "nl") in page(client, "/beheer/abonnementen", role)
        assert "/beheer/abonnementen" not in body_text(client.get("/_dash-layout", headers=headers(role)))
        assert change(client, role, "add", account="t-unit-nn", email="x@example.org", scope="NN").status_code == 403
    shown = page(client, "/beheer/abonnementen", "admin")
    assert "admin-subscriptions-add" in shown and t("subscriptions.no_smtp", "nl") in shown
    assert "/beheer/abonnementen" in body_text(client.get("/_dash-layout", headers=headers("admin")))


def change(client, role: str, trigger, *, account=None, email=None, scope="NL", stop_ids=()):
    state = [("admin-subscriptions-account", "value", account), ("admin-subscriptions-email", "value", email),
             ("admin-subscriptions-scope", "value", scope), ("admin-subscriptions-format", "value", "xlsx"),
             ("admin-subscriptions-language", "value", "nl")]
    body = callback_body("..." + "...".join(SUBSCRIPTION_OUTPUTS) + "..",
                         [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in SUBSCRIPTION_OUTPUTS],
                         [("admin-subscriptions-add", "n_clicks", 1)], state)
    body["output"] = ".." + "...".join(SUBSCRIPTION_OUTPUTS) + ".."
    body["inputs"].append([{"id": {"id": n, "type": STOP}, "property": "n_clicks", "value": 1 if trigger == n else 0}
                           for n in stop_ids])
    if trigger != "add":
        body["changedPropIds"] = [f"{pattern_id(STOP, trigger)}.n_clicks"]
    return client.post("/_dash-update-component", json=body, headers=headers(role))


def test_administrators_add_and_stop_subscriptions_checked_on_the_server(client, store):
    refused = body_text(change(client, "admin", "add", account="t-unit-nn", email="hr@example.org", scope="LB"))
    assert t("delivery.error.scope", "nl") in refused
    added = body_text(change(client, "admin", "add", account="t-unit-nn", email="hr@example.org", scope="NN"))
    assert t("subscriptions.added", "nl") in added and "hr@example.org" in added
    (sub,) = subscriptions.listing(store, Access("t-admin", "admin"))
    stopped = body_text(change(client, "admin", sub.id, stop_ids=[sub.id]))
    assert t("subscriptions.deactivated", "nl") in stopped
    assert not subscriptions.listing(store, Access("t-admin", "admin"))[0].active


def test_failed_mailings_are_shown_to_administrators(client, store, cfg, inbox):
    admin = Access("t-admin", "admin")
    subscriptions.add(store, admin, "pm", "pm@example.org", "NL", "xlsx", "nl")
    inbox.refuse = 10**6
    delivery.deliver(cfg, store)
    shown = page(client, "/beheer/abonnementen", "admin")
    assert "pm@example.org" in shown and "451 4.3.0 try again later" in shown
    assert t("delivery.state.pending", "nl") in shown


def test_a_published_release_is_delivered_in_the_background_when_mail_is_configured(store, cfg, inbox):
    admin = Access("t-admin", "admin")
    subscriptions.add(store, admin, "hr-nn", "hr-nn@example.org", "NN", "xlsx", "nl")
    job = delivery.start_after_refresh(cfg, store, admin)
    assert job is not None
    jobs.wait(timeout=120)
    assert [r for rcpt, _m in inbox.mails for r in rcpt] == ["hr-nn@example.org"]
    with store.connect() as conn:
        assert conn.execute(sa.select(Delivery.state)).scalar_one() == "sent"
    cfg.SMTP_HOST = ""
    assert delivery.start_after_refresh(cfg, store, admin) is None


def test_an_import_that_publishes_a_release_delivers_it(store, inbox, monkeypatch):
    admin = Access("t-admin", "admin")
    subscriptions.add(store, admin, "hr-nn", "hr-nn@example.org", "NN", "xlsx", "nl")
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh([]))
    client = make_app(store, SMTP_HOST="127.0.0.1", SMTP_PORT=inbox.port, SMTP_TLS="none").server.test_client()
    files = {p.name: p.read_bytes() for p in sorted(EXAMPLES.glob("*.csv"))}
    job, _checked = upload_and_check(client, None, files)
    update(client, "load", job=job)
    jobs.wait(timeout=60)  # the load, which then starts the delivery
    jobs.wait(timeout=120)
    assert [r for rcpt, _m in inbox.mails for r in rcpt] == ["hr-nn@example.org"]
