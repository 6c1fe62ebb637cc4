"""Client survey: response rate, grades, goals reached, expectations met, work resumed, aspect ratings."""
from __future__ import annotations

import dash

from dashboard.ui import cards, controls
from dashboard.ui.texts import t
from queries.store import codes
from queries.monitor import survey
from queries.catalogue.indicators import ASPECTS

PATH = "/clientonderzoek"
dash.register_page(__name__, path=PATH, name="Cliëntonderzoek", text_key="page.survey", order=4, cache=True)

PAGE = "survey"
ID_RESPONSE = "survey-response-rate"
ID_GRADE = "survey-grade"
ID_SHARES = "survey-shares"
ID_GOALS = "survey-goals"
ID_ASPECTS = "survey-aspects"


def body(view: controls.View, lang: str) -> list:
    """Return the survey cards for a view."""
    data = cards.page_data(view)
    return [
        cards.trend_card(ID_RESPONSE, view=view, lang=lang, keys=["response_rate"], title=t("ind.response_rate", lang),
                         definition="response_rate", expected=data.lines,
                         fetch=data.over(survey.response_rate)),
        cards.trend_card(ID_GRADE, view=view, lang=lang, keys=["grade_mean"], title=t("ind.grade_mean", lang),
                         definition="grade_mean", expected=data.lines, fetch=data.over(survey.mean_grade)),
        cards.trend_card(ID_SHARES, view=view, lang=lang,
                         keys=["grade_7plus", "goals_reached", "expectations_met", "work_resumed"],
                         title=t("survey.shares", lang), definition="grade_7plus", expected=data.lines,
                         fetch=data.over(survey.survey_shares)),
        cards.breakdown_card(ID_GOALS, view=view, lang=lang, tables=cards.parent_tables("surveys_by_goals"),
                             title=t("ind.goals_breakdown", lang), definition="goals_breakdown",
                             category_labels=cards.code_labels(codes.GOALS_REACHED, lang), fetch=data.at(survey.goals_reached)),
        cards.breakdown_card(ID_ASPECTS, view=view, lang=lang, tables=tuple(f"survey_rating_{a}" for a in ASPECTS),
                             measure="rating", title=t("ind.aspect_ratings", lang), definition="aspect_ratings",
                             category_labels={a: t(f"cat.aspect.{a}", lang) for a in ASPECTS},
                             fetch=data.at(survey.aspect_ratings)),
    ]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the client survey page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

