"""The importer's errors, their plain reasons (English and Dutch), its outcome and the report of rejected rows."""
from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from queries.store import csvfile

# --------------------------------------------------------------------------------------------
# errors and their plain reasons (English and Dutch)

REASONS: dict[str, tuple[str, str]] = {
    # whole file
    "empty_file": ("The file is empty.", "Het bestand is leeg."),
    "no_rows": ("The file has a header row but no data rows.", "Het bestand heeft een kopregel maar geen gegevensregels."),
    "binary": ("This is not a CSV file or an Excel workbook (.xlsx): it holds binary data.",
               "Dit is geen CSV-bestand of Excel-werkmap (.xlsx): het bevat binaire gegevens."),
    "old_excel": ("This is an old Excel file (.xls): save it as Excel workbook (.xlsx) or CSV.",
                  "Dit is een oud Excel-bestand (.xls): sla het op als Excel-werkmap (.xlsx) of CSV."),
    "utf16": ("The file is UTF-16 ('Unicode text'): save it as 'CSV UTF-8' or 'CSV (semicolon separated)'.",
              "Het bestand is UTF-16 ('Unicode-tekst'): sla het op als 'CSV UTF-8' of 'CSV (puntkomma gescheiden)'."),
    "not_xlsx": ("This ZIP file is not an Excel workbook (.xlsx).", "Dit ZIP-bestand is geen Excel-werkmap (.xlsx)."),
    "bad_xlsx": ("The Excel workbook cannot be read: {detail}.", "De Excel-werkmap is niet te lezen: {detail}."),
    "separator": ("The columns are separated by {sep}; use ; or , (a CSV export from Excel).",
                  "De kolommen zijn gescheiden door {sep}; gebruik ; of , (een CSV-export uit Excel)."),
    "unknown_header": ("The header row ({found}) matches no file type; expected the columns of {kinds} "
                       "(see docs/data-contract.md).",
                       "De kopregel ({found}) past bij geen bestandstype; verwacht de kolommen van {kinds} "
                       "(zie docs/data-contract.md)."),
    "missing_columns": ("Missing column(s) for {kind}: {columns}.", "Ontbrekende kolom(men) voor {kind}: {columns}."),
    "unknown_columns": ("Unknown column(s) for {kind}: {columns}.", "Onbekende kolom(men) voor {kind}: {columns}."),
    "duplicate_column": ("The column {column} appears more than once.", "De kolom {column} komt meer dan eens voor."),
    "malformed_csv": ("The CSV file cannot be read from this line on: {detail}.",
                      "Het CSV-bestand is vanaf deze regel niet te lezen: {detail}."),
    "several_sheets": ("The workbook has a sheet for each of several file types ({sheets}); save each as a file of "
                       "its own, or name the type with --kind.",
                       "De werkmap heeft een werkblad voor elk van meer bestandstypen ({sheets}); sla elk op als een "
                       "eigen bestand, of noem het type met --kind."),
    # one row or value
    "field_count": ("The row has {n} fields, the header has {m}{hint}.", "De regel heeft {n} velden, de kopregel {m}{hint}."),
    "required": ("A value is required.", "Een waarde is verplicht."),
    "unknown_code": ("Not a code or label of the list '{list}'{hint}.", "Geen code of omschrijving uit de lijst '{list}'{hint}."),
    "not_date": ("Not a date: write dd-mm-yyyy or yyyy-mm-dd.", "Geen datum: schrijf dd-mm-jjjj of jjjj-mm-dd."),
    "unicode_digits": ("Contains digits other than 0-9 ({chars}); write the ordinary digits 0-9.",
                       "Bevat andere cijfers dan 0-9 ({chars}); schrijf de gewone cijfers 0-9."),
    "no_such_date": ("No such date.", "Deze datum bestaat niet."),
    "two_digit_year": ("The year must have four digits.", "Het jaar moet vier cijfers hebben."),
    "not_datetime": ("Not a date and time: write dd-mm-yyyy hh:mm or yyyy-mm-dd hh:mm.",
                     "Geen datum en tijd: schrijf dd-mm-jjjj uu:mm of jjjj-mm-dd uu:mm."),
    "not_month": ("Not a month: write yyyy-mm, mm-yyyy or the first of the month (01-mm-yyyy).",
                  "Geen maand: schrijf jjjj-mm, mm-jjjj of de eerste van de maand (01-mm-jjjj)."),
    "future": ("The date is in the future.", "De datum ligt in de toekomst."),
    "future_time": ("The time is later than now ({now}).", "Het tijdstip ligt na nu ({now})."),
    "too_early": ("The date is before the Loket opened (1 May 2012).", "De datum ligt voor de start van het Loket (1 mei 2012)."),
    "not_integer": ("Not a whole number.", "Geen geheel getal."),
    "out_of_range": ("Must be between {lo} and {hi}.", "Moet tussen {lo} en {hi} liggen."),
    "not_bool": ("Not yes or no: write ja/nee, yes/no, 1/0 or true/false.",
                 "Geen ja of nee: schrijf ja/nee, yes/no, 1/0 of true/false."),
    "bad_id": ("Not a valid id: letters, digits and . _ - / : only, starting with a letter or digit, "
               "at most {n} characters.",
               "Geen geldig id: alleen letters, cijfers en . _ - / :, beginnend met een letter of cijfer, "
               "hoogstens {n} tekens."),
    "formula": ("Starts with '{char}' and would run as a formula in a spreadsheet (formula injection); not accepted.",
                "Begint met '{char}' en zou in een spreadsheet als formule worden uitgevoerd (formule-injectie); "
                "niet geaccepteerd."),
    "control_chars": ("Contains control characters.", "Bevat stuurtekens."),
    "encoding": ("Contains bytes that are not valid {encoding} (a file with mixed encodings?).",
                 "Bevat bytes die geen geldige {encoding} zijn (een bestand met gemengde codering?)."),
    "intake_before_registration": ("The first intake ({intake}) is before the registration ({registered}).",
                                   "De eerste intake ({intake}) ligt voor de aanmelding ({registered})."),
    "closed_before_registration": ("The closing date ({closed}) is before the registration ({registered}).",
                                   "De afsluitdatum ({closed}) ligt voor de aanmelding ({registered})."),
    "closed_before_intake": ("The closing date ({closed}) is before the first intake ({intake}).",
                             "De afsluitdatum ({closed}) ligt voor de eerste intake ({intake})."),
    "reason_without_wish": ("A reason for anonymity is given, but no wish for anonymity.",
                            "Er is een reden voor anonimiteit, maar geen anonimiteitswens."),
    "tcl_result_without_tcl": ("A TCL result is given, but the TCL was not done.",
                               "Er is een TCL-uitslag, maar de TCL is niet afgenomen."),
    "visits_sum": ("The visits ({visits}) are not new ({new}) plus returning ({returning}) visits.",
                   "Het aantal bezoeken ({visits}) is niet nieuwe ({new}) plus terugkerende ({returning}) bezoeken."),
    "duplicate": ("The id {key} occurs more than once in this file (lines {lines}); none of these rows is loaded.",
                  "Het id {key} komt meer dan eens voor in dit bestand (regels {lines}); geen van deze regels wordt geladen."),
    "duplicate_key": ("{key} occurs more than once in this file, written as {spellings} (lines {lines}); none of "
                      "these rows is loaded.",
                      "{key} komt meer dan eens voor in dit bestand, geschreven als {spellings} (regels {lines}); "
                      "geen van deze regels wordt geladen."),
    "duplicate_file": ("{key} also occurs in {others} of this import; a row may be in one file only, so none of "
                       "these rows is loaded.",
                       "{key} komt ook voor in {others} van deze import; een regel mag in maar een bestand staan, "
                       "dus geen van deze regels wordt geladen."),
    "unknown_registration": ("No registration with id {key} in the store or among the valid rows of this import.",
                             "Geen aanmelding met id {key} in de database of bij de goede regels van deze import."),
    "before_registration": ("The date ({date}) is before the registration ({registered}).",
                            "De datum ({date}) ligt voor de aanmelding ({registered})."),
    "after_closure": ("The session ({date}) is more than {days} days after its registration was closed ({closed}).",
                      "Het gesprek ({date}) ligt meer dan {days} dagen na de afsluiting van de aanmelding ({closed})."),
    # the store refused the import (after every row was valid): never the database's own text, which shows SQL
    "store_refused": ("The store refused the rows of lines {lines} ({rule}); nothing of this import was changed. "
                      "Please report this to the maintainers of the monitor.",
                      "De database weigerde de regels {lines} ({rule}); er is niets van deze import veranderd. "
                      "Meld dit aan de beheerders van de monitor."),
    "store_failed": ("The store could not be written ({detail}); nothing of this import was changed. Try again later.",
                     "De database kon niet worden beschreven ({detail}); er is niets van deze import veranderd. "
                     "Probeer het later opnieuw."),
    "internal_error": ("The import failed because of an error in the monitor ({detail}); nothing was changed. The "
                       "error was logged.",
                       "De import is mislukt door een fout in de monitor ({detail}); er is niets veranderd. De fout "
                       "is vastgelegd."),
}


class _Bad(Exception):
    """A value is not valid: a reason code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class RowError:
    """One rejected row (or a whole file, when line is 0 or the header's line): where, what, why."""

    file: str
    line: int
    column: str
    value: str
    code: str
    params: tuple = ()

    def reason(self, lang: str = "en") -> str:
        """Return the plain reason in English ("en") or Dutch ("nl")."""
        en, nl = REASONS[self.code]
        return (nl if lang == "nl" else en).format(**dict(self.params))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        column = f" column {self.column}" if self.column else ""
        value = f" value {_show(self.value)}" if self.value else ""
        return f"{where}:{column}{value}: {self.reason()}"


def _show(value: str, limit: int = 80) -> str:
    text = value if len(value) <= limit else value[:limit] + "..."
    return repr(text)


def _error(file: str, line: int, column: str, value: str, bad: _Bad) -> RowError:
    value = value if len(value) <= 200 else value[:200] + "..."
    return RowError(file, line, column, value, bad.code, tuple(sorted(bad.params.items())))



class _FileError(Exception):
    """A whole file cannot be read or has the wrong header: a reason code, its line and parameters."""

    def __init__(self, code: str, line: int = 0, **params):
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


# --------------------------------------------------------------------------------------------
# the outcome


@dataclass
class Progress:
    """Where an import is: handed to the caller's progress function after every chunk."""

    file: str
    file_number: int
    files: int
    phase: str          # "check" (first pass) or "write" (second pass)
    rows: int           # rows of this file done in this phase
    fraction: float     # of this file, in this phase (0..1)

    @property
    def overall(self) -> float:
        """Fraction of the whole import done (each file: check then write)."""
        step = (self.file_number - 1) * 2 + (1 if self.phase == "write" else 0) + self.fraction
        return min(step / max(self.files * 2, 1), 1.0)


@dataclass
class FileResult:
    """What happened to one file."""

    name: str
    sha256: str
    kind: str | None = None
    rows: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    fatal: bool = False          # the file as a whole was rejected (nothing of it can load)
    batch_id: int | None = None
    status: str = ""
    seen_before: list[int] = field(default_factory=list)  # earlier batches with the same file hash

    @property
    def valid(self) -> int:
        return self.rows - self.rejected


@dataclass
class ImportResult:
    """The outcome of `import_files`."""

    files: list[FileResult]
    errors: list[RowError]       # the first KEEP_ERRORS errors (all of them went to on_error)
    error_count: int
    committed: bool
    dry_run: bool
    valid_only: bool
    refreshed: bool = False
    refresh_error: str | None = None  # the data were loaded, but the catalogue refresh failed
    seconds: float = 0.0
    refresh_seconds: float = 0.0
    refresh_was_due: bool = False     # an earlier load was not yet published; this import's refresh did it
    store_error: RowError | None = None  # the store refused or failed (nothing changed); the reason, never SQL

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def changed(self) -> int:
        return sum(f.inserted + f.updated for f in self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


# --------------------------------------------------------------------------------------------
# the report of rejected rows


REPORT_COLUMNS = {"en": ("file", "line", "column", "value", "reason"),
                  "nl": ("bestand", "regel", "kolom", "waarde", "reden")}


# cells of a rejected value that must not reach a spreadsheet as they are: control characters and
# undecodable bytes (kept as surrogates)
_SUSPECT = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")


def _safe_cell(text: str) -> str:
    """A report cell without control characters (tabs and line ends of a rejected value too)."""
    return _SUSPECT.sub("?", str(text))


class ReportWriter:
    """Writes rejected rows as CSV (UTF-8 with BOM, ';'-separated: Dutch Excel opens it as is), through
    the one CSV writer of every download (`queries.store.csvfile`: both separators quoted, formulas neutralised)."""

    def __init__(self, fp, lang: str = "en"):
        self.fp, self.lang = fp, lang
        self.writer = csvfile.Writer(fp, sep=";", bom=True)
        self.writer.writerow(REPORT_COLUMNS["nl" if lang == "nl" else "en"])

    def __call__(self, error: RowError) -> None:
        self.writer.writerow([_safe_cell(error.file), error.line or None, _safe_cell(error.column),
                              _safe_cell(error.value), _safe_cell(error.reason(self.lang))])


def report_csv(errors: Iterable[RowError], lang: str = "en") -> str:
    """Return a report of rejected rows as CSV text."""
    out = io.StringIO()
    writer = ReportWriter(out, lang)
    for error in errors:
        writer(error)
    return out.getvalue()


def result_summary(result: ImportResult) -> dict:
    """A JSON-able summary of an import (for the page and logs)."""
    return {
        "committed": result.committed, "dry_run": result.dry_run, "valid_only": result.valid_only,
        "refreshed": result.refreshed, "refresh_error": result.refresh_error, "errors": result.error_count,
        "refresh_was_due": result.refresh_was_due, "store_error": result.store_error is not None,
        "seconds": round(result.seconds, 2),
        "files": [dataclasses.asdict(f) for f in result.files],
    }
