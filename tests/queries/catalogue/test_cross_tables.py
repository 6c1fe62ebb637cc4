"""The cross-tables units ask for, and the survey's comparison tables: counted right, linked, protected."""
import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries import catalogue
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.privacy import Policy, linked
from queries.privacy.audit import UNBOUNDED, Attacker, audit_cells
from queries.store.schema import RegistrationQuestion, Survey
from tests.factories import add_registrations, add_units, registration
from tests.stores import fresh_store

PROGRAMME = Access("t", "programme")
UNIT = Access("t", "unit", "NN")
YEAR = ("year", "2014")


def _rows():
    """2014: NN and ON, some wanting anonymity (career or private), closed with a referral, two question types each."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(260):
        unit = "NN" if i % 3 else "ON"
        anonymous = rng.random() < 0.35
        day = dt.date(2014, int(rng.integers(1, 13)), 5)
        closed = day + dt.timedelta(days=30) if day.month < 11 else None
        rows.append(registration(
            day, unit, target_group=str(rng.choice(["current_staff", "manager", "family"])),
            product=str(rng.choice(["short_term", "info_advice", "process_guidance"])),
            anonymity_wish=anonymous, anonymity_reason=str(rng.choice(["career", "private"])) if anonymous else None,
            closed_on=closed, referral_outcome=str(rng.choice(["back_to_unit", "none_needed"])) if closed else None,
            work_status="working" if closed else None))
    return rows


def _store(tmp_path):
    engine = fresh_store(f"sqlite:///{tmp_path / 'cross.sqlite'}")
    rows = _rows()
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, rows)  # every registration: workload
        conn.execute(sa.insert(RegistrationQuestion), [  # every third also: conflict with a manager
            {"registration_id": r["id"], "question_type": "conflict_manager"} for r in rows[::3]])
        closed = [r for r in rows if r["closed_on"]]
        conn.execute(sa.insert(Survey), [
            {"id": n + 1, "source_id": f"X{n}", "registration_id": r["id"] if n % 5 else None,
             "answered_on": r["closed_on"] + dt.timedelta(days=3), "grade": 8, "goals_reached": "yes",
             "expectations_met": True, "work_resumed": True}
            for n, r in enumerate(closed[::2])])
    return engine, rows


def _counts(engine):
    with engine.connect() as conn:
        return catalogue.build_counts(catalogue.read_populations(conn, "2014-12"), "2014-12")


def _cell(counts, table, category, scope="NL"):
    found = counts[(counts["table_name"] == table) & (counts["category"] == category) & (counts["scope"] == scope)
                   & (counts["period_type"] == YEAR[0]) & (counts["period"] == YEAR[1])]
    assert len(found) == 1, (table, category, scope)
    return int(found["n"].iloc[0])


def test_cross_tables_count_what_they_say(tmp_path):
    engine, rows = _store(tmp_path)
    counts = _counts(engine)
    df = pd.DataFrame(rows)
    manager_question = set(df["id"].iloc[::3])
    for wish, anonymous in (("yes", True), ("no", False)):
        mine = df[df["anonymity_wish"] == anonymous]
        assert _cell(counts, f"registrations_by_question_type_{wish}", "workload") == len(mine)
        assert _cell(counts, f"registrations_by_question_type_{wish}", "conflict_manager") == \
            mine["id"].isin(manager_question).sum()
    nn = df[(df["unit_code"] == "NN") & (df["anonymity_reason"] == "career") & (df["target_group"] == "manager")]
    assert _cell(counts, "registrations_by_target_group_career", "manager", "NN") == len(nn)
    back = df[(df["referral_outcome"] == "back_to_unit") & (df["product"] == "short_term")]
    assert _cell(counts, "closures_back_to_unit_by_product", "short_term") == len(back)
    # Surveys without a registration have an unknown product and target group.
    surveys = (df["closed_on"].notna()).sum()
    answered = len(range(0, surveys, 2))
    assert _cell(counts, "surveys_by_product", "unknown") == len(range(0, answered, 5))
    assert sum(_cell(counts, "surveys_by_target_group", g) for g in (
        "current_staff", "manager", "family", "unknown")) == answered


def test_cross_tables_are_published_per_year_and_the_survey_comparison_nationally(tmp_path):
    engine, _rows_ = _store(tmp_path)
    counts = _counts(engine)
    for table in ("registrations_by_question_type_yes", "closures_back_to_unit_by_product"):
        cells = counts[counts["table_name"] == table]
        assert set(cells["period_type"]) == {"year"} and {"NL", "NN"} <= set(cells["scope"])
        assert indicators.period_types_for((table,), "NL") == ("year",)
        assert indicators.period_types_for((table,), "NN") == ("year",)
    survey = counts[counts["table_name"] == "surveys_by_product"]
    assert set(survey["scope"]) == {"NL"} and set(survey["period_type"]) == {"year"}
    assert indicators.period_types_for(("surveys_by_product",), "NN") == ()


def test_true_counts_satisfy_the_margins_and_the_attacker_is_given_them(tmp_path):
    engine, _rows_ = _store(tmp_path)
    counts = _counts(engine)
    tables = catalogue.TABLES_BY_NAME
    registrations = [b for b in linked.blocks(counts, tables) if (b.cells["table_name"] == "registrations").any()
                     and (b.cells["period"].str[:4] == "2014").any()][0]
    n = registrations.cells["n"].to_numpy()
    assert np.abs(registrations.equalities @ n).max() == 0
    assert (registrations.inequalities @ n).max() <= 0
    # Without the margins the relations are fewer: the cross-tables are tied to the one-way tables.
    bare = {name: dataclasses.replace(t, margin=None) for name, t in tables.items()}
    without = linked.build_block(registrations.cells.drop(columns="row"), bare)
    assert without.equalities.shape[0] < registrations.equalities.shape[0]
    assert without.inequalities.shape[0] < registrations.inequalities.shape[0]
    # One margin row per question type, scope and year: anonymous + not anonymous = all.
    eq = registrations.equalities.tocsr()
    cells = registrations.cells
    qt = cells.index[(cells["table_name"] == "registrations_by_question_type") & (cells["category"] == "workload")
                     & (cells["scope"] == "NN")][0]
    rows_with = {r for r in range(eq.shape[0]) if eq[r, qt] != 0}
    names = {frozenset(cells.loc[eq[r].indices, "table_name"]) for r in rows_with}
    assert frozenset({"registrations_by_question_type", "registrations_by_question_type_yes",
                      "registrations_by_question_type_no"}) in names


def _margin_cells():
    """National 2014: 12 registrations with workload questions, 3 of them wanting anonymity, 9 not."""
    rows = [("registrations_by_question_type", 12), ("registrations_by_question_type_yes", 3),
            ("registrations_by_question_type_no", 9)]
    return pd.DataFrame({"table_name": [r[0] for r in rows], "scope": "NL", "period_type": "year", "period": "2014",
                         "category": "workload", "n": [r[1] for r in rows]})


def test_the_attacker_differences_a_cross_cell_through_its_margin():
    # An attacker who knew all workload registrations (12) and the anonymous ones (3) knows the
    # rest is exactly 9 through the margin; without it, nothing ties that cell down.
    cells = _margin_cells()
    truth = cells["n"].to_numpy()
    lower, upper = np.array([12.0, 3.0, 0.0]), np.array([12.0, 3.0, UNBOUNDED])
    tables = catalogue.TABLES_BY_NAME
    bare = {name: dataclasses.replace(t, margin=None) for name, t in tables.items()}
    pinned = Attacker(linked.build_block(cells, tables), lower, upper).intervals(np.array([2]), truth, 5)
    free = Attacker(linked.build_block(cells, bare), lower, upper).intervals(np.array([2]), truth, 5)
    assert (pinned.lower[0], pinned.upper[0]) == (9, 9)
    assert free.width[0] >= 5


def test_protected_cross_tables_pass_the_audit_for_every_role(tmp_path):
    engine, _rows_ = _store(tmp_path)
    counts = _counts(engine)
    policy = Policy()
    published, _protection = catalogue.publish(counts, policy)
    protected = counts.assign(value=published["value"], suppressed=published["suppressed"])
    for access in (PROGRAMME, UNIT, Access("t", "unit", "ON")):
        report = audit_cells(protected, policy, access, catalogue.TABLES_BY_NAME)
        assert report.narrow.empty, report.narrow.to_string()
        assert report.narrowest >= policy.k / 2
    cross = protected["table_name"].map(lambda name: catalogue.TABLES_BY_NAME[name].margin is not None)
    assert protected.loc[cross, "suppressed"].any() and not protected.loc[cross, "suppressed"].all()
