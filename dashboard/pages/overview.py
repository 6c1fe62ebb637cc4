"""Overview: the latest complete period at a glance, five headline indicators with their trend."""
from __future__ import annotations

import dash
from dash import html

from dashboard import cards, controls
from dashboard.auth import current_access
from dashboard.texts import t
from queries import overview, targets

PATH = "/"
dash.register_page(__name__, path=PATH, name="Overzicht", text_key="page.overview", order=0)

PAGE = "overview"
ID_TILES = "overview-tiles"


def tile_id(indicator: str) -> str:
    """Return the id of an indicator's tile."""
    return f"overview-{indicator.replace('_', '-')}"


def body(view: controls.View, lang: str) -> list:
    """Return the headline tiles for a view."""
    engine, access = cards.engine(), current_access()
    expected = dict(targets.expected_values(engine, access)[["indicator", "expected_value"]].itertuples(index=False))
    tiles = [
        cards.kpi_card(
            tile_id(key), view=view, lang=lang, key=key, expected=expected.get(key),
            fetch=lambda s, key=key: overview.headline_trend(engine, access, indicator=key, scopes=view.scopes,
                                                             period_type=s.period_type, start=s.start, end=s.end),
        )
        for key in overview.HEADLINE
    ]
    return [html.H2(t("kpi.heading", lang), className="visually-hidden"), html.Div(tiles, id=ID_TILES, className="kpi-grid")]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the overview for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

