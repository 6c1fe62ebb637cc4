"""Events on the timeline: validation, events by scope and role, roll-outs from the units, retiring, the audit log,
the store's table on SQLite and PostgreSQL and the data version the page cache keys on."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from queries import catalogue, events
from queries.accounts.access import Access, AccessDenied
from queries.store.schema import AuditEntry, Event as EventRow, Unit
from tests.factories import add_units

PM = Access("pm-anna", "programme")
ADMIN = Access("beheer", "admin")
UNIT_NN = Access("hr-nn", "unit", "NN")
UNIT_LB = Access("hr-lb", "unit", "LB")
NOBODY = Access("x", None)
TODAY = dt.date(2014, 4, 2)


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(EventRow).order_by(EventRow.id)).all()


def _audit(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).where(AuditEntry.action.in_(("event_add", "event_retire")))
                            .order_by(AuditEntry.id)).all()


def _add(engine, day="2014-03-03", scope="NL", text="Mailing aan alle medewerkers", who=PM) -> int:
    return events.record(engine, who, day=day, scope=scope, text=text, today=TODAY)


@pytest.fixture
def units_store(any_store):
    with any_store.begin() as conn:
        add_units(conn)
        conn.execute(sa.update(Unit).where(Unit.code == "AM").values(rollout_on=dt.date(2013, 11, 1)))
        conn.execute(sa.update(Unit).where(Unit.code == "LB").values(rollout_on=None))
    return any_store


# --- the table -------------------------------------------------------------------------------------------

def test_the_migration_creates_the_events_table_on_both_databases(any_store):
    columns = {c["name"]: c for c in sa.inspect(any_store).get_columns("events")}
    assert set(columns) == {"id", "day", "scope", "text", "created_by", "created_at", "retired_by", "retired_at"}
    assert columns["retired_at"]["nullable"] and not columns["text"]["nullable"]
    assert columns["text"]["type"].length == 200
    # the store itself refuses an empty or overlong text, whatever writes it (PostgreSQL: as too long for the type)
    for text in ("", "x" * 201):
        with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)), any_store.begin() as conn:
            conn.execute(sa.insert(EventRow).values(day=dt.date(2014, 1, 1), scope="NL", text=text, created_by="x",
                                                    created_at=dt.datetime(2014, 1, 1)))


# --- validation -------------------------------------------------------------------------------------------

def test_a_text_of_200_characters_is_recorded_and_201_refused(sqlite_store):
    new_id = _add(sqlite_store, text="  " + "a" * 200 + "  ")
    assert [(r.id, r.text) for r in _rows(sqlite_store)] == [(new_id, "a" * 200)]
    with pytest.raises(events.EventError) as err:
        _add(sqlite_store, text="a" * 201)
    assert err.value.key == "text_long" and err.value.params["length"] == 201
    assert len(_rows(sqlite_store)) == 1


@pytest.mark.parametrize(("changes", "key"), [
    ({"text": ""}, "text"), ({"text": "   \n "}, "text"), ({"text": None}, "text"), ({"text": "a\x00b"}, "text_chars"),
    ({"scope": "XX"}, "scope"), ({"scope": ""}, "scope"), ({"scope": None}, "scope"), ({"scope": "UNK"}, "scope"),
    ({"scope": ["NL"]}, "scope"),
    ({"day": "2014-02-30"}, "date"), ({"day": "maart 2014"}, "date"), ({"day": ""}, "date"), ({"day": None}, "date"),
    ({"day": 20140301}, "date"), ({"day": "2012-04-30"}, "date_range"), ({"day": "2015-04-04"}, "date_range"),
    ({"day": dt.date(1999, 1, 1)}, "date_range"),
])
def test_bad_input_is_refused_with_its_reason_and_nothing_is_written(sqlite_store, changes, key):
    args = {"day": "2014-03-03", "scope": "NL", "text": "Mailing", **changes}
    with pytest.raises(events.EventError) as err:
        events.record(sqlite_store, PM, **args, today=TODAY)
    assert err.value.key == key and isinstance(err.value, ValueError)
    assert _rows(sqlite_store) == [] and _audit(sqlite_store) == []


def test_dates_scopes_and_texts_are_read_as_people_type_them(sqlite_store):
    _add(sqlite_store, day="3-3-2014", scope="nn", text="Uitrol\tteamleiders\n  Noord")
    _add(sqlite_store, day=dt.date(2012, 5, 1))  # the monitor's first day
    _add(sqlite_store, day="2015-04-02")  # a year ahead: a planned campaign
    assert [(r.day, r.scope, r.text) for r in _rows(sqlite_store)] == [
        (dt.date(2014, 3, 3), "NN", "Uitrol teamleiders Noord"),
        (dt.date(2012, 5, 1), "NL", "Mailing aan alle medewerkers"),
        (dt.date(2015, 4, 2), "NL", "Mailing aan alle medewerkers")]


def test_a_scope_is_nl_or_a_units_code_or_name_as_the_pages_suggestions_give_it():
    assert [events.parse_scope(v) for v in ("NL", " landelijk ", "National", "nn", "Noord-Nederland", "The Hague",
                                            "zwb")] == ["NL", "NL", "NL", "NN", "NN", "DH", "ZWB"]
    for bad in ("Onbekend / niet opgegeven", "UNK", "Nederland", "NL NN"):
        with pytest.raises(events.EventError):
            events.parse_scope(bad)


def test_only_programme_managers_and_administrators_record_and_retire(sqlite_store):
    for who in (UNIT_NN, NOBODY):
        with pytest.raises(AccessDenied):
            _add(sqlite_store, scope="NN", who=who)
    event_id = _add(sqlite_store, who=ADMIN)
    with pytest.raises(AccessDenied):
        events.retire(sqlite_store, UNIT_NN, event_id)
    assert [r.retired_at for r in _rows(sqlite_store)] == [None]


# --- events by scope and role -------------------------------------------------------------------------------

def test_events_by_scope_and_role(units_store):
    national = _add(units_store, day="2014-01-15", scope="NL", text="Landelijke mailing")
    own = _add(units_store, day="2014-02-10", scope="NN", text="Uitrol teamleiders Noord-Nederland")
    other = _add(units_store, day="2014-02-11", scope="LB", text="Mailing in Limburg")

    def recorded(access, scopes=None):
        return [e.id for e in events.events_for(units_store, access, scopes) if e.kind == events.RECORDED]

    # a unit user: national and its own unit's, never another unit's, whatever it asks for
    assert recorded(UNIT_NN) == [national, own]
    assert recorded(UNIT_NN, ["NN", "NL"]) == [national, own]
    assert recorded(UNIT_NN, ["NL"]) == [national]
    with pytest.raises(AccessDenied):
        events.events_for(units_store, UNIT_NN, ["NN", "LB"])
    assert all(e.scope in ("NN", "NL") for e in events.events_for(units_store, UNIT_NN))
    assert recorded(UNIT_LB) == [national, other]
    # programme managers and administrators: all, or the scopes they ask for
    assert recorded(PM) == recorded(ADMIN) == [national, own, other]
    assert recorded(PM, ["LB"]) == [other] and recorded(PM, ["AM", "NL"]) == [national]
    # no role: nothing
    assert events.events_for(units_store, NOBODY) == []
    # a range
    assert [e.id for e in events.events_for(units_store, PM, ["NL", "NN", "LB"], start=dt.date(2014, 2, 1),
                                            end=dt.date(2014, 2, 10))] == [own]


def test_roll_outs_come_from_the_units_and_cannot_be_retired(units_store):
    rollouts = [e for e in events.events_for(units_store, PM) if e.kind == events.ROLLOUT]
    by_unit = {e.scope: e.day for e in rollouts}
    assert by_unit["AM"] == dt.date(2013, 11, 1) and by_unit["NN"] == dt.date(2012, 5, 1)
    assert "LB" not in by_unit and "NL" not in by_unit  # no roll-out date, and the nation has none
    assert "UNK" not in by_unit  # the unknown unit has a date in the test data, but is no place
    assert not any(e.retirable for e in rollouts) and all(e.id is None and e.text == "" for e in rollouts)
    # a unit user gets its own unit's roll-out only
    assert [(e.scope, e.kind) for e in events.events_for(units_store, UNIT_NN)] == [("NN", events.ROLLOUT)]
    assert [e.scope for e in events.events_for(units_store, PM, ["AM"], start=dt.date(2013, 1, 1))] == ["AM"]


# --- retiring and the audit log -------------------------------------------------------------------------------

def test_retiring_keeps_the_row_and_hides_the_event(units_store):
    kept, retired = _add(units_store, text="blijft"), _add(units_store, text="weg")
    events.retire(units_store, ADMIN, str(retired))
    assert [e.id for e in events.events_for(units_store, PM, ["NL"])] == [kept]
    row = next(r for r in _rows(units_store) if r.id == retired)
    assert row.text == "weg" and row.retired_by == "beheer" and row.retired_at is not None
    with pytest.raises(events.EventError) as err:
        events.retire(units_store, ADMIN, retired)
    assert err.value.key == "retired"
    for bad, key in ((999, "no_id"), ("abc", "id"), (0, "id"), (True, "id"), (2**40, "id"), (None, "id")):
        with pytest.raises(events.EventError) as err:
            events.retire(units_store, ADMIN, bad)
        assert err.value.key == key


def test_every_record_and_retire_is_in_the_audit_log_without_the_text(units_store):
    event_id = _add(units_store, day="2014-02-10", scope="NN", text="Uitrol teamleiders")
    events.retire(units_store, ADMIN, event_id)
    entries = [(e.username, e.role, e.action, e.target, e.scope, e.status) for e in _audit(units_store)]
    assert entries == [("pm-anna", "programme", "event_add", f"event {event_id}: 2014-02-10", "NN", 200),
                       ("beheer", "admin", "event_retire", f"event {event_id}: 2014-02-10", "NN", 200)]
    refused_before = len(_audit(units_store))
    with pytest.raises(events.EventError):
        _add(units_store, text="x" * 201)
    assert len(_audit(units_store)) == refused_before


# --- the data version the page cache keys on ---------------------------------------------------------------------

def test_the_data_version_changes_with_every_event_and_roll_out(units_store):
    seen = [catalogue.data_version(units_store)]
    event_id = _add(units_store)
    seen.append(catalogue.data_version(units_store))
    events.retire(units_store, PM, event_id)
    seen.append(catalogue.data_version(units_store))
    with units_store.begin() as conn:
        conn.execute(sa.update(Unit).where(Unit.code == "LB").values(rollout_on=dt.date(2013, 12, 1)))
    seen.append(catalogue.data_version(units_store))
    assert len(set(seen)) == 4
    assert catalogue.data_version(units_store) == seen[-1]  # and nothing else moves it
