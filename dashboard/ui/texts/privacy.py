"""The privacy rule's texts (issue #14), filled in only by `rules.rule_sentence` and `rules.rule_text`."""
from __future__ import annotations

# Its numbers are the app's policy (LOKET_MIN_COUNT, LOKET_ROUNDING_BASE, LOKET_SHOW_ZEROS,
# LOKET_EXACT_NATIONAL_TOTAL), never literals; every legend, page, export and the API use those two
# sentences with the configured policy.
TEXTS: dict[str, tuple[str, str]] = {
    "rule.rounded": ("Aantallen zijn afgerond op {base}", "Counts are rounded to the nearest {base}"),
    "rule.not_rounded": ("Aantallen zijn niet afgerond", "Counts are not rounded"),
    "rule.sentence": (
        "{rounding}; aantallen onder {k}{zeros}, en cijfers waaruit zo'n aantal is af te leiden, "
        "worden niet getoond ({symbol}).",
        "{rounding}; counts under {k}{zeros}, and figures from which such a count could be worked out, "
        "are not shown ({symbol}).",
    ),
    "rule.zeros_hidden": (", ook 0", ", zero included"),
    "rule.full": (
        "Geen enkel cijfer gaat over één cliënt. {rounding}.{national} Een aantal van minder dan {k} cliënten "
        "wordt niet getoond{zeros}, en ook geen cijfer waaruit zo'n aantal terug te rekenen is (uit "
        "totalen, uit een andere verdeling, uit een vorige periode). Percentages, gemiddelden, medianen en "
        "percentielen worden alleen getoond als de aantallen waarop ze berusten getoond worden; percentages "
        "worden berekend uit de getoonde (afgeronde) aantallen, in hele procenten. Cijfers van een eenheid zijn "
        "er per kwartaal en per jaar; verdelingen van een eenheid alleen per jaar.",
        "No figure is about one client. {rounding}.{national} A count of fewer than {k} clients is "
        "not shown{zeros}, and neither is any figure from which such a count could be worked out (from totals, from "
        "another breakdown, from an earlier period). Percentages, means, medians and percentiles are shown only "
        "when the counts they rest on are shown; percentages are computed from the shown (rounded) counts, in "
        "whole percent. A unit's figures exist per quarter and per year; a unit's breakdowns per year only.",
    ),
    "rule.full.zeros_hidden": (" (ook een 0 niet)", " (nor is a zero)"),
    "rule.full.exact_national": (" De landelijke totalen per periode zijn niet afgerond.",
                                 " The national totals per period are not rounded."),
}
