import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from queries import store
from queries.catalogue import reader
from queries.store.schema import Base, Registration
from tests.factories import add_registrations, add_units, registration

CONTRACT_TABLES = {
    "units", "contacts", "registrations", "registration_questions", "sessions", "surveys",
    "website_visits", "indicator_targets", "import_batches",
}


def test_migrations_create_every_contract_table(any_store):
    tables = set(sa.inspect(any_store).get_table_names())
    assert CONTRACT_TABLES <= tables
    assert store.is_current(any_store)


def test_migrations_match_the_models(any_store):
    # A model change without a migration would make the two drift apart.
    with any_store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_registrations_are_indexed_by_period_and_unit(any_store):
    indexes = {tuple(ix["column_names"]) for ix in sa.inspect(any_store).get_indexes("registrations")}
    assert ("unit_code", "registered_on") in indexes
    assert ("registered_on",) in indexes


def test_the_revision_notes_read_the_partial_index_of_revised_cells(any_store):
    # Its condition is spelled per dialect: SQLite only uses a partial index whose condition the query repeats.
    statements = []
    sa.event.listen(any_store, "before_cursor_execute", lambda *a: statements.append((a[2], a[3])))
    with any_store.connect() as conn:
        reader.revised_periods(conn, "year", ["NL", "NN"], start="2013", end="2014")
        sql, params = statements[-1]
        if any_store.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table is otherwise read whole
        plan = " ".join(str(r) for r in conn.exec_driver_sql(("EXPLAIN QUERY PLAN " if any_store.dialect.name == "sqlite"
                                                             else "EXPLAIN ") + sql, params))
    assert "ix_published_cells_revised" in plan


def test_store_refuses_intake_before_registration(any_store):
    with any_store.begin() as conn:
        add_units(conn)
    bad = registration(dt.date(2014, 3, 10), first_intake_on=dt.date(2014, 3, 1))
    with pytest.raises(sa.exc.IntegrityError), any_store.begin() as conn:
        add_registrations(conn, [bad])
    with any_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 0


def test_sqlite_store_is_created_under_instance_by_default():
    assert store.DEFAULT_URL.endswith("instance/loket.sqlite")


def test_migrate_is_idempotent(sqlite_store):
    store.migrate(sqlite_store)
    assert store.is_current(sqlite_store)
