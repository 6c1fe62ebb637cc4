"""A card says which of its periods were revised after an earlier release, read once per page."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.exports import as_caller
from dashboard.ui import controls, monitor
from dashboard.ui.texts import fmt_period, t
from queries import catalogue
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.privacy import Policy
from tests.factories import add_registrations, add_units, make_app, registration
from tests.stores import fresh_store

PROGRAMME, UNIT = Access("x", "programme"), Access("x", "unit", "NN")


@pytest.fixture(scope="module")
def revised_store(tmp_path_factory):
    """Registrations for January-March 2014, published; then late ones for February in NN, published again."""
    engine = fresh_store(f"sqlite:///{tmp_path_factory.mktemp('revised') / 'store.sqlite'}")
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, [registration(dt.date(2014, m, 1 + i % 27), unit)
                                 for m in (1, 2, 3) for unit in ("NN", "LB") for i in range(40)])
    catalogue.refresh(engine, Policy(), today=dt.date(2014, 4, 2))
    with engine.begin() as conn:
        add_registrations(conn, [registration(dt.date(2014, 2, 20), "NN") for _ in range(7)])
    assert catalogue.refresh(engine, Policy(), today=dt.date(2014, 4, 3)).revised_cells > 0
    return engine


def _cards(engine, access, page, monkeypatch):
    reads = []
    original = indicators.revised_periods
    monkeypatch.setattr(indicators, "revised_periods", lambda *a, **k: reads.append(k) or original(*a, **k))
    with as_caller(make_app(engine).server, access, "en"):
        query = {"periode": "quarter", "van": "2014-Q1", "tot": "2014-Q1"}
        view = controls.view_from(query, access, indicators.published_periods(engine, access))
        return monitor.cards_for(page, view, "en"), reads


@pytest.mark.parametrize("access", [PROGRAMME, UNIT], ids=["programme", "unit"])
def test_the_registration_cards_name_the_revised_month_and_the_page_reads_it_once(revised_store, access,
                                                                                   monkeypatch):
    cards, reads = _cards(revised_store, access, "registrations", monkeypatch)
    note = t("note.revised", "en").format(periods=fmt_period("2014-Q1", "en"))  # February's quarter
    graph = next(c for c in cards if c.card_id == monitor.REGISTRATIONS_GRAPH)
    assert note in graph.notes
    # One read per range and set of scopes, not one per card (the programme's by-unit card reads every unit).
    keys = [(r["period_type"], frozenset(r["scopes"]), r["start"], r["end"]) for r in reads]
    assert len(set(keys)) == len(keys) < len(cards) / 2


def test_cards_whose_tables_were_not_revised_say_nothing(revised_store, monkeypatch):
    cards, _ = _cards(revised_store, PROGRAMME, "survey", monkeypatch)
    assert cards and not any(n.startswith(t("note.revised", "en")[:20]) for c in cards for n in c.notes)
