"""Client survey: response rate, grades, goals reached, expectations met, work resumed, aspect ratings."""
from __future__ import annotations

import dash

from dashboard.ui import monitor, render
# The page's card ids (the cards themselves are listed in dashboard.ui.monitor).
from dashboard.ui.monitor import (  # noqa: F401
    SURVEY_RESPONSE as ID_RESPONSE,
    SURVEY_GRADE as ID_GRADE,
    SURVEY_SHARES as ID_SHARES,
    SURVEY_GOALS as ID_GOALS,
    SURVEY_ASPECTS as ID_ASPECTS,
)

PAGE = "survey"
PATH = monitor.path_of(PAGE)
dash.register_page(__name__, path=PATH, name="Cliëntonderzoek", text_key="page.survey", order=4, cache=True)


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the client survey page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return render.page(PAGE, query=query)
