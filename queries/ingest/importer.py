"""Import the registration system's export files into the store: parse, validate, load.

The data contract (file types, columns, codes and formats) is `docs/data-contract.md`; the column
definitions below are its source of truth.

How an import runs (`import_files`):

* Everything happens in one database transaction. Files are taken in dependency order (units,
  registrations, sessions, surveys, contacts, website visits), each in two streaming passes:
  the first parses and validates every row (and finds keys that occur twice in the file), the
  second parses again and upserts the valid rows in chunks. Memory is bounded by the chunk
  size, not by the file: rows are never all held at once (keys of the file are kept as 8-byte
  hashes to find duplicates). Keys are compared as the store holds them, after parsing: `2013-03`
  and `mrt 2013` are one month, `NN` and `Noord-Nederland` one unit. A key in two files of one
  import (two files of one type) rejects its rows in both.
* Rows are keyed by the source system's ids (`source_id`; website visits by month, units by
  code): a new id is inserted, a known id whose values differ is updated (its `batch_id` then
  names this import), an identical row is left alone. Nothing is ever deleted.
* If any row or file was rejected, the transaction is rolled back and the store is unchanged,
  unless the caller asked for the valid rows only (`valid_only`). A dry run always rolls back,
  after doing all the work, so its counts are exact.
* Every rejected row is reported (`RowError`: file, line, column, value, reason) to the
  caller's `on_error` as it is found; `write_report` writes them as CSV for a spreadsheet.
* One `import_batches` row per file records who, when, the file's SHA-256 and the counts; a
  rejected import is recorded too (status "rejected", in its own transaction), as is one the
  store refused (an integrity error, a locked or read-only store): the caller gets a plain
  reason (`store_refused`, `store_failed`), never the database's text with its SQL. With an
  `audit` access, the import is in the audit log (action "import") in the same transactions.
* A load that changed rows marks a refresh as due in its own transaction
  (`queries.catalogue.refresh_due`); after the commit the published catalogue is refreshed through
  `refresh_catalogue` (the one place that calls it), whose transaction clears the mark. If the
  refresh fails or the process dies first, the mark stays: the next import refreshes even when
  it changes nothing, and so does the next start of the app.
"""
from __future__ import annotations

import array
import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import logging
import re
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from queries.store import codes, csvfile
from queries.catalogue import refresh_due
from queries.store.codes import CodeList
from queries.store.schema import (
    Contact, ImportBatch, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)

LOKET_OPENED = dt.date(2012, 5, 1)  # the first unit (Noord-Nederland) got the Loket in May 2012
CHUNK_ROWS = 5_000                  # rows validated and upserted at a time
SNIFF_BYTES = 1 << 20               # bytes read to recognise the file's format and encoding
KEEP_ERRORS = 1_000                 # errors kept on the result (all go to `on_error`)
MAX_ID_LENGTH = 64
QUESTION_SEPARATOR = "|"
PG_LOCK_KEY = 7_000_007             # advisory lock: one import at a time on PostgreSQL
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")  # the registration system's clock (contact times)
# A session may follow its registration's closure by this much (a follow-up or evaluation talk
# some weeks later); later than that, the session or the closing date is wrong in the export.
SESSION_AFTER_CLOSE_DAYS = 90
STATUSES = ("loaded", "partial", "rejected", "unchanged")


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


# --------------------------------------------------------------------------------------------
# values


def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


@dataclass
class _Codes:
    """A code list's lookup table: every code and every Dutch and English label to the code."""

    codes: CodeList
    table: dict = field(default_factory=dict)

    def __post_init__(self):
        for c in reversed(self.codes.codes):  # earlier entries win; codes win over labels
            for text in (c.nl, c.en):
                self.table[text.casefold()] = c.code
                self.table[_fold(text)] = c.code
                numbered = re.match(r"(\d+) (.+)$", text)  # products: "2 Kortdurende hulp", "2", "Kortdurende hulp"
                if numbered:
                    self.table[numbered.group(1)] = c.code
                    self.table[_fold(numbered.group(2))] = c.code
        for c in self.codes.codes:
            self.table[c.code.casefold()] = c.code

    def parser(self) -> Callable[[str], str]:
        """Return a fast lookup function (exact spellings first)."""
        exact = {}
        for c in reversed(self.codes.codes):
            exact[c.nl] = exact[c.en] = c.code
        for c in self.codes.codes:
            exact[c.code] = c.code
        get, slow = exact.get, self.__call__

        def lookup(text: str) -> str:
            code = get(text)
            return slow(text) if code is None else code
        return lookup

    def __call__(self, text: str) -> str:
        code = self.table.get(text.casefold())
        if code is None:
            _ascii_digits(text)  # folding would turn a full-width 2 into a product number
            code = self.table.get(_fold(text))
            if code is None and (whole := _WHOLE_CODE.match(text)):
                code = self.table.get(whole.group(1))  # Excel writes the number 2 as 2.0 (or 2,0)
            if code is None:
                hint = ""
                if "Ã" in text or "â€" in text:
                    hint = " (it looks like UTF-8 read as Windows-1252: does the file mix encodings?)"
                raise _Bad("unknown_code", list=self.codes.name, hint=hint)
        return code


_WHOLE_CODE = re.compile(r"(\d+)[.,]0+$", re.ASCII)


def _ascii_digits(text: str) -> None:
    """Refuse digits other than 0-9 (full-width, Arabic-Indic, ...): int() and \\d would take them as numbers."""
    if not text.isascii():
        foreign = sorted({ch for ch in text if ch.isdigit()})
        if foreign:
            raise _Bad("unicode_digits", chars=" ".join(foreign))


_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0"}
_BOOLS = {**{v: True for v in _TRUE}, **{v: False for v in _FALSE}}


_BOOLS_EXACT = {**_BOOLS, **{k.capitalize(): v for k, v in _BOOLS.items()}, **{k.upper(): v for k, v in _BOOLS.items()}}


def _bool(text: str) -> bool:
    value = _BOOLS_EXACT.get(text)
    if value is not None:
        return value
    value = _BOOLS.get(text.casefold())
    if value is None:
        raise _Bad("not_bool")
    return value


# Dutch files (';'-separated, XLSX): 1.234,0 ; others (','-separated): 1,234.0. A whole number with
# the other mark and zeros (2.0 in a Dutch file) is what Excel writes for 2 on a computer set up
# otherwise; thousands are tried first, so 2.000 stays 2000 in a Dutch file.
_THOUSANDS = {True: re.compile(r"\d{1,3}(?:\.\d{3})+$", re.ASCII), False: re.compile(r"\d{1,3}(?:,\d{3})+$", re.ASCII)}
_WHOLE_DECIMAL = {True: re.compile(r"(\d+)(?:,0*|\.0+)$", re.ASCII), False: re.compile(r"(\d+)(?:\.0*|,0+)$", re.ASCII)}


def _integer(lo: int, hi: int, dutch: bool) -> Callable[[str], int]:
    thousands, whole = _THOUSANDS[dutch], _WHOLE_DECIMAL[dutch]
    small = {str(i): i for i in range(lo, min(hi, 1_000) + 1)}.get

    def parse(text: str) -> int:
        value = small(text)
        if value is not None:
            return value
        if text.isdigit() and text.isascii():
            value = int(text)
        elif thousands.match(text):
            value = int(text.replace(".", "").replace(",", ""))
        elif m := whole.match(text):
            value = int(m.group(1))
        elif re.fullmatch(r"-\s*\d+(?:[.,]\d*)?", text, re.ASCII):
            raise _Bad("out_of_range", lo=lo, hi=hi)
        else:
            _ascii_digits(text)
            raise _Bad("not_integer")
        if not lo <= value <= hi:
            raise _Bad("out_of_range", lo=lo, hi=hi)
        return value
    return parse


_DATE = re.compile(
    r"(?:(?P<y1>\d{4})(?P<s1>[-/])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[-/.](?P<m2>\d{1,2})[-/.](?P<y2>\d{2,4}))"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,6})?)?)?$",
    re.ASCII,  # \d would take full-width and other digits, and int() would read them
)


def _date_parts(text: str) -> tuple[dt.date, tuple[int, int, int] | None]:
    m = _DATE.match(text)
    if m is None:
        _ascii_digits(text)
        raise _Bad("not_date")
    if m["y1"]:
        y, mo, d = int(m["y1"]), int(m["m1"]), int(m["d1"])
    else:
        if len(m["y2"]) != 4:
            raise _Bad("two_digit_year")
        y, mo, d = int(m["y2"]), int(m["m2"]), int(m["d2"])
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise _Bad("no_such_date") from None
    hms = None
    if m["H"] is not None:
        hms = (int(m["H"]), int(m["M"]), int(m["S"] or 0))
        if hms[0] > 23 or hms[1] > 59 or hms[2] > 59:
            raise _Bad("not_datetime")
    return day, hms


def _cached(parse: Callable[[str], object], size: int = 50_000) -> Callable[[str], object]:
    """Remember the values of valid texts (dates and question-type lists repeat a lot); errors are not kept."""
    cache: dict[str, object] = {}
    get = cache.get

    def cached(text: str):
        value = get(text)
        if value is None:
            value = parse(text)
            if len(cache) < size:
                cache[text] = value
        return value
    return cached


def _date(today: dt.date) -> Callable[[str], dt.date]:
    def parse(text: str) -> dt.date:
        # the two usual spellings first, without a regular expression
        if not text.isascii():
            _ascii_digits(text)
            raise _Bad("not_date")
        if len(text) == 10 and text[2] == "-" and text[5] == "-" and text[:2].isdigit() and text[3:5].isdigit() \
                and text[6:].isdigit():
            try:
                day = dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
            except ValueError:
                raise _Bad("no_such_date") from None
        elif len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise _Bad("no_such_date" if text[5:7].isdigit() and text[8:].isdigit() else "not_date") from None
        else:
            day, hms = _date_parts(text)
            if hms not in (None, (0, 0, 0)):
                raise _Bad("not_date")
        if day > today:
            raise _Bad("future")
        if day < LOKET_OPENED:
            raise _Bad("too_early")
        return day
    return parse


def _datetime(today: dt.date, now: dt.datetime | None = None) -> Callable[[str], dt.datetime]:
    """Parse a local timestamp, not later than `now` (local time; default: the end of `today`)."""
    now = now or dt.datetime.combine(today, dt.time(23, 59, 59))

    def parse(text: str) -> dt.datetime:
        try:
            day, hms = _date_parts(text)
        except _Bad as bad:
            if bad.code == "not_date":
                raise _Bad("not_datetime") from None
            raise
        if hms is None:
            raise _Bad("not_datetime")
        if day > today:
            raise _Bad("future")
        if day < LOKET_OPENED:
            raise _Bad("too_early")
        stamp = dt.datetime(day.year, day.month, day.day, *hms)
        if stamp > now:
            raise _Bad("future_time", now=now.strftime("%d-%m-%Y %H:%M"))
        return stamp
    return parse


_MONTH_NAMES = {
    name: i + 1
    for names in (
        ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
         "november", "december"),
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"),
    )
    for i, name in enumerate(names)
}
_MONTH = re.compile(r"(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})|(?P<m2>\d{1,2})[-/.](?P<y2>\d{4})|"
                    r"(?P<name>[a-z]+)\.?[ -](?P<y3>\d{4}))$", re.ASCII)


def _month(today: dt.date) -> Callable[[str], dt.date]:
    def parse(text: str) -> dt.date:
        _ascii_digits(text)
        m = _MONTH.match(text.casefold())
        if m is None:
            try:
                day, hms = _date_parts(text)
            except _Bad:
                raise _Bad("not_month") from None
            if day.day != 1 or hms not in (None, (0, 0, 0)):
                raise _Bad("not_month")
        else:
            if m["name"]:
                number = _MONTH_NAMES.get(m["name"])
                if number is None:
                    raise _Bad("not_month")
                y, mo = int(m["y3"]), number
            else:
                y, mo = (int(m["y1"]), int(m["m1"])) if m["y1"] else (int(m["y2"]), int(m["m2"]))
            if not 1 <= mo <= 12:
                raise _Bad("not_month")
            day = dt.date(y, mo, 1)
        if day > today:
            raise _Bad("future")
        if day < LOKET_OPENED:
            raise _Bad("too_early")
        return day
    return parse


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]*")


def _identifier(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit or not text.isascii() or not _ID.fullmatch(text):
            raise _Bad("bad_id", n=limit)
        return text
    return parse


def _multi(lookup: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        out = []
        for part in text.split(QUESTION_SEPARATOR):
            part = part.strip()
            if part:
                code = lookup(part)
                if code not in out:
                    out.append(code)
        return tuple(sorted(out))
    return parse


# --------------------------------------------------------------------------------------------
# the contract: file types and their columns


@dataclass(frozen=True)
class Column:
    """One column of an export file."""

    name: str                     # the header in English (the store's name where it has one)
    nl: str                       # the header in Dutch
    type: str                     # id, ref, date, datetime, month, code, codes, bool, int
    required: bool = True         # a value is required (the column itself always is)
    codes: CodeList | None = None
    lo: int = 0
    hi: int = 0
    store: str | None = None      # the store's column, when it differs from `name`
    aliases: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.store or self.name

    @property
    def is_text(self) -> bool:
        return self.type in ("id", "ref", "code", "codes")


def _c(name, nl, type_, required=True, codes_=None, lo=0, hi=0, store=None, aliases=()):
    return Column(name, nl, type_, required, codes_, lo, hi, store, tuple(aliases))


@dataclass(frozen=True)
class Kind:
    """One file type of the export."""

    name: str
    nl: str
    table: sa.Table
    key: str                      # the column that identifies a row (the source system's id)
    columns: tuple[Column, ...]
    has_id: bool = True           # rows get a surrogate id (and are keyed by source_id)
    has_batch: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("units", "eenheden", Unit.__table__, "unit", (
        _c("unit", "eenheid", "code", codes_=codes.UNITS, store="code", aliases=("code", "unit_code", "eenheidcode")),
        _c("headcount", "formatie", "int", required=False, hi=1_000_000, aliases=("aantal_medewerkers", "fte")),
        _c("rollout_on", "startdatum_loket", "date", required=False, aliases=("invoerdatum", "startdatum")),
    ), has_id=False, has_batch=False),
    Kind("registrations", "aanmeldingen", Registration.__table__, "source_id", (
        _c("source_id", "aanmelding_id", "id", aliases=("aanmeldingsnummer", "registration_id")),
        _c("registered_on", "aanmelddatum", "date", aliases=("datum_aanmelding",)),
        _c("target_group", "doelgroep", "code", codes_=codes.TARGET_GROUPS),
        _c("unit", "eenheid", "code", codes_=codes.UNITS, store="unit_code", aliases=("unit_code",)),
        _c("gender", "geslacht", "code", codes_=codes.GENDERS),
        _c("age_band", "leeftijdsklasse", "code", codes_=codes.AGE_BANDS, aliases=("leeftijd",)),
        _c("channel", "kanaal", "code", codes_=codes.CHANNELS),
        _c("found_via", "bekend_via", "code", codes_=codes.FOUND_VIA),
        _c("question_types", "vraagtypen", "codes", required=False, codes_=codes.QUESTION_TYPES,
           aliases=("vraagtype", "hulpvragen")),
        _c("anonymity_wish", "anonimiteitswens", "bool"),
        _c("anonymity_reason", "reden_anonimiteit", "code", required=False, codes_=codes.ANONYMITY_REASONS),
        _c("product", "product", "code", codes_=codes.PRODUCTS),
        _c("first_intake_on", "datum_intake", "date", required=False, aliases=("intakedatum",)),
        _c("closed_on", "datum_afsluiting", "date", required=False, aliases=("afsluitdatum",)),
        _c("sessions_count", "aantal_gesprekken", "int", hi=1_000),
        _c("counsellor_changes", "wisselingen_hulpverlener", "int", hi=100),
        _c("tcl_done", "tcl_afgenomen", "bool"),
        _c("tcl_above_cutoff", "tcl_boven_afkapwaarde", "bool", required=False),
        _c("referral_outcome", "verwijzing", "code", required=False, codes_=codes.REFERRAL_OUTCOMES),
        _c("work_status", "werkstatus", "code", required=False, codes_=codes.WORK_STATUSES),
    )),
    Kind("sessions", "gesprekken", Session.__table__, "source_id", (
        _c("source_id", "gesprek_id", "id", aliases=("session_id",)),
        _c("registration_id", "aanmelding_id", "ref"),
        _c("held_on", "datum", "date", aliases=("gespreksdatum",)),
        _c("mode", "vorm", "code", codes_=codes.SESSION_MODES, aliases=("gespreksvorm",)),
        _c("counsellor_id", "hulpverlener_id", "id", aliases=("hulpverlener",)),
        _c("evaluation_moment", "evaluatiemoment", "bool"),
    )),
    Kind("surveys", "tevredenheidsonderzoek", Survey.__table__, "source_id", (
        _c("source_id", "enquete_id", "id", aliases=("survey_id",)),
        _c("registration_id", "aanmelding_id", "ref", required=False),
        _c("answered_on", "datum_ingevuld", "date"),
        _c("grade", "rapportcijfer", "int", lo=1, hi=10, aliases=("cijfer",)),
        _c("goals_reached", "doelen_bereikt", "code", codes_=codes.GOALS_REACHED),
        _c("expectations_met", "verwachtingen_waargemaakt", "bool"),
        _c("work_resumed", "werk_hervat", "bool", required=False),
        _c("rating_reachability", "oordeel_bereikbaarheid", "int", required=False, lo=1, hi=10),
        _c("rating_waiting_time", "oordeel_wachttijd", "int", required=False, lo=1, hi=10),
        _c("rating_expertise", "oordeel_deskundigheid", "int", required=False, lo=1, hi=10),
        _c("rating_treatment", "oordeel_bejegening", "int", required=False, lo=1, hi=10),
        _c("found_via", "bekend_via", "code", required=False, codes_=codes.FOUND_VIA),
    )),
    Kind("contacts", "contacten", Contact.__table__, "source_id", (
        _c("source_id", "contact_id", "id"),
        _c("contacted_at", "tijdstip", "datetime", aliases=("datum_tijd",)),
        _c("channel", "kanaal", "code", codes_=codes.CHANNELS),
        _c("unit", "eenheid", "code", required=False, codes_=codes.UNITS, store="unit_code", aliases=("unit_code",)),
        _c("target_group", "doelgroep", "code", required=False, codes_=codes.TARGET_GROUPS),
        _c("led_to_registration", "leidde_tot_aanmelding", "bool"),
    )),
    Kind("website_visits", "websitebezoek", WebsiteVisits.__table__, "month", (
        _c("month", "maand", "month"),
        _c("visits", "bezoeken", "int", hi=100_000_000),
        _c("new_visits", "nieuwe_bezoeken", "int", hi=100_000_000, aliases=("nieuwe_bezoekers",)),
        _c("returning_visits", "terugkerende_bezoeken", "int", hi=100_000_000, aliases=("terugkerende_bezoekers",)),
    ), has_id=False),
)}
# Files are loaded in this order, so sessions and surveys find the registrations of the same import.
KIND_ORDER = ("units", "registrations", "sessions", "surveys", "contacts", "website_visits")


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", _fold(text.strip().strip('"').lstrip("\ufeff")))


def _names(kind: Kind) -> dict[str, str]:
    """Every accepted header of a kind, normalised, to its column's name."""
    out = {}
    for col in kind.columns:
        for text in (col.name, col.nl, *col.aliases):
            out[_header_key(text)] = col.name
    return out


# --------------------------------------------------------------------------------------------
# cross-field rules: value errors that need more than one column


def _check_registration(v: dict) -> list[tuple[str, _Bad]]:
    out = []
    reg, intake, closed = v["registered_on"], v["first_intake_on"], v["closed_on"]
    if intake is not None and intake < reg:
        out.append(("first_intake_on", _Bad("intake_before_registration", intake=_d(intake), registered=_d(reg))))
    if closed is not None and closed < reg:
        out.append(("closed_on", _Bad("closed_before_registration", closed=_d(closed), registered=_d(reg))))
    elif closed is not None and intake is not None and closed < intake:
        out.append(("closed_on", _Bad("closed_before_intake", closed=_d(closed), intake=_d(intake))))
    if v["anonymity_reason"] is not None and not v["anonymity_wish"]:
        out.append(("anonymity_reason", _Bad("reason_without_wish")))
    if v["tcl_above_cutoff"] is not None and not v["tcl_done"]:
        out.append(("tcl_above_cutoff", _Bad("tcl_result_without_tcl")))
    return out


def _check_visits(v: dict) -> list[tuple[str, _Bad]]:
    if v["new_visits"] + v["returning_visits"] != v["visits"]:
        return [("visits", _Bad("visits_sum", visits=v["visits"], new=v["new_visits"], returning=v["returning_visits"]))]
    return []


CHECKS: dict[str, Callable[[dict], list]] = {"registrations": _check_registration, "website_visits": _check_visits}


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


# --------------------------------------------------------------------------------------------
# reading files: CSV (sniffed encoding and separator) or XLSX, streamed


class _FileError(Exception):
    def __init__(self, code: str, line: int = 0, **params):
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


@dataclass
class _Reader:
    """The rows of one file: its header and then (line, fields) pairs, streamed."""

    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]
    dutch_numbers: bool
    encoding: str
    position: Callable[[], float]   # fraction of the file read (for progress)
    close: Callable[[], None]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _sniff(head: bytes) -> str:
    """Return the file's format: 'xlsx' or the encoding of a CSV; raise _FileError for anything else."""
    if not head:
        raise _FileError("empty_file")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _FileError("old_excel")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head[1:4:2] == b"\0\0" and head[0] and head[2]):
        raise _FileError("utf16")
    if b"\0" in head:
        raise _FileError("binary")
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = head.decode(encoding, errors="replace")
    if not text.strip():
        raise _FileError("empty_file")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200) or _CONTROL.search(text.split("\n", 1)[0]):
        raise _FileError("binary")
    return encoding


def _separator(first_line: str) -> str:
    counts = {sep: 0 for sep in ";,\t|"}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    if counts[";"] or counts[","]:
        return ";" if counts[";"] >= counts[","] else ","
    if counts["\t"]:
        raise _FileError("separator", 1, sep="tabs")
    if counts["|"]:
        raise _FileError("separator", 1, sep="'|'")
    return ";"


# Excel's own hint for the separator, as a first line: `sep=;` (when a user typed it into A1 and
# saved again, Excel quotes it and pads the row: `"sep=;";;;`).
_SEP_LINE = re.compile(r'"?sep=(.)"?[;,]*\r?\n?$', re.IGNORECASE | re.DOTALL)


def _open_csv(path: Path, encoding: str) -> _Reader:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the reader's close()
    text = None
    try:
        size = max(path.stat().st_size, 1)
        text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        first = text.readline()
        hint = _SEP_LINE.match(first)
        skipped = 0  # lines before the header (line numbers stay those of the file)
        if hint is not None:
            sep, skipped = hint.group(1), 1
            if sep not in ";,":
                raise _FileError("separator", 1, sep="tabs" if sep == "\t" else repr(sep))
        else:
            sep = _separator(first)
            text.seek(0)
        reader = csv.reader(text, delimiter=sep, quotechar='"', doublequote=True, strict=False)
        try:
            header = next(reader)
        except StopIteration:
            raise _FileError("empty_file") from None
        except csv.Error as exc:
            raise _FileError("malformed_csv", 1 + skipped, detail=str(exc)) from None
    except BaseException:
        (text or raw).close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num
        while True:
            start = line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _FileError("malformed_csv", start + skipped, detail=str(exc)) from None
            line = reader.line_num
            yield start + skipped, fields

    return _Reader(header, 1 + skipped, rows(), sep == ";",
                   encoding.replace("-sig", "").upper().replace("CP", "Windows-"),
                   lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0, text.close)


def _cell_text(value) -> str:
    """One XLSX cell as the text a CSV export would hold (dates ISO, numbers plain)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _sheet_kind(title: str) -> str | None:
    """Return the file type a worksheet is named after (its English or Dutch name, in any case), or None."""
    key = _header_key(title)
    return next((k.name for k in KINDS.values() if key in (k.name, _header_key(k.nl))), None)


def _sheets(book, forced: str | None) -> list:
    """The worksheets the data may be on, in order; the first of them that holds a value is read.

    The rule (docs/data-contract.md, "XLSX"): the sheet named after the file type (`Aanmeldingen`,
    `registrations`; with --kind, the sheet named after that type); when no sheet is named after a
    type, the first visible sheet that is not empty (an export may put its data on `Blad2`). A
    workbook with sheets named after several types is refused: one file holds one type.
    """
    sheets = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"] or book.worksheets
    named: dict[str, list] = {}
    for sheet in sheets:
        kind = _sheet_kind(sheet.title)
        if kind is not None:
            named.setdefault(kind, []).append(sheet)
    if forced is not None and forced in named:
        return named[forced][:1]
    if forced is None and len(named) > 1:
        raise _FileError("several_sheets", sheets=", ".join(s.title for group in named.values() for s in group))
    if forced is None and named:
        return next(iter(named.values()))[:1]
    return list(sheets)


def _open_xlsx(path: Path, forced: str | None = None) -> _Reader:
    if not zipfile.is_zipfile(path):
        raise _FileError("not_xlsx")
    with zipfile.ZipFile(path) as zf:
        if "xl/workbook.xml" not in zf.namelist():
            raise _FileError("not_xlsx")
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any damage in the workbook: a clear file error
        raise _FileError("bad_xlsx", detail=type(exc).__name__) from None
    try:
        header, header_line = None, 0
        for sheet in _sheets(book, forced):
            values = sheet.iter_rows(values_only=True)
            for number, row in enumerate(values, start=1):
                texts = [_cell_text(v) for v in row]
                if any(t.strip() for t in texts):
                    header, header_line = texts, number
                    break
            if header is not None:
                break
        if header is None:
            raise _FileError("empty_file")
        total = max(sheet.max_row or 1, 1)
        while header and not header[-1].strip():
            header.pop()
    except _FileError:
        book.close()
        raise
    except Exception as exc:  # noqa: BLE001
        book.close()
        raise _FileError("bad_xlsx", detail=type(exc).__name__) from None
    done = [header_line]
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=header_line + 1):
                done[0] = number
                fields = [_cell_text(v) for v in row]
                if len(fields) < width:
                    fields += [""] * (width - len(fields))
                yield number, fields
        except _FileError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _FileError("bad_xlsx", done[0], detail=type(exc).__name__) from None

    return _Reader(header, header_line, rows(), True, "xlsx", lambda: min(done[0] / total, 1.0), book.close)


def open_file(path: Path, kind: str | None = None) -> _Reader:
    """Open an export file (CSV or XLSX) for streaming; raise _FileError when it cannot be read.

    `kind` (the file type named by the caller) chooses the sheet of a workbook with several.
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    fmt = _sniff(head)
    return _open_xlsx(path, kind) if fmt == "xlsx" else _open_csv(path, fmt)


def file_hash(path: Path) -> str:
    """Return the SHA-256 of a file (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_kind(header: list[str], forced: str | None = None) -> tuple[Kind, dict[int, str]]:
    """Return the file type of a header row and the column each header position holds.

    Raise _FileError for an unknown header, missing, unknown or repeated columns.
    """
    keys = [_header_key(h) for h in header]
    while keys and not keys[-1]:
        keys.pop()
    if forced is not None:
        kind = KINDS[forced]
    else:
        scored = []
        for kind in KINDS.values():
            names = _names(kind)
            matched = {names[k] for k in keys if k in names}
            exact = matched == {c.name for c in kind.columns} and len(matched) == len(keys)
            scored.append((exact, len(matched), -len(kind.columns), kind))
        scored.sort(key=lambda s: s[:3], reverse=True)
        exact, matched, _, kind = scored[0]
        if not exact and (matched < 2 or (len(scored) > 1 and scored[1][:2] == (exact, matched))):
            found = ", ".join(h.strip() for h in header[:8]) + (", ..." if len(header) > 8 else "")
            if len(keys) == 1 and ("\t" in header[0] or "|" in header[0]):
                raise _FileError("separator", 1, sep="tabs" if "\t" in header[0] else "'|'")
            raise _FileError("unknown_header", 1, found=found or "-", kinds=", ".join(KIND_ORDER))
    names = _names(kind)
    positions: dict[int, str] = {}
    unknown, seen = [], set()
    for i, (raw, key) in enumerate(zip(header, keys)):
        name = names.get(key)
        if name is None:
            unknown.append(raw.strip() or f"(empty, column {i + 1})")
        elif name in seen:
            raise _FileError("duplicate_column", 1, column=raw.strip())
        else:
            seen.add(name)
            positions[i] = name
    missing = [c.name for c in kind.columns if c.name not in seen]
    if missing:
        raise _FileError("missing_columns", 1, kind=kind.name, columns=", ".join(missing))
    if unknown:
        raise _FileError("unknown_columns", 1, kind=kind.name, columns=", ".join(unknown))
    return kind, positions


# --------------------------------------------------------------------------------------------
# parsing rows


_SUSPECT = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")


class _RowParser:
    """Turns the fields of a row into the store's values (by store column), or the reasons it cannot.

    The fast path parses a row in one comprehension; a row with any problem (or a cell that could
    be a formula, or control characters) goes through the slow path, which finds every error.
    """

    def __init__(self, kind: Kind, positions: dict[int, str], header: list[str], width: int, dutch: bool,
                 today: dt.date, encoding: str, now: dt.datetime | None = None):
        self.kind, self.width, self.encoding = kind, width, encoding
        self.check = CHECKS.get(kind.name)
        self.plan = []
        self.heading = {}
        for i, name in sorted(positions.items()):
            col = kind.column(name)
            parse = self._parser(col, dutch, today, now)
            self.plan.append((i, col, parse))
            self.heading[col.target] = header[i].strip()
        self.fast = [(i, col.target, parse, _missing if col.required else _empty(col)) for i, col, parse in self.plan]
        self.index = {col.target: i for i, col, _ in self.plan}
        self.key_index = next(i for i, name in positions.items() if name == kind.key)
        self.key_target = kind.column(kind.key).target
        self.key_parse = next(parse for i, _, parse in self.plan if i == self.key_index)

    @staticmethod
    def _parser(col: Column, dutch: bool, today: dt.date, now: dt.datetime | None = None) -> Callable[[str], object]:
        if col.type in ("id", "ref"):
            return _identifier(MAX_ID_LENGTH if col.name != "counsellor_id" else 32)
        if col.type == "code":
            return _Codes(col.codes).parser()
        if col.type == "codes":
            return _cached(_multi(_Codes(col.codes).parser()))
        if col.type == "bool":
            return _bool
        if col.type == "int":
            return _integer(col.lo, col.hi, dutch)
        if col.type == "date":
            return _cached(_date(today))
        if col.type == "datetime":
            return _datetime(today, now)
        if col.type == "month":
            return _cached(_month(today))
        raise ValueError(col.type)

    def key(self, fields: list[str], values: dict | None = None) -> str:
        """Return the row's key as the store holds it, so that two spellings of one key are one key
        (`2013-03` and `mrt 2013`; `NN` and `Noord-Nederland`); the text itself when it does not parse."""
        if values is not None:
            return _key_text(values[self.key_target])
        text = self.raw_key(fields)
        if not text:
            return ""
        try:
            return _key_text(self.key_parse(text))
        except _Bad:
            return text

    def raw_key(self, fields: list[str]) -> str:
        return fields[self.key_index].strip() if self.key_index < len(fields) else ""

    def raw(self, fields: list[str], target: str) -> str:
        i = self.index.get(target)
        return fields[i] if i is not None and i < len(fields) else ""

    def parse(self, fields: list[str]) -> tuple[dict | None, list[tuple[str, str, _Bad]]]:
        """Return (values by store column, []) or (None, [(column heading, value, reason), ...])."""
        n = len(fields)
        if n != self.width:
            if n > self.width and not any(f.strip() for f in fields[self.width:]):
                fields = fields[:self.width]
            else:
                hint = " (is another separator used in this row?)" if n == 1 and self.width > 1 else ""
                value = fields[0] if n == 1 else ""
                return None, [("", value, _Bad("field_count", n=n, m=self.width, hint=hint))]
        # No cell with a formula, control characters or undecodable bytes gets through: every parser
        # accepts only codes, dates, numbers, yes/no and ids of a strict pattern.
        try:
            values = {target: parse(text) if (text := fields[i].strip()) else empty()
                      for i, target, parse, empty in self.fast}
        except _Bad:
            return self._slow(fields)
        if self.check is not None:
            cross = self.check(values)
            if cross:
                return None, [(self.heading[t], self.raw(fields, t), bad) for t, bad in cross]
        return values, []

    def _slow(self, fields: list[str]) -> tuple[None, list[tuple[str, str, _Bad]]]:
        """Every error of a row that failed the fast path, cell by cell."""
        errors = []
        for i, col, parse in self.plan:
            raw = fields[i]
            heading = self.heading[col.target]
            text = raw.strip()
            if not text:
                if col.required:
                    errors.append((heading, raw, _Bad("required")))
                continue
            try:
                parse(text)
            except _Bad as bad:
                # the most telling reason: a formula, then bad bytes or control characters, then the parser's
                first = text[0]
                if first in "=@" or (first in "+-" and (col.is_text or not _SIGNED_NUMBER.fullmatch(text))):
                    bad = _Bad("formula", char=first)
                elif _SUSPECT.search(text):
                    if re.search(r"[\udc80-\udcff]", text):
                        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                        bad = _Bad("encoding", encoding=self.encoding)
                    else:
                        bad = _Bad("control_chars")
                errors.append((heading, raw, bad))
        return None, errors


_SIGNED_NUMBER = re.compile(r"[+-]\s*\d+(?:[.,]\d+)?", re.ASCII)


def _key_text(value) -> str:
    """A parsed key as text: a month as yyyy-mm, a code or id as it is."""
    return value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)


def _missing():
    raise _Bad("required")


def _empty(col: Column) -> Callable[[], object]:
    value = () if col.type == "codes" else None
    return lambda: value


# --------------------------------------------------------------------------------------------
# the store side: looking up references, comparing, inserting and updating


def _naive_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class _Store:
    """Writes within the import's transaction: raw executemany on SQLite (fast), Core elsewhere."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._next_id: dict[str, int] = {}

    def new_ids(self, table: sa.Table, n: int) -> list[int]:
        if n == 0:
            return []
        if self.sqlite:  # the import holds SQLite's write lock (it wrote its batch rows first)
            start = self._next_id.get(table.name)
            if start is None:
                start = self.conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one() + 1
            self._next_id[table.name] = start + n
            return list(range(start, start + n))
        rows = self.conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n})
        return [r[0] for r in rows]

    def _columns(self, table: sa.Table, names: list[str], rows: list[dict]) -> list[list]:
        """The rows' values column by column, as SQLite stores them (dates as ISO text)."""
        out = []
        for name in names:
            values = [r[name] for r in rows]
            kind = table.c[name].type
            if isinstance(kind, sa.DateTime):
                values = [v if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in values]
            elif isinstance(kind, sa.Date):
                values = [v if v is None else v.isoformat() for v in values]
            out.append(values)
        return out

    def insert(self, table: sa.Table, names: list[str], rows: list[dict]) -> None:
        """Insert rows (dicts holding at least the named columns)."""
        if not rows:
            return
        if self.sqlite:
            q = self.conn.dialect.identifier_preparer.quote
            sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in names)}) "
                   f"VALUES ({', '.join('?' * len(names))})")
            self.conn.exec_driver_sql(sql, list(zip(*self._columns(table, names, rows))))
        else:
            self.conn.execute(table.insert(), [{c: r[c] for c in names} for r in rows])

    def update(self, table: sa.Table, key: str, names: list[str], rows: list[dict]) -> None:
        """Set the named columns of rows found by their key column."""
        if not rows:
            return
        if self.sqlite:
            q = self.conn.dialect.identifier_preparer.quote
            sql = f"UPDATE {q(table.name)} SET {', '.join(f'{q(c)} = ?' for c in names)} WHERE {q(key)} = ?"
            self.conn.exec_driver_sql(sql, list(zip(*self._columns(table, [*names, key], rows))))
        else:
            stmt = (sa.update(table).where(table.c[key] == sa.bindparam("_key"))
                    .values({c: sa.bindparam(f"_v_{c}") for c in names}))
            self.conn.execute(stmt, [{"_key": r[key], **{f"_v_{c}": r[c] for c in names}} for r in rows])


def _ensure_units(conn: sa.Connection) -> None:
    """Give the units table every unit of the code list (registrations and contacts refer to them)."""
    existing = set(conn.execute(sa.select(Unit.code)).scalars())
    missing = [{"code": u.code, "name_nl": u.nl, "name_en": u.en, "headcount": None, "rollout_on": None}
               for u in codes.UNITS if u.code not in existing]
    if missing:
        conn.execute(sa.insert(Unit), missing)


def _registration_refs(conn: sa.Connection, keys: Iterable[str]) -> dict[str, tuple[int, dt.date, dt.date | None]]:
    """Return source id -> (store id, registration date, closing date) for the registrations among the keys."""
    keys = list(set(keys))
    out = {}
    for start in range(0, len(keys), CHUNK_ROWS):
        part = keys[start:start + CHUNK_ROWS]
        rows = conn.execute(sa.select(Registration.source_id, Registration.id, Registration.registered_on,
                                      Registration.closed_on)
                            .where(Registration.source_id.in_(part)))
        out.update({s: (i, d, c) for s, i, d, c in rows})
    return out


# --------------------------------------------------------------------------------------------
# the import


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


@dataclass
class Source:
    """A file to import: where it is, and the name to report it by (an upload's original name)."""

    path: Path
    name: str

    @classmethod
    def of(cls, item) -> "Source":
        if isinstance(item, Source):
            return item
        path = Path(item)
        return cls(path, path.name)


def refresh_catalogue(engine: sa.Engine, policy) -> None:
    """Rebuild the published catalogue after an import (the one place an import calls it)."""
    from queries import catalogue

    catalogue.refresh(engine, policy)


class _Run:
    """One import: its connection, options, error accounting and progress."""

    def __init__(self, conn, sources, *, user, valid_only, dry_run, kind, today, now, on_error, progress):
        self.conn, self.store = conn, None if conn is None else _Store(conn)
        self.sources, self.user = sources, user
        self.valid_only, self.dry_run, self.forced_kind = valid_only, dry_run, kind
        self.today, self.now = today, now
        self.on_error, self.progress = on_error, progress
        self.errors: list[RowError] = []
        self.error_count = 0
        # rows whose key is also in another file of this import: file index -> line -> its errors
        self.across: dict[int, dict[int, list[RowError]]] = {}
        # where the import is, for a plain reason when the store refuses: (file result, first line, last line)
        self.at: tuple[FileResult, int, int] | None = None

    # -- errors
    def report(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def file_error(self, result: FileResult, exc: _FileError) -> None:
        result.fatal = True
        self.report(RowError(result.name, exc.line, "", "", exc.code, tuple(sorted(exc.params.items()))))

    def _progress(self, result: FileResult, number: int, phase: str, rows: int, fraction: float) -> None:
        if self.progress is not None:
            self.progress(Progress(result.name, number, len(self.sources), phase, rows, fraction))

    # -- one file
    def open(self, source: Source, result: FileResult):
        reader = open_file(source.path, self.forced_kind)
        try:
            kind, positions = detect_kind(reader.header, self.forced_kind)
        except _FileError as exc:
            reader.close()
            if exc.line == 1:
                exc.line = reader.header_line  # below a `sep=` line, or lower on a sheet
            raise
        except BaseException:
            reader.close()
            raise
        result.kind = kind.name
        width = len(reader.header)
        while width > 1 and not reader.header[width - 1].strip():
            width -= 1
        parser = _RowParser(kind, positions, reader.header, width, reader.dutch_numbers, self.today, reader.encoding,
                            self.now)
        return reader, kind, parser

    def find_keys_across_files(self, kinds: list[str | None], results: list[FileResult]) -> None:
        """Find the keys that occur in more than one file of one type (the same registration in two
        exports of one import): every such row, in every file, is rejected, as duplicates within a
        file are. Only types given as several files cost a pass (over their keys only)."""
        for kind in KIND_ORDER:
            numbers = [i for i, k in enumerate(kinds) if k == kind]
            if len(numbers) < 2:
                continue
            unique = []
            for i in numbers:
                hashes = array.array("q")
                for _, fields, parser in self._keyed_rows(i, results[i]):
                    key = parser.key(fields)
                    if key:
                        hashes.append(hash(key))
                unique.append(np.unique(np.frombuffer(hashes, dtype=np.int64)))
            both = np.sort(np.concatenate(unique))
            candidates = set(both[1:][both[1:] == both[:-1]].tolist())  # each file's hashes are unique
            if not candidates:
                continue
            places: dict[str, list[tuple[int, int, str, str]]] = {}
            for i in numbers:
                for line, fields, parser in self._keyed_rows(i, results[i]):
                    key = parser.key(fields)
                    if key and hash(key) in candidates:
                        heading = parser.heading[parser.key_target]
                        places.setdefault(key, []).append((i, line, heading, parser.raw_key(fields)))
            for key, found in places.items():
                if len({i for i, *_ in found}) < 2:
                    continue
                for i, line, heading, raw in found:
                    others = [f"{results[j].name}:{other}" for j, other, *_ in found if j != i]
                    shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                    error = RowError(results[i].name, line, heading, raw, "duplicate_file",
                                     (("key", key), ("others", shown)))
                    self.across.setdefault(i, {}).setdefault(line, []).append(error)

    def _keyed_rows(self, index: int, result: FileResult) -> Iterator[tuple[int, list[str], _RowParser]]:
        """The rows of a file for the key passes; a file that cannot be read gives none (its check says why)."""
        try:
            reader, _, parser = self.open(self.sources[index], result)
        except _FileError:
            return
        try:
            for line, fields in _non_empty(reader.rows):
                yield line, fields, parser
        except _FileError:
            return
        finally:
            reader.close()

    def check(self, source: Source, result: FileResult, number: int) -> tuple[set[int], Kind | None]:
        """First pass: validate every row; return the rejected lines (and the kind)."""
        rejected: set[int] = set()
        try:
            reader, kind, parser = self.open(source, result)
        except _FileError as exc:
            self.file_error(result, exc)
            return rejected, None
        hashes = array.array("q")
        across = self.across.get(number - 1, {})
        try:
            rows = 0
            for chunk in _chunked(_non_empty(reader.rows), CHUNK_ROWS):
                chunk_errors: list[RowError] = []
                parsed = []
                for line, fields in chunk:
                    rows += 1
                    values, errors = parser.parse(fields)
                    # the key as the store holds it: two spellings of one month or unit are one key
                    key = parser.key(fields, values)
                    if key:
                        hashes.append(hash(key))
                    elsewhere = across.get(line)
                    if values is None or elsewhere:
                        rejected.add(line)
                        chunk_errors += [_error(result.name, line, c, v, b) for c, v, b in errors]
                        chunk_errors += elsewhere or []
                    else:
                        parsed.append((line, fields, values))
                self.at = (result, chunk[0][0], chunk[-1][0])
                for line, column, value, bad in self.resolve(kind, parser, parsed, result)[1]:
                    rejected.add(line)
                    chunk_errors.append(_error(result.name, line, column, value, bad))
                for error in sorted(chunk_errors, key=lambda e: e.line):
                    self.report(error)
                result.rows = rows
                self._progress(result, number, "check", rows, reader.position())
            if rows == 0:
                raise _FileError("no_rows", reader.header_line)
        except _FileError as exc:
            self.file_error(result, exc)
            result.rejected = max(len(rejected), result.rows)  # nothing of a file that cannot be read loads
            return rejected, None
        finally:
            reader.close()
        duplicates = _duplicate_hashes(hashes)
        del hashes
        if duplicates:
            rejected |= self.report_duplicates(source, result, kind, duplicates)
        result.rejected = len(rejected)
        return rejected, kind

    def report_duplicates(self, source: Source, result: FileResult, kind: Kind, candidates: set[int]) -> set[int]:
        """Report every row whose key occurs more than once (a third pass, only for keys whose hash
        repeats; hash collisions are told apart here). Keys are compared as the store holds them."""
        reader, _, parser = self.open(source, result)
        by_key: dict[str, list[tuple[int, str]]] = {}
        try:
            for line, fields in _non_empty(reader.rows):
                key = parser.key(fields)
                if key and hash(key) in candidates:
                    by_key.setdefault(key, []).append((line, parser.raw_key(fields)))
        finally:
            reader.close()
        out = set()
        heading = parser.heading[parser.key_target]
        for key, found in by_key.items():
            if len(found) < 2:
                continue
            lines = [line for line, _ in found]
            shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
            spellings = list(dict.fromkeys(raw for _, raw in found))
            for line, raw in found:
                if len(spellings) == 1:
                    code, params = "duplicate", (("key", key), ("lines", shown))
                else:
                    written = ", ".join(_show(v) for v in spellings[:5]) + (", ..." if len(spellings) > 5 else "")
                    code, params = "duplicate_key", (("key", key), ("lines", shown), ("spellings", written))
                self.report(RowError(result.name, line, heading, raw, code, params))
                out.add(line)
        return out

    def resolve(self, kind: Kind, parser: _RowParser, parsed: list, result: FileResult):
        """Look up the registrations that rows refer to; return (good rows, errors)."""
        ref = next((c for c in kind.columns if c.type == "ref"), None)
        if ref is None or not parsed:
            return parsed, []
        date_col = "held_on" if kind.name == "sessions" else "answered_on"
        after_closure = kind.name == "sessions"
        found = _registration_refs(self.conn, [v[ref.name] for _, _, v in parsed if v[ref.name]])
        good, errors = [], []
        for line, fields, values in parsed:
            key = values[ref.name]
            if key is None:
                values[ref.target] = None
                good.append((line, fields, values))
                continue
            hit = found.get(key)
            if hit is None:
                errors.append((line, parser.heading[ref.target], parser.raw(fields, ref.target),
                               _Bad("unknown_registration", key=key)))
            elif values[date_col] < hit[1]:
                errors.append((line, parser.heading[date_col], parser.raw(fields, date_col),
                               _Bad("before_registration", date=_d(values[date_col]), registered=_d(hit[1]))))
            elif after_closure and hit[2] is not None and (values[date_col] - hit[2]).days > SESSION_AFTER_CLOSE_DAYS:
                errors.append((line, parser.heading[date_col], parser.raw(fields, date_col),
                               _Bad("after_closure", date=_d(values[date_col]), days=SESSION_AFTER_CLOSE_DAYS,
                                    closed=_d(hit[2]))))
            else:
                values[ref.target] = hit[0]
                good.append((line, fields, values))
        return good, errors

    def write(self, source: Source, result: FileResult, kind: Kind, rejected: set[int], number: int) -> None:
        """Second pass: upsert the valid rows in chunks."""
        reader, _, parser = self.open(source, result)
        try:
            rows = 0
            for chunk in _chunked(_non_empty(reader.rows), CHUNK_ROWS):
                parsed = []
                for line, fields in chunk:
                    rows += 1
                    if line in rejected:
                        continue
                    values, errors = parser.parse(fields)
                    if values is not None:
                        parsed.append((line, fields, values))
                self.at = (result, chunk[0][0], chunk[-1][0])
                good, _ = self.resolve(kind, parser, parsed, result)
                inserted, updated, unchanged = _upsert(self.store, kind, [v for _, _, v in good], result.batch_id)
                result.inserted += inserted
                result.updated += updated
                result.unchanged += unchanged
                self._progress(result, number, "write", rows, reader.position())
        finally:
            reader.close()


def _non_empty(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Skip rows without any value (Excel exports end with empty rows such as ';;;;')."""
    for line, fields in rows:
        for f in fields:
            if f and not f.isspace():
                yield line, fields
                break


def _chunked(iterable, size: int):
    it = iter(iterable)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _duplicate_hashes(hashes: array.array) -> set[int]:
    """Return the key hashes that occur more than once (candidates, checked exactly later)."""
    if len(hashes) < 2:
        return set()
    h = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return set(h[1:][h[1:] == h[:-1]].tolist())


def _upsert(store: _Store, kind: Kind, rows: list[dict], batch_id: int | None) -> tuple[int, int, int]:
    """Insert new rows, update changed ones; return (inserted, updated, unchanged).

    `rows` are parsed values by store column; they are extended in place with id and batch_id.
    """
    if not rows:
        return 0, 0, 0
    table = kind.table
    key_col = kind.column(kind.key).target
    value_cols = [c.target for c in kind.columns if c.type != "codes" and c.target != key_col]
    select_cols = [table.c[key_col], *(table.c[c] for c in value_cols)]
    if kind.has_id:
        select_cols.append(table.c.id)
    existing = {}
    for row in store.conn.execute(sa.select(*select_cols).where(table.c[key_col].in_([r[key_col] for r in rows]))):
        existing[row[0]] = row
    questions = kind.name == "registrations"
    old_questions: dict[int, tuple] = {}
    if questions and existing:
        q = RegistrationQuestion.__table__.c
        found: dict[int, list] = {}
        for reg_id, qtype in store.conn.execute(sa.select(q.registration_id, q.question_type)
                                                .where(q.registration_id.in_([r.id for r in existing.values()]))):
            found.setdefault(reg_id, []).append(qtype)
        old_questions = {k: tuple(sorted(v)) for k, v in found.items()}
    inserts, updates, unchanged = [], [], 0
    new_questions, replaced = [], []
    for values in rows:
        old = existing.get(values[key_col])
        if old is None:
            inserts.append(values)
            continue
        same = all(old[i] == values[c] for i, c in enumerate(value_cols, start=1))
        if questions:
            same = same and old_questions.get(old.id, ()) == values["question_types"]
        if same:
            unchanged += 1
            continue
        if kind.has_id:
            values["id"] = old.id
        values["batch_id"] = batch_id
        updates.append(values)
        if questions:
            replaced.append(old.id)
            new_questions += [{"registration_id": old.id, "question_type": q} for q in values["question_types"]]
    batch_cols = ["batch_id"] if kind.has_batch else []
    if inserts:
        names = [key_col, *value_cols, *batch_cols]
        if kind.has_id:
            names.insert(0, "id")
            for values, new_id in zip(inserts, store.new_ids(table, len(inserts))):
                values["id"] = new_id
        for values in inserts:
            values["batch_id"] = batch_id
        if kind.name == "units":
            names += ["name_nl", "name_en"]
            for values in inserts:
                values.update(name_nl=codes.UNITS.label(values["code"], "nl"),
                              name_en=codes.UNITS.label(values["code"], "en"))
        store.insert(table, names, inserts)
        if questions:
            new_questions += [{"registration_id": v["id"], "question_type": q}
                              for v in inserts for q in v["question_types"]]
    if updates:
        store.update(table, "id" if kind.has_id else key_col, [*value_cols, *batch_cols], updates)
    if replaced:
        q = RegistrationQuestion.__table__
        store.conn.execute(q.delete().where(q.c.registration_id.in_(replaced)))
    if new_questions:
        store.insert(RegistrationQuestion.__table__, ["registration_id", "question_type"], new_questions)
    return len(inserts), len(updates), unchanged


def _sort_sources(sources: list[Source], forced: str | None) -> list[tuple[Source, str | None]]:
    """Put files in dependency order by their header (unreadable files last; they load nothing).

    Return each file with its type (None when it cannot be read or recognised).
    """
    def rank(source: Source) -> tuple[int, str | None]:
        try:
            reader = open_file(source.path, forced)
        except (_FileError, OSError):
            return len(KIND_ORDER), None
        try:
            kind, _ = detect_kind(reader.header, forced)
            return KIND_ORDER.index(kind.name), kind.name
        except _FileError:
            return len(KIND_ORDER), None
        finally:
            reader.close()
    ranked = [(rank(s), i, s) for i, s in enumerate(sources)]
    return [(s, kind) for (_, kind), _, s in sorted(ranked, key=lambda r: (r[0][0], r[1]))]


def local_now() -> dt.datetime:
    """The time in the Netherlands, naive (the registration system records local times)."""
    return dt.datetime.now(LOCAL_TIME).replace(tzinfo=None)


def import_files(engine: sa.Engine, files: Iterable, *, user: str, policy=None, valid_only: bool = False,
                 dry_run: bool = False, kind: str | None = None, today: dt.date | None = None,
                 now: dt.datetime | None = None, on_error: Callable[[RowError], None] | None = None,
                 progress: Callable[[Progress], None] | None = None, audit=None, via: str = "import"
                 ) -> ImportResult:
    """Validate and load export files in one transaction; see the module's docstring.

    `files` are paths or `Source`s. With errors, nothing changes unless `valid_only`; a
    `dry_run` never changes anything. With a `policy`, the catalogue is refreshed after a
    committed import that changed rows, or when an earlier load is not yet published. `now` is
    the local time no contact may be later than (default: now, or the end of `today`). With
    `audit` (the importer's `Access`), every import but a dry run is recorded in the audit log as
    "import" with target "<via>: <file names>": a load in its own transaction, a rejected or failed
    import with its batch rows. The store's own error texts (which hold SQL) never reach the
    caller: a refused or failed write is one more `RowError` and a rejected import.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown file type {kind!r}; one of {', '.join(KIND_ORDER)}")
    started = time.perf_counter()
    sorted_sources = _sort_sources([Source.of(f) for f in files], kind)
    sources = [s for s, _ in sorted_sources]
    if now is None:
        now = local_now()
        if today is not None and today != now.date():
            now = dt.datetime.combine(today, dt.time(23, 59, 59))
    today = today or now.date()
    results = [FileResult(s.name[:255], file_hash(s.path)) for s in sources]
    batch_started = _naive_utc()
    user = (user or "-")[:80]
    run = _Run(None, sources, user=user, valid_only=valid_only, dry_run=dry_run, kind=kind, today=today, now=now,
               on_error=on_error, progress=progress)
    commit, was_due, store_error = False, False, None
    try:
        with engine.connect() as conn:
            run.conn, run.store = conn, _Store(conn)
            trans = conn.begin()
            try:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
                elif conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-65536")
                run.find_keys_across_files([k for _, k in sorted_sources], results)
                previous = _previous_batches(conn, [r.sha256 for r in results])
                for r in results:
                    r.seen_before = previous.get(r.sha256, [])
                for r in results:  # also takes SQLite's write lock before any id is handed out
                    r.batch_id = conn.execute(sa.insert(ImportBatch).values(
                        kind=r.kind or "-", filename=r.name, file_hash=r.sha256, imported_by=user,
                        started_at=batch_started, status="running").returning(ImportBatch.id)).scalar_one()
                was_due = refresh_due.is_due(conn)
                _ensure_units(conn)
                for number, (source, result) in enumerate(zip(sources, results), start=1):
                    rejected, file_kind = run.check(source, result, number)
                    if file_kind is not None and result.valid > 0:
                        run.write(source, result, file_kind, rejected, number)
                run.at = None
                commit = not dry_run and (run.error_count == 0 or valid_only)
                finished = _naive_utc()
                for r in results:
                    r.status = _status(r, commit, dry_run)
                    conn.execute(sa.update(ImportBatch).where(ImportBatch.id == r.batch_id).values(
                        kind=r.kind or "-", finished_at=finished, status=r.status,
                        inserted=r.inserted, updated=r.updated, unchanged=r.unchanged, rejected=r.rejected))
                if commit:
                    changed = [r.batch_id for r in results if r.inserted or r.updated]
                    if changed:  # in the load's own transaction: new rows are never unmarked
                        refresh_due.request(conn, changed)
                    if audit is not None:
                        _audit(engine, audit, via, results, 200, conn)
                    trans.commit()
                else:
                    trans.rollback()
            except BaseException:
                trans.rollback()
                raise
            finally:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-2000")
    except Exception as exc:  # noqa: BLE001 - the store refused or failed: everything was rolled back
        commit = False
        store_error = _store_error(run, results, exc)
    if not commit:
        for r in results:
            r.batch_id = None
            if store_error is not None:
                r.status = _status(r, False)
        if not dry_run:
            _record_rejected(engine, results, user, batch_started,
                             audit=None if audit is None else (audit, via, 500 if store_error else 422))
    result = ImportResult(results, run.errors, run.error_count, commit, dry_run, valid_only,
                          seconds=time.perf_counter() - started, refresh_was_due=was_due and commit,
                          store_error=store_error)
    if commit and policy is not None and (result.changed > 0 or was_due):
        t0 = time.perf_counter()
        try:
            refresh_catalogue(engine, policy)
            result.refreshed = True
        except Exception as exc:  # noqa: BLE001 - the data are loaded; say that the figures are not yet published
            logging.getLogger(__name__).exception("catalogue refresh after an import failed")
            result.refresh_error = f"{type(exc).__name__}: {exc}"
        result.refresh_seconds = time.perf_counter() - t0
    return result


def _plain_detail(exc: BaseException) -> str:
    """What the database said, without the SQL statement and parameters SQLAlchemy adds to it."""
    orig = getattr(exc, "orig", None)
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)  # psycopg
    if constraint:
        return constraint
    text = str(orig if orig is not None else exc).strip().splitlines()
    first = text[0] if text else ""
    if not first or re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b|\[SQL", first, re.IGNORECASE):
        return type(orig if orig is not None else exc).__name__
    return first[:160]


def _store_error(run: _Run, results: list[FileResult], exc: Exception) -> RowError:
    """Turn the store's refusal (or any failure during the import) into a plain reason for the report."""
    logging.getLogger(__name__).error("import failed and was rolled back", exc_info=exc)
    where = run.at
    if isinstance(exc, (sa.exc.IntegrityError, sa.exc.DataError)) and where is not None:
        result, first, last = where
        lines = str(first) if first == last else f"{first}-{last}"
        error = RowError(result.name, first, "", "", "store_refused",
                         (("lines", lines), ("rule", _plain_detail(exc))))
    elif isinstance(exc, sa.exc.SQLAlchemyError):
        error = RowError(where[0].name if where else ", ".join(r.name for r in results), where[1] if where else 0,
                         "", "", "store_failed", (("detail", _plain_detail(exc)),))
    else:
        error = RowError(where[0].name if where else ", ".join(r.name for r in results), where[1] if where else 0,
                         "", "", "internal_error", (("detail", type(exc).__name__),))
    for r in results:
        if where is None or r is where[0]:
            r.fatal = True
            r.rejected = max(r.rejected, r.rows)
        r.inserted = r.updated = r.unchanged = 0
    run.report(error)
    return error


def _audit(engine: sa.Engine, access, via: str, results: list[FileResult], status: int,
           conn: sa.Connection | None = None) -> None:
    from queries.accounts import audit_log

    names = ", ".join(r.name for r in results)
    audit_log.record(engine, access, "import", f"{via}: {names}", status=status, conn=conn)


def _status(result: FileResult, committed: bool, dry_run: bool = False) -> str:
    if dry_run:
        return "rejected" if (result.rejected or result.fatal) else "checked"
    if not committed:
        return "rejected" if (result.rejected or result.fatal) else "not_loaded"
    if result.fatal or result.rejected:
        return "partial" if result.inserted or result.updated or result.unchanged else "rejected"
    return "loaded" if result.inserted or result.updated else "unchanged"


def _previous_batches(conn: sa.Connection, hashes: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    rows = conn.execute(sa.select(ImportBatch.file_hash, ImportBatch.id)
                        .where(ImportBatch.file_hash.in_(hashes),
                               ImportBatch.status.in_(("loaded", "partial", "unchanged")))
                        .order_by(ImportBatch.id))
    for h, i in rows:
        out.setdefault(h, []).append(i)
    return out


def _record_rejected(engine: sa.Engine, results: list[FileResult], user: str, started: dt.datetime,
                     audit: tuple | None = None) -> None:
    """Record an import that changed nothing (it had errors, or the store refused it): who tried what,
    and how much was wrong; with `audit` (access, via, status), in the audit log too."""
    finished = _naive_utc()
    try:
        with engine.begin() as conn:
            for r in results:
                r.batch_id = conn.execute(sa.insert(ImportBatch).values(
                    kind=r.kind or "-", filename=r.name, file_hash=r.sha256, imported_by=user, started_at=started,
                    finished_at=finished, inserted=0, updated=0, unchanged=0, rejected=r.rejected,
                    status=r.status).returning(ImportBatch.id)).scalar_one()
            if audit is not None:
                _audit(engine, audit[0], audit[1], results, audit[2], conn)
    except sa.exc.SQLAlchemyError:  # the store is down or read-only: the caller still gets the reasons
        logging.getLogger(__name__).exception("could not record the rejected import")
        for r in results:
            r.batch_id = None


def recent_batches(engine: sa.Engine, limit: int = 50) -> list[dict]:
    """Return the newest import batches (newest first) as dicts."""
    t = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.id.desc()).limit(max(1, min(limit, 1000))))
        return [dict(r._mapping) for r in rows]


# --------------------------------------------------------------------------------------------
# the report of rejected rows


REPORT_COLUMNS = {"en": ("file", "line", "column", "value", "reason"),
                  "nl": ("bestand", "regel", "kolom", "waarde", "reden")}


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
