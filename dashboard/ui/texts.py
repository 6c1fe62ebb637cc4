"""Every label of the interface, Dutch and English, in one place; plus Dutch number and date formats."""
from __future__ import annotations

import math

import flask

from queries.privacy import SYMBOL, Policy

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "loket_lang"

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
    "targets.err.rationale_chars": ("de toelichting bevat een stuurteken", "the rationale holds a control character"),
    "pack.too_many": (
        "U hebt al {n} stuurpakketten in de maak. Wacht tot die klaar zijn.",
        "You already have {n} steering packs being made. Please wait until they are done.",
    ),
    "app.error": (
        "Er ging iets mis. Probeer het opnieuw of neem contact op met de beheerder.",
        "Something went wrong. Please try again or contact the administrator.",
    ),
    "page.admin_log": ("Logboek", "Audit log"),
    "admin_log.intro": (
        "Wie heeft wat bekeken: paginabezoeken, downloads, exports, API-verzoeken en geweigerde verzoeken. "
        "Het logboek bevat nooit cijfers.",
        "Who looked at what: page views, downloads, exports, API calls and refused requests. "
        "The log never holds figures.",
    ),
    "admin_log.action": ("Handeling", "Action"),
    "admin_log.all_actions": ("Alle handelingen", "All actions"),
    "admin_log.user": ("Gebruiker", "User"),
    "admin_log.download": ("Download als CSV", "Download as CSV"),
    "admin_log.caption": ("Laatste 500 regels, nieuwste eerst", "Latest 500 entries, newest first"),
    "admin_log.empty": ("Het logboek heeft (nog) geen regels.", "The log has no entries (yet)."),
    "admin_log.at": ("Tijdstip", "Time"),
    "admin_log.role": ("Rol", "Role"),
    "admin_log.unit": ("Eenheid", "Unit"),
    "admin_log.target": ("Wat", "What"),
    "admin_log.scope": ("Bereik", "Scope"),
    "admin_log.status": ("Status", "Status"),
    "action.page_view": ("Pagina bekeken", "Page view"),
    "action.api": ("API-verzoek", "API call"),
    "action.download": ("Download", "Download"),
    "action.export": ("Export", "Export"),
    "action.denied": ("Geweigerd", "Refused"),
    "action.login_failed": ("Inloggen mislukt", "Login failed"),
    "action.login": ("Ingelogd", "Logged in"),
    "role.programme": ("Programma", "Programme"),
    "role.unit": ("Eenheid", "Unit"),
    "role.admin": ("Beheerder", "Administrator"),
    # Importing data (dashboard/pages/admin_import.py, queries/ingest/importer.py)
    "page.admin_import": ("Importeren", "Import"),
    "action.import": ("Import", "Import"),
    "admin_import.intro": (
        "Lees de exportbestanden van het registratiesysteem in (CSV uit Excel of XLSX; zie het gegevenscontract, "
        "docs/data-contract.md). Eerst wordt elke regel gecontroleerd; er verandert pas iets als u op Laden klikt. "
        "Regels worden herkend aan het id uit het registratiesysteem: opnieuw inlezen geeft nooit dubbele regels.",
        "Load the registration system's export files (CSV from Excel, or XLSX; see the data contract, "
        "docs/data-contract.md). Every row is checked first; nothing changes until you click Load. "
        "Rows are recognised by the registration system's id: importing again never duplicates.",
    ),
    "admin_import.upload": (
        "Sleep exportbestanden hierheen of klik om ze te kiezen (samen hoogstens {mb} MB; grotere bestanden met "
        "`loket import`)",
        "Drop export files here or click to choose them (at most {mb} MB together; larger files with `loket import`)",
    ),
    "admin_import.valid_only": (
        "Alleen de goede regels laden (afgekeurde regels worden overgeslagen)",
        "Load only the valid rows (rejected rows are skipped)",
    ),
    "admin_import.load": ("Laden", "Load"),
    "admin_import.report": ("Download het foutenrapport (CSV)", "Download the report of rejected rows (CSV)"),
    "admin_import.checking": ("Controleren", "Checking"),
    "admin_import.loading": ("Laden", "Loading"),
    "admin_import.progress": ("{phase}: {file} ({number} van {files}), {rows} regels", "{phase}: {file} ({number} of {files}), {rows} rows"),
    "admin_import.waiting": ("Wachten op de controle...", "Waiting for the check..."),
    "admin_import.check_ok": (
        "Alle regels zijn goed. Klik op Laden om ze in te lezen.",
        "Every row is valid. Click Load to load them.",
    ),
    "admin_import.check_errors": (
        "{errors} fout(en) in {rows} regel(s). Zo wordt er niets geladen: verbeter het bestand, of kies "
        "'Alleen de goede regels laden' en klik op Laden.",
        "{errors} error(s) in {rows} row(s). As it is, nothing will be loaded: correct the file, or choose "
        "'Load only the valid rows' and click Load.",
    ),
    "admin_import.check_note": (
        "Nieuw, gewijzigd en ongewijzigd tonen wat Laden zou doen.",
        "New, changed and unchanged show what Load would do.",
    ),
    "admin_import.loaded": ("Geladen. De gepubliceerde cijfers zijn ververst.", "Loaded. The published figures were refreshed."),
    "admin_import.loaded_partly": (
        "De goede regels zijn geladen; {rows} afgekeurde regel(s) zijn overgeslagen (zie het foutenrapport).",
        "The valid rows were loaded; {rows} rejected row(s) were skipped (see the report).",
    ),
    "admin_import.nothing_new": (
        "Er was niets nieuws: alle regels stonden al in de database.",
        "Nothing new: every row was already in the store.",
    ),
    "admin_import.not_loaded": (
        "Er is niets veranderd: {rows} regel(s) zijn afgekeurd.",
        "Nothing was changed: {rows} row(s) were rejected.",
    ),
    "admin_import.refresh_failed": (
        "De gegevens zijn geladen, maar het verversen van de gepubliceerde cijfers is mislukt; de pagina's tonen "
        "de oude cijfers tot `loket refresh` slaagt (de volgende import en de volgende start van de app proberen "
        "het ook).",
        "The data were loaded, but refreshing the published figures failed; the pages show the old figures until "
        "`loket refresh` succeeds (the next import and the next start of the app try it too).",
    ),
    "admin_import.store_error": (
        "De database weigerde deze import; er is niets veranderd. De reden staat hieronder en in het foutenrapport.",
        "The store refused this import; nothing was changed. The reason is below and in the report.",
    ),
    "admin_import.due_done": (
        "Een eerdere import was nog niet gepubliceerd; de gepubliceerde cijfers zijn nu ververst.",
        "An earlier import was not yet published; the published figures have now been refreshed.",
    ),
    "admin_import.refresh_due": (
        "De gepubliceerde cijfers lopen achter: de regels van import {batches} ({files}, sinds {when}) zijn geladen "
        "maar nog niet gepubliceerd. Dat gebeurt bij de volgende import of de volgende start van de app, of nu "
        "met `loket refresh`.",
        "The published figures are behind: the rows of batch {batches} ({files}, since {when}) are loaded but not "
        "yet published. The next import or the next start of the app publishes them, or `loket refresh` now.",
    ),
    "admin_import.not_published": ("nog niet gepubliceerd", "not yet published"),
    "admin_import.failed": (
        "De import is mislukt; er is niets veranderd. Probeer het opnieuw of neem contact op met de beheerder.",
        "The import failed; nothing was changed. Try again, or contact the administrator.",
    ),
    "admin_import.bad_upload": ("De upload is niet te lezen. Kies de bestanden opnieuw.", "The upload cannot be read. Choose the files again."),
    "admin_import.too_large": (
        "De bestanden zijn samen groter dan {mb} MB. Lees ze in met `loket import`.",
        "The files are larger than {mb} MB together. Import them with `loket import`.",
    ),
    "admin_import.too_many": ("Kies hoogstens {n} bestanden tegelijk.", "Choose at most {n} files at a time."),
    "admin_import.needs_valid_only": (
        "Deze bestanden hebben fouten; zo verandert er niets. Kies 'Alleen de goede regels laden' om de goede "
        "regels toch te laden.",
        "These files have errors; as they are, nothing changes. Choose 'Load only the valid rows' to load the "
        "valid rows anyway.",
    ),
    "admin_import.expired": (
        "Deze import is niet meer beschikbaar; kies de bestanden opnieuw.",
        "This import is no longer available; choose the files again.",
    ),
    "admin_import.seen_before": ("al eerder ingelezen (import {ids})", "imported before (batch {ids})"),
    "admin_import.files_caption": ("Bestanden", "Files"),
    "admin_import.errors_caption": (
        "Eerste {n} afgekeurde regels; alle staan in het foutenrapport",
        "First {n} rejected rows; all of them are in the report",
    ),
    "admin_import.batches": ("Laatste imports", "Latest imports"),
    "admin_import.no_batches": ("Er is nog niets geïmporteerd.", "Nothing has been imported yet."),
    "admin_import.file": ("Bestand", "File"),
    "admin_import.kind": ("Soort", "Type"),
    "admin_import.rows": ("Regels", "Rows"),
    "admin_import.rejected": ("Afgekeurd", "Rejected"),
    "admin_import.inserted": ("Nieuw", "Inserted"),
    "admin_import.updated": ("Gewijzigd", "Updated"),
    "admin_import.unchanged": ("Ongewijzigd", "Unchanged"),
    "admin_import.status": ("Resultaat", "Outcome"),
    "admin_import.batch": ("Import", "Batch"),
    "admin_import.when": ("Tijdstip", "Time"),
    "admin_import.who": ("Door", "By"),
    "admin_import.hash": ("SHA-256 (begin)", "SHA-256 (start)"),
    "admin_import.line": ("Regel", "Line"),
    "admin_import.column": ("Kolom", "Column"),
    "admin_import.value": ("Waarde", "Value"),
    "admin_import.reason": ("Reden", "Reason"),
    "admin_import.status.loaded": ("geladen", "loaded"),
    "admin_import.status.partial": ("deels geladen", "partly loaded"),
    "admin_import.status.rejected": ("afgekeurd, niets veranderd", "rejected, nothing changed"),
    "admin_import.status.not_loaded": ("niet geladen (fouten in een ander bestand)", "not loaded (errors in another file)"),
    "admin_import.status.unchanged": ("niets nieuws", "nothing new"),
    "admin_import.status.running": ("bezig", "running"),
    "admin_import.status.checked": ("gecontroleerd", "checked"),
    "admin_import.kind.units": ("eenheden", "units"),
    "admin_import.kind.registrations": ("aanmeldingen", "registrations"),
    "admin_import.kind.sessions": ("gesprekken", "sessions"),
    "admin_import.kind.surveys": ("tevredenheidsonderzoek", "surveys"),
    "admin_import.kind.contacts": ("contacten", "contacts"),
    "admin_import.kind.website_visits": ("websitebezoek", "website visits"),
}

# The monitor pages (issue #5): shell, controls, notes, charts, indicators and their definitions.
TEXTS.update({
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
})


def _definition(key: str, name: tuple[str, str], definition: tuple[str, str], numerator: tuple[str, str],
                denominator: tuple[str, str] | None = None) -> None:
    TEXTS[f"ind.{key}"] = name
    TEXTS[f"ind.{key}.def"] = definition
    TEXTS[f"ind.{key}.num"] = numerator
    if denominator:
        TEXTS[f"ind.{key}.den"] = denominator


_REG = ("Alle aanmeldingen in de periode", "All registrations in the period")
_CLOSED = ("Alle in de periode afgesloten trajecten", "All trajectories closed in the period")
_SURVEYS = ("Alle ingevulde vragenlijsten in de periode", "All survey responses in the period")
_CONTACTS = ("Alle contacten in de periode", "All contacts in the period")
for _key, _name, _def, _num, _den in (
    ("registrations", ("Aanmeldingen", "Registrations"),
     ("Cliënten die zich in de periode aanmeldden voor een hulptraject (op datum van aanmelding).",
      "Clients who registered for a help trajectory in the period (by registration date)."),
     ("Aantal aanmeldingen", "Number of registrations"), None),
    ("contacts", ("Contacten", "Contacts"),
     ("Elk telefoongesprek, e-mail of webcontact met het Loket in de periode, ook zonder aanmelding.",
      "Every phone call, e-mail or web contact with the Loket in the period, also without a registration."),
     ("Aantal contacten", "Number of contacts"), None),
    ("closures", ("Afgesloten trajecten", "Closed trajectories"),
     ("Trajecten die in de periode zijn afgesloten.", "Trajectories closed in the period."),
     ("Aantal afgesloten trajecten", "Number of closed trajectories"), None),
    ("waiting_median", ("Wachttijd tot intake (mediaan)", "Waiting time to intake (median)"),
     ("Van de cliënten met hun eerste intake in de periode wachtte de helft hooguit dit aantal dagen sinds de "
      "aanmelding: de middelste wachttijd in hele dagen (bij een even aantal de lagere van de twee middelste). "
      "Getoond zodra het aantal intakes de minimumgrens haalt.",
      "Of the clients with their first intake in the period, half waited at most this many days since "
      "registering: the middle waiting time in whole days (with an even number, the lower of the two middle "
      "ones). Shown whenever the number of intakes reaches the minimum count."),
     ("Dagen van aanmelding tot eerste intake, per intake in de periode",
      "Days from registration to first intake, per intake in the period"), None),
    ("waiting_p80", ("Wachttijd tot intake (80e percentiel)", "Waiting time to intake (80th percentile)"),
     ("80% van de cliënten met hun eerste intake in de periode wachtte hooguit dit aantal dagen: de wachttijd "
      "van een van die cliënten, in hele dagen, zonder interpolatie. Getoond zodra het aantal intakes de minimumgrens haalt.",
      "80% of the clients with their first intake in the period waited at most this many days: the waiting "
      "time of one of those clients, in whole days, without interpolation. Shown whenever the number of "
      "intakes reaches the minimum count."),
     ("Dagen van aanmelding tot eerste intake, per intake in de periode",
      "Days from registration to first intake, per intake in the period"), None),
    ("waiting_within_14", ("Intake binnen 14 dagen", "Intake within 14 days"),
     ("Aandeel van de eerste intakes in de periode dat binnen 14 dagen na de aanmelding plaatsvond.",
      "Share of the first intakes in the period that took place within 14 days of registering."),
     ("Intakes binnen 14 dagen na aanmelding", "Intakes within 14 days of registering"),
     ("Eerste intakes in de periode", "First intakes in the period")),
    ("throughput_median", ("Doorlooptijd (mediaan)", "Throughput time (median)"),
     ("De helft van de trajecten die in de periode afgesloten werden, duurde hooguit dit aantal dagen van "
      "aanmelding tot afsluiting: de middelste doorlooptijd in hele dagen (bij een even aantal de lagere van "
      "de twee middelste); per product. Getoond zodra het aantal afgesloten trajecten de minimumgrens haalt.",
      "Half of the trajectories closed in the period took at most this many days from registration to "
      "closure: the middle throughput time in whole days (with an even number, the lower of the two middle "
      "ones); per product. Shown whenever the number of closed trajectories reaches the minimum count."),
     ("Dagen van aanmelding tot afsluiting, per afgesloten traject",
      "Days from registration to closure, per closed trajectory"), None),
    ("sessions_mean", ("Gesprekken per traject (gemiddelde)", "Sessions per trajectory (mean)"),
     ("Gemiddeld aantal gesprekken van de trajecten die in de periode afgesloten werden, op één decimaal "
      "afgerond. Getoond zodra het aantal afgesloten trajecten de minimumgrens haalt.",
      "Mean number of sessions of the trajectories closed in the period, rounded to one decimal. Shown "
      "whenever the number of closed trajectories reaches the minimum count."),
     ("Aantal gesprekken per afgesloten traject", "Number of sessions per closed trajectory"), None),
    ("sessions_median", ("Gesprekken per traject (mediaan)", "Sessions per trajectory (median)"),
     ("Mediaan van het aantal gesprekken van de trajecten die in de periode afgesloten werden: het middelste "
      "aantal (bij een even aantal trajecten het lagere van de twee middelste).",
      "Median number of sessions of the trajectories closed in the period: the middle number (with an even "
      "number of trajectories, the lower of the two middle ones)."),
     ("Aantal gesprekken per afgesloten traject", "Number of sessions per closed trajectory"), None),
    ("pg_without_evaluation", ("Procesbegeleiding zonder evaluatiemoment",
                               "Process guidance without an evaluation moment"),
     ("Aandeel van de in de periode afgesloten trajecten procesmatige begeleiding dat niet op tijd een "
      "evaluatiemoment had: uiterlijk elke 8 gesprekken één.",
      "Share of the process-guidance trajectories closed in the period that did not have an evaluation "
      "moment in time: at least one every 8 sessions."),
     ("Afgesloten trajecten procesmatige begeleiding met te weinig evaluatiemomenten",
      "Closed process-guidance trajectories with too few evaluation moments"),
     ("Afgesloten trajecten procesmatige begeleiding", "Closed process-guidance trajectories")),
    ("counsellor_changed", ("Wisseling van hulpverlener", "Counsellor changed"),
     ("Aandeel van de in de periode afgesloten trajecten waarin de cliënt minstens één keer een andere "
      "hulpverlener kreeg.",
      "Share of the trajectories closed in the period in which the client got another counsellor at least once."),
     ("Afgesloten trajecten met één of meer wisselingen", "Closed trajectories with one or more changes"), _CLOSED),
    ("counsellor_changes", ("Wisselingen van hulpverlener", "Counsellor changes"),
     ("In de periode afgesloten trajecten naar het aantal keren dat de cliënt een andere hulpverlener kreeg.",
      "Trajectories closed in the period by the number of times the client got another counsellor."),
     ("Afgesloten trajecten met 0, 1, of 2 of meer wisselingen",
      "Closed trajectories with 0, 1, or 2 or more changes"), _CLOSED),
    ("referral_back_rate", ("Terugverwezen naar de eenheid", "Referred back to the unit"),
     ("Aandeel van de in de periode afgesloten trajecten dat terugverwezen is naar de interne zorglijn van de "
      "eenheid.",
      "Share of the trajectories closed in the period that were referred back to the unit's internal care line."),
     ("Afgesloten trajecten met verwijzing 'terug naar de eenheid'", "Closed trajectories referred back to the unit"),
     _CLOSED),
    ("referral_external_rate", ("Verwezen naar externe zorg", "Referred to external care"),
     ("Aandeel van de in de periode afgesloten trajecten dat verwezen is naar huisarts, GGZ, crisisdienst of "
      "politiepolikliniek.",
      "Share of the trajectories closed in the period that were referred to a GP, mental-health care, a crisis "
      "service or the police outpatient clinic."),
     ("Afgesloten trajecten met een externe verwijzing (som van de vier soorten; niet getoond als één ervan "
      "niet getoond is)", "Closed trajectories with an external referral (sum of the four kinds; not shown "
      "when one of them is not shown)"), _CLOSED),
    ("referral_none_rate", ("Geen verwijzing nodig", "No referral needed"),
     ("Aandeel van de in de periode afgesloten trajecten dat geen verwijzing nodig had.",
      "Share of the trajectories closed in the period that needed no referral."),
     ("Afgesloten trajecten zonder verwijzing", "Closed trajectories without a referral"), _CLOSED),
    ("referral_outcomes", ("Verwijzingen", "Referral outcomes"),
     ("In de periode afgesloten trajecten naar hun uitkomst: terug naar de eenheid, een van de externe "
      "verwijzingen, geen verwijzing nodig, of niet vastgelegd.",
      "Trajectories closed in the period by their outcome: back to the unit, one of the external referrals, "
      "no referral needed, or not recorded."),
     ("Afgesloten trajecten per uitkomst", "Closed trajectories per outcome"), _CLOSED),
    ("tcl_applied", ("TCL-screening bij intake", "TCL screening at intake"),
     ("Aandeel van de eerste intakes in de periode waarbij de TCL-screening (traumaklachtenlijst) is afgenomen.",
      "Share of the first intakes in the period at which the TCL screening (trauma symptom checklist) was done."),
     ("Intakes met TCL-screening (alle intakes min die zonder screening)",
      "Intakes with a TCL screening (all intakes minus those without)"),
     ("Eerste intakes in de periode", "First intakes in the period")),
    ("tcl_above_referred", ("Boven afkapwaarde en verwezen", "Above cut-off and referred"),
     ("Aandeel van de in de periode afgesloten trajecten met een TCL-score boven de afkapwaarde dat verwezen is "
      "(naar de eenheid of externe zorg).",
      "Share of the trajectories closed in the period with a TCL score above the cut-off that were referred "
      "(to the unit or external care)."),
     ("Afgesloten trajecten boven de afkapwaarde met een verwijzing",
      "Closed trajectories above the cut-off with a referral"),
     ("Afgesloten trajecten met een TCL-score boven de afkapwaarde",
      "Closed trajectories with a TCL score above the cut-off")),
    ("anonymity_rate", ("Anonimiteitswens", "Anonymity wish"),
     ("Aandeel van de aanmeldingen waarin de cliënt anoniem wil blijven tegenover de interne zorglijn van de eenheid.",
      "Share of the registrations in which the client wants to stay anonymous towards the unit's internal care line."),
     ("Aanmeldingen met anonimiteitswens", "Registrations with an anonymity wish"), _REG),
    ("anonymity_reasons", ("Redenen voor anonimiteit", "Reasons for anonymity"),
     ("Waarom cliënten anoniem willen blijven tegenover hun eenheid.",
      "Why clients want to stay anonymous towards their unit."),
     ("Aanmeldingen met anonimiteitswens, per reden", "Registrations with an anonymity wish, per reason"),
     ("Aanmeldingen met anonimiteitswens", "Registrations with an anonymity wish")),
    ("response_rate", ("Respons cliëntonderzoek", "Survey response rate"),
     ("Ingevulde vragenlijsten in de periode als aandeel van de trajecten die in de periode afgesloten werden.",
      "Survey responses in the period as a share of the trajectories closed in the period."),
     ("Ingevulde vragenlijsten", "Survey responses"), ("Afgesloten trajecten", "Closed trajectories")),
    ("grade_mean", ("Rapportcijfer (gemiddelde)", "Survey grade (mean)"),
     ("Gemiddeld rapportcijfer (1-10) dat cliënten het Loket gaven, op één decimaal afgerond. Getoond zodra "
      "het aantal ingevulde vragenlijsten de minimumgrens haalt.",
      "Mean grade (1-10) clients gave the Loket, rounded to one decimal. Shown whenever the number of survey "
      "responses reaches the minimum count."),
     ("Cijfer per ingevulde vragenlijst", "Grade per survey response"), None),
    ("grade_7plus", ("Cijfer 7 of hoger", "Grade 7 or higher"),
     ("Aandeel van de ingevulde vragenlijsten met een rapportcijfer van 7 of hoger.",
      "Share of the survey responses with a grade of 7 or higher."),
     ("Vragenlijsten met cijfer 7 of hoger", "Responses with grade 7 or higher"), _SURVEYS),
    ("goals_reached", ("Doelen bereikt", "Goals reached"),
     ("Aandeel van de cliënten dat zegt dat de doelen van het traject bereikt zijn.",
      "Share of the clients who say the goals of the trajectory were reached."),
     ("Vragenlijsten met 'doelen bereikt: ja'", "Responses with 'goals reached: yes'"), _SURVEYS),
    ("goals_breakdown", ("Doelen bereikt: ja, gedeeltelijk, nee", "Goals reached: yes, partly, no"),
     ("Ingevulde vragenlijsten naar het antwoord op de vraag of de doelen bereikt zijn.",
      "Survey responses by the answer to whether the goals were reached."),
     ("Vragenlijsten per antwoord", "Responses per answer"), _SURVEYS),
    ("expectations_met", ("Verwachtingen waargemaakt", "Expectations met"),
     ("Aandeel van de cliënten dat zegt dat hun verwachtingen zijn waargemaakt.",
      "Share of the clients who say their expectations were met."),
     ("Vragenlijsten met 'verwachtingen waargemaakt: ja'", "Responses with 'expectations met: yes'"), _SURVEYS),
    ("work_resumed", ("Werk hervat", "Work resumed"),
     ("Aandeel van de cliënten dat zegt het werk (weer) te doen.", "Share of the clients who say they are (back) at work."),
     ("Vragenlijsten met 'werk hervat: ja'", "Responses with 'work resumed: yes'"), _SURVEYS),
    ("aspect_ratings", ("Waardering van aspecten", "Aspect ratings"),
     ("Gemiddelde waardering (1-10) van bereikbaarheid, wachttijd, deskundigheid en bejegening.",
      "Mean rating (1-10) of reachability, waiting time, expertise and treatment."),
     ("Waardering per aspect per ingevulde vragenlijst", "Rating per aspect per survey response"), None),
    ("outside_office_hours", ("Buiten kantoortijd", "Outside office hours"),
     ("Aandeel van de contacten 's avonds (18-23 uur), 's nachts (23-8 uur) of in het weekend.",
      "Share of the contacts in the evening (18:00-23:00), at night (23:00-08:00) or at the weekend."),
     ("Contacten buiten kantoortijd (alle contacten min die op werkdagen 8-18 uur)",
      "Contacts outside office hours (all contacts minus those on weekdays 08:00-18:00)"), _CONTACTS),
    ("evening_share", ("'s Avonds", "Evenings"),
     ("Aandeel van de contacten op werkdagen tussen 18 en 23 uur.", "Share of the contacts on weekdays 18:00-23:00."),
     ("Contacten op werkdagen 18-23 uur", "Contacts on weekdays 18:00-23:00"), _CONTACTS),
    ("night_share", ("'s Nachts", "Nights"),
     ("Aandeel van de contacten op werkdagen tussen 23 en 8 uur.", "Share of the contacts on weekdays 23:00-08:00."),
     ("Contacten op werkdagen 23-8 uur", "Contacts on weekdays 23:00-08:00"), _CONTACTS),
    ("weekend_share", ("Weekend", "Weekends"),
     ("Aandeel van de contacten op zaterdag en zondag.", "Share of the contacts on Saturday and Sunday."),
     ("Contacten in het weekend", "Contacts at the weekend"), _CONTACTS),
    ("contacts_by_channel", ("Contacten per kanaal", "Contacts by channel"),
     ("Contacten naar kanaal: telefoon, e-mail, website.", "Contacts by channel: phone, e-mail, web."),
     ("Contacten per kanaal", "Contacts per channel"), _CONTACTS),
    ("website_visits", ("Bezoeken website", "Website visits"),
     ("Bezoeken van de website Blauwe Veerkracht, nieuwe en terugkerende bezoekers; geen cliëntgegevens, "
      "dus niet afgerond of verborgen.",
      "Visits of the Blauwe Veerkracht website, new and returning visitors; no client data, so neither "
      "rounded nor hidden."),
     ("Aantal bezoeken", "Number of visits"), None),
    ("reach_per_1000", ("Bereik per 1.000 medewerkers", "Reach per 1,000 staff"),
     ("Aanmeldingen per 1.000 medewerkers van de eenheid (landelijk: van alle eenheden samen).",
      "Registrations per 1,000 staff of the unit (national: of all units together)."),
     ("Aanmeldingen van de eenheid (getoond, afgerond aantal) x 1.000",
      "Registrations of the unit (shown, rounded count) x 1,000"),
     ("Aantal medewerkers van de eenheid (openbaar)", "Staff of the unit (public headcount)")),
    ("registrations_by_unit", ("Aanmeldingen per eenheid", "Registrations by unit"),
     ("Aanmeldingen naar de eenheid van de cliënt, met het aandeel in het landelijke totaal (alleen voor de "
      "opdrachtgever).",
      "Registrations by the client's unit, with the share of the national total (for the commissioner only)."),
     ("Aanmeldingen van de eenheid", "Registrations of the unit"), _REG),
    ("share_target_group", ("Aanmeldingen naar doelgroep", "Registrations by target group"),
     ("Aanmeldingen naar doelgroep: medewerkers, oud-medewerkers, leidinggevenden, naasten, aspiranten en anderen.",
      "Registrations by target group: staff, former staff, managers, family, trainees and others."),
     ("Aanmeldingen in de doelgroep", "Registrations in the target group"), _REG),
    ("share_product", ("Aanmeldingen naar product", "Registrations by product"),
     ("Aanmeldingen naar het product (soort hulp); alle zeven producten, met hun omschrijving.",
      "Registrations by product (type of help); all seven products, with their description."),
     ("Aanmeldingen voor het product", "Registrations for the product"), _REG),
    ("share_channel", ("Aanmeldingen naar kanaal", "Registrations by channel"),
     ("Aanmeldingen naar het kanaal waarlangs de cliënt zich aanmeldde.",
      "Registrations by the channel through which the client registered."),
     ("Aanmeldingen via het kanaal", "Registrations through the channel"), _REG),
    ("share_found_via", ("Hoe gevonden", "Found via"),
     ("Aanmeldingen naar hoe de cliënt het Loket vond.", "Registrations by how the client found the Loket."),
     ("Aanmeldingen per antwoord", "Registrations per answer"), _REG),
    ("share_question_type", ("Vraagtypen", "Question types"),
     ("Aanmeldingen naar vraagtype; één aanmelding kan meer vraagtypen hebben.",
      "Registrations by question type; one registration can have several."),
     ("Aanmeldingen met het vraagtype", "Registrations with the question type"), _REG),
    ("share_gender", ("Geslacht", "Gender"),
     ("Aanmeldingen naar geslacht van de cliënt.", "Registrations by the client's gender."),
     ("Aanmeldingen per geslacht", "Registrations per gender"), _REG),
    ("share_age_band", ("Leeftijd", "Age band"),
     ("Aanmeldingen naar leeftijdsgroep van de cliënt.", "Registrations by the client's age band."),
     ("Aanmeldingen per leeftijdsgroep", "Registrations per age band"), _REG),
):
    _definition(_key, _name, _def, _num, _den)

# Expected values (issue #9): the page, the overview's comparison and the audit actions.
TEXTS.update({
    "page.targets": ("Streefwaarden", "Expected values"),
    "targets.intro": (
        "De streefwaarden die de opdrachtgever en het Loket per indicator afspraken. Ze zijn een referentie in de "
        "grafieken, geen oordeel, en gelden landelijk (eventueel per product of doelgroep), nooit per eenheid: "
        "normen per eenheid zouden de onafhankelijkheid van het Loket schaden. Een wijziging is een nieuwe regel; "
        "eerdere waarden blijven bewaard.",
        "The expected values the commissioner and the Loket agreed per indicator. They are a reference in the "
        "charts, not a verdict, and hold nationally (optionally per product or target group), never per unit: "
        "norms per unit would hurt the Loket's independence. A change is a new row; earlier values are kept.",
    ),
    "targets.read_only": (
        "Streefwaarden worden vastgelegd door de opdrachtgever (programmamanagers en beheerders). U kunt ze bekijken.",
        "Expected values are recorded by the commissioner (programme managers and administrators). You can view them.",
    ),
    "targets.choose": ("Waarvoor geldt de streefwaarde?", "What does the expected value hold for?"),
    "targets.indicator": ("Indicator", "Indicator"),
    "targets.product": ("Product (optioneel)", "Product (optional)"),
    "targets.target_group": ("Doelgroep (optioneel)", "Target group (optional)"),
    "targets.all_products": ("Alle producten", "All products"),
    "targets.all_groups": ("Alle doelgroepen", "All target groups"),
    "targets.choose_button": ("Kies", "Choose"),
    "targets.form": ("Nieuwe streefwaarde voor: {what}", "New expected value for: {what}"),
    "targets.value": ("Streefwaarde ({measure})", "Expected value ({measure})"),
    "targets.valid_from": ("Geldig vanaf (maand, JJJJ-MM)", "Valid from (month, YYYY-MM)"),
    "targets.rationale": ("Korte toelichting", "Short rationale"),
    "targets.save": ("Vastleggen", "Record"),
    "targets.saved": ("Vastgelegd: {what}, {value} vanaf {month}.", "Recorded: {what}, {value} from {month}."),
    "targets.retire": ("Intrekken", "Retire"),
    "targets.retire_label": ("Streefwaarde {id} intrekken: {what}", "Retire expected value {id}: {what}"),
    "targets.retired": ("Streefwaarde {id} is ingetrokken.", "Expected value {id} was retired."),
    "targets.not_saved": ("Niet vastgelegd: {reason}", "Not recorded: {reason}"),
    "targets.history": ("Alle vastgelegde streefwaarden, ook vervangen en ingetrokken",
                        "Every recorded expected value, also superseded and retired ones"),
    "targets.empty": ("Er zijn nog geen streefwaarden vastgelegd.", "No expected values have been recorded yet."),
    "targets.id": ("Nr.", "No."),
    "targets.for": ("Geldt voor", "Holds for"),
    "targets.from": ("Geldig vanaf", "Valid from"),
    "targets.until": ("Geldig tot en met", "Valid up to and including"),
    "targets.set_by": ("Vastgesteld door", "Set by"),
    "targets.set_at": ("Vastgelegd op", "Recorded on"),
    "targets.status": ("Status", "Status"),
    "targets.action": ("Actie", "Action"),
    "targets.all_clients": ("Alle cliënten", "All clients"),
    "targets.status.current": ("Geldt", "Applies"),
    "targets.status.planned": ("Gaat gelden", "Will apply"),
    "targets.status.superseded": ("Vervangen", "Superseded"),
    "targets.status.never": ("Vervangen voordat het gold", "Superseded before it applied"),
    "targets.status.retired": ("Ingetrokken door {by} op {at}", "Retired by {by} on {at}"),
    "expected.heading": ("Streefwaarden", "Expected values"),
    "expected.intro": (
        "Hoe de laatste periode zich verhoudt tot de streefwaarden van de opdrachtgever: ter informatie, geen "
        "oordeel. Een getoond cijfer telt de gepubliceerde (afgeronde) aantallen.",
        "How the latest period compares with the commissioner's expected values: for information, not a verdict. "
        "A shown figure counts the published (rounded) numbers.",
    ),
    "expected.caption": ("Streefwaarden en de laatste periode", "Expected values and the latest period"),
    "expected.period": ("Periode", "Period"),
    "expected.value": ("Uitkomst", "Outcome"),
    "expected.comparison": ("Vergelijking", "Comparison"),
    "expected.none": ("Voor deze periode zijn geen streefwaarden vastgelegd.",
                      "No expected values hold for this period."),
    "expected.changed": ("De streefwaarde veranderde in deze periode: geen vergelijking.",
                         "The expected value changed within this period: no comparison."),
    "expected.no_figure": ("Geen cijfer per product of doelgroep in het overzicht.",
                           "No figure per product or target group in the overview."),
    "expected.hidden": ("Niet getoond (*): dus ook geen vergelijking.", "Not shown (*): so no comparison either."),
    "cmp.expected": ("{statement}; verwacht {expected}", "{statement}; expected {expected}"),
    "targets.err.month": ("geen maand (JJJJ-MM): {value}", "not a month (YYYY-MM): {value}"),
    "targets.err.month_range": ("maand buiten bereik (2012-01 tot 2100-12): {value}",
                                "month out of range (2012-01 to 2100-12): {value}"),
    "targets.err.product": ("onbekend product: {value}", "unknown product: {value}"),
    "targets.err.target_group": ("onbekende doelgroep: {value}", "unknown target group: {value}"),
    "targets.err.unit": ("een streefwaarde geldt nooit per eenheid", "an expected value never holds per unit"),
    "targets.err.indicator": ("kies eerst een indicator", "choose an indicator first"),
    "targets.err.number": ("de streefwaarde is geen getal: {value}", "the expected value is not a number: {value}"),
    "targets.err.range": ("de streefwaarde ligt tussen {low} en {high}", "the expected value lies between {low} and {high}"),
    "targets.err.rationale": ("geef een korte toelichting", "give a short rationale"),
    "targets.err.rationale_long": ("de toelichting is langer dan {n} tekens", "the rationale is longer than {n} characters"),
    "targets.err.id": ("geen nummer van een streefwaarde: {value}", "not an expected value's number: {value}"),
    "targets.err.no_id": ("er is geen streefwaarde {id}", "there is no expected value {id}"),
    "targets.err.retired": ("streefwaarde {id} is al ingetrokken", "expected value {id} was already retired"),
    "action.target_set": ("Streefwaarde vastgelegd", "Expected value recorded"),
    "action.target_retire": ("Streefwaarde ingetrokken", "Expected value retired"),
    # The neutral statement of an indicator's latest figure (percentages: published numerator and denominator)
    "cmp.registrations": ("{value} aanmeldingen", "{value} registrations"),
    "cmp.contacts": ("{value} contacten", "{value} contacts"),
    "cmp.closures": ("{value} afgesloten trajecten", "{value} closed trajectories"),
    "cmp.waiting_median": ("mediaan {value}", "median {value}"),
    "cmp.waiting_p80": ("80e percentiel {value}", "80th percentile {value}"),
    "cmp.waiting_within_14": ("{num} van {den} cliënten binnen 14 dagen", "{num} of {den} clients within 14 days"),
    "cmp.throughput_median": ("mediaan {value}", "median {value}"),
    "cmp.sessions_mean": ("gemiddeld {value} gesprekken", "mean {value} sessions"),
    "cmp.sessions_median": ("mediaan {value} gesprekken", "median {value} sessions"),
    "cmp.pg_without_evaluation": ("{num} van {den} trajecten procesmatige begeleiding zonder evaluatiemoment",
                                  "{num} of {den} process-guidance trajectories without an evaluation moment"),
    "cmp.counsellor_changed": ("{num} van {den} aanmeldingen met een wisseling van hulpverlener",
                               "{num} of {den} registrations with a change of counsellor"),
    "cmp.referral_back_rate": ("{num} van {den} aanmeldingen terugverwezen naar de eenheid",
                               "{num} of {den} registrations referred back to the unit"),
    "cmp.referral_external_rate": ("{num} van {den} aanmeldingen verwezen naar externe zorg",
                                   "{num} of {den} registrations referred to external care"),
    "cmp.referral_none_rate": ("{num} van {den} aanmeldingen zonder verwijzing",
                               "{num} of {den} registrations without a referral"),
    "cmp.tcl_applied": ("{num} van {den} aanmeldingen met TCL-screening",
                        "{num} of {den} registrations with TCL screening"),
    "cmp.tcl_above_referred": ("{num} van {den} cliënten boven de afkapwaarde verwezen",
                               "{num} of {den} clients above the cut-off referred"),
    "cmp.anonymity_rate": ("{num} van {den} cliënten willen anoniem blijven tegenover de eenheid",
                           "{num} of {den} clients want to stay anonymous towards their unit"),
    "cmp.response_rate": ("{num} ingevulde vragenlijsten bij {den} afgesloten trajecten",
                          "{num} survey responses to {den} closed trajectories"),
    "cmp.grade_mean": ("gemiddeld cijfer {value}", "mean grade {value}"),
    "cmp.grade_7plus": ("{num} van {den} respondenten gaven een 7 of hoger",
                        "{num} of {den} respondents gave 7 or higher"),
    "cmp.goals_reached": ("{num} van {den} respondenten bereikten hun doelen",
                          "{num} of {den} respondents reached their goals"),
    "cmp.expectations_met": ("{num} van {den} respondenten zagen hun verwachtingen waargemaakt",
                             "{num} of {den} respondents had their expectations met"),
    "cmp.work_resumed": ("{num} van {den} respondenten weer aan het werk", "{num} of {den} respondents back at work"),
    **{f"cmp.rating_{a}": ("gemiddelde waardering {value}", "mean rating {value}")
       for a in ("reachability", "waiting_time", "expertise", "treatment")},
    "cmp.outside_office_hours": ("{num} van {den} contacten buiten kantoortijd",
                                 "{num} of {den} contacts outside office hours"),
    "cmp.evening_share": ("{num} van {den} contacten 's avonds", "{num} of {den} contacts in the evening"),
    "cmp.night_share": ("{num} van {den} contacten 's nachts", "{num} of {den} contacts at night"),
    "cmp.weekend_share": ("{num} van {den} contacten in het weekend", "{num} of {den} contacts at the weekend"),
    "cmp.website_visits": ("{value} bezoeken", "{value} visits"),
    "cmp.website_new_visits": ("{value} nieuwe bezoekers", "{value} new visitors"),
    "cmp.website_returning_visits": ("{value} terugkerende bezoekers", "{value} returning visitors"),
})

# Exports and the steering pack (dashboard/exports).
TEXTS.update({
    "export.group": ("Exporteren", "Export"),
    # A button shows the format; its accessible name starts with it (WCAG 2.5.3, label in name).
    "export.png": ("afbeelding voor een presentatie", "image for a presentation"),
    "export.svg": ("schaalbare afbeelding", "scalable image"),
    "export.csv": ("gegevens voor Excel", "data for Excel"),
    "export.xlsx": ("gegevens als Excel-werkmap", "data as an Excel workbook"),
    "export.failed": (
        "De export is mislukt. Probeer het opnieuw of neem contact op met de beheerder.",
        "The export failed. Please try again or contact the administrator.",
    ),
    "export.scope": ("Bereik", "Scope"),
    "export.scope_unit": ("{unit}, met het landelijke cijfer ter vergelijking",
                          "{unit}, with the national figure for comparison"),
    "export.period": ("Periode", "Period"),
    "export.trend": ("Verloop", "Trend"),
    "export.made_on": ("Gemaakt op", "Made on"),
    "export.source": ("Bron: Loket-monitor", "Source: Loket monitor"),
    "export.rule": ("Privacyregel", "Privacy rule"),
    "export.data": ("Gegevens", "Data"),
    "export.definition": ("Definitie", "Definition"),
    "export.notes": ("Opmerkingen", "Notes"),
    "pack.heading": ("Stuurpakket", "Steering pack"),
    "pack.intro": (
        "Alle grafieken van de monitor voor de gekozen periode en eenheid in één bestand: voorblad, kerncijfers, "
        "één dia per grafiek met de definitie in de notities, en de privacyregel.",
        "Every chart of the monitor for the chosen period and unit in one file: cover, key figures, one slide per "
        "chart with its definition in the notes, and the privacy rule.",
    ),
    "pack.format": ("Bestandsformaat", "File format"),
    "pack.pptx": ("PowerPoint", "PowerPoint"),
    "pack.pdf": ("PDF", "PDF"),
    "pack.xlsx": ("Excel", "Excel"),
    "pack.start": ("Maak het stuurpakket", "Make the steering pack"),
    "pack.waiting": ("Het stuurpakket wordt gemaakt, een ogenblik...", "The steering pack is being made, one moment..."),
    "pack.step.collect": ("Cijfers ophalen", "Reading the figures"),
    "pack.step.render": ("Grafieken tekenen", "Drawing the charts"),
    "pack.step.write": ("Bestand maken", "Writing the file"),
    "pack.progress": ("{step}: {done} van {total}", "{step}: {done} of {total}"),
    "pack.ready": ("Het stuurpakket is klaar: {name} ({size}).", "The steering pack is ready: {name} ({size})."),
    "pack.failed": (
        "Het stuurpakket kon niet gemaakt worden. Probeer het opnieuw of neem contact op met de beheerder.",
        "The steering pack could not be made. Please try again or contact the administrator.",
    ),
    "pack.expired": ("Dit stuurpakket is niet meer beschikbaar; maak het opnieuw.",
                     "This steering pack is no longer available; please make it again."),
    "pack.title": ("Loket-monitor: stuurinformatie", "Loket monitor: steering information"),
    "pack.subtitle": ("24/7 Loket Politie", "24/7 Loket Politie"),
    "pack.key_figures": ("Kerncijfers", "Key figures"),
    "pack.indicator": ("Indicator", "Indicator"),
    "pack.value": ("Waarde", "Value"),
    "pack.no_key_figures": ("Voor deze keuze zijn er geen kerncijfers.", "There are no key figures for this choice."),
    "pack.expected_note": (
        "De streefwaarde is een referentie van de opdrachtgever, geen oordeel over het Loket of een eenheid.",
        "The expected value is the commissioner's reference, not a verdict on the Loket or a unit.",
    ),
    "pack.closing": ("Privacyregel en definities", "Privacy rule and definitions"),
    "pack.continued": ("vervolg", "continued"),
    "pack.notes_hint": ("De definitie van elke grafiek staat in de notities van haar dia.",
                        "Each chart's definition is in the notes of its slide."),
    "pack.contents": ("Inhoud", "Contents"),
})

# The privacy rule (issue #14): its numbers are the app's policy (LOKET_MIN_COUNT, LOKET_ROUNDING_BASE,
# LOKET_SHOW_ZEROS, LOKET_EXACT_NATIONAL_TOTAL), never literals. Formatted only by `rule_sentence`
# and `rule_text` below; every legend, page, export and the API use those with the configured policy.
TEXTS.update({
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
})


MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def current_language() -> str:
    """Return the caller's language from its cookie, Dutch by default."""
    if flask.has_request_context():
        lang = flask.request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None) -> str:
    """Return the text for a key in a language (the caller's by default)."""
    nl, en = TEXTS[key]
    return en if (lang or current_language()) == "en" else nl


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


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """Format a number with Dutch (1.234,5) or English (1,234.5) separators; None as the symbol."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SYMBOL
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_value(value: float | None, measure: str, lang: str, *, suppressed: bool = False) -> str:
    """Format a protected value for its measure (count, percent, days, ...): * when hidden, – when none."""
    if suppressed:
        return SYMBOL
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if measure == "count":
        return fmt_number(value, lang)
    if measure == "percent":
        return f"{fmt_number(value, lang)}%"
    if measure == "days":
        return f"{fmt_number(value, lang, 1)} {t('unit.days', lang)}"
    return fmt_number(value, lang, 1)


def fmt_period(period: str, lang: str) -> str:
    """Format a period key (2014-03, 2014-Q1, 2014) for display."""
    if "-Q" in period:
        return f"{period[:4]} {'K' if lang == 'nl' else 'Q'}{period[-1]}"
    if len(period) == 7:
        return f"{MONTHS[lang][int(period[5:7]) - 1]} {period[:4]}"
    return period


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
