"""Definitions: every indicator's definition, numerator, denominator and source, and the privacy rule."""
from __future__ import annotations

import dash
from dash import html

from dashboard.web import runtime
from dashboard.ui.components import definition_anchor, legend, product_definitions
from dashboard.ui.texts import TEXTS, current_language, hidden_sentence, rule_text, t
from queries.catalogue.indicators import SOURCES, information_loss, unit_availability

dash.register_page(__name__, path="/definities", name="Definities", text_key="page.definitions", order=6, cache=True)

ID_PRIVACY = "privacy-rule"
ID_FUNNEL = "def-funnel"  # how units are compared (the comparison page); its indicators are defined above
SECTIONS = (
    ("overview", ("registrations", "contacts", "waiting_median", "referral_back_rate", "grade_mean")),
    ("registrations", ("registrations_by_unit", "reach_per_1000", "share_target_group", "share_product",
                       "share_channel", "share_found_via", "share_question_type", "share_gender", "share_age_band")),
    ("waiting", ("waiting_p80", "waiting_within_14", "throughput_median", "sessions_mean", "sessions_median",
                 "pg_without_evaluation", "counsellor_changes", "counsellor_changed")),
    ("referrals", ("referral_external_rate", "referral_none_rate", "referral_outcomes", "tcl_applied",
                   "tcl_above_referred", "anonymity_rate", "anonymity_reasons", "question_types_by_anonymity",
                   "target_groups_by_reason", "back_to_unit_by_product")),
    ("survey", ("response_rate", "grade_7plus", "goals_reached", "goals_breakdown", "expectations_met",
                "work_resumed", "aspect_ratings", "respondents_by_product", "respondents_by_target_group",
                "response_by_product")),
    ("reach", ("outside_office_hours", "evening_share", "night_share", "weekend_share", "contacts_by_channel",
               "website_visits")),
)


def _availability(key: str, lang: str) -> str:
    types = unit_availability(key)
    if not types:
        return t("definitions.national_only", lang)
    names = [t(f"period.of.{p}", lang) for p in types]
    joined = f" {'en' if lang == 'nl' else 'and'} ".join(names)
    return t("definitions.all_scopes", lang).format(types=joined)


def entry(key: str, lang: str, losses: dict[str, dict] | None = None, k: int = 10) -> html.Article:
    """Return one indicator's definition, with its anchor."""
    hidden = hidden_sentence(key, losses or {}, k, lang)
    denominator = t(f"ind.{key}.den", lang) if f"ind.{key}.den" in TEXTS else t("definitions.statistic", lang)
    anchor = definition_anchor(key)
    return html.Article([
        html.H4(t(f"ind.{key}", lang), id=anchor, tabIndex="-1"),
        html.P(t(f"ind.{key}.def", lang)),
        html.Dl([
            html.Dt(t("definitions.numerator", lang)), html.Dd(t(f"ind.{key}.num", lang)),
            html.Dt(t("definitions.denominator", lang)), html.Dd(denominator),
            html.Dt(t("definitions.scopes", lang)), html.Dd(_availability(key, lang)),
            html.Dt(t("definitions.source", lang)), html.Dd(html.Code(", ".join(SOURCES[key]))),
            *([html.Dt(t("definitions.hidden", lang)), html.Dd(hidden)] if hidden else []),
        ], className="definition-facts"),
    ], className="definition")


def layout(**_ignored):
    """Lay out the definitions (the same for every role; it holds no figures)."""
    lang = current_language()
    policy = runtime.current().policy
    losses = information_loss(runtime.current().engine)
    sections = [
        html.Section([html.H3(t(f"page.{page}", lang)), *[entry(k, lang, losses, policy.k) for k in keys]],
                     className="card")
        for page, keys in SECTIONS
    ]
    return html.Div([
        html.H2(t("page.definitions", lang)),
        html.P(t("definitions.intro", lang), className="intro"),
        html.Section([
            html.H3(t("definitions.privacy", lang), id=ID_PRIVACY),
            html.P(rule_text(policy, lang)),
            legend(lang, policy),
        ], className="card"),
        html.Section([html.H3(t("definitions.products", lang)), product_definitions(lang)], className="card"),
        *sections,
        html.Section([html.H3(t("page.comparison", lang)), html.Article([
            html.H4(t("definitions.funnel", lang), id=ID_FUNNEL, tabIndex="-1"),
            html.P(t("definitions.funnel.text", lang)),
        ], className="definition")], className="card"),
    ])
