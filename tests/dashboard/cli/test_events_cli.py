"""`loket events add|list|retire`: recording, listing (with the units' roll-outs) and retiring, with the actor in the
audit log, clear errors and exit codes."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard import cli
from queries.store.schema import AuditEntry, Event as EventRow, Unit
from tests.factories import add_units


@pytest.fixture
def loket(sqlite_store, monkeypatch, capsys):
    """Run `loket ...` against the test store; return (exit code, out, err)."""
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    with sqlite_store.begin() as conn:
        add_units(conn)
        conn.execute(sa.update(Unit).where(Unit.code == "AM").values(rollout_on=dt.date(2013, 11, 1)))

    def run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(EventRow).order_by(EventRow.id)).all()


def test_add_list_and_retire_with_the_actor_in_the_audit_log(loket, sqlite_store):
    code, out, err = loket("events", "add", "2014-02-10", "nl", "Landelijke mailing", "--by", "pm-anna")
    assert (code, err) == (0, "") and out.strip() == "Recorded event 1: 2014-02-10 NL Landelijke mailing"
    assert loket("events", "add", "5-3-2014", "NN", "Uitrol teamleiders", "--by", "pm-anna")[0] == 0
    code, out, _ = loket("events", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "date", "scope", "recorded", "by", "text"]
    assert any(line.split()[:3] == ["-", "2013-11-01", "AM"] and "roll-out" in line for line in lines)
    assert any(line.split()[:4] == ["1", "2014-02-10", "NL", "pm-anna"] and line.endswith("Landelijke mailing")
               for line in lines)
    code, out, _ = loket("events", "list", "--scope", "NN", "--from", "2014-01-01")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["2"]
    code, out, _ = loket("events", "retire", "1", "--by", "beheer")
    assert code == 0 and out.strip() == "Retired event 1."
    assert "Landelijke mailing" not in loket("events", "list")[1]
    assert [(r.id, r.retired_by) for r in _rows(sqlite_store)] == [(1, "beheer"), (2, None)]
    with sqlite_store.connect() as conn:
        entries = conn.execute(sa.select(AuditEntry.username, AuditEntry.role, AuditEntry.action)
                               .where(AuditEntry.action.like("event_%")).order_by(AuditEntry.id)).all()
    assert [tuple(e) for e in entries] == [("pm-anna", "admin", "event_add"), ("pm-anna", "admin", "event_add"),
                                           ("beheer", "admin", "event_retire")]


@pytest.mark.parametrize(("argv", "message"), [
    (("add", "2014-02-10", "NL", "x" * 201), "longer than 200 characters"),
    (("add", "2014-02-10", "NL", "   "), "give a short text"),
    (("add", "2014-02-30", "NL", "Mailing"), "not a date"),
    (("add", "2011-01-01", "NL", "Mailing"), "outside the monitor's span"),
    (("add", "2014-02-10", "XX", "Mailing"), "not a scope"),
    (("retire", "99"), "no event with id 99"),
    (("retire", "abc"), "not an event's id"),
    (("list", "--scope", "XX"), "not a scope"),
    (("list", "--from", "gisteren"), "not a date"),
])
def test_bad_input_exits_with_2_a_clear_message_and_changes_nothing(loket, sqlite_store, argv, message):
    code, out, err = loket("events", *argv)
    assert code == 2 and out == "" and message in err and err.startswith("loket events: ")
    assert _rows(sqlite_store) == []


def test_a_200_character_text_is_recorded_and_an_empty_store_lists_no_events(loket, sqlite_store):
    with sqlite_store.begin() as conn:
        conn.execute(sa.update(Unit).values(rollout_on=None))
    assert loket("events", "list")[1].strip() == "No events."
    assert loket("events", "add", "2014-02-10", "LB", "z" * 200)[0] == 0
    assert _rows(sqlite_store)[0].text == "z" * 200
    code, _, err = loket("events", "retire", "1")
    assert code == 0 and loket("events", "retire", "1")[0] == 2
