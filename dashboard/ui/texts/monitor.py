"""The texts of the app's shell and the monitor pages (issue #5): refusals and errors, navigation, controls,
notes, charts and tables."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Loket-monitor", "Loket monitor"),
    "app.subtitle": ("24/7 Loket Politie: maandcijfers", "24/7 Loket Politie: monthly figures"),
    "app.demo": ("Demodata: geen echte cliënten", "Demo data: no real clients"),
    "app.data_until": ("Gegevens tot en met", "Data up to and including"),
    "app.release": ("publicatie {release}", "release {release}"),
    "note.revised": (
        "Herzien na late of verbeterde gegevens (anders dan in een eerdere publicatie): {periods}.",
        "Revised after late or corrected data (different from an earlier release): {periods}.",
    ),
    "app.no_catalogue": (
        "Er zijn nog geen gepubliceerde cijfers. Laad gegevens en ververs de catalogus.",
        "No figures have been published yet. Load data and refresh the catalogue.",
    ),
    "app.store_down": (
        "De registratiedatabase is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.",
        "The registration store cannot be reached right now. Please try again in a few minutes.",
    ),
    "app.no_access": (
        "Uw account heeft geen rol in de Loket-monitor. Neem contact op met de beheerder.",
        "Your account has no role in the Loket monitor. Please contact the administrator.",
    ),
    "nav.label": ("Hoofdnavigatie", "Main navigation"),
    "lang.switch": ("English", "Nederlands"),
    "legend.hidden_bar": ("Niet getoond", "Not shown"),
    "control.period_type": ("Periode", "Period"),
    "period.month": ("Maand", "Month"),
    "period.quarter": ("Kwartaal", "Quarter"),
    "period.year": ("Jaar", "Year"),
    "scope.national": ("Landelijk", "National"),
    "table.period": ("Periode", "Period"),
    "table.value": ("Aantal", "Count"),
    "table.caption": ("Tabel bij de grafiek", "Table for the chart"),
    "page.registrations": ("Aanmeldingen", "Registrations"),
    "registrations.per_period": ("Aanmeldingen per periode", "Registrations per period"),
    "registrations.per_period.alt": (
        "Staafdiagram van het aantal aanmeldingen per periode; dezelfde cijfers staan in de tabel eronder.",
        "Bar chart of registrations per period; the same figures are in the table below it.",
    ),
    # Users, roles and access (dashboard/web/auth.py, dashboard/web/security.py, pages/admin_log.py)
    "auth.login_required": ("Inloggen is nodig.", "Login required."),
    "auth.too_many_attempts": (
        "Te veel mislukte inlogpogingen. Probeer het later opnieuw.",
        "Too many failed login attempts. Please try again later.",
    ),
    "app.forbidden": (
        "U hebt geen toegang tot deze gegevens.",
        "You do not have access to these data.",
    ),
    "app.bad_request": ("Dit verzoek is niet geldig.", "This request is not valid."),
    # Hardening (issue 15): answers to oversized requests and a store that does not answer in time.
    "app.too_large": ("Dit verzoek is te groot.", "This request is too large."),
    "app.store_timeout": (
        "De registratiedatabase antwoordt niet. Probeer het over een paar minuten opnieuw.",
        "The registration store does not answer. Please try again in a few minutes.",
    ),
    "action.bad_request": ("Ongeldig verzoek", "Bad request"),
    "app.error": (
        "Er ging iets mis. Probeer het opnieuw of neem contact op met de beheerder.",
        "Something went wrong. Please try again or contact the administrator.",
    ),
    # The monitor pages (issue #5): navigation, controls, notes, charts and tables.
    "nav.skip": ("Naar de inhoud", "Skip to content"),
    "page.overview": ("Overzicht", "Overview"),
    "page.waiting": ("Wachttijd en doorlooptijd", "Waiting and throughput"),
    "page.referrals": ("Verwijzing en screening", "Referrals and screening"),
    "page.survey": ("Cliëntonderzoek", "Client survey"),
    "page.reach": ("Bereik en 24/7", "Reach and 24/7"),
    "page.definitions": ("Definities", "Definitions"),
    "overview.intro": (
        "De kerncijfers van de laatste volledige periode, met hun verloop. Een stippellijn is de "
        "streefwaarde van de opdrachtgever: een referentie, geen oordeel.",
        "The key figures of the latest complete period, with their trend. A dashed line is the "
        "commissioner's expected value: a reference, not a verdict.",
    ),
    "registrations.intro": (
        "Hoeveel cliënten zich aanmeldden voor een hulptraject, en wie ze zijn: doelgroep, product, kanaal, "
        "hoe ze het Loket vonden, hun vragen, geslacht en leeftijd.",
        "How many clients registered for a help trajectory, and who they are: target group, product, channel, "
        "how they found the Loket, their questions, gender and age.",
    ),
    "waiting.intro": (
        "Hoe snel cliënten een eerste intake krijgen, hoe lang trajecten duren en hoeveel gesprekken ze hebben.",
        "How soon clients get a first intake, how long trajectories take and how many sessions they have.",
    ),
    "referrals.intro": (
        "Waar cliënten na hun traject naartoe verwezen worden, of de TCL-screening gedaan is, en wie anoniem "
        "wil blijven tegenover de eigen eenheid.",
        "Where clients are referred after their trajectory, whether the TCL screening was done, and who wants to "
        "stay anonymous towards their own unit.",
    ),
    "survey.intro": (
        "Wat cliënten na een afgesloten traject vinden. Er zijn nog weinig antwoorden: de respons is zelf een indicator.",
        "What clients think after a closed trajectory. There are few responses yet: the response rate is an "
        "indicator in itself.",
    ),
    "reach.intro": (
        "Hoe vaak het Loket gebeld, gemaild of via de website benaderd wordt, en hoeveel daarvan buiten "
        "kantoortijd: wordt de 24/7-openstelling gebruikt?",
        "How often the Loket is phoned, e-mailed or contacted through the website, and how much of it outside "
        "office hours: is the 24/7 opening used?",
    ),
    "definitions.intro": (
        "Wat elk cijfer betekent: de definitie, de teller en de noemer, en de tabel in de gepubliceerde catalogus "
        "waar het uit komt.",
        "What each figure means: its definition, numerator and denominator, and the table of the published "
        "catalogue it comes from.",
    ),
    "definitions.privacy": ("Privacyregel", "Privacy rule"),
    "definitions.hidden": ("Hoe vaak niet getoond", "How often not shown"),
    "definitions.hidden_text": (
        "In de laatste publicatie is dit cijfer landelijk per {level} {all} van de keren niet getoond: {rule} omdat "
        "er minder dan {k} cliënten waren en {partner} om terugrekenen te voorkomen{unit}.",
        "In the latest release this figure is not shown nationally per {level} {all} of the time: {rule} because "
        "there were fewer than {k} clients and {partner} so that such a count cannot be worked out{unit}.",
    ),
    "definitions.hidden_unit": ("; per eenheid per jaar {all}", "; per unit per year {all}"),
    "definitions.never_hidden": ("Dit cijfer wordt nooit verborgen.", "This figure is never hidden."),
    "definitions.products": ("De zeven producten", "The seven products"),
    "definitions.numerator": ("Teller", "Numerator"),
    "definitions.denominator": ("Noemer", "Denominator"),
    "definitions.source": ("Bron in de catalogus", "Source in the catalogue"),
    "definitions.scopes": ("Beschikbaar", "Available"),
    "definitions.statistic": ("Geen: een statistiek over de cliënten in de teller",
                              "None: a statistic over the clients in the numerator"),
    "definitions.all_scopes": ("landelijk per maand, kwartaal en jaar; eenheden per {types}",
                               "national per month, quarter and year; units per {types}"),
    "definitions.national_only": ("alleen landelijk, per maand, kwartaal en jaar",
                                  "national only, per month, quarter and year"),
    "control.start": ("Van", "From"),
    "control.end": ("Tot en met", "Up to and including"),
    "control.unit": ("Eenheid", "Unit"),
    "control.own_unit": ("Cijfers van uw eenheid, met het landelijke cijfer ter vergelijking:",
                         "Figures of your unit, with the national figure for comparison:"),
    "control.label": ("Keuze van periode en eenheid", "Choice of period and unit"),
    "control.apply": ("Toon", "Show"),
    "note.fell_back": (
        "Voor een eenheid is dit cijfer er niet per {wanted}; u ziet het per {shown}.",
        "For a unit this figure does not exist per {wanted}; you see it per {shown}.",
    ),
    "note.period": ("Periode: {period}", "Period: {period}"),
    "note.national_only": (
        "Dit cijfer is er alleen landelijk.", "This figure exists for the whole country only.",
    ),
    "note.multi": (
        "Eén aanmelding kan meer vraagtypen hebben: de percentages tellen op tot meer dan 100.",
        "One registration can have several question types: the percentages add up to more than 100.",
    ),
    "note.closure_month": (
        "Geteld in de maand waarin het traject is afgesloten; een afgesloten maand verandert daarna niet meer.",
        "Counted in the month the trajectory was closed; a month that is over does not change afterwards.",
    ),
    "note.question_types_by_anonymity": (
        "Per jaar. Aandeel per vraagtype binnen elke groep; één aanmelding kan meer vraagtypen hebben.",
        "Per year. Share per question type within each group; one registration can have several question types.",
    ),
    "note.target_groups_by_reason": (
        "Per jaar. Per reden: uit welke doelgroepen de cliënten met die reden komen (samen 100%).",
        "Per year. Per reason: which target groups the clients giving that reason belong to (100% together).",
    ),
    "note.respondents_by_product": (
        "Landelijk, per jaar. Lijken de invullers op de afgesloten trajecten? Aandelen van alle vragenlijsten en "
        "van alle afgesloten trajecten; vragenlijsten die niet aan een aanmelding gekoppeld zijn, staan er niet bij.",
        "National, per year. Do the respondents look like the closed trajectories? Shares of all responses and of "
        "all closed trajectories; responses not linked to a registration are not shown.",
    ),
    "note.respondents_by_target_group": (
        "Landelijk, per jaar. Lijken de invullers op de afgesloten trajecten? Aandelen van alle vragenlijsten en "
        "van alle afgesloten trajecten; vragenlijsten die niet aan een aanmelding gekoppeld zijn, staan er niet bij.",
        "National, per year. Do the respondents look like the closed trajectories? Shares of all responses and of "
        "all closed trajectories; responses not linked to a registration are not shown.",
    ),
    "note.response_by_product": (
        "Landelijk, per jaar. Vragenlijsten tellen in de maand van invullen, trajecten in de maand van afsluiten.",
        "National, per year. Responses count in the month they were given, trajectories in the month they closed.",
    ),
    "note.unit_benchmark": (
        "Landelijk is ter vergelijking; de eenheid ziet geen cijfers van andere eenheden.",
        "National is for comparison; a unit sees no figures of other units.",
    ),
    "period.of.month": ("maand", "month"),
    "period.of.quarter": ("kwartaal", "quarter"),
    "period.of.year": ("jaar", "year"),
    "legend.all_hidden": ("niet getoond: te weinig cliënten", "not shown: too few clients"),
    "legend.no_value": ("– = geen cliënten in deze periode", "– = no clients in this period"),
    "app.no_data_period": (
        "Voor deze keuze zijn (nog) geen cijfers. Kies een andere periode.",
        "There are no figures for this choice (yet). Choose another period.",
    ),
    "target.label": ("Streefwaarde", "Expected value"),
    "def.link": ("Definitie", "Definition"),
    "kpi.latest": ("Laatste volledige periode", "Latest complete period"),
    "kpi.benchmark": ("Landelijk", "National"),
    "kpi.trend_table": ("Verloop in cijfers", "Trend in figures"),
    "kpi.heading": ("Kerncijfers", "Key figures"),
    "table.category": ("Categorie", "Category"),
    "table.share": ("Aandeel", "Share"),
    "measure.count": ("Aantal", "Count"),
    "measure.percent": ("Percentage", "Percentage"),
    "measure.days": ("Dagen", "Days"),
    "measure.sessions": ("Gesprekken", "Sessions"),
    "measure.grade": ("Cijfer", "Grade"),
    "measure.rating": ("Waardering", "Rating"),
    "measure.per1000": ("Per 1.000 medewerkers", "Per 1,000 staff"),
    "unit.days": ("dagen", "days"),
    "alt.trend": (
        "Verloop per periode; dezelfde cijfers staan in de tabel bij de grafiek. Niet getoonde waarden zijn gemarkeerd met *.",
        "Trend per period; the same figures are in the table with the chart. Values not shown are marked with *.",
    ),
    "alt.breakdown": (
        "Staafdiagram per categorie; dezelfde cijfers staan in de tabel bij de grafiek. Niet getoonde waarden zijn gemarkeerd met *.",
        "Bar chart per category; the same figures are in the table with the chart. Values not shown are marked with *.",
    ),
    # categories without a code list
    "cat._total": ("Alle producten", "All products"),
    "cat.not_recorded": ("Niet vastgelegd", "Not recorded"),
    "cat.anonymity.yes": ("Wil anoniem blijven", "Wants anonymity"),
    "cat.anonymity.no": ("Geen anonimiteitswens", "No anonymity wish"),
    "cat.population.surveys": ("Ingevulde vragenlijsten", "Survey responses"),
    "cat.population.closures": ("Afgesloten trajecten", "Closed trajectories"),
    "cat.counsellor.0": ("Geen wisseling", "No change"),
    "cat.counsellor.1": ("Eén wisseling", "One change"),
    "cat.counsellor.2plus": ("Twee of meer", "Two or more"),
    "cat.aspect.reachability": ("Bereikbaarheid", "Reachability"),
    "cat.aspect.waiting_time": ("Wachttijd", "Waiting time"),
    "cat.aspect.expertise": ("Deskundigheid", "Expertise"),
    "cat.aspect.treatment": ("Bejegening", "Treatment"),
    "waiting.times": ("Wachttijd tot eerste intake", "Waiting time to first intake"),
    "waiting.sessions": ("Gesprekken per afgesloten traject", "Sessions per closed trajectory"),
    "referrals.rates": ("Verwijzing na het traject", "Referral after the trajectory"),
    "referrals.tcl": ("TCL-screening", "TCL screening"),
    "survey.shares": ("Oordeel van cliënten", "Clients' judgement"),
    "reach.hours": ("Contacten buiten kantoortijd", "Contacts outside office hours"),
    "ind.website_new_visits": ("Nieuwe bezoekers", "New visitors"),
    "ind.website_returning_visits": ("Terugkerende bezoekers", "Returning visitors"),
    "dim.target_group": ("Doelgroep", "Target group"),
    "dim.product": ("Product", "Product"),
    "dim.channel": ("Kanaal", "Channel"),
    "dim.found_via": ("Hoe gevonden", "Found via"),
    "dim.question_type": ("Vraagtype", "Question type"),
    "dim.gender": ("Geslacht", "Gender"),
    "dim.age_band": ("Leeftijd", "Age band"),
    "dim.unit": ("Eenheid", "Unit"),
}
