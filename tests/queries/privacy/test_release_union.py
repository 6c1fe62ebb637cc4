"""Fourteen monthly releases of the demo history, attacked together by every role (a module of its own: the
longest test, so a parallel run can give it a worker of its own)."""
import datetime as dt

import pytest

from queries import catalogue
from queries.accounts.access import Access
from queries.privacy import Policy
from queries.privacy.audit import audit_roles
from queries.store.codes import UNITS
from tests.release_history import as_held_on, reuse_protection
from tests.stores import fresh_store

PROGRAMME = Access("t", "programme")
POLICY = Policy()


@pytest.mark.slow
def test_fourteen_monthly_releases_survive_an_attack_on_their_union(demo_store, tmp_path):
    # The calibrated period, released monthly from data up to August 2013 to data up to
    # September 2014: across two quarter ends and the year end, each release cut from the
    # store as it was then (no later intakes, closures, sessions, surveys or contacts).
    store = fresh_store(f"sqlite:///{tmp_path / 'monthly.sqlite'}")
    reuse_protection(demo_store, store)  # 2012 is final by then: its blocks are the demo store's
    days = [dt.date(2013 + (m // 12), m % 12 + 1, 2) for m in range(8, 22)]
    assert len(days) == 14
    for day in days:
        as_held_on(demo_store, store, day)
        catalogue.refresh(store, POLICY, today=day)
    history = [cells for _id, cells in catalogue.release_history(store)]
    assert len(history) == 14
    roles = [PROGRAMME, *(Access("t", "unit", code) for code in UNITS.values)]
    for report in audit_roles(history, POLICY, roles, catalogue.TABLES_BY_NAME):
        print(report.summary(POLICY))
        assert report.hidden > 0
        assert report.narrow.empty, report.narrow.head(20).to_string()
        assert report.narrowest >= POLICY.k / 2
