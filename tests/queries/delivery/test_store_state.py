"""Subscriptions, the archive and the mailings in the store (issue #19), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from queries.accounts import users
from queries.accounts.access import Access, AccessDenied
from queries.delivery import archive, deliveries, subscriptions
from queries.store.schema import AuditEntry, CatalogueRefresh, Delivery, PackArchive

ADMIN = Access("steward", "admin")


@pytest.fixture
def store(any_store, fast_hashes):
    for name, role, unit in (("pm", "programme", None), ("hr-nn", "unit", "NN"), ("steward", "admin", None),
                             ("nobody", None, None)):
        users.add_user(any_store, name, "a-long-password-0001", role, unit)
    return any_store


def release(engine, data_until="2014-03") -> int:
    with engine.begin() as conn:
        return conn.execute(sa.insert(CatalogueRefresh).values(
            refreshed_at=dt.datetime(2014, 4, 2), data_until=data_until, policy="{}", cells=0, primary_suppressed=0,
            secondary_suppressed=0, seconds=0.0).returning(CatalogueRefresh.id)).scalar_one()


# --- subscriptions -----------------------------------------------------------------------------------

def test_a_unit_account_is_subscribed_only_to_its_own_unit(store):
    for scope in ("LB", "NL"):
        with pytest.raises(subscriptions.SubscriptionError, match="delivery.error.scope"):
            subscriptions.add(store, ADMIN, "hr-nn", "hr@example.org", scope, "pptx", "nl")
    sub = subscriptions.add(store, ADMIN, "hr-nn", "hr@example.org", "NN", "pptx", "nl")
    (listed,) = subscriptions.listing(store, ADMIN)
    assert (listed.id, listed.role, listed.unit, listed.scope) == (sub, "unit", "NN", "NN")
    assert listed.pack_access() == Access("hr-nn", "unit", "NN")


def test_programme_accounts_may_have_any_scope_a_units_pack_as_its_users_see_it(store):
    for scope in ("NL", "LB"):
        subscriptions.add(store, ADMIN, "pm", "pm@example.org", scope, "pdf", "en")
    packs = {s.scope: s.pack_access() for s in subscriptions.listing(store, ADMIN)}
    assert packs == {"NL": Access("pm", "programme"), "LB": Access("pm", "unit", "LB")}


@pytest.mark.parametrize(("name", "email", "scope", "fmt", "lang", "error"), [
    ("ghost", "g@example.org", "NL", "pptx", "nl", "account"),
    ("nobody", "n@example.org", "NL", "pptx", "nl", "account"),
    ("pm", "not an address", "NL", "pptx", "nl", "email"),
    ("pm", "pm@example.org\nBcc: x@evil.example", "NL", "pptx", "nl", "email"),
    ("pm", "pm@example.org", "XX", "pptx", "nl", "scope"),
    ("pm", "pm@example.org", ["NL"], "pptx", "nl", "scope"),
    ("pm", "pm@example.org", "NL", "docx", "nl", "format"),
    ("pm", "pm@example.org", "NL", "pptx", "de", "language"),
])
def test_invalid_subscriptions_are_refused(store, name, email, scope, fmt, lang, error):
    with pytest.raises(subscriptions.SubscriptionError, match=f"delivery.error.{error}"):
        subscriptions.add(store, ADMIN, name, email, scope, fmt, lang)
    assert subscriptions.listing(store, ADMIN) == []


def test_only_administrators_manage_subscriptions(store):
    for access in (Access("pm", "programme"), Access("hr-nn", "unit", "NN")):
        with pytest.raises(AccessDenied):
            subscriptions.add(store, access, "hr-nn", "hr@example.org", "NN", "pptx", "nl")
        with pytest.raises(AccessDenied):
            subscriptions.listing(store, access)
        with pytest.raises(AccessDenied):
            deliveries.recent(store, access)


def test_a_changed_account_is_refused_at_sending_and_stopping_is_recorded(store):
    sub = subscriptions.add(store, ADMIN, "hr-nn", "hr@example.org", "NN", "xlsx", "nl")
    (view,) = subscriptions.listing(store, ADMIN)
    with store.connect() as conn:
        assert subscriptions.refusal(conn, view) is None
    users.set_role(store, "hr-nn", "unit", "LB")
    with store.connect() as conn:
        assert "changed" in subscriptions.refusal(conn, view)
    users.remove_user(store, "hr-nn")
    with store.connect() as conn:
        assert "no longer exists" in subscriptions.refusal(conn, view)
    assert subscriptions.deactivate(store, ADMIN, sub) and not subscriptions.deactivate(store, ADMIN, sub)
    with store.connect() as conn:
        actions = conn.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions == ["subscribe", "unsubscribe"]


# --- mailings ------------------------------------------------------------------------------------------

def test_a_release_is_planned_once_per_subscription_and_claimed_by_one_run(store):
    first = release(store)
    subscriptions.add(store, ADMIN, "pm", "pm@example.org", "NL", "pptx", "nl")
    stopped = subscriptions.add(store, ADMIN, "pm", "old@example.org", "NL", "pptx", "nl")
    subscriptions.deactivate(store, ADMIN, stopped)
    assert deliveries.plan(store, first) == 1
    assert deliveries.plan(store, first) == 0
    (item,) = deliveries.due(store, first)
    assert deliveries.claim(store, item.id, "run-a")
    assert not deliveries.claim(store, item.id, "run-b")
    assert deliveries.due(store, first) == []
    deliveries.sent(store, item.id, "run-b", 1)  # not its claim: nothing changes
    with store.connect() as conn:
        assert conn.execute(sa.select(Delivery.state)).scalar_one() == "sending"
    second = release(store, "2014-04")
    assert deliveries.plan(store, second) == 1


def test_failures_count_until_the_attempts_run_out_and_a_dead_runs_claim_is_taken_over(store, monkeypatch):
    rel = release(store)
    subscriptions.add(store, ADMIN, "pm", "pm@example.org", "NL", "pptx", "nl")
    deliveries.plan(store, rel)
    (item,) = deliveries.due(store, rel)
    for n in range(1, deliveries.MAX_ATTEMPTS + 1):
        assert deliveries.claim(store, item.id, f"run-{n}")
        assert deliveries.failure(store, item.id, f"run-{n}", f"451 try again ({n})", keep=False) is (
            n < deliveries.MAX_ATTEMPTS)
    with store.connect() as conn:
        row = conn.execute(sa.select(Delivery.state, Delivery.attempts, Delivery.last_error)).one()
    assert tuple(row) == ("failed", deliveries.MAX_ATTEMPTS, f"451 try again ({deliveries.MAX_ATTEMPTS})")
    assert deliveries.due(store, rel) == [] and not deliveries.claim(store, item.id, "late")
    (shown,) = deliveries.recent(store, ADMIN)
    assert (shown.state, shown.attempts, shown.last_error) == tuple(row)
    # A claim older than CLAIM_MINUTES belongs to a run that died.
    other = subscriptions.add(store, ADMIN, "hr-nn", "hr@example.org", "NN", "pptx", "nl")
    deliveries.plan(store, rel)
    (item,) = deliveries.due(store, rel)
    assert item.subscription.id == other and deliveries.claim(store, item.id, "dead")
    assert not deliveries.claim(store, item.id, "alive")
    with store.begin() as conn:
        conn.execute(sa.update(Delivery).where(Delivery.id == item.id).values(
            claimed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=deliveries.CLAIM_MINUTES + 1)))
    assert deliveries.claim(store, item.id, "alive")


# --- the archive -----------------------------------------------------------------------------------------

def test_a_pack_is_archived_once_and_each_role_sees_its_own_scopes(store, tmp_path):
    rel = release(store)
    national = archive.put(store, rel, "NL", "pptx", "nl", "2014-03", "nl.pptx", b"national")
    again = archive.put(store, rel, "NL", "pptx", "nl", "2014-03", "nl.pptx", b"made twice")
    assert again == national and archive.content(store, national.id) == b"national"
    nn = archive.put(store, rel, "NN", "pptx", "nl", "2014-03", "nn.pptx", b"nn", tmp_path / "packs")
    lb = archive.put(store, rel, "LB", "pptx", "nl", "2014-03", "lb.pptx", b"lb", tmp_path / "packs")
    assert len(list((tmp_path / "packs").iterdir())) == 2
    unit = Access("hr-nn", "unit", "NN")
    assert [p.id for p in archive.listing(store, unit)] == [nn.id]
    assert archive.read(store, unit, nn.id) == (nn, b"nn")
    for refused in (lb.id, national.id, 10**6, "1", None):
        with pytest.raises(AccessDenied):
            archive.read(store, unit, refused)
    programme = Access("pm", "programme")
    assert {p.scope for p in archive.listing(store, programme)} == {"NL", "NN", "LB"}
    assert archive.read(store, programme, lb.id)[1] == b"lb"
    with pytest.raises(AccessDenied):
        archive.listing(store, Access("nobody", None))


def test_old_packs_are_deleted_with_their_files(store, tmp_path):
    rel = release(store)
    old = archive.put(store, rel, "NN", "xlsx", "nl", "2014-03", "nn.xlsx", b"nn", tmp_path / "packs")
    archive.put(store, rel, "NL", "xlsx", "nl", "2014-03", "nl.xlsx", b"nl")
    with store.begin() as conn:
        conn.execute(sa.update(PackArchive).where(PackArchive.id == old.id).values(created_at=dt.datetime(2010, 1, 1)))
    assert archive.expire(store, 0) == 0
    assert archive.expire(store, 24) == 1
    assert list((tmp_path / "packs").iterdir()) == [] and archive.find(store, rel, "NN", "xlsx", "nl") is None
    assert archive.find(store, rel, "NL", "xlsx", "nl") is not None
