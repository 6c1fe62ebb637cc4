"""The texts of the administrator's pages: the audit log, its actions and roles, and importing data."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
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
    "admin_import.busy": ("U heeft al een import die wacht of loopt; wacht tot die klaar is.",
                          "You already have an import waiting or running; wait until it is done."),
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
