"""The cross-tables' and the survey comparison's cards: one scope, a series per code, shares of published cells."""
from __future__ import annotations

import numpy as np
import pytest

from dashboard.exports import as_caller
from dashboard.ui import controls, monitor
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.monitor import referrals
from tests import monitor_fixtures
from tests.factories import make_app

PROGRAMME, UNIT = Access("x", "programme"), Access("x", "unit", "NN")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The referrals and survey cards of the monitor store, for the programme and for unit NN, per year."""
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "cross")
    app = make_app(engine)
    out = {}
    for access in (PROGRAMME, UNIT):
        with as_caller(app.server, access, "en"):
            view = controls.view_from({"periode": "year"}, access, indicators.published_periods(engine, access))
            for page in ("referrals", "survey"):
                out.update({(access.role, c.card_id): c for c in monitor.cards_for(page, view, "en")})
    return engine, out


def test_question_types_by_anonymity_wish_show_both_groups_for_the_view_scope_only(built):
    engine, cards = built
    for role, scope in (("programme", "NL"), ("unit", "NN")):
        card = cards[role, monitor.REFERRALS_QUESTIONS_BY_WISH]
        assert not card.empty and card.periods == ("2013",)
        assert set(card.frame["series"]) == {"yes", "no"}
        assert set(card.frame["category"]) >= {"workload"}
        names = {trace["name"] for trace in card.figure["data"]}
        assert {"Wants anonymity", "No anonymity wish"} <= {n.split(": ")[0].lstrip("* ") for n in names}
        assert card.table.header[1].startswith("Wants anonymity")
        # The fetch read the view's scope only: a unit sees its own cells, the programme national ones.
        access = PROGRAMME if role == "programme" else UNIT
        read = referrals.question_types_by_anonymity(engine, access, scopes=[scope], period_type="year", period="2013")
        assert set(read["scope"]) == {scope}
        assert card.frame["count"].fillna(-1).tolist() == read["count"].fillna(-1).tolist()
        assert "Per year" in " ".join(card.notes)


def test_a_cross_share_is_its_published_count_over_its_published_parent(built):
    engine, cards = built
    card = cards["programme", monitor.REFERRALS_QUESTIONS_BY_WISH]
    shown = card.frame[card.frame["value"].notna()]
    assert len(shown) >= 1
    parents = indicators.shares(engine, PROGRAMME, "registrations_by_anonymity", scopes=["NL"], period_type="year",
                                period="2013").set_index("category")["count"]
    for row in shown.itertuples():
        assert row.value == np.floor(100 * row.count / parents[row.series] + 0.5)


def test_referral_back_by_product_is_a_share_of_each_product_s_closures(built):
    engine, cards = built
    card = cards["unit", monitor.REFERRALS_BACK_BY_PRODUCT]
    assert set(card.frame["scope"]) <= {"NN", "NL"}
    closures = indicators.shares(engine, UNIT, "closures_by_product", scopes=["NN"], period_type="year",
                                 period="2013").set_index("category")
    mine = card.frame[(card.frame["scope"] == "NN") & card.frame["value"].notna()]
    assert len(mine) >= 1
    for row in mine.itertuples():
        assert row.value == np.floor(100 * row.count / closures.loc[row.category, "count"] + 0.5)


def test_the_survey_comparison_is_national_for_every_role(built):
    _engine, cards = built
    for role in ("programme", "unit"):
        for card_id in (monitor.SURVEY_BY_PRODUCT, monitor.SURVEY_BY_TARGET_GROUP):
            card = cards[role, card_id]
            assert not card.empty and card.periods == ("2013",)
            assert set(card.frame["series"]) == {"surveys", "closures"}
            for series in ("surveys", "closures"):  # each series' shares of its own total
                shown = card.frame[(card.frame["series"] == series) & card.frame["value"].notna()]
                hidden = card.frame.loc[card.frame["series"] == series, "suppressed"].any()
                assert hidden or 95 <= shown["value"].sum() <= 105, (series, shown)
            assert len(card.frame[(card.frame["series"] == "closures") & card.frame["value"].notna()]) >= 2
        response = cards[role, monitor.SURVEY_RESPONSE_BY_PRODUCT]
        assert set(response.frame["scope"]) == {"NL"} and "unknown" not in set(response.frame["category"])
