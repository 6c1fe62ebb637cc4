"""The cards of every monitor page, per page key, for a view and a language: what the page lays out and
what its exports and the steering pack write (`cards_for`).

Each card reads through one query function with the caller's access (`cards.page_data`); nothing
here draws Dash components. The pages (`dashboard.pages.*`) render these cards; their ids live here
so the pages and the exports name the same card.
"""
from __future__ import annotations

import functools
from typing import Callable

from dashboard.ui import cards
from dashboard.ui.cards import Card, PageData
from dashboard.ui.controls import View
from dashboard.ui.texts import t
from dashboard.web import runtime
from queries import catalogue
from queries.catalogue import TOTAL, indicators
from queries.accounts.access import NATIONAL
from queries.catalogue.indicators import ASPECTS
from queries.catalogue.declarations import FUNNEL
from queries.monitor import funnel, overview, reach, referrals, survey, waiting
from queries.monitor.registrations import DIMENSIONS, reach_per_thousand, registrations_by, registrations_by_unit, \
    registrations_trend
from queries.store import codes
from queries.store.codes import UNITS

OVERVIEW_EXPECTED = "overview-expected"
REGISTRATIONS_GRAPH = "registrations-graph"
REGISTRATIONS_BY_UNIT = "registrations-by-unit"
REGISTRATIONS_REACH = "registrations-reach"
WAITING_TIMES = "waiting-times"
WAITING_WITHIN = "waiting-within-14"
WAITING_THROUGHPUT = "waiting-throughput"
WAITING_SESSIONS = "waiting-sessions"
WAITING_PG = "waiting-pg-evaluation"
WAITING_COUNSELLORS = "waiting-counsellor-changes"
REFERRALS_RATES = "referrals-rates"
REFERRALS_OUTCOMES = "referrals-outcomes"
REFERRALS_TCL = "referrals-tcl"
REFERRALS_ANONYMITY = "referrals-anonymity"
REFERRALS_REASONS = "referrals-anonymity-reasons"
REFERRALS_QUESTIONS_BY_WISH = "referrals-questions-by-anonymity"
REFERRALS_GROUPS_BY_REASON = "referrals-groups-by-reason"
REFERRALS_BACK_BY_PRODUCT = "referrals-back-by-product"
SURVEY_RESPONSE = "survey-response-rate"
SURVEY_GRADE = "survey-grade"
SURVEY_SHARES = "survey-shares"
SURVEY_GOALS = "survey-goals"
SURVEY_ASPECTS = "survey-aspects"
SURVEY_BY_PRODUCT = "survey-respondents-by-product"
SURVEY_BY_TARGET_GROUP = "survey-respondents-by-target-group"
SURVEY_RESPONSE_BY_PRODUCT = "survey-response-by-product"
REACH_CONTACTS = "reach-contacts"
REACH_CHANNELS = "reach-channels"
REACH_HOURS = "reach-out-of-hours"
REACH_WEBSITE = "reach-website"
PRODUCTS_EXTRA = "products"  # the product definitions under the product breakdown
CODE_LISTS = {
    "target_group": codes.TARGET_GROUPS, "product": codes.PRODUCTS, "channel": codes.CHANNELS,
    "found_via": codes.FOUND_VIA, "question_type": codes.QUESTION_TYPES, "gender": codes.GENDERS,
    "age_band": codes.AGE_BANDS,
}


def tile_id(indicator: str) -> str:
    """Return the id of an indicator's key-figure tile on the overview."""
    return f"overview-{indicator.replace('_', '-')}"


def breakdown_id(dimension: str) -> str:
    """Return the id of a registrations breakdown chart."""
    return f"registrations-by-{dimension.replace('_', '-')}"


def _overview(data: PageData) -> list[Card]:
    tiles = [cards.kpi_card(data, tile_id(key), key=key,
                            fetch=lambda s, key=key: overview.headline_trend(
                                data.engine, data.access, indicator=key, scopes=data.view.scopes,
                                period_type=s.period_type, start=s.start, end=s.end))
             for key in overview.HEADLINE]
    return [*tiles, cards.expected_values_card(data, OVERVIEW_EXPECTED)]


def _registrations(data: PageData) -> list[Card]:
    view, lang, engine, access = data.view, data.lang, data.engine, data.access
    out = [cards.trend_card(
        data, REGISTRATIONS_GRAPH, keys=["registrations"], title=t("ind.registrations", lang),
        definition="registrations", expected=data.lines,
        fetch=lambda s: registrations_trend(engine, access, scopes=[view.scope], period_type=s.period_type,
                                            start=s.start, end=s.end),
    )]
    if view.choose_unit and view.unit is None:
        out.append(cards.breakdown_card(
            data, REGISTRATIONS_BY_UNIT, tables_=("registrations",), units=True,
            title=t("ind.registrations_by_unit", lang), definition="registrations_by_unit",
            category_labels={u: UNITS.label(u, lang) for u in UNITS.values}, series_label=t("scope.national", lang),
            category_heading=t("dim.unit", lang),
            fetch=lambda s: registrations_by_unit(engine, access, period_type=s.period_type, period=s.period),
        ))
    reach_scopes = view.scopes if view.unit or not view.choose_unit else [*UNITS.values, "NL"]
    out.append(cards.breakdown_card(
        data, REGISTRATIONS_REACH, tables_=("registrations",), units=True, measure="per1000",
        title=t("ind.reach_per_1000", lang), definition="reach_per_1000", series_label=t("measure.per1000", lang),
        category_labels={s: cards.scope_label(s, lang) for s in reach_scopes}, category_heading=t("dim.unit", lang),
        fetch=lambda s: reach_per_thousand(engine, access, scopes=reach_scopes, period_type=s.period_type,
                                           period=s.period),
    ))
    for dimension, table in DIMENSIONS.items():
        out.append(cards.breakdown_card(
            data, breakdown_id(dimension), tables_=cards.parent_tables(table),
            title=t(f"ind.share_{dimension}", lang), definition=f"share_{dimension}",
            category_labels=cards.code_labels(CODE_LISTS[dimension], lang), category_heading=t(f"dim.{dimension}", lang),
            note_texts=[t("note.multi", lang)] if dimension == "question_type" else [],
            extra=PRODUCTS_EXTRA if dimension == "product" else None,
            fetch=lambda s, dimension=dimension: registrations_by(engine, access, dimension=dimension,
                                                                  scopes=view.scopes, period_type=s.period_type,
                                                                  period=s.period),
        ))
    return out


def _waiting(data: PageData) -> list[Card]:
    lang = data.lang
    products = {TOTAL: t("cat._total", lang), **cards.code_labels(codes.PRODUCTS, lang)}
    counsellors = {c: t(f"cat.counsellor.{c}", lang) for c in ("0", "1", "2plus")}
    return [
        cards.trend_card(data, WAITING_TIMES, keys=["waiting_median", "waiting_p80"], title=t("waiting.times", lang),
                         definition="waiting_median", expected=data.lines, fetch=data.over(waiting.waiting_times)),
        cards.trend_card(data, WAITING_WITHIN, keys=["waiting_within_14"], title=t("ind.waiting_within_14", lang),
                         definition="waiting_within_14", expected=data.lines,
                         fetch=data.over(waiting.waiting_within_14)),
        cards.breakdown_card(data, WAITING_THROUGHPUT, tables_=("throughput_days",), measure="days",
                             title=t("ind.throughput_median", lang), definition="throughput_median",
                             category_labels=products, category_heading=t("dim.product", lang),
                             expected=data.expected_by_product("throughput_median"),
                             fetch=data.at(waiting.throughput_by_product)),
        cards.trend_card(data, WAITING_SESSIONS, keys=["sessions_mean", "sessions_median"],
                         title=t("waiting.sessions", lang), definition="sessions_mean", expected=data.lines,
                         fetch=data.over(waiting.sessions_per_trajectory)),
        cards.trend_card(data, WAITING_PG, keys=["pg_without_evaluation"], title=t("ind.pg_without_evaluation", lang),
                         definition="pg_without_evaluation", expected=data.lines,
                         fetch=data.over(waiting.pg_without_evaluation)),
        cards.breakdown_card(data, WAITING_COUNSELLORS, tables_=cards.parent_tables("closures_by_counsellor_changes"),
                             title=t("ind.counsellor_changes", lang), definition="counsellor_changes",
                             category_labels=counsellors, fetch=data.at(waiting.counsellor_changes)),
    ]


def _cross(data: PageData, card_id: str, key: str, fetch, *, series_labels: dict, category_labels: dict,
           national: bool = False) -> Card:
    """A cross-table's card: one scope (the view's, or national), a series per code of the second column."""
    lang, engine, access = data.lang, data.engine, data.access
    scopes = [NATIONAL] if national else [data.view.scope]
    return cards.breakdown_card(
        data, card_id, tables_=indicators.SOURCES[key], title=t(f"ind.{key}", lang), definition=key,
        category_labels=category_labels, series_labels=series_labels, national=national,
        note_texts=[t(f"note.{key}", lang)],
        fetch=lambda s: fetch(engine, access, scopes=scopes, period_type=s.period_type, period=s.period))


def _referrals(data: PageData) -> list[Card]:
    lang = data.lang
    outcomes = cards.code_labels(codes.REFERRAL_OUTCOMES, lang, {catalogue.NOT_RECORDED: t("cat.not_recorded", lang)})
    return [
        cards.trend_card(data, REFERRALS_RATES, keys=["referral_back_rate", "referral_external_rate",
                                                      "referral_none_rate"],
                         title=t("referrals.rates", lang), definition="referral_back_rate",
                         note_texts=[t("note.closure_month", lang)], expected=data.lines,
                         fetch=data.over(referrals.referral_rates)),
        cards.breakdown_card(data, REFERRALS_OUTCOMES, tables_=cards.parent_tables("closures_by_referral"),
                             title=t("ind.referral_outcomes", lang), definition="referral_outcomes",
                             category_labels=outcomes, note_texts=[t("note.closure_month", lang)],
                             fetch=data.at(referrals.referral_outcomes)),
        cards.trend_card(data, REFERRALS_TCL, keys=["tcl_applied", "tcl_above_referred"],
                         title=t("referrals.tcl", lang), definition="tcl_applied", expected=data.lines,
                         fetch=data.over(referrals.tcl_screening)),
        cards.trend_card(data, REFERRALS_ANONYMITY, keys=["anonymity_rate"], title=t("ind.anonymity_rate", lang),
                         definition="anonymity_rate", expected=data.lines, fetch=data.over(referrals.anonymity_rate)),
        cards.breakdown_card(data, REFERRALS_REASONS, tables_=cards.parent_tables("registrations_by_anonymity_reason"),
                             title=t("ind.anonymity_reasons", lang), definition="anonymity_reasons",
                             category_labels=cards.code_labels(codes.ANONYMITY_REASONS, lang),
                             fetch=data.at(referrals.anonymity_reasons)),
        _cross(data, REFERRALS_QUESTIONS_BY_WISH, "question_types_by_anonymity", referrals.question_types_by_anonymity,
               series_labels={w: t(f"cat.anonymity.{w}", lang) for w in ("yes", "no")},
               category_labels=cards.code_labels(codes.QUESTION_TYPES, lang)),
        _cross(data, REFERRALS_GROUPS_BY_REASON, "target_groups_by_reason", referrals.target_groups_by_reason,
               series_labels=cards.code_labels(codes.ANONYMITY_REASONS, lang),
               category_labels=cards.code_labels(codes.TARGET_GROUPS, lang)),
        cards.breakdown_card(data, REFERRALS_BACK_BY_PRODUCT, tables_=indicators.SOURCES["back_to_unit_by_product"],
                             title=t("ind.back_to_unit_by_product", lang), definition="back_to_unit_by_product",
                             category_labels=cards.code_labels(codes.PRODUCTS, lang),
                             note_texts=[t("note.closure_month", lang)],
                             fetch=data.at(referrals.back_to_unit_by_product)),
    ]


def _survey(data: PageData) -> list[Card]:
    lang = data.lang
    return [
        cards.trend_card(data, SURVEY_RESPONSE, keys=["response_rate"], title=t("ind.response_rate", lang),
                         definition="response_rate", expected=data.lines, fetch=data.over(survey.response_rate)),
        cards.trend_card(data, SURVEY_GRADE, keys=["grade_mean"], title=t("ind.grade_mean", lang),
                         definition="grade_mean", expected=data.lines, fetch=data.over(survey.mean_grade)),
        cards.trend_card(data, SURVEY_SHARES, keys=["grade_7plus", "goals_reached", "expectations_met", "work_resumed"],
                         title=t("survey.shares", lang), definition="grade_7plus", expected=data.lines,
                         fetch=data.over(survey.survey_shares)),
        cards.breakdown_card(data, SURVEY_GOALS, tables_=cards.parent_tables("surveys_by_goals"),
                             title=t("ind.goals_breakdown", lang), definition="goals_breakdown",
                             category_labels=cards.code_labels(codes.GOALS_REACHED, lang),
                             fetch=data.at(survey.goals_reached)),
        cards.breakdown_card(data, SURVEY_ASPECTS, tables_=tuple(f"survey_rating_{a}" for a in ASPECTS),
                             measure="rating", title=t("ind.aspect_ratings", lang), definition="aspect_ratings",
                             category_labels={a: t(f"cat.aspect.{a}", lang) for a in ASPECTS},
                             fetch=data.at(survey.aspect_ratings)),
        *(_cross(data, card_id, f"respondents_by_{dimension}",
                 functools.partial(survey.respondents_and_closures, dimension=dimension),
                 series_labels={p: t(f"cat.population.{p}", lang) for p in ("surveys", "closures")},
                 category_labels=cards.code_labels(CODE_LISTS[dimension], lang), national=True)
          for card_id, dimension in ((SURVEY_BY_PRODUCT, "product"), (SURVEY_BY_TARGET_GROUP, "target_group"))),
        cards.breakdown_card(data, SURVEY_RESPONSE_BY_PRODUCT, tables_=indicators.SOURCES["response_by_product"],
                             title=t("ind.response_by_product", lang), definition="response_by_product",
                             category_labels=cards.code_labels(codes.PRODUCTS, lang), national=True,
                             note_texts=[t("note.response_by_product", lang)],
                             fetch=lambda s: survey.response_by_product(data.engine, data.access, scopes=[NATIONAL],
                                                                        period_type=s.period_type, period=s.period)),
    ]


def _reach(data: PageData) -> list[Card]:
    view, lang, engine, access = data.view, data.lang, data.engine, data.access
    return [
        cards.trend_card(data, REACH_CONTACTS, keys=["contacts"], title=t("ind.contacts", lang),
                         definition="contacts", expected=data.lines,
                         fetch=lambda s: reach.contacts_over_time(engine, access, scopes=[view.scope],
                                                                  period_type=s.period_type, start=s.start, end=s.end)),
        cards.breakdown_card(data, REACH_CHANNELS, tables_=cards.parent_tables("contacts_by_channel"),
                             title=t("ind.contacts_by_channel", lang), definition="contacts_by_channel",
                             category_labels=cards.code_labels(codes.CHANNELS, lang),
                             fetch=lambda s: reach.contacts_by_channel(engine, access, scopes=view.scopes,
                                                                       period_type=s.period_type, period=s.period)),
        cards.trend_card(data, REACH_HOURS, keys=["outside_office_hours", "evening_share", "night_share",
                                                  "weekend_share"],
                         title=t("reach.hours", lang), definition="outside_office_hours", expected=data.lines,
                         fetch=lambda s: reach.out_of_hours(engine, access, scopes=view.scopes,
                                                            period_type=s.period_type, start=s.start, end=s.end)),
        cards.trend_card(data, REACH_WEBSITE, national=True,
                         keys=["website_visits", "website_new_visits", "website_returning_visits"],
                         title=t("ind.website_visits", lang), definition="website_visits", expected=data.lines,
                         fetch=lambda s: reach.website_visits(engine, access, period_type=s.period_type,
                                                              start=s.start, end=s.end)),
    ]


def funnel_id(indicator: str) -> str:
    """Return the id of an indicator's funnel plot on the comparison page."""
    return f"comparison-{indicator.replace('_', '-')}"


def _comparison(data: PageData) -> list[Card]:
    # Every unit for the programme, only its own unit for a unit user: the query reads with the caller's access.
    policy = runtime.current().policy
    return [cards.funnel_card(data, funnel_id(key), key=key,
                              fetch=lambda s, key=key: funnel.funnel_points(data.engine, data.access, indicator=key,
                                                                            year=s.period, policy=policy))
            for key in FUNNEL]


# The monitor pages in navigation order (the steering pack's order): key -> (path, its cards).
PAGES: dict[str, tuple[str, Callable[[PageData], list[Card]]]] = {
    "overview": ("/", _overview),
    "registrations": ("/aanmeldingen", _registrations),
    "waiting": ("/wachttijden", _waiting),
    "referrals": ("/verwijzingen", _referrals),
    "survey": ("/clientonderzoek", _survey),
    "reach": ("/bereik", _reach),
    "comparison": ("/vergelijking", _comparison),
}


def path_of(page: str) -> str:
    """Return the path a monitor page is served at."""
    return PAGES[page][0]


def page_at(pathname) -> str | None:
    """Return the key of the monitor page served at a path, or None."""
    return next((key for key, (path, _) in PAGES.items() if path == pathname), None)


def cards_for(page: str, view: View, lang: str) -> list[Card]:
    """Return a monitor page's cards for a view and a language, read as the caller of this request."""
    return PAGES[page][1](cards.page_data(page, view, lang))
