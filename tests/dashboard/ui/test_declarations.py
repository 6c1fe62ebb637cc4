"""One declaration per indicator: its cells and measure (queries/catalogue/declarations.py), its page, and its
name, definition, numerator and denominator in the text catalogue, keyed by the declaration; they agree."""
from __future__ import annotations

import pytest

from dashboard.exports import as_caller
from dashboard.ui import controls, monitor
from dashboard.ui.texts import TEXTS
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.catalogue.declarations import INDICATORS
from tests import monitor_fixtures
from tests.factories import make_app

LANGS = ("nl", "en")


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> dict[str, set[str]]:
    """Every indicator each monitor page charts, read off the cards built for the programme manager."""
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "decl")
    app = make_app(engine)
    access = Access("decl", "programme")
    out = {}
    with as_caller(app.server, access, "nl"):
        view = controls.view_from({"periode": "year"}, access, indicators.published_periods(engine, access))
        for page in monitor.PAGES:
            keys = set()
            for card in monitor.cards_for(page, view, "nl"):
                keys.add(card.definition)
                if card.frame is not None and "indicator" in card.frame:
                    keys.update(card.frame["indicator"])
                # one chart of every aspect rating, explained by one definition
                keys.update(k for k, ind in INDICATORS.items() if ind.defined_by == card.definition)
            out[page] = keys - {None}
    return out


def test_every_indicator_is_charted_on_the_page_its_declaration_names(shown):
    wrong = {key: (ind.page, sorted(p for p, keys in shown.items() if key in keys))
             for key, ind in INDICATORS.items() if ind.page and key not in shown[ind.page]}
    assert not wrong, f"declared page, pages that chart it: {wrong}"


def test_an_indicator_without_a_page_is_charted_on_none(shown):
    # Such a count is only a denominator (closures) or read as a breakdown (counsellor changes).
    for key in (k for k, ind in INDICATORS.items() if not ind.page):
        assert not any(key in keys for keys in shown.values()), key


def test_every_page_charts_only_declared_indicators_or_breakdowns_with_a_definition(shown):
    for page, keys in shown.items():
        unexplained = {k for k in keys if k not in INDICATORS and f"ind.{k}.def" not in TEXTS}
        assert not unexplained, (page, unexplained)


@pytest.mark.parametrize("key", sorted(INDICATORS))
def test_every_declared_indicator_has_its_texts_in_both_languages(key):
    ind = INDICATORS[key]
    explained = ind.defined_by or key
    assert ind.defined_by in ("", *INDICATORS, *(k[4:-4] for k in TEXTS if k.endswith(".def")))
    for text_key in (f"ind.{explained}", f"ind.{explained}.def", f"ind.{explained}.num"):
        assert text_key in TEXTS and all(TEXTS[text_key]), text_key
    if not ind.defined_by:
        assert f"ind.{key}" in TEXTS and all(TEXTS[f"ind.{key}"]), key
    if ind.kind == "percent":  # a share says what it is a share of
        assert f"ind.{key}.den" in TEXTS, key
