"""The texts of the comparison page: units compared in funnel plots, in neutral words (no ranking, no verdict)."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "page.comparison": ("Eenheden vergelijken", "Comparing units"),
    "comparison.intro": (
        "Per indicator en per jaar het percentage van elke eenheid tegen haar aantal cliënten, met het landelijke "
        "percentage en de grenzen waarbinnen toeval een percentage laat vallen. Geen rangorde en geen oordeel: "
        "een punt buiten de grenzen is een reden om te kijken, niet om te vergelijken wie beter is.",
        "Per indicator and year, each unit's percentage against its number of clients, with the national "
        "percentage and the limits within which chance lets a percentage fall. No ranking and no verdict: a "
        "point outside the limits is a reason to look closer, not a judgement of who does better.",
    ),
    "funnel.title": ("{indicator}: eenheden vergeleken", "{indicator}: units compared"),
    "funnel.how_to_read": (
        "Zo leest u een trechter: elk punt is een eenheid, rechts staan eenheden met meer cliënten; de lijnen "
        "geven aan hoe ver een percentage door toeval alleen van het landelijke percentage kan afwijken, bij "
        "weinig cliënten ver en bij veel cliënten minder ver, dus een punt buiten de 99,8%-grenzen wijkt meer af "
        "dan toeval waarschijnlijk maakt.",
        "How to read a funnel: each point is a unit, units with more clients lie further right; the lines show "
        "how far a percentage can differ from the national percentage by chance alone, far with few clients and "
        "less far with many, so a point outside the 99.8% limits differs more than chance makes likely.",
    ),
    "funnel.national": ("Landelijk", "National"),
    "funnel.limits95": ("95%-grenzen", "95% limits"),
    "funnel.limits998": ("99,8%-grenzen", "99.8% limits"),
    "funnel.units": ("Eenheden", "Units"),
    "funnel.axis_n": ("Aantal cliënten (noemer)", "Number of clients (denominator)"),
    "funnel.axis_rate": ("Percentage", "Percentage"),
    "funnel.unit": ("Eenheid", "Unit"),
    "funnel.clients": ("Cliënten (n)", "Clients (n)"),
    "funnel.rate": ("Percentage", "Percentage"),
    "funnel.position": ("Ligging", "Where it lies"),
    "funnel.pos.within_95": ("binnen de 95%-grenzen", "within the 95% limits"),
    "funnel.pos.between": ("tussen de 95%- en 99,8%-grenzen", "between the 95% and 99.8% limits"),
    "funnel.pos.outside_998": ("buiten de 99,8%-grenzen", "outside the 99.8% limits"),
    "funnel.pos.hidden": (
        "niet getekend: minder dan {k} cliënten of niet getoond",
        "not drawn: fewer than {k} clients or not shown",
    ),
    "funnel.pos.small": ("niet getekend: minder dan {k} cliënten", "not drawn: fewer than {k} clients"),
    "funnel.pos.none": ("niet getekend: geen cliënten", "not drawn: no clients"),
    "funnel.note.year": (
        "Jaar: {year}. Eenheden worden per jaar vergeleken: hun uitsplitsingen worden alleen per jaar gepubliceerd.",
        "Year: {year}. Units are compared per year: their breakdowns are published per year only.",
    ),
    "funnel.note.rule": (
        "Alleen gepubliceerde (afgeronde, beschermde) cijfers: een eenheid met minder dan {k} cliënten of met een "
        "niet getoond aantal staat in de tabel, maar wordt niet getekend.",
        "Published (rounded, protected) figures only: a unit with fewer than {k} clients or a count that is not "
        "shown is listed in the table, but not drawn.",
    ),
    "funnel.note.overdispersed": (
        "De eenheden verschillen meer dan toeval verklaart (overdispersie, φ = {phi}): de grenzen zijn verbreed "
        "met de spreiding tussen eenheden (random effects, methode-Spiegelhalter zoals NICE die gebruikt).",
        "The units differ more than chance explains (over-dispersion, φ = {phi}): the limits are widened by the "
        "spread between units (random effects, Spiegelhalter's method as NICE uses it).",
    ),
    "funnel.note.not_overdispersed": (
        "Geen overdispersie gevonden (φ = {phi}): exacte binomiale grenzen rond het landelijke percentage.",
        "No over-dispersion found (φ = {phi}): exact binomial limits around the national percentage.",
    ),
    "funnel.note.too_few": (
        "Te weinig getekende eenheden (minder dan {n}) om op overdispersie te toetsen: exacte binomiale grenzen "
        "rond het landelijke percentage.",
        "Too few units drawn (fewer than {n}) to check for over-dispersion: exact binomial limits around the "
        "national percentage.",
    ),
    "funnel.note.own_unit": (
        "U ziet alleen het punt van uw eigen eenheid. De grenzen volgen uit het landelijke percentage en het "
        "aantal cliënten van uw eenheid (exact binomiaal); cijfers van andere eenheden zijn er niet in gebruikt.",
        "You see only your own unit's point. The limits follow from the national percentage and your unit's "
        "number of clients (exact binomial); no other unit's figures are used in them.",
    ),
    "funnel.note.unknown_unit": (
        "Cliënten van wie de eenheid onbekend is, tellen mee in het landelijke percentage, maar worden niet "
        "als eenheid vergeleken.",
        "Clients whose unit is unknown count in the national percentage, but are not compared as a unit.",
    ),
    "funnel.note.national_hidden": (
        "Het landelijke percentage is voor dit jaar niet getoond, dus er is geen trechter te tekenen.",
        "The national percentage is not shown for this year, so no funnel can be drawn.",
    ),
    "funnel.note.none_drawn": (
        "Voor dit jaar is geen eenheid te tekenen: geen eenheid heeft minstens de minimumgrens aan cliënten met "
        "getoonde aantallen.",
        "No unit can be drawn for this year: none has at least the minimum count of clients with shown counts.",
    ),
    "funnel.note.chosen": ("{unit} is gemarkeerd met een ring.", "{unit} is marked with a ring."),
    "funnel.hover_limit": ("{name} bij n = {n}: {lower} – {upper}", "{name} at n = {n}: {lower} – {upper}"),
    "alt.funnel": (
        "Trechterdiagram: per eenheid het percentage tegen het aantal cliënten, met het landelijke percentage en "
        "de 95%- en 99,8%-grenzen; dezelfde cijfers staan in de tabel bij de grafiek.",
        "Funnel plot: each unit's percentage against its number of clients, with the national percentage and the "
        "95% and 99.8% limits; the same figures are in the table for the chart.",
    ),
    "definitions.funnel": ("Eenheden vergelijken in een trechter", "Comparing units in a funnel plot"),
    "definitions.funnel.text": (
        "Per jaar staat elke eenheid als punt: haar gepubliceerde teller gedeeld door haar gepubliceerde noemer, "
        "tegen die noemer. De middenlijn is het landelijke percentage (gepubliceerde landelijke teller gedeeld door "
        "noemer). De 95%- en 99,8%-grenzen zijn exacte binomiale grenzen met de interpolatie van Spiegelhalter "
        "(2005). Verschillen de getekende eenheden meer dan toeval verklaart (de toets op overdispersie met "
        "gewinsoriseerde z-scores, zoals NICE die gebruikt), dan worden de grenzen verbreed met de spreiding "
        "tussen eenheden. Een eenheid met minder dan k cliënten of een niet getoond aantal wordt niet getekend. "
        "Gebruikers van een eenheid zien alleen hun eigen punt met binomiale grenzen uit het landelijke percentage "
        "en hun eigen aantal. De volgorde is die van de eenheden, nooit een rangorde.",
        "Per year each unit is a point: its published numerator divided by its published denominator, against "
        "that denominator. The centre line is the national percentage (the published national numerator divided "
        "by the denominator). The 95% and 99.8% limits are exact binomial limits with Spiegelhalter's "
        "interpolation (2005). When the units drawn differ more than chance explains (the over-dispersion check "
        "with winsorised z-scores, as NICE uses it), the limits are widened by the spread between units. A unit "
        "with fewer than k clients or a count that is not shown is not drawn. Unit users see only their own "
        "point, with binomial limits from the national percentage and their own number. The order is that of "
        "the units, never a ranking.",
    ),
}
