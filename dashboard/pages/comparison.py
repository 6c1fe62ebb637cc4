"""Comparing units: funnel plots of five indicators per year, each unit's rate against its number of clients."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
from dashboard.ui.monitor import funnel_id  # noqa: F401 - the page's card ids (one per compared indicator)

PAGE = "comparison"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Eenheden vergelijken", text_key="page.comparison", order=5.5,
                   cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the comparison of units for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
