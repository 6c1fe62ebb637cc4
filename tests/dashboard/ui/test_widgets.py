"""The data-drawn widgets (issue #18): a page's controls and tables are a handful of Dash components, whatever
the number of periods or rows, and the browser script draws the components the Python side names."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.ui import components, controls, widgets
from dashboard.ui.tables import Cell, Table
from queries.accounts.access import Access
from tests.monitor_fixtures import walk

SCRIPT = Path(__file__).resolve().parents[3] / "assets" / "widgets.js"


def _months(first_year: int, last_year: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]


def test_the_controls_of_fourteen_years_of_months_are_a_few_components():
    months = _months(2013, 2026)
    available = {"month": months, "quarter": [f"{y}-Q{q}" for y in range(2013, 2027) for q in range(1, 5)],
                 "year": [str(y) for y in range(2013, 2027)]}
    view = controls.view_from({"periode": "month", "van": "2014-03", "tot": "2015-02"},
                              Access(user="pm", role="programme"), available)
    form = controls.controls("waiting", "/wachttijden", view, "nl")
    parts = list(walk(form))
    assert len(parts) < 25  # it was 368 options alone
    selects = {c.name: c for c in parts if isinstance(c, widgets.Select)}
    assert set(selects) == {"periode", "van", "tot", "eenheid"}
    assert [v for v, _ in selects["van"].options] == months and selects["van"].value == "2014-03"
    assert selects["tot"].value == "2015-02" and selects["periode"].value == "month"
    assert selects["eenheid"].value == "" and ["", "Landelijk"] in selects["eenheid"].options
    # Every select has its label (the form stays a plain, labelled GET form).
    labels = {c.htmlFor for c in parts if type(c).__name__ == "Label"}
    assert labels == {c.id for c in selects.values()}


def test_a_table_behind_its_summary_carries_its_rows_as_data():
    table = Table("Aanmeldingen per maand", ["Maand", "Aanmeldingen"],
                  [[Cell("jan 2014"), Cell("40", 40.0, "count")], [Cell("feb 2014"), Cell("*", None, "count", True)]])
    details = components.table_details(table, "Tabel", "x-table")
    data = details.to_plotly_json()
    assert data["namespace"] == widgets.NAMESPACE and data["type"] == "TableDetails"
    assert data["props"] == {"id": "x-table", "summary": "Tabel", "caption": "Aanmeldingen per maand",
                             "header": ["Maand", "Aanmeldingen"], "rows": [["jan 2014", "40"], ["feb 2014", "*"]],
                             "table_class": "data-table"}


def test_a_widget_refuses_a_property_it_does_not_draw():
    with pytest.raises(TypeError, match="onclick"):
        widgets.Select(id="s", name="s", options=[], value=None, onclick="alert(1)")


def test_the_script_draws_every_widget_the_python_side_names():
    script = SCRIPT.read_text(encoding="utf-8")
    assert f"window.{widgets.NAMESPACE} = " in script
    drawn = set(re.search(r"window\.\w+ = \{(.*)\};", script).group(1).replace(" ", "").split(","))
    named = {f"{cls._type}:{cls._type}" for cls in (widgets.Select, widgets.TableDetails)}
    assert drawn == named
    for cls in (widgets.Select, widgets.TableDetails):  # every property the Python side sends is read
        for prop in set(cls._props) - {"className", "id"}:
            assert f"props.{prop}" in script, (cls._type, prop)
