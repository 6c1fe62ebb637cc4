"""The card model (issue #16): figures on category period axes, typed tables, and the one direction of
imports (cards are data; pages render them; exports write them, never reading a page)."""
from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ui import figures, tables
from queries.privacy import SYMBOL

ROOT = Path(__file__).resolve().parents[3]


def _frame(periods: list[str], hidden: int | None = None) -> pd.DataFrame:
    return pd.DataFrame({"period": periods, "value": [10.0 * (i + 1) for i in range(len(periods))],
                         "suppressed": [i == hidden for i in range(len(periods))]})


@pytest.mark.parametrize("periods", [["2022", "2023", "2024"], ["2023-Q4", "2024-Q1"], ["2024-01", "2024-02"]])
def test_every_period_axis_is_a_category_axis(periods):
    # Years (and, in Dutch, quarters) as numbers gave ticks like "2.024,5" between two years.
    df = _frame(periods)
    bars = figures.bar_over_time(df, title="", lang="nl")
    lines = figures.lines_over_time(df.assign(series="a"), title="", lang="nl", series_labels={"a": "A"},
                                    measure="percent")
    tiles = [figures.sparkline(df, lang="nl", measure=m) for m in ("count", "percent")]
    for fig in (bars, lines, *tiles):
        assert fig["layout"]["xaxis"]["type"] == "category"


def test_a_trend_table_types_every_cell():
    df = pd.DataFrame({"series": ["a", "a", "b"], "period": ["2024", "2025", "2024"], "value": [12.5, 3.0, 40.0],
                       "suppressed": [False, True, False]})
    table = tables.trend_table(df, "nl", series_labels={"a": "A", "b": "B"}, measure="days")
    assert table.header[1:] == ["A", "B"]
    (first, a1, b1), (second, a2, b2) = table.rows
    assert (first.text, first.value, second.text) == ("2024", None, "2025")  # a period label is text
    assert (a1.value, a1.text, a1.unit, a1.decimals) == (12.5, "12,5 dagen", "days", 1)
    assert (a2.value, a2.hidden, a2.text) == (None, True, SYMBOL)
    assert (b2.text, b2.value, b2.hidden) == ("", None, False)  # no cell: nothing, not hidden


def test_a_category_table_has_counts_and_shares_per_scope():
    df = pd.DataFrame({"category": ["x", "y"], "scope": ["NL", "NL"], "value": [62.5, None], "suppressed": [False, True],
                       "count": [25, 5], "count_suppressed": [False, True]})
    table = tables.category_table(df, "en", category_labels={"x": "X", "y": "Y"}, scope_labels={"NL": "National"},
                                  measure="percent")
    assert table.texts() == [["X", "25", "62%"], ["Y", SYMBOL, SYMBOL]]
    assert [c.value for c in table.rows[0][1:]] == [25.0, 62.0]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_cards_are_data_and_exports_read_no_page():
    for module in ("cards", "tables", "monitor", "figures", "components"):
        names = _imports(ROOT / "dashboard" / "ui" / f"{module}.py")
        assert not any(n.startswith(("dashboard.exports", "dashboard.pages", "dashboard.ui.render")) for n in names), \
            module
    for path in (ROOT / "dashboard" / "exports").glob("*.py"):
        if path.name == "export_ui.py":  # the buttons and callbacks: Dash by nature
            continue
        names = _imports(path)
        assert not any(n == "dash" or n.startswith(("dash.", "dashboard.pages", "dashboard.ui.render")) for n in names), \
            path.name
