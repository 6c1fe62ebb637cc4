"""Background jobs with their state in the store: any instance answers a poll and a download, only the owner
gets a job, one user has only a few running, a job whose instance died reads as interrupted, old jobs go."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from dashboard import exports
from dashboard.exports import export_ui
from dashboard.web import jobs
from tests.factories import ACCOUNTS, add_accounts, headers, make_app
from tests.http_client import pack_request
from queries.accounts.access import Access
from queries.store import jobs as store_jobs
from queries.store.schema import AuditEntry, Job

OWNER = Access(ACCOUNTS["programme"][0], "programme")
UNIT = Access(ACCOUNTS["unit"][0], "unit", "NN")


def _age(engine, job_id: str, **seconds_ago) -> None:
    """Move a job's times into the past, as if it were made (or last heard of) that long ago."""
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(**seconds_ago)
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(created_at=past, heartbeat_at=past))


def test_a_user_has_at_most_the_cap_of_jobs_waiting_or_running(any_store):
    first = store_jobs.create(any_store, "pack", OWNER, 2)
    second = store_jobs.create(any_store, "pack", OWNER, 2)
    assert first and second and first != second and len(first) >= 40
    assert store_jobs.create(any_store, "pack", OWNER, 2) is None
    assert store_jobs.create(any_store, "pack", UNIT, 2)  # someone else is not held up
    assert store_jobs.create(any_store, "import", OWNER, 1)  # nor another kind
    store_jobs.finish(any_store, first, name="a.xlsx", mime="application/x", data=b"done")
    assert store_jobs.create(any_store, "pack", OWNER, 2)  # a finished job frees its place


def test_only_the_owner_reads_a_job_and_its_result(any_store):
    job_id = store_jobs.create(any_store, "pack", UNIT, 2, detail={"fmt": "xlsx"})
    store_jobs.finish(any_store, job_id, name="pack.xlsx", mime="application/x", data=b"\x00bytes")
    assert store_jobs.read(any_store, job_id, UNIT).detail == {"fmt": "xlsx"}
    assert store_jobs.result(any_store, job_id, UNIT) == ("pack.xlsx", "application/x", b"\x00bytes")
    for other in (OWNER, Access(UNIT.user, "unit", "LB"), Access(UNIT.user, "programme"), Access("someone", "unit", "NN")):
        assert store_jobs.read(any_store, job_id, other) is None
        assert store_jobs.result(any_store, job_id, other) is None
    for forged in (job_id[:-1], "../../etc/passwd", None, 7, "", "x" * 100):
        assert store_jobs.read(any_store, forged, UNIT) is None
    store_jobs.remove(any_store, job_id, OWNER)  # not theirs: stays
    assert store_jobs.read(any_store, job_id, UNIT) is not None


def test_a_job_whose_heartbeat_stopped_reads_as_interrupted_and_frees_its_place(any_store):
    job_id = store_jobs.create(any_store, "import", OWNER, 1)
    store_jobs.progress(any_store, job_id, "check", 10, 100, "checking")
    assert store_jobs.read(any_store, job_id, OWNER).state == "running"
    _age(any_store, job_id, seconds=store_jobs.STALE_SECONDS + 5)
    view = store_jobs.read(any_store, job_id, OWNER)
    assert (view.state, view.message) == ("failed", store_jobs.INTERRUPTED)
    assert store_jobs.create(any_store, "import", OWNER, 1)


def test_a_beating_job_is_not_interrupted(any_store):
    job_id = store_jobs.create(any_store, "pack", OWNER, 2)
    _age(any_store, job_id, seconds=store_jobs.STALE_SECONDS + 5)
    store_jobs.beat(any_store, [job_id])
    assert store_jobs.read(any_store, job_id, OWNER).state == "waiting"


def test_old_finished_jobs_and_their_files_are_deleted(any_store, tmp_path):
    old = store_jobs.create(any_store, "pack", OWNER, 5)
    store_jobs.finish(any_store, old, name="a", mime="m", data=b"old", folder=tmp_path)
    recent = store_jobs.create(any_store, "pack", OWNER, 5)
    store_jobs.finish(any_store, recent, name="b", mime="m", data=b"new", folder=tmp_path)
    running = store_jobs.create(any_store, "pack", OWNER, 5)
    _age(any_store, old, hours=25)
    with any_store.begin() as conn:  # a long job that still beats is kept
        conn.execute(sa.update(Job).where(Job.id == running).values(
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=25)))
    assert (tmp_path / f"{old}.result").read_bytes() == b"old"
    assert store_jobs.expire(any_store, 24) == 1
    assert store_jobs.read(any_store, old, OWNER) is None and not (tmp_path / f"{old}.result").exists()
    assert store_jobs.result(any_store, recent, OWNER)[2] == b"new"
    assert store_jobs.read(any_store, running, OWNER).state == "waiting"


def test_a_result_in_a_folder_is_not_in_the_row(any_store, tmp_path):
    job_id = store_jobs.create(any_store, "import", OWNER, 1, data=b"uploads", folder=tmp_path)
    assert store_jobs.job_input(any_store, job_id) == b"uploads"
    store_jobs.finish(any_store, job_id, name="r.csv", mime="text/csv", data=b"report", folder=tmp_path,
                      drop_input=True)
    with any_store.connect() as conn:
        row = conn.execute(sa.select(Job.result_data, Job.input_data, Job.input_path).where(Job.id == job_id)).one()
    assert tuple(row) == (None, None, None)
    assert oct((tmp_path / f"{job_id}.result").stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / f"{job_id}.input").exists()
    assert store_jobs.result(any_store, job_id, OWNER) == ("r.csv", "text/csv", b"report")


def test_a_failing_job_says_only_its_reason(sqlite_store):
    job_id = store_jobs.create(sqlite_store, "pack", OWNER, 2)

    def broken():
        raise RuntimeError("secret traceback text")

    jobs.submit(sqlite_store, "pack", job_id, broken, failed="pack.failed")
    jobs.wait(30)
    view = store_jobs.read(sqlite_store, job_id, OWNER)
    assert (view.state, view.message) == ("failed", "pack.failed") and jobs.held() == 0


# --- two app instances on one store ---------------------------------------------------------------------------

@pytest.fixture
def instances(any_store, fast_hashes):
    add_accounts(any_store)
    url = any_store.url.render_as_string(hide_password=False)
    # Dash hands its callbacks to the app set up next (on its first request): each instance is made when needed.
    return lambda: make_app(url).server.test_client()


class _FakePack:
    class meta:  # noqa: N801 - stands in for the pack's meta data
        @staticmethod
        def scope_code() -> str:
            return "national"


def test_a_second_instance_answers_the_poll_and_sends_the_pack_to_its_owner_only(any_store, instances, monkeypatch):
    monkeypatch.setattr(exports, "build_pack", lambda *a, progress, **k: ("loket_pack.xlsx", b"PK-pack", _FakePack))
    started = pack_request(instances(), headers("programme"), export_ui.ID_START).json["response"]
    job = started[export_ui.ID_JOB]["data"]
    jobs.wait(60)
    second = instances()  # shares nothing with the first but the store
    refused = pack_request(second, headers("unit"), export_ui.ID_POLL, job=job).json["response"]
    assert "loket_pack.xlsx" not in json.dumps(refused) and "PK-pack" not in json.dumps(refused)
    sent = pack_request(second, headers("programme"), export_ui.ID_POLL, job=job).json["response"][export_ui.ID_DOWNLOAD]["data"]
    assert sent["filename"] == "loket_pack.xlsx" and sent["base64"]
    with any_store.connect() as conn:
        audit = conn.execute(sa.select(AuditEntry.username, AuditEntry.target).where(AuditEntry.action == "export")).all()
        left = conn.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one()
    assert [tuple(a) for a in audit] == [(OWNER.user, "loket_pack.xlsx")]
    assert left == 0  # a pack is sent once
