"""One declaration per indicator: which published cells it is read or computed from, and what it measures.

Pages, exports, expected values, the definitions page and the information-loss report take
every indicator from here (`queries.catalogue.indicators` reads them from the catalogue).
"""
from __future__ import annotations

from dataclasses import dataclass

from queries.store.codes import TOTAL

COUNT, MEASURE, PERCENT = "count", "measure", "percent"
EXTERNAL = ("external_gp", "external_mental_health", "external_crisis", "external_police_clinic")
ASPECTS = ("reachability", "waiting_time", "expertise", "treatment")


@dataclass(frozen=True)
class Indicator:
    """One indicator: which published cells it is read or computed from, and what its values measure.

    count: the sum of `categories` of `table`; measure: the statistic (or split) `categories[0]`
    of a measure table; percent: `categories` of `table` as a share of the cell `of`, or 100
    minus that share when `complement`.
    """

    key: str
    kind: str
    table: str
    categories: tuple[str, ...] = (TOTAL,)
    of: tuple[str, str] | None = None
    complement: bool = False
    measure: str = "count"  # what a value is: count, percent, days, sessions, grade, rating
    # Where it is shown: the monitor page that charts it ("": only other figures are computed from it), and
    # the indicator whose definition explains it ("": its own). Its texts are `ind.<key>` (the text catalogue).
    page: str = ""
    defined_by: str = ""

    @property
    def tables(self) -> tuple[str, ...]:
        """Return the catalogue tables the indicator is read from."""
        return (self.table, self.of[0]) if self.of else (self.table,)


def _count(key, table, categories=(TOTAL,), **where):
    return Indicator(key, COUNT, table, tuple(categories), **where)


def _measure(key, table, category, measure, **where):
    return Indicator(key, MEASURE, table, (category,), measure=measure, **where)


def _percent(key, table, categories, of, complement=False, **where):
    return Indicator(key, PERCENT, table, tuple(categories), of, complement, "percent", **where)


REGISTRATIONS = ("registrations", TOTAL)
INTAKES = ("intakes", TOTAL)
CLOSURES = ("closures", TOTAL)
INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    _count("registrations", "registrations", page="registrations"),
    _count("contacts", "contacts", page="reach"),
    _count("closures", "closures"),
    _measure("waiting_median", "waiting_days", "median", "days", page="waiting"),
    _measure("waiting_p80", "waiting_days", "p80", "days", page="waiting"),
    _percent("waiting_within_14", "intakes_by_waiting", ["within_14"], INTAKES, page="waiting"),
    _measure("throughput_median", "throughput_days", TOTAL, "days", page="waiting"),
    _measure("sessions_mean", "sessions_per_trajectory", "mean", "sessions", page="waiting"),
    _measure("sessions_median", "sessions_per_trajectory", "median", "sessions", page="waiting"),
    _percent("pg_without_evaluation", "closures_by_pg_evaluation", ["not_evaluated"],
             ("closures_by_product", "process_guidance"), page="waiting"),
    _percent("counsellor_changed", "closures_by_counsellor_changes", ["1", "2plus"], CLOSURES),
    _percent("referral_back_rate", "closures_by_referral", ["back_to_unit"], CLOSURES, page="referrals"),
    _percent("referral_external_rate", "closures_by_referral", EXTERNAL, CLOSURES, page="referrals"),
    _percent("referral_none_rate", "closures_by_referral", ["none_needed"], CLOSURES, page="referrals"),
    _percent("tcl_applied", "intakes_by_tcl", ["not_done"], INTAKES, complement=True, page="referrals"),
    _percent("tcl_above_referred", "closures_by_tcl_referral", ["referred"], ("closures_by_tcl", "above_cutoff"),
             page="referrals"),
    _percent("anonymity_rate", "registrations_by_anonymity", ["yes"], REGISTRATIONS, page="referrals"),
    _percent("response_rate", "surveys", [TOTAL], CLOSURES, page="survey"),
    _measure("grade_mean", "survey_grade", "mean", "grade", page="survey"),
    _percent("grade_7plus", "surveys_by_grade", ["7plus"], ("surveys", TOTAL), page="survey"),
    _percent("goals_reached", "surveys_by_goals", ["yes"], ("surveys", TOTAL), page="survey"),
    _percent("expectations_met", "surveys_by_expectations", ["yes"], ("surveys", TOTAL), page="survey"),
    _percent("work_resumed", "surveys_by_work_resumed", ["yes"], ("surveys", TOTAL), page="survey"),
    *(_measure(f"rating_{a}", f"survey_rating_{a}", "mean", "rating", page="survey", defined_by="aspect_ratings")
      for a in ASPECTS),
    _percent("outside_office_hours", "contacts_by_time_class", ["office"], ("contacts", TOTAL), complement=True,
             page="reach"),
    _percent("evening_share", "contacts_by_time_class", ["evening"], ("contacts", TOTAL), page="reach"),
    _percent("night_share", "contacts_by_time_class", ["night"], ("contacts", TOTAL), page="reach"),
    _percent("weekend_share", "contacts_by_time_class", ["weekend"], ("contacts", TOTAL), page="reach"),
    _count("website_visits", "website_visits", ["visits"], page="reach"),
    _count("website_new_visits", "website_visits", ["new_visits"], page="reach", defined_by="website_visits"),
    _count("website_returning_visits", "website_visits", ["returning_visits"], page="reach",
           defined_by="website_visits"),
)}

# The overview's five headline indicators, and the first chart of every other page: what users
# lose most when a figure is hidden (secondary suppression avoids the cells they rest on).
OVERVIEW = ("registrations", "contacts", "waiting_median", "referral_back_rate", "grade_mean")
FIRST_CHARTS = ("waiting_p80", "referral_external_rate", "referral_none_rate", "response_rate")
# The indicators the comparison page (`comparison`) compares between units in funnel plots, per year: a view of
# these percentages (their published counts per unit), not indicators of their own.
FUNNEL = ("referral_back_rate", "waiting_within_14", "anonymity_rate", "tcl_applied", "grade_7plus")


def count_cells(key: str) -> list[tuple[str, str]]:
    """Return the count cells (table, category) a count or percentage indicator is computed from."""
    ind = INDICATORS[key]
    if ind.kind == MEASURE:
        return []
    cells = [(ind.table, category) for category in ind.categories]
    return cells + [ind.of] if ind.of else cells
