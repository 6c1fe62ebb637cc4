"""Referrals and screening: back to the unit, external care or none; TCL screening; the anonymity wish."""
from __future__ import annotations

import dash

from dashboard.ui import cards, controls
from dashboard.ui.texts import t
from queries import catalogue
from queries.store import codes
from queries.monitor import referrals

PATH = "/verwijzingen"
dash.register_page(__name__, path=PATH, name="Verwijzing en screening", text_key="page.referrals",
                   order=3, cache=True)

PAGE = "referrals"
ID_RATES = "referrals-rates"
ID_OUTCOMES = "referrals-outcomes"
ID_TCL = "referrals-tcl"
ID_ANONYMITY = "referrals-anonymity"
ID_REASONS = "referrals-anonymity-reasons"


def body(view: controls.View, lang: str) -> list:
    """Return the referral and screening cards for a view."""
    data = cards.page_data(view)
    outcomes = cards.code_labels(codes.REFERRAL_OUTCOMES, lang, {catalogue.NOT_RECORDED: t("cat.not_recorded", lang)})
    return [
        cards.trend_card(ID_RATES, view=view, lang=lang,
                         keys=["referral_back_rate", "referral_external_rate", "referral_none_rate"],
                         title=t("referrals.rates", lang), definition="referral_back_rate",
                         note_texts=[t("note.closure_month", lang)], expected=data.lines,
                         fetch=data.over(referrals.referral_rates)),
        cards.breakdown_card(ID_OUTCOMES, view=view, lang=lang, tables=cards.parent_tables("closures_by_referral"),
                             title=t("ind.referral_outcomes", lang), definition="referral_outcomes",
                             category_labels=outcomes, note_texts=[t("note.closure_month", lang)],
                             fetch=data.at(referrals.referral_outcomes)),
        cards.trend_card(ID_TCL, view=view, lang=lang, keys=["tcl_applied", "tcl_above_referred"],
                         title=t("referrals.tcl", lang), definition="tcl_applied", expected=data.lines,
                         fetch=data.over(referrals.tcl_screening)),
        cards.trend_card(ID_ANONYMITY, view=view, lang=lang, keys=["anonymity_rate"],
                         title=t("ind.anonymity_rate", lang), definition="anonymity_rate",
                         expected=data.lines, fetch=data.over(referrals.anonymity_rate)),
        cards.breakdown_card(ID_REASONS, view=view, lang=lang,
                             tables=cards.parent_tables("registrations_by_anonymity_reason"),
                             title=t("ind.anonymity_reasons", lang), definition="anonymity_reasons",
                             category_labels=cards.code_labels(codes.ANONYMITY_REASONS, lang),
                             fetch=data.at(referrals.anonymity_reasons)),
    ]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the referrals and screening page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

