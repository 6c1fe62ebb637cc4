"""Registrations: how many clients registered, per period, and who they are (group, product, unit, ...)."""
from __future__ import annotations

import dash

from dashboard.ui import components, figures, monitor, render, tables
from dashboard.ui.texts import current_language
from dashboard.web import runtime
from dashboard.web.auth import current_access
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    REGISTRATIONS_GRAPH as ID_GRAPH,
    REGISTRATIONS_BY_UNIT as ID_BY_UNIT,
    REGISTRATIONS_REACH as ID_REACH,
    breakdown_id,
)
from dashboard.ui.render import PRODUCTS_ID as ID_PRODUCTS  # noqa: F401
from queries import targets
from queries.monitor.registrations import registrations_over_time
from queries.store import periods
from queries.targets import target_rules

PAGE = "registrations"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Aanmeldingen", text_key="page.registrations", order=1, cache=True)


def figure_and_table(period_type: str):
    """Return the national registrations chart and its table for a period type (all periods)."""
    lang = current_language()
    period_type = period_type if period_type in periods.PERIOD_TYPES else "month"
    engine, access = runtime.current().engine, current_access()
    df = registrations_over_time(engine, access, period_type=period_type)
    expected = target_rules.overall(targets.reference_lines(engine, access), "registrations")
    fig = figures.bar_over_time(df, title="", lang=lang, expected=expected)
    return fig, components.table(tables.period_table(df, lang))


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the registrations page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
