"""What the catalogue publishes: every count table and statistic table, from which population.

A count table breaks one population down by one category column; a statistic table gives
medians, percentiles or means over the clients of one count cell. `published_for` says
which of a table's cells a unit gets. The indicators read from these tables are declared in
`queries.catalogue.declarations`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from queries.accounts.access import NATIONAL
from queries.catalogue import declarations
from queries.store import codes
from queries.store.codes import TOTAL


@dataclass(frozen=True)
class CountTable:
    """A published table of counts: one population broken down by one category column.

    The categories add up to `parent` (a cell of another table, by default the population's
    total); a `multi` table's categories overlap (one registration can have several).

    A cross-table is a set of tables, one per code of a second column (`within`: only the rows
    with that code), whose cells add up, category by category, to those of the one-way table
    `margin` (at most to them when `margin_partial`: the split covers part of its population).
    Cross-tables are published per year only (`years_only`); `national_only` tables have no
    unit cells.
    """

    name: str
    population: str
    column: str | None = None
    codes: tuple[str, ...] = (TOTAL,)
    parent: tuple[str, str] | None = None
    multi: bool = False
    within: tuple[str, str] | None = None
    margin: str | None = None
    margin_partial: bool = False
    years_only: bool = False
    national_only: bool = False

    @property
    def parent_cell(self) -> tuple[str, str] | None:
        """Return the (table, category) its categories add up to; None for a population total."""
        if self.column is None:
            return None
        return self.parent or (self.population, TOTAL)


@dataclass(frozen=True)
class MeasureTable:
    """A published table of statistics (medians, percentiles, means) over the clients of one count cell.

    A statistic exists wherever its count cell (`counted_by`, or per `by` code that table's
    category) is published, and is shown exactly when at least k clients have a value. `complete`:
    every client of the count cell has a value, so a statistic not shown means the count is below k.
    """

    name: str
    population: str
    value: str
    stats: tuple[str, ...]
    counted_by: tuple[str, str]
    by: str | None = None
    by_table: str | None = None
    by_codes: tuple[str, ...] = ()
    complete: bool = True

    def count_cell(self, by_code: str) -> tuple[str, str]:
        """Return the (table, category) of the count cell under one split of the statistic."""
        return self.counted_by if by_code == TOTAL else (self.by_table, by_code)


def _t(name, population, column=None, codes_=(TOTAL,), parent=None, multi=False, **more):
    return CountTable(name, population, column, tuple(codes_), parent, multi, **more)


def _cross(name, population, column, codes_, *, within, parent, margin, multi=False, partial=False):
    """One table of a cross-table: `column` by `codes_`, for the rows with one code of another column."""
    return _t(name, population, column, codes_, parent, multi, within=within, margin=margin,
              margin_partial=partial, years_only=True)


YES_NO = ("yes", "no")
TCL_CLASSES = ("not_done", "below_cutoff", "above_cutoff")
# A closed trajectory whose outcome or work status was not recorded (the importer allows it).
NOT_RECORDED = "not_recorded"
# A survey answer not linked to a registration (its product and target group are unknown).
UNKNOWN = "unknown"
COUNT_TABLES: tuple[CountTable, ...] = (
    _t("registrations", "registrations"),
    _t("registrations_by_target_group", "registrations", "target_group", codes.TARGET_GROUPS.values),
    _t("registrations_by_product", "registrations", "product", codes.PRODUCTS.values),
    _t("registrations_by_channel", "registrations", "channel", codes.CHANNELS.values),
    _t("registrations_by_gender", "registrations", "gender", codes.GENDERS.values),
    _t("registrations_by_age_band", "registrations", "age_band", codes.AGE_BANDS.values),
    _t("registrations_by_found_via", "registrations", "found_via", codes.FOUND_VIA.values),
    _t("registrations_by_question_type", "registrations", "question_type", codes.QUESTION_TYPES.values, multi=True),
    _t("registrations_by_anonymity", "registrations", "anonymity", YES_NO),
    _t("registrations_by_anonymity_reason", "registrations", "anonymity_reason", codes.ANONYMITY_REASONS.values,
       parent=("registrations_by_anonymity", "yes")),
    # Intakes in the month of the first intake: a month's figures are final once it is over (a
    # registration still waiting changes no published cell until its intake happens).
    _t("intakes", "intakes"),
    _t("intakes_by_waiting", "intakes", "waiting", ("within_14", "after_14")),
    _t("intakes_by_tcl", "intakes", "tcl", TCL_CLASSES),
    _t("contacts", "contacts"),
    _t("contacts_by_channel", "contacts", "channel", codes.CHANNELS.values),
    _t("contacts_by_time_class", "contacts", "time_class", ("office", "evening", "night", "weekend")),
    _t("contacts_by_registration", "contacts", "led", YES_NO),
    # Closures in the month of closure, with what is known only then: outcome, work status,
    # counsellor changes, the referral of a TCL score above the cut-off, evaluation moments.
    _t("closures", "closures"),
    _t("closures_by_product", "closures", "product", codes.PRODUCTS.values),
    _t("closures_by_referral", "closures", "referral", (*codes.REFERRAL_OUTCOMES.values, NOT_RECORDED)),
    _t("closures_by_work_status", "closures", "work_status", (*codes.WORK_STATUSES.values, NOT_RECORDED)),
    _t("closures_by_counsellor_changes", "closures", "counsellor_changes", ("0", "1", "2plus")),
    _t("closures_by_tcl", "closures", "tcl", TCL_CLASSES),
    _t("closures_by_tcl_referral", "closures", "tcl_referral", ("referred", "not_referred"),
       parent=("closures_by_tcl", "above_cutoff")),
    _t("closures_by_pg_evaluation", "closures", "pg_evaluation", ("evaluated", "not_evaluated"),
       parent=("closures_by_product", "process_guidance")),
    _t("surveys", "surveys"),
    _t("surveys_by_grade", "surveys", "grade_class", ("7plus", "below_7")),
    _t("surveys_by_goals", "surveys", "goals_reached", codes.GOALS_REACHED.values),
    _t("surveys_by_expectations", "surveys", "expectations", YES_NO),
    _t("surveys_by_work_resumed", "surveys", "work_resumed", (*YES_NO, "unknown")),
    # The cross-tables the units ask for (per year): question types of those who want anonymity
    # towards their unit against those who do not; the target groups behind each reason for that
    # wish; and, per product, the closures referred back to the unit.
    *(_cross(f"registrations_by_question_type_{wish}", "registrations", "question_type", codes.QUESTION_TYPES.values,
             within=("anonymity", wish), parent=("registrations_by_anonymity", wish),
             margin="registrations_by_question_type", multi=True)
      for wish in YES_NO),
    *(_cross(f"registrations_by_target_group_{reason}", "registrations", "target_group", codes.TARGET_GROUPS.values,
             within=("anonymity_reason", reason), parent=("registrations_by_anonymity_reason", reason),
             margin="registrations_by_target_group", partial=True)
      for reason in codes.ANONYMITY_REASONS.values),
    _cross("closures_back_to_unit_by_product", "closures", "product", codes.PRODUCTS.values,
           within=("referral", "back_to_unit"), parent=("closures_by_referral", "back_to_unit"),
           margin="closures_by_product", partial=True),
    # Whether the survey's respondents look like the closed trajectories they speak for (national, per year).
    _t("closures_by_target_group", "closures", "target_group", codes.TARGET_GROUPS.values, years_only=True,
       national_only=True),
    _t("surveys_by_product", "surveys", "product", (*codes.PRODUCTS.values, UNKNOWN), years_only=True,
       national_only=True),
    _t("surveys_by_target_group", "surveys", "target_group", (*codes.TARGET_GROUPS.values, UNKNOWN),
       years_only=True, national_only=True),
)
TABLES_BY_NAME = {t.name: t for t in COUNT_TABLES}

MEASURE_TABLES: tuple[MeasureTable, ...] = (
    MeasureTable("waiting_days", "intakes", "wait_days", ("median", "p80"), ("intakes", TOTAL)),
    MeasureTable("throughput_days", "closures", "throughput_days", ("median",), ("closures", TOTAL),
                 "product", "closures_by_product", codes.PRODUCTS.values),
    MeasureTable("sessions_per_trajectory", "closures", "sessions_count", ("mean", "median"), ("closures", TOTAL)),
    MeasureTable("survey_grade", "surveys", "grade", ("mean",), ("surveys", TOTAL)),
    *(MeasureTable(f"survey_rating_{a}", "surveys", f"rating_{a}", ("mean",), ("surveys", TOTAL), complete=False)
      for a in ("reachability", "waiting_time", "expertise", "treatment")),
)
MEASURES_BY_NAME = {m.name: m for m in MEASURE_TABLES}
# The cells users lose most when they are hidden (secondary suppression avoids them): those the
# headline indicators rest on and the counts statistics rest on.
HEADLINE_CELLS = frozenset({
    *(cell for key in (*declarations.OVERVIEW, *declarations.FIRST_CHARTS) for cell in declarations.count_cells(key)),
    *(m.count_cell(code) for m in MEASURE_TABLES for code in (TOTAL, *m.by_codes)),
})
RATE_CELLS = frozenset(cell for key in declarations.INDICATORS for cell in declarations.count_cells(key))
PUBLIC_TABLES = ("website_visits",)


def published_for(cells: pd.DataFrame, table: CountTable) -> pd.Series:
    """Mark the cells published: units get totals per quarter and year, breakdowns per year only;
    cross-tables and the survey's comparison are per year at every scope, some national only.

    A unit's monthly figures, and its quarterly breakdowns, are almost all below k (a unit sees a
    handful of registrations a month); publishing them as hidden cells gives users nothing and
    gives an attacker more linked sums to difference (see PRIVACY.md, "fewer linked publications").
    """
    national = cells["scope"] == NATIONAL
    if table.national_only:
        return national & (cells["period_type"] == "year")
    if table.years_only:
        return cells["period_type"] == "year"
    levels = ("quarter", "year") if table.column is None else ("year",)
    return national | cells["period_type"].isin(levels)
