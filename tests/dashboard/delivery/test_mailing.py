"""Delivering the steering pack (issue #19): to a local SMTP server, read back, once per release, with retries."""
from __future__ import annotations

import io
import json
import re
import threading

import openpyxl
import pytest
import sqlalchemy as sa
from pptx import Presentation
from pypdf import PdfReader

from dashboard import cli, delivery, exports
from queries.accounts import users
from queries.accounts.access import Access
from queries.delivery import deliveries, subscriptions
from queries.store.codes import UNITS
from queries.store.schema import AuditEntry, Delivery, PackArchive

ADMIN = Access("steward", "admin")
OWN = "NN"
OTHERS = [u for u in UNITS if u.code != OWN]
OTHER_CODE = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(u.code for u in OTHERS) + r")(?![A-Za-z0-9_])")


def subscribe(store, name, email, scope, fmt="xlsx", lang="nl") -> int:
    return subscriptions.add(store, ADMIN, name, email, scope, fmt, lang)


def workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets},
                      ensure_ascii=False, default=str)


def no_other_unit(text: str, where: str) -> None:
    match = OTHER_CODE.search(text)
    assert match is None, f"{where}: another unit's code {match.group(0)!r}"
    for unit in OTHERS:
        assert unit.nl not in text and unit.en not in text, f"{where}: {unit.nl}"


def attachments(message) -> list:
    return list(message.iter_attachments())


def states(store) -> dict[int, tuple[str, int, str | None]]:
    with store.connect() as conn:
        return {r.subscription_id: (r.state, r.attempts, r.last_error)
                for r in conn.execute(sa.select(Delivery.subscription_id, Delivery.state, Delivery.attempts,
                                                Delivery.last_error))}


def test_each_recipient_gets_its_own_scopes_pack_read_back(store, cfg, inbox):
    subscribe(store, "pm", "pm@example.org", "NL", "xlsx", "nl")
    subscribe(store, "hr-nn", "hr-nn@example.org", OWN, "xlsx", "en")
    outcome = delivery.deliver(cfg, store)
    assert (outcome.sent, outcome.failed, outcome.refused, outcome.packs_made) == (2, 0, 0, 2)
    assert sorted(r for rcpt, _m in inbox.mails for r in rcpt) == ["hr-nn@example.org", "pm@example.org"]
    national, = inbox.to("pm@example.org")
    unit, = inbox.to("hr-nn@example.org")
    assert national["From"] == "loket@example.org" and "Landelijk" in national["Subject"]
    assert "Northern Netherlands" in unit["Subject"] and "Steering pack" in unit["Subject"]
    for message in (national, unit):
        body = message.get_body(("plain",)).get_content()
        assert "2014" in body and "10" in body  # the period and the rule's k
        (attached,) = attachments(message)
        assert attached.get_content_type() == exports.MIME["xlsx"]
        assert attached.get_filename().endswith(".xlsx")
    national_book = workbook_text(attachments(national)[0].get_content())
    assert "Limburg" in national_book or "LB" in national_book  # the national pack has every unit
    unit_file = attachments(unit)[0]
    no_other_unit(workbook_text(unit_file.get_content()), "the unit's workbook")
    no_other_unit(unit.get_body(("plain",)).get_content() + unit["Subject"] + unit_file.get_filename(), "the mail")
    with store.connect() as conn:
        audited = conn.execute(sa.select(AuditEntry.username, AuditEntry.target, AuditEntry.scope)
                               .where(AuditEntry.action == "export")).all()
    assert {(r.username, r.scope) for r in audited} == {("pm", "NL"), ("hr-nn", OWN)}


def test_a_pack_is_made_once_per_release_scope_format_and_language(store, cfg, inbox):
    for n in range(3):
        subscribe(store, "pm", f"pm{n}@example.org", "NL")
    outcome = delivery.deliver(cfg, store)
    assert (outcome.sent, outcome.packs_made) == (3, 1)
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PackArchive)).scalar_one() == 1


def test_nothing_is_sent_twice_when_deliver_runs_again(store, cfg, inbox):
    subscribe(store, "pm", "pm@example.org", "NL")
    assert delivery.deliver(cfg, store).sent == 1
    again = delivery.deliver(cfg, store)
    assert (again.sent, again.failed, again.packs_made) == (0, 0, 0)
    assert len(inbox.mails) == 1


def test_nothing_is_sent_twice_when_two_runs_overlap(store, cfg, inbox):
    for n in range(4):
        subscribe(store, "pm", f"pm{n}@example.org", "NL")
        subscribe(store, "hr-nn", f"nn{n}@example.org", OWN)
    start = threading.Barrier(2)
    outcomes = []

    def run():
        start.wait()
        outcomes.append(delivery.deliver(cfg, store))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(o.sent for o in outcomes) == 8
    assert sorted(r for rcpt, _m in inbox.mails for r in rcpt) == sorted(
        [f"pm{n}@example.org" for n in range(4)] + [f"nn{n}@example.org" for n in range(4)])
    assert {s for s, _a, _e in states(store).values()} == {"sent"}


def test_a_refusing_server_is_tried_again_and_every_failure_recorded(store, cfg, inbox):
    sub = subscribe(store, "pm", "pm@example.org", "NL")
    inbox.refuse = 2
    outcome = delivery.deliver(cfg, store)
    assert (outcome.sent, outcome.failed) == (1, 2)
    assert len(inbox.mails) == 1
    assert states(store)[sub] == ("sent", 3, None)


def test_a_server_that_keeps_refusing_is_tried_by_the_next_runs_until_the_attempts_run_out(store, cfg, inbox):
    sub = subscribe(store, "pm", "pm@example.org", "NL")
    inbox.refuse = 10**6
    delivery.deliver(cfg, store)
    state, attempts, error = states(store)[sub]
    assert (state, attempts) == ("pending", delivery.TRIES_PER_RUN) and "451" in error
    while states(store)[sub][0] == "pending":
        delivery.deliver(cfg, store)
    assert states(store)[sub][:2] == ("failed", deliveries.MAX_ATTEMPTS)
    inbox.refuse = 0
    assert delivery.deliver(cfg, store).sent == 0 and not inbox.mails
    # An unreachable server is a failed attempt like a refusal.
    other = subscribe(store, "hr-nn", "nn@example.org", OWN)
    cfg.SMTP_PORT = 1
    delivery.deliver(cfg, store)
    assert states(store)[other][0] == "pending" and "Error" in states(store)[other][2]


def test_an_account_whose_unit_changed_is_not_sent_the_pack(store, cfg, inbox):
    moved = subscribe(store, "hr-nn", "hr-nn@example.org", OWN)
    kept = subscribe(store, "hr-lb", "hr-lb@example.org", "LB")
    users.set_role(store, "hr-nn", "unit", "LB")
    outcome = delivery.deliver(cfg, store)
    assert (outcome.sent, outcome.refused) == (1, 1)
    assert not inbox.to("hr-nn@example.org") and inbox.to("hr-lb@example.org")
    state, _attempts, error = states(store)[moved]
    assert state == "failed" and "changed" in error
    assert states(store)[kept][0] == "sent"


def test_a_pack_above_the_size_limit_is_sent_as_a_link_to_the_archive(store, cfg, inbox):
    subscribe(store, "pm", "pm@example.org", "NL")
    cfg.MAIL_MAX_MB, cfg.PUBLIC_URL = 0.001, "https://loket.example.org/"
    delivery.deliver(cfg, store)
    (message,) = inbox.to("pm@example.org")
    assert not attachments(message)
    assert "https://loket.example.org/archief" in message.get_body(("plain",)).get_content()


def test_packs_can_be_archived_in_a_folder(store, cfg, inbox, tmp_path):
    subscribe(store, "pm", "pm@example.org", "NL")
    cfg.ARCHIVE_DIR = str(tmp_path / "archive")
    delivery.deliver(cfg, store)
    (path,) = (tmp_path / "archive").iterdir()
    assert path.stat().st_mode & 0o077 == 0
    assert attachments(inbox.to("pm@example.org")[0])[0].get_content() == path.read_bytes()
    with store.connect() as conn:
        assert conn.execute(sa.select(PackArchive.data)).scalar_one() is None


def test_loket_deliver_prints_its_progress_and_sends_once(store, cfg, inbox, monkeypatch, capsys):
    subscribe(store, "hr-nn", "hr-nn@example.org", OWN)
    for name, value in {"DATABASE_URL": str(store.url), "LOKET_DEMO": "off", "LOKET_SMTP_HOST": "127.0.0.1",
                        "LOKET_SMTP_PORT": str(inbox.port), "LOKET_SMTP_TLS": "none"}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["deliver"]) == 0
    out = capsys.readouterr()
    assert "Release" in out.err and "hr-nn <hr-nn@example.org>: sent" in out.err
    assert "1 mails sent" in out.out
    assert cli.main(["deliver"]) == 0
    assert "0 mails sent" in capsys.readouterr().out and len(inbox.mails) == 1
    monkeypatch.delenv("LOKET_SMTP_HOST")
    assert cli.main(["deliver"]) == 2


@pytest.mark.browser
def test_presentations_and_pdfs_are_read_back_and_hold_no_other_unit(store, cfg, inbox):
    subscribe(store, "hr-nn", "nn-pptx@example.org", OWN, "pptx", "nl")
    subscribe(store, "hr-nn", "nn-pdf@example.org", OWN, "pdf", "en")
    subscribe(store, "pm", "pm@example.org", "NL", "pptx", "nl")
    assert delivery.deliver(cfg, store).sent == 3
    prs = Presentation(io.BytesIO(attachments(inbox.to("nn-pptx@example.org")[0])[0].get_content()))
    texts = "\n".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame)
    assert "Noord-Nederland" in texts and len(prs.slides) > 5
    no_other_unit(texts, "the unit's presentation")
    pdf = PdfReader(io.BytesIO(attachments(inbox.to("nn-pdf@example.org")[0])[0].get_content()))
    no_other_unit("\n".join(page.extract_text() for page in pdf.pages), "the unit's pdf")
    assert len(Presentation(io.BytesIO(attachments(inbox.to("pm@example.org")[0])[0].get_content())).slides) > 5


def test_loket_refresh_delivers_the_release_it_publishes(store, inbox, monkeypatch, capsys):
    subscribe(store, "pm", "pm@example.org", "NL")
    for name, value in {"DATABASE_URL": str(store.url), "LOKET_DEMO": "off", "LOKET_SMTP_HOST": "127.0.0.1",
                        "LOKET_SMTP_PORT": str(inbox.port), "LOKET_SMTP_TLS": "none"}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["refresh"]) == 0
    assert "Release 2: 1 mails sent" in capsys.readouterr().out
    with store.connect() as conn:
        assert conn.execute(sa.select(Delivery.release_id, Delivery.state)).one() == (2, "sent")
