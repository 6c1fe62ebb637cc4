"""Waiting and throughput: time to first intake, time to closure per product, sessions, counsellor changes."""
from __future__ import annotations

import dash

from dashboard.ui import cards, controls
from dashboard.ui.texts import t
from queries.store import codes
from queries.monitor import waiting
from queries.catalogue import TOTAL

PATH = "/wachttijden"
dash.register_page(__name__, path=PATH, name="Wachttijd en doorlooptijd", text_key="page.waiting", order=2, cache=True)

PAGE = "waiting"
ID_TIMES = "waiting-times"
ID_WITHIN = "waiting-within-14"
ID_THROUGHPUT = "waiting-throughput"
ID_SESSIONS = "waiting-sessions"
ID_PG = "waiting-pg-evaluation"
ID_COUNSELLORS = "waiting-counsellor-changes"


def body(view: controls.View, lang: str) -> list:
    """Return the waiting and throughput cards for a view."""
    data = cards.page_data(view)
    products = {TOTAL: t("cat._total", lang), **cards.code_labels(codes.PRODUCTS, lang)}
    counsellors = {c: t(f"cat.counsellor.{c}", lang) for c in ("0", "1", "2plus")}
    return [
        cards.trend_card(ID_TIMES, view=view, lang=lang, keys=["waiting_median", "waiting_p80"],
                         title=t("waiting.times", lang), definition="waiting_median",
                         expected=data.lines, fetch=data.over(waiting.waiting_times)),
        cards.trend_card(ID_WITHIN, view=view, lang=lang, keys=["waiting_within_14"],
                         title=t("ind.waiting_within_14", lang), definition="waiting_within_14",
                         expected=data.lines, fetch=data.over(waiting.waiting_within_14)),
        cards.breakdown_card(ID_THROUGHPUT, view=view, lang=lang, tables=("throughput_days",), measure="days",
                             title=t("ind.throughput_median", lang), definition="throughput_median",
                             category_labels=products, category_heading=t("dim.product", lang),
                             expected=data.expected_by_product("throughput_median"),
                             fetch=data.at(waiting.throughput_by_product)),
        cards.trend_card(ID_SESSIONS, view=view, lang=lang, keys=["sessions_mean", "sessions_median"],
                         title=t("waiting.sessions", lang), definition="sessions_mean", expected=data.lines,
                         fetch=data.over(waiting.sessions_per_trajectory)),
        cards.trend_card(ID_PG, view=view, lang=lang, keys=["pg_without_evaluation"],
                         title=t("ind.pg_without_evaluation", lang), definition="pg_without_evaluation",
                         expected=data.lines, fetch=data.over(waiting.pg_without_evaluation)),
        cards.breakdown_card(ID_COUNSELLORS, view=view, lang=lang,
                             tables=cards.parent_tables("closures_by_counsellor_changes"),
                             title=t("ind.counsellor_changes", lang), definition="counsellor_changes",
                             category_labels=counsellors, fetch=data.at(waiting.counsellor_changes)),
    ]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the waiting and throughput page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

