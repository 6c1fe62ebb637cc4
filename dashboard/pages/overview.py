"""Overview: the latest complete period at a glance, five headline indicators with their trend, and how the
latest period compares with the commissioner's expected values."""
from __future__ import annotations

import dash
from dash import html

from dashboard.ui import cards, controls
from dashboard.ui.texts import t
from queries.monitor import overview

PATH = "/"
dash.register_page(__name__, path=PATH, name="Overzicht", text_key="page.overview", order=0, cache=True)

PAGE = "overview"
ID_TILES = "overview-tiles"
ID_EXPECTED = "overview-expected"


def tile_id(indicator: str) -> str:
    """Return the id of an indicator's tile."""
    return f"overview-{indicator.replace('_', '-')}"


def body(view: controls.View, lang: str) -> list:
    """Return the headline tiles and the expected values, with how the latest period compares, for a view."""
    data = cards.page_data(view)
    tiles = [
        cards.kpi_card(
            tile_id(key), view=view, lang=lang, key=key, expected=data.lines, parts=data.parts,
            fetch=lambda s, key=key: overview.headline_trend(data.engine, data.access, indicator=key,
                                                             scopes=view.scopes, period_type=s.period_type,
                                                             start=s.start, end=s.end),
        )
        for key in overview.HEADLINE
    ]
    return [html.H2(t("kpi.heading", lang), className="visually-hidden"), html.Div(tiles, id=ID_TILES, className="kpi-grid"),
            cards.expected_values_card(ID_EXPECTED, view=view, lang=lang, lines=data.lines, parts=data.parts)]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the overview for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

