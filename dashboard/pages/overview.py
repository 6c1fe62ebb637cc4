"""Overview: the latest complete period at a glance, five headline indicators with their trend, and how the
latest period compares with the commissioner's expected values."""
from __future__ import annotations

import dash
from dash import html

from dashboard.ui import monitor, render
from dashboard.ui.monitor import OVERVIEW_EXPECTED as ID_EXPECTED, tile_id  # noqa: F401 - the page's ids
from dashboard.ui.texts import t

PAGE = "overview"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Overzicht", text_key="page.overview", order=0, cache=True)

ID_TILES = "overview-tiles"


def _arrange(sections: list, lang: str) -> list:
    """Group the headline tiles; the expected values follow them."""
    return [html.H2(t("kpi.heading", lang), className="visually-hidden"),
            html.Div(sections[:-1], id=ID_TILES, className="kpi-grid"), sections[-1]]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the overview for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query, arrange=_arrange)
