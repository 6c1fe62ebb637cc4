"""Referrals and screening: back to the unit, external care or none; TCL screening; the anonymity wish."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    REFERRALS_RATES as ID_RATES,
    REFERRALS_OUTCOMES as ID_OUTCOMES,
    REFERRALS_TCL as ID_TCL,
    REFERRALS_ANONYMITY as ID_ANONYMITY,
    REFERRALS_REASONS as ID_REASONS,
)

PAGE = "referrals"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Verwijzing en screening", text_key="page.referrals", order=3, cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the referrals and screening page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
