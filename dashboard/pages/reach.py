"""Reach and 24/7: contacts by channel, the share in evenings, nights and weekends, website visits."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    REACH_CONTACTS as ID_CONTACTS,
    REACH_CHANNELS as ID_CHANNELS,
    REACH_HOURS as ID_HOURS,
    REACH_WEBSITE as ID_WEBSITE,
)

PAGE = "reach"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Bereik en 24/7", text_key="page.reach", order=5, cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the reach page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
