"""Registrations: how many clients registered, per period, and who they are (group, product, unit, ...)."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    REGISTRATIONS_GRAPH as ID_GRAPH,
    REGISTRATIONS_BY_UNIT as ID_BY_UNIT,
    REGISTRATIONS_REACH as ID_REACH,
    breakdown_id,
)
from dashboard.ui.render import PRODUCTS_ID as ID_PRODUCTS  # noqa: F401

PAGE = "registrations"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Aanmeldingen", text_key="page.registrations", order=1, cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the registrations page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
