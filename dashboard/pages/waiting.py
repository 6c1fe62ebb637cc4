"""Waiting and throughput: time to first intake, time to closure per product, sessions, counsellor changes."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    WAITING_TIMES as ID_TIMES,
    WAITING_WITHIN as ID_WITHIN,
    WAITING_THROUGHPUT as ID_THROUGHPUT,
    WAITING_SESSIONS as ID_SESSIONS,
    WAITING_PG as ID_PG,
    WAITING_COUNSELLORS as ID_COUNSELLORS,
)

PAGE = "waiting"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Wachttijd en doorlooptijd", text_key="page.waiting", order=2, cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the waiting and throughput page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
