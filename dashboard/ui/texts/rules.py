"""The sentences that fill texts in with figures: the privacy rule, how often a figure was hidden, the release."""
from __future__ import annotations

from dashboard.ui.formats import fmt_number
from dashboard.ui.texts.catalogue import current_language, t
from queries.privacy import SYMBOL, Policy


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def hidden_sentence(key: str, losses: dict[str, dict], k: int, lang: str) -> str | None:
    """Return one plain sentence on how often an indicator was hidden in the latest release, and why."""
    levels = losses.get(key)
    if not levels:
        return None
    level = next((lv for lv in ("month", "quarter", "year") if ("national", lv) in levels), None)
    if level is None:
        return None
    row = levels["national", level]
    hidden = row["hidden_by_rule"] + row["lost"]
    unit = levels.get(("unit", "year"))
    unit_text = t("definitions.hidden_unit", lang).format(
        all=_share(unit["hidden_by_rule"] + unit["lost"], unit["figures"])) if unit else ""
    if not hidden and not (unit and unit["hidden_by_rule"] + unit["lost"]):
        return t("definitions.never_hidden", lang)
    return t("definitions.hidden_text", lang).format(
        level=t(f"period.of.{level}", lang), all=_share(hidden, row["figures"]),
        rule=_share(row["hidden_by_rule"], row["figures"]), partner=_share(row["lost"], row["figures"]), k=k,
        unit=unit_text)


def release_note(release: int | None, lang: str) -> str:
    """Return ", release N" for the catalogue release figures come from (empty when unknown)."""
    return f", {t('app.release', lang).format(release=release)}" if release else ""


def _rounding(policy: Policy, lang: str) -> str:
    if policy.base <= 1:
        return t("rule.not_rounded", lang)
    return t("rule.rounded", lang).format(base=fmt_number(policy.base, lang))


def rule_sentence(policy: Policy, lang: str | None = None) -> str:
    """Return the privacy rule in the one sentence users see under every chart and in every export, with
    the policy's numbers: "Aantallen zijn afgerond op 5; aantallen onder 10, en cijfers waaruit zo'n
    aantal is af te leiden, worden niet getoond (*)."."""
    lang = lang or current_language()
    return t("rule.sentence", lang).format(
        rounding=_rounding(policy, lang), k=fmt_number(policy.k, lang), symbol=SYMBOL,
        zeros="" if policy.show_zeros else t("rule.zeros_hidden", lang))


def rule_text(policy: Policy, lang: str | None = None) -> str:
    """Return the privacy rule in full (the definitions page, the rule sheet and closing slide of exports)."""
    lang = lang or current_language()
    return t("rule.full", lang).format(
        rounding=_rounding(policy, lang), k=fmt_number(policy.k, lang),
        zeros="" if policy.show_zeros else t("rule.full.zeros_hidden", lang),
        national=t("rule.full.exact_national", lang) if policy.exact_national_total else "")
