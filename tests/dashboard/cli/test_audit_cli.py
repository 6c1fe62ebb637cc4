"""`loket audit`: every role's attack on the releases, side by side, with a verdict per role and the loss."""
from __future__ import annotations

import datetime as dt

from dashboard import cli
from queries import catalogue
from queries.privacy import Policy
from tests.factories import add_registrations, add_units, registration


def test_the_audit_attacks_the_union_for_each_role_and_reports_the_loss(sqlite_store, monkeypatch, capsys):
    with sqlite_store.begin() as conn:
        add_units(conn)
        add_registrations(conn, [registration(dt.date(2014, 3, 1 + i % 28), unit, target_group=group)
                                 for unit, group, n in (("NN", "current_staff", 30), ("NN", "manager", 4),
                                                        ("ON", "current_staff", 14)) for i in range(n)])
    catalogue.refresh(sqlite_store, Policy(), today=dt.date(2014, 5, 2))
    catalogue.refresh(sqlite_store, Policy(), today=dt.date(2014, 6, 2))
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    assert cli.main(["audit", "--role", "all", "--unit", "NN", "--unit", "ON"]) == 0
    out = capsys.readouterr().out
    assert "the union of 2 releases up to 2014-05" in out
    verdicts = [line.split()[:2] for line in out.splitlines() if line.strip().endswith("PASS")]
    assert verdicts == [["programme", "releases"], ["unit", "NN"], ["unit", "ON"]]
    assert "Information loss of the latest release" in out
