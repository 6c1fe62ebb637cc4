"""Issue 15, items 5-7: what the importer accepted wrongly, CSV downloads across locales, and a refresh
that is due after a crash.

* Keys are compared after parsing (a month or a unit spelled two ways is one key), within a file and
  across the files of one import; Unicode digits are refused; what Excel really writes is accepted
  (`sep=;`, data on a named sheet, `yyyy/mm/dd`, `2.0`); sessions long after closure and contacts later
  than now are refused. Every rejected import has a batch and an audit record, also when the store
  itself refuses it, and no SQL ever reaches the user.
* Every CSV download goes through `queries.store.csvfile`: both separators quoted, formulas neutralised.
* An import marks a refresh as due in its own transaction; a successful refresh clears it; the next
  import or app start finishes one that is due; `loket refresh --status` and the admin pages say so.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard import cli
from dashboard.ui.texts import t
from queries.accounts import audit_log
from queries import catalogue
from queries.store import csvfile
from queries.ingest import importer
from queries.catalogue import counting, refresh_due
from queries.accounts.access import Access
from queries.privacy import Policy
from queries.store.schema import (
    AuditEntry, CatalogueRefresh, ImportBatch, PublishedCell, RefreshDue, Registration, Session, Unit,
    WebsiteVisits,
)
from tests.import_corpus import (
    EXAMPLES, REG_HEADER, SESSION_HEADER, VISITS_HEADER, csv_text, fake_refresh, registration, registrations,
    registrations_csv, session, snapshot,
)
from tests.stores import fresh_store
from tests.factories import add_accounts, headers, make_app
from tests.http_client import basic_auth_header, body_text, router_body

TODAY = dt.date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[3]
ADMIN = Access("beheerder", "admin")
CONTACT_HEADER = ["contact_id", "tijdstip", "kanaal", "eenheid", "doelgroep", "leidde_tot_aanmelding"]


def load(engine, files, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("user", "tester")
    return importer.import_files(engine, files, **kw)


def write(tmp_path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def batches(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(ImportBatch).order_by(ImportBatch.id)).all()


def audits(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).where(AuditEntry.action == "import").order_by(AuditEntry.id)).all()


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def visits_csv(*months: str) -> bytes:
    rows = [{"maand": m, "bezoeken": str(500 + i), "nieuwe_bezoeken": str(400 + i), "terugkerende_bezoeken": "100"}
            for i, m in enumerate(months)]
    return csv_text(VISITS_HEADER, rows).encode("utf-8")


@pytest.fixture
def refreshes(monkeypatch):
    calls = []
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh(calls))
    return calls


@pytest.fixture
def examples(any_store):
    """A store holding the example files (the registrations the sessions below refer to)."""
    result = load(any_store, sorted(EXAMPLES.glob("*.csv")))
    assert result.committed and result.error_count == 0
    with any_store.begin() as conn:  # as if published: these tests mark their own refreshes
        refresh_due.clear(conn, refresh_due.seen(conn))
    return any_store


# --- 5. keys after parsing, within a file and across files ----------------------------------------------

def test_a_month_written_two_ways_is_one_key_and_rejects_both_rows(any_store, tmp_path):
    path = write(tmp_path, "bezoek.csv", visits_csv("2013-03", "apr 2013", "mrt 2013"))
    errors = []
    result = load(any_store, [path], on_error=errors.append, audit=ADMIN, via="cli")
    assert not result.committed and count(any_store, WebsiteVisits) == 0  # before: mrt 2013 won, or SQL showed
    assert [(e.line, e.column, e.value, e.code) for e in errors] == [
        (2, "maand", "2013-03", "duplicate_key"), (4, "maand", "mrt 2013", "duplicate_key")]
    assert errors[0].reason() == ("2013-03 occurs more than once in this file, written as '2013-03', 'mrt 2013' "
                                  "(lines 2, 4); none of these rows is loaded.")
    assert errors[0].reason("nl").startswith("2013-03 komt meer dan eens voor in dit bestand, geschreven als")
    (batch,) = batches(any_store)
    assert (batch.status, batch.rejected, batch.filename) == ("rejected", 2, "bezoek.csv")
    (entry,) = audits(any_store)
    assert (entry.username, entry.target, entry.status) == ("beheerder", "cli: bezoek.csv", 422)
    # with the valid rows chosen, only April loads
    partial = load(any_store, [path], valid_only=True)
    with any_store.connect() as conn:
        assert conn.execute(sa.select(WebsiteVisits.month)).scalars().all() == [dt.date(2013, 4, 1)]
    assert partial.files[0].status == "partial"


def test_a_unit_as_code_and_as_name_is_one_unit(any_store, tmp_path):
    path = write(tmp_path, "eenheden.csv", "eenheid;formatie;startdatum_loket\r\nNN;4.400;\r\nLB;3.800;\r\n"
                                           "Noord-Nederland;4.500;01-05-2012\r\n")
    errors = []
    result = load(any_store, [path], on_error=errors.append)
    assert not result.committed and {(e.line, e.value) for e in errors} == {(2, "NN"), (4, "Noord-Nederland")}
    assert {e.code for e in errors} == {"duplicate_key"} and "written as 'NN', 'Noord-Nederland'" in errors[0].reason()
    with any_store.connect() as conn:
        assert conn.execute(sa.select(Unit.headcount).where(Unit.code == "NN")).scalar_one_or_none() is None


def test_the_same_id_in_two_files_of_one_import_rejects_it_in_both(any_store, tmp_path, refreshes):
    first = write(tmp_path, "export-maart.csv", registrations_csv(registrations(3)))
    second = write(tmp_path, "export-april.csv", registrations_csv(
        [registration(3, geslacht="Vrouw"), registration(4)]))  # N000003 again, with other values
    errors = []
    result = load(any_store, [first, second], on_error=errors.append, policy="p")
    assert not result.committed and count(any_store, Registration) == 0
    assert sorted((e.file, e.line, e.value, e.code) for e in errors) == [
        ("export-april.csv", 2, "N000003", "duplicate_file"), ("export-maart.csv", 4, "N000003", "duplicate_file")]
    by_file = {e.file: e for e in errors}
    assert by_file["export-maart.csv"].reason() == (
        "N000003 also occurs in export-april.csv:2 of this import; a row may be in one file only, so none of "
        "these rows is loaded.")
    assert "export-maart.csv:4" in by_file["export-april.csv"].reason("nl")
    assert [b.status for b in batches(any_store)] == ["rejected", "rejected"]
    # the valid rows only: neither N000003 loads (before: the file named last won)
    partial = load(any_store, [first, second], valid_only=True, policy="p")
    with any_store.connect() as conn:
        ids = conn.execute(sa.select(Registration.source_id).order_by(Registration.source_id)).scalars().all()
    assert ids == ["N000001", "N000002", "N000004"] and [f.rejected for f in partial.files] == [1, 1]


def test_unicode_digits_are_refused_wherever_digits_are_read():
    date, stamp, month = importer._date(TODAY), importer._datetime(TODAY), importer._month(TODAY)
    number = importer._integer(0, 1_000, True)
    products = importer._Codes(importer.codes.PRODUCTS).parser()
    for parse, text in [(date, "０４-０３-２０１４"), (date, "2014-03-０４"), (date, "٠٤/٠٣/٢٠١٤"),
                        (stamp, "04-03-2014 ０９:１２"), (month, "２０１４-03"), (month, "mrt ２０１４"),
                        (number, "３"), (number, "1.２００"), (products, "２")]:
        with pytest.raises(importer._Bad) as bad:
            parse(text)
        assert bad.value.code == "unicode_digits", text
    assert importer.RowError("a.csv", 2, "aanmelddatum", "０４-０３-２０１４", "unicode_digits",
                             (("chars", "０ １ ２ ３ ４"),)).reason() == \
        "Contains digits other than 0-9 (０ １ ２ ３ ４); write the ordinary digits 0-9."


# --- 5. what Excel really writes ---------------------------------------------------------------------------

@pytest.mark.parametrize("first_line", ["sep=;", '"sep=;";;;', "SEP=;"])
def test_a_sep_line_names_the_separator_and_line_numbers_stay_the_files(sqlite_store, tmp_path, first_line):
    rows = registrations(3) + [registration(4, aanmelddatum="31-02-2014")]
    data = (first_line + "\r\n").encode() + registrations_csv(rows, encoding="utf-8")
    errors = []
    result = load(sqlite_store, [write(tmp_path, "sep.csv", data)], on_error=errors.append, valid_only=True)
    assert result.committed and result.files[0].inserted == 3 and result.files[0].kind == "registrations"
    assert [(e.line, e.column, e.code) for e in errors] == [(6, "aanmelddatum", "no_such_date")]  # 1 sep, 1 header


def test_a_sep_line_with_a_comma_after_a_bom(sqlite_store, tmp_path):
    data = b"\xef\xbb\xbfsep=,\r\n" + csv_text(REG_HEADER, registrations(2), ",").encode()
    result = load(sqlite_store, [write(tmp_path, "sep.csv", data)])
    assert result.committed and result.files[0].inserted == 2


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_sheet_named_after_the_file_type_is_read(sqlite_store, tmp_path):
    rows = [REG_HEADER] + [[r[h] for h in REG_HEADER] for r in registrations(3)]
    data = _workbook({"Toelichting": [["Export van het registratiesysteem"], ["kolom", "betekenis"]],
                      "Aanmeldingen": rows})
    result = load(sqlite_store, [write(tmp_path, "export.xlsx", data)])
    assert result.committed and result.files[0].inserted == 3, [str(e) for e in result.errors]


def test_without_a_named_sheet_the_first_sheet_with_data_is_read(sqlite_store, tmp_path):
    rows = [[], REG_HEADER] + [[r[h] for h in REG_HEADER] for r in registrations(2)]
    data = _workbook({"Blad1": [], "Blad2": rows})
    errors = []
    result = load(sqlite_store, [write(tmp_path, "export.xlsx", data)], on_error=errors.append)
    assert result.committed and result.files[0].inserted == 2, [str(e) for e in errors]


def test_several_named_sheets_need_the_type(sqlite_store, tmp_path):
    regs = [REG_HEADER] + [[r[h] for h in REG_HEADER] for r in registrations(2)]
    sessions = [SESSION_HEADER, [session(1, "N000001", datum="10-01-2013")[h] for h in SESSION_HEADER]]
    path = write(tmp_path, "alles.xlsx", _workbook({"Aanmeldingen": regs, "Gesprekken": sessions}))
    refused = load(sqlite_store, [path])
    assert [e.code for e in refused.errors] == ["several_sheets"]
    assert "(Aanmeldingen, Gesprekken)" in refused.errors[0].reason() and "--kind" in refused.errors[0].reason()
    assert load(sqlite_store, [path], kind="registrations").files[0].inserted == 2
    assert load(sqlite_store, [path], kind="sessions").files[0].inserted == 1


def test_slashed_iso_dates_and_whole_numbers_with_a_decimal(sqlite_store, tmp_path):
    parse = importer._date(TODAY)
    assert parse("2013/03/04") == parse("2013/3/4") == dt.date(2013, 3, 4)
    assert _code(parse, "2013/03-04") == "not_date"  # one separator, not two kinds
    dutch, english = importer._integer(0, 1_000_000, True), importer._integer(0, 1_000_000, False)
    assert dutch("2.0") == dutch("2,0") == english("2,0") == english("2.0") == 2
    assert dutch("2.000") == english("2,000") == 2000  # thousands first, as before
    assert _code(dutch, "2.5") == "not_integer"
    products = importer._Codes(importer.codes.PRODUCTS).parser()
    assert products("2.0") == products("2,0") == products("2") == "short_term"
    rows = registrations(2, aanmelddatum="2013/01/05", datum_intake="2013/01/09", product="2.0",
                         aantal_gesprekken="3.0")
    result = load(sqlite_store, [write(tmp_path, "a.csv", registrations_csv(rows))])
    assert result.committed, [str(e) for e in result.errors]
    with sqlite_store.connect() as conn:
        got = conn.execute(sa.select(Registration.registered_on, Registration.product,
                                     Registration.sessions_count)).all()
    assert [tuple(r) for r in got] == [(dt.date(2013, 1, 5), "short_term", 3)] * 2


def _code(parse, text):
    try:
        parse(text)
    except importer._Bad as bad:
        return bad.code
    return None


# --- 5. sessions after closure, contacts later than now -----------------------------------------------------

def test_a_session_long_after_the_registration_closed_is_refused(examples, tmp_path):
    # R2013-0001 was closed on 22-05-2013: 90 days after is allowed (a follow-up talk), 91 not
    rows = [session(1, datum="20-08-2013"), session(2, datum="21-08-2013")]
    errors = []
    result = load(examples, [write(tmp_path, "g.csv", csv_text(SESSION_HEADER, rows))], on_error=errors.append,
                  valid_only=True)
    assert result.committed and result.files[0].inserted == 1
    (error,) = errors
    assert (error.line, error.column, error.value, error.code) == (3, "datum", "21-08-2013", "after_closure")
    assert error.reason() == ("The session (21-08-2013) is more than 90 days after its registration was closed "
                              "(22-05-2013).")
    with examples.connect() as conn:
        assert conn.execute(sa.select(Session.source_id).where(Session.source_id.like("T%"))).scalars().all() == \
            ["T000001"]


def test_a_contact_later_than_now_is_refused(sqlite_store, tmp_path):
    now = dt.datetime(2026, 11, 28, 10, 30)
    rows = [{"contact_id": "K1", "tijdstip": "28-11-2026 10:29", "kanaal": "Telefoon", "leidde_tot_aanmelding": "nee"},
            {"contact_id": "K2", "tijdstip": "28-11-2026 10:31", "kanaal": "Telefoon", "leidde_tot_aanmelding": "nee"},
            {"contact_id": "K3", "tijdstip": "2026-11-28T23:00", "kanaal": "Telefoon", "leidde_tot_aanmelding": "nee"}]
    errors = []
    result = load(sqlite_store, [write(tmp_path, "c.csv", csv_text(CONTACT_HEADER, rows))], now=now,
                  on_error=errors.append, valid_only=True)
    assert result.files[0].inserted == 1
    assert [(e.line, e.code) for e in errors] == [(3, "future_time"), (4, "future_time")]
    assert errors[0].reason() == "The time is later than now (28-11-2026 10:30)."
    assert errors[0].reason("nl") == "Het tijdstip ligt na nu (28-11-2026 10:30)."
    # without `now`, it is the Netherlands' clock
    late = importer.local_now() + dt.timedelta(minutes=5)
    stamp = importer._datetime(late.date(), importer.local_now())
    assert _code(stamp, late.strftime("%d-%m-%Y %H:%M")) in ("future_time", "future")


# --- 5. the store refuses: a batch, an audit record, a plain reason, never SQL -----------------------------

def test_an_integrity_error_is_a_plain_reason_with_a_batch_and_an_audit_record(any_store, tmp_path, monkeypatch):
    # Without the duplicate check, the two spellings of March would both be inserted: the store refuses.
    monkeypatch.setattr(importer, "_duplicate_hashes", lambda hashes: set())
    path = write(tmp_path, "bezoek.csv", visits_csv("2013-03", "apr 2013", "mrt 2013"))
    before = snapshot(any_store)
    errors = []
    result = load(any_store, [path], on_error=errors.append, audit=ADMIN, via="upload")
    assert not result.committed and result.store_error is not None and snapshot(any_store) == before
    (error,) = errors
    assert (error.file, error.line, error.code) == ("bezoek.csv", 2, "store_refused")
    for lang in ("en", "nl"):
        text = error.reason(lang)
        assert "2-4" in text and not re.search(r"INSERT|SELECT|\[SQL|VALUES|\?", text), text
    assert "pk_website_visits" in error.reason() or "website_visits.month" in error.reason()
    (batch,) = batches(any_store)
    assert (batch.status, batch.inserted, batch.filename) == ("rejected", 0, "bezoek.csv")
    (entry,) = audits(any_store)
    assert (entry.target, entry.status, entry.username) == ("upload: bezoek.csv", 500, "beheerder")


def test_any_other_failure_is_recorded_too(sqlite_store, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("UPDATE registrations SET x = ?", {}, Exception("database is locked"))

    monkeypatch.setattr(importer, "_upsert", broken)
    path = write(tmp_path, "a.csv", registrations_csv(registrations(2)))
    result = load(sqlite_store, [path], audit=ADMIN)
    assert result.store_error.code == "store_failed"
    assert result.store_error.reason() == ("The store could not be written (database is locked); nothing of this "
                                           "import was changed. Try again later.")
    assert [b.status for b in batches(sqlite_store)] == ["rejected"] and audits(sqlite_store)[0].status == 500
    monkeypatch.setattr(importer, "_upsert", lambda *a, **k: 1 / 0)
    assert load(sqlite_store, [path]).store_error.reason() == (
        "The import failed because of an error in the monitor (ZeroDivisionError); nothing was changed. "
        "The error was logged.")
    assert count(sqlite_store, Registration) == 0


def test_the_cli_shows_no_sql_and_records_every_rejected_import(sqlite_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh([]))
    path = write(tmp_path, "bezoek.csv", visits_csv("2013-03", "mrt 2013"))
    assert cli.main(["import", str(path), "--by", "beheerder", "--lang", "nl"]) == 1
    out = capsys.readouterr()
    assert "bezoek.csv:3 [maand] 'mrt 2013': 2013-03 komt meer dan eens voor" in out.err
    monkeypatch.setattr(importer, "_duplicate_hashes", lambda hashes: set())
    assert cli.main(["import", str(path), "--by", "beheerder"]) == 1
    out = capsys.readouterr()
    assert "The store refused the rows of lines 2-3" in out.err and "Nothing was changed: The store refused" in out.out
    assert not re.search(r"INSERT|\[SQL|Traceback|IntegrityError", out.out + out.err)
    assert [(a.target, a.status) for a in audits(sqlite_store)] == [("cli: bezoek.csv", 422), ("cli: bezoek.csv", 500)]
    assert [b.status for b in batches(sqlite_store)] == ["rejected", "rejected"]


# --- 6. one CSV writer for every download ------------------------------------------------------------------

def _cells(text: str, sep: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep) for c in row]


FORMULA = re.compile(r"^[=+\-@\t\r]")


@pytest.mark.parametrize("sep", [";", ","])
def test_the_writer_quotes_both_separators_and_neutralises_formulas(sep):
    texts = ["x;=1+1;y", "a,=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\";\"klik\")", "+31 6", "-2+3",
             "@SUM(A1)", "\tTAB", "\rCR", "line\n=2", 'x;"=1+1', "gewoon", "Noord-Nederland", "café"]
    text = csvfile.text([texts], sep=sep)
    for reader_sep in (";", ","):  # opened by the file's separator, and by the other locale's
        # a naive split, as a spreadsheet that ignores quotes inside a cell does
        pieces = [p.lstrip('"') for line in re.split(r"[\r\n]", text) for p in line.split(reader_sep)]
        assert not [p for p in pieces if FORMULA.match(p)], (reader_sep, pieces)
        assert not [c for c in _cells(text, reader_sep) if FORMULA.match(c)]
    back = _cells(text, sep)
    assert back[0] == "x;'=1+1;y" and back[2] == "'=HYPERLINK(\"http://evil.example\";\"klik\")"
    assert back[10:] == ["gewoon", "Noord-Nederland", "café"]
    assert text.startswith('"x;') and f'{sep}"a,' in text  # the other separator is quoted as well


def test_numbers_stay_numbers():
    text = csvfile.text([[-3, 2.5, csvfile.Number(12, 1), csvfile.Number(-1.25, 2), None, float("nan"), True, "-"]],
                        sep=";", decimal=",")
    assert text == "-3;2,5;12,0;-1,25;;;True;'-\r\n"
    assert csvfile.text([[2.5, csvfile.Number(7, 0)]], sep=",", decimal=".") == "2.5,7\r\n"
    with pytest.raises(ValueError):
        csvfile.Writer(io.StringIO(), sep="\t")


def test_every_csv_download_uses_the_one_writer():
    """No other module writes CSV: the standard csv module is only used to read imports."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")) + sorted((ROOT / "queries").rglob("*.py")):
        if path.name == "csvfile.py" or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_audit_log_csv_keeps_a_user_name_one_text_cell_in_dutch_excel(sqlite_store):
    audit_log.record(sqlite_store, Access("x;=1+1;y", None), "login_failed", "/,@evil")
    text = audit_log.export_csv(sqlite_store, ADMIN)
    header, line = text.splitlines()[:2]
    assert header == "at_utc,username,role,unit_code,action,target,scope,status"
    assert ',"x;\'=1+1;y",' in line and ',"/,\'@evil",' in line
    for sep in (",", ";"):
        assert not [c for c in _cells(text, sep) if FORMULA.match(c)]
        assert not [p for p in line.split(sep) if FORMULA.match(p.lstrip('"'))]


def test_the_import_report_quotes_commas_too():
    errors = [importer.RowError("a,b.csv", 7, "eenheid", "x,=1+1", "unknown_code", (("list", "unit"), ("hint", "")))]
    text = importer.report_csv(errors, "nl")
    line = text.splitlines()[1]
    assert line.startswith('"a,b.csv";7;eenheid;"x,\'=1+1";')
    assert not [p for p in line.split(",") if FORMULA.match(p.lstrip('"'))]


def test_the_api_csv_goes_through_the_writer(sqlite_store, monkeypatch):
    import pandas as pd

    from queries.catalogue import tables
    from queries.accounts import users

    # The published cells as the API reads them (the catalogue is not the point here): a category
    # that would be a formula after a ';' split, a shown count and a hidden one.
    cells = pd.DataFrame({"period": ["2014", "2014"], "category": ["x;=1+1", "total"], "value": [45.0, 3.0],
                          "suppressed": [False, True]})
    monkeypatch.setattr(tables, "published_table", lambda *a, **k: cells.copy())
    users.add_user(sqlite_store, "api-programme", "programme-pass-001", "programme")
    app = make_app(sqlite_store)
    client = app.server.test_client()
    calls = []
    real = csvfile.Writer.writerow
    monkeypatch.setattr(csvfile.Writer, "writerow", lambda self, row: (calls.append(self.sep), real(self, row)))
    response = client.get("/api/v1/tables/registrations?period=year&format=csv",
                          headers={"Authorization": basic_auth_header("api-programme", "programme-pass-001")})
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["category"], r["value"], r["suppressed"], r["display"]) for r in rows] == [
        ("x;'=1+1", "45.0", "False", "45"), ("total", "", "True", "*")]
    assert calls and set(calls) == {","}
    assert not [p for line in text.splitlines() for p in line.split(";") if FORMULA.match(p.lstrip('"'))]


# --- 7. a refresh that is due ------------------------------------------------------------------------------

def test_an_import_marks_a_refresh_due_and_a_refresh_clears_it(any_store, tmp_path):
    result = load(any_store, sorted(EXAMPLES.glob("*.csv")))  # no policy: loaded, not published
    assert result.committed and not result.refreshed
    due = refresh_due.due(any_store)
    changed = [f.batch_id for f in result.files if f.inserted or f.updated]
    assert due is not None and list(due.batches) == changed and due.by == ("tester",)
    assert "registrations.csv" in due.files
    run = catalogue.refresh(any_store, Policy(), today=TODAY)
    assert run.cells > 0 and refresh_due.due(any_store) is None


def test_dry_runs_and_rejected_imports_mark_nothing(any_store, tmp_path):
    good = write(tmp_path, "a.csv", registrations_csv(registrations(2)))
    bad = write(tmp_path, "b.csv", registrations_csv([registration(3, geslacht="Onzijdig")]))
    load(any_store, [good], dry_run=True)
    load(any_store, [good, bad])
    assert refresh_due.due(any_store) is None and count(any_store, RefreshDue) == 0
    load(any_store, [good])
    load(any_store, [good])  # the same again: unchanged, no new mark
    assert count(any_store, RefreshDue) == 1


def test_a_failed_refresh_keeps_the_mark_and_the_next_import_finishes_it(any_store, tmp_path, monkeypatch):
    path = write(tmp_path, "a.csv", registrations_csv(registrations(2)))
    monkeypatch.setattr(counting, "build_counts", lambda *a, **k: 1 / 0)  # the refresh dies half way
    crashed = load(any_store, [path], policy=Policy())
    assert crashed.committed and crashed.refresh_error and not crashed.refreshed
    assert [b.status for b in batches(any_store)] == ["loaded"] and refresh_due.due(any_store) is not None
    assert count(any_store, PublishedCell) == 0  # the refresh's transaction was rolled back, mark and all
    monkeypatch.undo()
    again = load(any_store, [path], policy=Policy())  # nothing new, but the due refresh is done
    assert again.changed == 0 and again.refreshed and again.refresh_was_due
    assert refresh_due.due(any_store) is None and count(any_store, PublishedCell) > 0


def test_a_load_during_a_refresh_keeps_its_mark(sqlite_store, tmp_path):
    load(sqlite_store, [write(tmp_path, "a.csv", registrations_csv(registrations(2)))])
    with sqlite_store.connect() as conn:
        published = refresh_due.seen(conn)  # a refresh starts: it will publish these
    load(sqlite_store, [write(tmp_path, "b.csv", registrations_csv(registrations(2, start=10)))])  # meanwhile
    with sqlite_store.begin() as conn:
        refresh_due.clear(conn, published)  # the refresh ends
    due = refresh_due.due(sqlite_store)
    assert due is not None and due.files == ("b.csv",)


def test_only_one_process_finishes_a_due_refresh(any_store, tmp_path, monkeypatch):
    load(any_store, [write(tmp_path, "a.csv", registrations_csv(registrations(2)))])
    calls = []
    monkeypatch.setattr(catalogue, "refresh", fake_refresh(calls))
    with refresh_due._start_lock(any_store) as mine:  # another worker is finishing it
        assert mine
        assert refresh_due.finish(any_store, "p") is False and calls == []
    assert refresh_due.finish(any_store, "p") is True and calls == ["p"]
    assert refresh_due.finish(any_store, "p") is False and calls == ["p"]  # nothing is due any more


def test_refresh_status_says_whether_one_is_due(sqlite_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    load(sqlite_store, [write(tmp_path, "aanmeldingen.csv", registrations_csv(registrations(2)))], user="hr-beheer")
    assert cli.main(["refresh", "--status"]) == 1
    out = capsys.readouterr().out
    assert "The published catalogue was never built." in out
    assert re.search(r"A refresh is due: rows loaded since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(import batch 1: "
                     r"aanmeldingen\.csv; by hr-beheer\) are not yet published\. Run `loket refresh`", out), out
    assert cli.main(["refresh"]) == 0
    capsys.readouterr()
    assert cli.main(["refresh", "--status"]) == 0
    out = capsys.readouterr().out
    assert "No refresh is due" in out and "The published catalogue was refreshed on" in out


def test_the_app_start_finishes_a_due_refresh_in_the_background(sqlite_store, tmp_path, monkeypatch):
    load(sqlite_store, [write(tmp_path, "a.csv", registrations_csv(registrations(2)))])
    started, release, calls = threading.Event(), threading.Event(), []
    publish = fake_refresh(calls)

    def slow_refresh(engine, policy):
        started.set()
        assert release.wait(30)
        publish(engine, policy)

    monkeypatch.setattr(catalogue, "refresh", slow_refresh)
    make_app(sqlite_store)
    assert started.wait(30)  # the refresh runs ...
    assert refresh_due.due(sqlite_store) is not None  # ... and the app was built before it ended
    release.set()
    for thread in threading.enumerate():
        if thread.name == "loket-due-refresh":
            thread.join(30)
    assert len(calls) == 1 and refresh_due.due(sqlite_store) is None
    make_app(sqlite_store)
    assert not [t for t in threading.enumerate() if t.name == "loket-due-refresh"] and len(calls) == 1


def test_a_real_refresh_at_app_start(sqlite_store, tmp_path):
    load(sqlite_store, sorted(EXAMPLES.glob("*.csv")))
    make_app(sqlite_store)
    for thread in threading.enumerate():
        if thread.name == "loket-due-refresh":
            thread.join(120)
    assert refresh_due.due(sqlite_store) is None and count(sqlite_store, CatalogueRefresh) == 1


def test_the_admin_pages_say_that_a_refresh_is_due(tmp_path, monkeypatch):
    engine = fresh_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    add_accounts(engine)
    app = make_app(engine)
    client = app.server.test_client()
    before = body_text(client.post("/_dash-update-component", json=router_body("/beheer/import"),
                                 headers=headers("admin")))
    assert t("admin_import.not_published", "nl") not in before
    result = load(engine, [write(tmp_path, "aanmeldingen.csv", registrations_csv(registrations(2)))])
    batch = result.files[0].batch_id
    for path in ("/beheer/import", "/beheer/logboek"):
        text = body_text(client.post("/_dash-update-component", json=router_body(path), headers=headers("admin")))
        assert f"de regels van import {batch} (aanmeldingen.csv, sinds" in text, path
    text = body_text(client.post("/_dash-update-component", json=router_body("/beheer/import"), headers=headers("admin")))
    assert f"{t('admin_import.status.loaded', 'nl')} ({t('admin_import.not_published', 'nl')})" in text
    with engine.begin() as conn:
        refresh_due.clear(conn, refresh_due.seen(conn))
    text = body_text(client.post("/_dash-update-component", json=router_body("/beheer/import"), headers=headers("admin")))
    assert "lopen achter" not in text and t("admin_import.not_published", "nl") not in text
