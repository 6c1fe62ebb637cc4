"""The importer: valid files round-trip on SQLite and PostgreSQL, re-imports never duplicate, updates are
recorded with their batch, errors change nothing unless the valid rows are chosen, formats and codes."""
from __future__ import annotations

import datetime as dt
import string

import pytest
import sqlalchemy as sa

from queries.store import codes
from queries.ingest import importer
from queries.ingest.importer import KINDS, import_files
from queries.store.schema import (
    Contact, ImportBatch, PublishedCell, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)
from tests.import_corpus import (
    EXAMPLES, REG_HEADER, csv_text, fake_refresh, registration, registrations, registrations_csv, session, snapshot,
    xlsx_bytes,
)

TODAY = dt.date(2026, 11, 28)
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.csv"))


@pytest.fixture
def refreshes(monkeypatch):
    """Count catalogue refreshes instead of running them (the real one is tested once, on a small store)."""
    calls = []
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh(calls))
    return calls


def load(engine, files, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("user", "tester")
    return import_files(engine, files, **kw)


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def rows_of(engine, model, order=None):
    table = model.__table__
    with engine.connect() as conn:
        return conn.execute(sa.select(table).order_by(order if order is not None else table.primary_key.columns[0])).all()


# --- valid files round-trip ----------------------------------------------------------------------------

def test_the_example_files_round_trip(any_store, refreshes):
    result = load(any_store, ALL_EXAMPLES, policy="the-policy")
    assert result.committed and result.error_count == 0 and refreshes == ["the-policy"]
    by_kind = {f.kind: f for f in result.files}
    assert [f.kind for f in result.files] == ["units", "registrations", "sessions", "surveys", "contacts",
                                              "website_visits"]  # dependency order, whatever the given order
    assert {k: f.inserted for k, f in by_kind.items()} == {
        "units": 0, "registrations": 6, "sessions": 12, "surveys": 3, "contacts": 6, "website_visits": 5}
    assert by_kind["units"].updated == 13  # the code list's units existed; headcounts came with the file

    regs = {r.source_id: r for r in rows_of(any_store, Registration)}
    r1 = regs["R2013-0001"]
    assert (r1.registered_on, r1.target_group, r1.unit_code, r1.gender, r1.age_band, r1.channel, r1.found_via) == (
        dt.date(2013, 3, 4), "current_staff", "NN", "male", "35_44", "phone", "colleague")
    assert (r1.anonymity_wish, r1.anonymity_reason, r1.product, r1.first_intake_on, r1.closed_on) == (
        False, None, "short_term", dt.date(2013, 3, 11), dt.date(2013, 5, 22))
    assert (r1.sessions_count, r1.counsellor_changes, r1.tcl_done, r1.tcl_above_cutoff, r1.referral_outcome,
            r1.work_status) == (5, 0, True, True, "external_mental_health", "working")
    assert regs["R2013-0002"].anonymity_reason == "private" and regs["R2013-0002"].tcl_above_cutoff is None
    assert regs["R2014-0005"].unit_code == codes.UNKNOWN_UNIT
    questions = {}
    for q in rows_of(any_store, RegistrationQuestion):
        questions.setdefault(q.registration_id, set()).add(q.question_type)
    assert questions[r1.id] == {"ptsd_trauma", "workload"}
    assert questions[regs["R2013-0003"].id] == {"conflict_manager", "reorganisation", "organisational_stress"}
    assert questions[regs["R2013-0004"].id] == {"suicidal"}
    assert all(r.batch_id == by_kind["registrations"].batch_id for r in regs.values())

    sessions = rows_of(any_store, Session)
    assert len(sessions) == 12 and {s.registration_id for s in sessions[:5]} == {r1.id}
    assert sessions[4].evaluation_moment is True and sessions[2].mode == "phone"
    surveys = {s.source_id: s for s in rows_of(any_store, Survey)}
    assert surveys["Q-0001"].registration_id == r1.id and surveys["Q-0003"].registration_id is None
    assert (surveys["Q-0003"].grade, surveys["Q-0002"].work_resumed, surveys["Q-0002"].found_via) == (6, None, "website")
    contacts = {c.source_id: c for c in rows_of(any_store, Contact)}
    assert contacts["C-0001"].contacted_at == dt.datetime(2013, 3, 4, 9, 12)
    assert contacts["C-0004"].contacted_at == dt.datetime(2013, 3, 16, 2, 17, 30)
    assert contacts["C-0002"].unit_code is None and contacts["C-0003"].led_to_registration is True
    visits = rows_of(any_store, WebsiteVisits)
    assert [(v.month, v.visits, v.new_visits, v.returning_visits) for v in visits][:2] == [
        (dt.date(2012, 5, 1), 312, 275, 37), (dt.date(2012, 6, 1), 404, 352, 52)]
    assert [v.month.month for v in visits] == [5, 6, 7, 8, 9]
    units = {u.code: u for u in rows_of(any_store, Unit)}
    assert units["NN"].headcount == 4300 and units["NN"].rollout_on == dt.date(2012, 5, 1)
    assert units["UNK"].headcount is None and units["NN"].name_nl == "Noord-Nederland"
    assert len(units) == len(codes.UNITS.values)

    with any_store.connect() as conn:
        batches = conn.execute(sa.select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [(b.kind, b.status, b.imported_by, b.inserted) for b in batches][1:3] == [
        ("registrations", "loaded", "tester", 6), ("sessions", "loaded", "tester", 12)]
    assert all(len(b.file_hash) == 64 and b.finished_at >= b.started_at for b in batches)


def test_the_same_files_twice_change_nothing_the_second_time(any_store, refreshes, tmp_path):
    load(any_store, ALL_EXAMPLES, policy="p")
    before = snapshot(any_store)
    second = load(any_store, ALL_EXAMPLES, policy="p")
    assert second.committed and second.changed == 0 and refreshes == ["p"]  # no second refresh
    assert all(f.status == "unchanged" and f.inserted == f.updated == 0 and f.unchanged == f.rows
               for f in second.files)
    assert all(f.seen_before for f in second.files)  # the same file hashes were loaded before
    assert snapshot(any_store) == before
    # and the same data in another format (XLSX) and another encoding changes nothing either
    cp1252 = write(tmp_path, "aanmeldingen.csv", (EXAMPLES / "registrations.csv").read_text("utf-8-sig")
                   .encode("cp1252"))
    # (one at a time: in one import, the same ids in two files reject each other)
    others = [load(any_store, [path], policy="p") for path in (EXAMPLES / "registrations.xlsx", cp1252)]
    assert [f.unchanged for r in others for f in r.files] == [6, 6] and sum(r.changed for r in others) == 0
    assert snapshot(any_store) == before


def test_an_updated_file_updates_changed_rows_and_records_the_batch(any_store, refreshes, tmp_path):
    first = load(any_store, [write(tmp_path, "a.csv", registrations_csv(registrations(5)))])
    first_batch = first.files[0].batch_id
    rows = registrations(5)
    rows[1] = registration(2, datum_afsluiting="01-06-2013", verwijzing="Huisarts", werkstatus="Verzuim")
    rows[3] = registration(4, vraagtypen="Werkdruk")  # only the question types change
    rows.append(registration(6))
    second = load(any_store, [write(tmp_path, "b.csv", registrations_csv(rows))], policy="p")
    f = second.files[0]
    assert (f.inserted, f.updated, f.unchanged, f.status) == (1, 2, 3, "loaded") and refreshes == ["p"]
    regs = {r.source_id: r for r in rows_of(any_store, Registration)}
    assert len(regs) == 6
    assert (regs["N000002"].closed_on, regs["N000002"].referral_outcome) == (dt.date(2013, 6, 1), "external_gp")
    assert regs["N000002"].batch_id == regs["N000004"].batch_id == regs["N000006"].batch_id == f.batch_id
    assert regs["N000001"].batch_id == first_batch  # unchanged rows keep the batch that brought them
    with any_store.connect() as conn:
        q = conn.execute(sa.select(RegistrationQuestion.question_type)
                         .where(RegistrationQuestion.registration_id == regs["N000004"].id)).scalars().all()
        total_q = conn.execute(sa.select(sa.func.count()).select_from(RegistrationQuestion)).scalar_one()
    assert q == ["workload"] and total_q == 2 + 1 + 2 + 1 + 2 + 1  # odd ids have two question types


def test_errors_change_nothing_unless_the_valid_rows_are_chosen(any_store, refreshes, tmp_path):
    rows = registrations(4) + [registration(5, geslacht="Onzijdig")]
    path = write(tmp_path, "a.csv", registrations_csv(rows))
    refused = load(any_store, [path], policy="p")
    assert not refused.committed and refused.files[0].status == "rejected" and refreshes == []
    assert rows_of(any_store, Registration) == []
    partial = load(any_store, [path], policy="p", valid_only=True)
    f = partial.files[0]
    assert partial.committed and (f.rows, f.rejected, f.inserted, f.status) == (5, 1, 4, "partial")
    assert partial.error_count == 1 and partial.errors[0].line == 6 and refreshes == ["p"]
    assert sorted(r.source_id for r in rows_of(any_store, Registration)) == [f"N00000{i}" for i in range(1, 5)]
    with any_store.connect() as conn:
        statuses = conn.execute(sa.select(ImportBatch.status, ImportBatch.rejected).order_by(ImportBatch.id)).all()
    assert [tuple(s) for s in statuses] == [("rejected", 1), ("partial", 1)]


def test_a_dry_run_changes_nothing_but_counts_what_a_load_would_do(any_store, refreshes, tmp_path):
    load(any_store, [write(tmp_path, "a.csv", registrations_csv(registrations(3)))])
    before = snapshot(any_store)
    with any_store.connect() as conn:
        batches = conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar_one()
    rows = registrations(3) + [registration(4)]
    rows[0] = registration(1, product="Crisisondersteuning")
    dry = load(any_store, [write(tmp_path, "b.csv", registrations_csv(rows))], dry_run=True, policy="p")
    f = dry.files[0]
    assert not dry.committed and dry.dry_run and (f.inserted, f.updated, f.unchanged) == (1, 1, 2)
    assert snapshot(any_store) == before and refreshes == []
    with any_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar_one() == batches


def test_one_bad_file_keeps_every_file_of_the_import_out(any_store, tmp_path):
    good = write(tmp_path, "good.csv", registrations_csv(registrations(3)))
    bad = write(tmp_path, "bad.csv", csv_text(["gesprek_id", "aanmelding_id", "datum", "vorm", "hulpverlener_id",
                                                "evaluatiemoment"], [session(1, "N000001", datum="01-01-2099")]))
    result = load(any_store, [good, bad])
    assert not result.committed and [f.status for f in result.files] == ["not_loaded", "rejected"]
    assert rows_of(any_store, Registration) == []


def test_sessions_and_surveys_find_registrations_of_the_same_import(any_store, tmp_path):
    sessions = write(tmp_path, "s.csv", csv_text(
        ["gesprek_id", "aanmelding_id", "datum", "vorm", "hulpverlener_id", "evaluatiemoment"],
        [session(1, "N000001", datum="10-01-2013"), session(2, "N000002", datum="2013-01-20", vorm="video")]))
    regs = write(tmp_path, "r.csv", registrations_csv(registrations(2)))
    result = load(any_store, [sessions, regs])  # given in the "wrong" order
    assert result.committed and [f.kind for f in result.files] == ["registrations", "sessions"]
    ids = {r.source_id: r.id for r in rows_of(any_store, Registration)}
    assert [(s.registration_id, s.mode) for s in rows_of(any_store, Session)] == [
        (ids["N000001"], "face_to_face"), (ids["N000002"], "video")]


def test_new_rows_after_an_import_get_fresh_ids(any_store, tmp_path):
    load(any_store, [write(tmp_path, "a.csv", registrations_csv(registrations(3)))])
    with any_store.begin() as conn:  # the store's own id generation still works after the import
        conn.execute(sa.insert(Registration).values(**{k: v for k, v in _db_row().items()}))
    load(any_store, [write(tmp_path, "b.csv", registrations_csv(registrations(2, start=10)))])
    ids = [r.id for r in rows_of(any_store, Registration)]
    assert len(ids) == len(set(ids)) == 6


def _db_row() -> dict:
    return dict(source_id="DIRECT-1", registered_on=dt.date(2013, 5, 1), target_group="manager", unit_code="NN",
                gender="male", age_band="35_44", channel="phone", found_via="colleague", anonymity_wish=False,
                product="crisis", sessions_count=0, counsellor_changes=0, tcl_done=False)


def test_the_catalogue_is_refreshed_after_a_real_import(sqlite_store, tmp_path):
    from dashboard.config import Config
    from dashboard.web.runtime import policy_from

    result = load(sqlite_store, ALL_EXAMPLES, policy=policy_from(Config.from_overrides({})))
    assert result.refreshed and result.refresh_seconds >= 0
    with sqlite_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PublishedCell)).scalar_one() > 0


def test_a_failed_refresh_does_not_hide_that_the_data_were_loaded(sqlite_store, tmp_path, monkeypatch):
    def broken(engine, policy):
        raise RuntimeError("catalogue busy")

    monkeypatch.setattr(importer, "refresh_catalogue", broken)
    result = load(sqlite_store, [write(tmp_path, "a.csv", registrations_csv(registrations(2)))], policy="p")
    assert result.committed and not result.refreshed and result.refresh_error == "RuntimeError: catalogue busy"
    assert len(rows_of(sqlite_store, Registration)) == 2


def test_a_dry_run_reports_checked_or_rejected(sqlite_store, tmp_path):
    good = write(tmp_path, "a.csv", registrations_csv(registrations(2)))
    bad = write(tmp_path, "b.csv", b"")
    result = load(sqlite_store, [good, bad], dry_run=True)
    assert [f.status for f in result.files] == ["checked", "rejected"]


# --- formats ---------------------------------------------------------------------------------------------

ENGLISH_HEADER = [c.name for c in KINDS["registrations"].columns]


def _english(row: dict) -> dict:
    """A registration row as an English export: codes, ISO dates, yes/no."""
    lists = {"doelgroep": codes.TARGET_GROUPS, "eenheid": codes.UNITS, "geslacht": codes.GENDERS,
             "leeftijdsklasse": codes.AGE_BANDS, "kanaal": codes.CHANNELS, "bekend_via": codes.FOUND_VIA,
             "reden_anonimiteit": codes.ANONYMITY_REASONS, "product": codes.PRODUCTS,
             "verwijzing": codes.REFERRAL_OUTCOMES, "werkstatus": codes.WORK_STATUSES}
    out = {}
    for nl, en in zip(REG_HEADER, ENGLISH_HEADER):
        value = row[nl]
        if nl in lists and value:
            value = lists[nl].lookup(value)
        elif nl == "vraagtypen" and value:
            value = "|".join(codes.QUESTION_TYPES.lookup(v) for v in value.split("|"))
        elif nl.startswith(("aanmelddatum", "datum_")) and value:
            d, m, y = value.split("-")
            value = f"{y}-{m}-{d}"
        elif value in ("ja", "nee"):
            value = {"ja": "yes", "nee": "no"}[value]
        out[en] = value
    return out


@pytest.mark.parametrize("variant", ["utf-8 with BOM", "utf-8", "windows-1252", "comma, English, ISO", "xlsx",
                                     "LF line ends", "quoted fields"])
def test_every_format_gives_the_same_rows(sqlite_store, tmp_path, variant):
    rows = registrations(4, vraagtypen="Suïcidaal gedrag|Werkdruk", anonimiteitswens="ja",
                         reden_anonimiteit="Privézaak")
    reference = load(sqlite_store, [write(tmp_path, "ref.csv", registrations_csv(rows))])
    assert reference.files[0].inserted == 4
    text = csv_text(REG_HEADER, rows)
    data = {
        "utf-8 with BOM": text.encode("utf-8-sig"),
        "utf-8": text.encode("utf-8"),
        "windows-1252": text.encode("cp1252"),
        "comma, English, ISO": csv_text(ENGLISH_HEADER, [_english(r) for r in rows], ",").encode("utf-8"),
        "xlsx": xlsx_bytes(REG_HEADER, [[r[h] for h in REG_HEADER] for r in rows]),
        "LF line ends": text.replace("\r\n", "\n").encode("utf-8"),
        "quoted fields": "\r\n".join(";".join(f'"{v}"' for v in line.split(";"))
                                     for line in text.strip().split("\r\n")).encode("utf-8"),
    }[variant]
    result = load(sqlite_store, [write(tmp_path, "v.xlsx" if variant == "xlsx" else "v.csv", data)])
    assert result.error_count == 0, [str(e) for e in result.errors]
    assert (result.files[0].unchanged, result.changed) == (4, 0)


def test_xlsx_cells_of_every_type(sqlite_store, tmp_path):
    row = registration(1)
    cells = [row[h] for h in REG_HEADER]
    cells[1] = dt.datetime(2013, 1, 2)              # a date cell
    cells[12] = dt.datetime(2013, 1, 9, 0, 0)       # a date cell at midnight
    cells[14] = 1.0                                  # a number cell (sessions)
    cells[15] = 0                                    # an integer cell
    cells[16] = True                                 # a boolean cell
    data = xlsx_bytes(REG_HEADER, [cells, [None] * len(REG_HEADER)])  # and an empty row at the end
    result = load(sqlite_store, [write(tmp_path, "x.xlsx", data)])
    assert result.committed and result.files[0].inserted == 1, [str(e) for e in result.errors]
    (reg,) = rows_of(sqlite_store, Registration)
    assert (reg.registered_on, reg.first_intake_on, reg.sessions_count, reg.tcl_done) == (
        dt.date(2013, 1, 2), dt.date(2013, 1, 9), 1, True)


def test_empty_rows_and_trailing_separators_are_ignored(sqlite_store, tmp_path):
    text = csv_text(REG_HEADER, registrations(2)).replace("\r\n", ";;\r\n") + ";;;;\r\n\r\n"
    result = load(sqlite_store, [write(tmp_path, "a.csv", text)])
    assert result.committed and result.files[0].rows == 2


def test_the_type_can_be_given(sqlite_store, tmp_path):
    path = write(tmp_path, "a.csv", registrations_csv(registrations(2)))
    assert load(sqlite_store, [path], kind="registrations").committed
    wrong = load(sqlite_store, [path], kind="sessions")
    assert not wrong.committed and wrong.errors[0].code == "missing_columns"
    with pytest.raises(ValueError):
        load(sqlite_store, [path], kind="clients")


# --- values ----------------------------------------------------------------------------------------------

def _parse(parser, text):
    try:
        return parser(text)
    except importer._Bad as bad:
        return bad.code


def test_dates():
    parse = importer._date(TODAY)
    assert parse("04-03-2013") == parse("2013-03-04") == parse("4-3-2013") == parse("04/03/2013") \
        == parse("04.03.2013") == parse("04-03-2013 00:00") == parse("2013-03-04 00:00:00") == dt.date(2013, 3, 4)
    for text, code in [("31-02-2014", "no_such_date"), ("2014-02-30", "no_such_date"), ("04-03-13", "two_digit_year"),
                       ("03/25/2014", "no_such_date"), ("gisteren", "not_date"), ("04-03-2013 10:15", "not_date"),
                       ("01-01-2999", "future"), ("30-04-2012", "too_early"), ("2013-3-4x", "not_date")]:
        assert _parse(parse, text) == code, text
    stamp = importer._datetime(TODAY)
    assert stamp("04-03-2013 09:12") == stamp("2013-03-04T09:12:00") == dt.datetime(2013, 3, 4, 9, 12)
    assert _parse(stamp, "04-03-2013 25:00") == "not_datetime" and _parse(stamp, "2013-03-04") == "not_datetime"
    month = importer._month(TODAY)
    assert month("2014-03") == month("03-2014") == month("mrt 2014") == month("maart 2014") == month("Mar 2014") \
        == month("01-03-2014") == month("2014-03-01 00:00:00") == dt.date(2014, 3, 1)
    assert _parse(month, "2014-13") == "not_month" and _parse(month, "brumaire 2014") == "not_month"


def test_numbers_follow_the_files_decimal_mark():
    dutch, english = importer._integer(0, 1_000_000, True), importer._integer(0, 1_000_000, False)
    assert dutch("4.300") == dutch("4300") == dutch("4300,0") == 4300
    assert english("4,300") == english("4300.0") == 4300
    assert _parse(dutch, "4,5") == _parse(english, "4.5") == "not_integer"
    assert _parse(english, "4.300") == "not_integer"  # 4.3 in an English file
    assert _parse(dutch, "-3") == "out_of_range" and _parse(dutch, "1.000.001") == "out_of_range"
    assert _parse(importer._integer(1, 10, True), "0") == "out_of_range"


def test_yes_no_and_ids():
    assert all(importer._bool(v) is True for v in ("ja", "Ja", "JA", "j", "yes", "Y", "1", "true", "WAAR", "x"))
    assert all(importer._bool(v) is False for v in ("nee", "N", "no", "0", "false", "ONWAAR"))
    assert _parse(importer._bool, "misschien") == "not_bool"
    ident = importer._identifier(64)
    assert ident("R2013-0001") == "R2013-0001" and ident("a.b_c/d:e") == "a.b_c/d:e"
    for text in ("=1+1", "-R1", "R 1", "R1\n", "Ré1", "x" * 65, "_R1"):
        assert _parse(ident, text) == "bad_id", text


def test_codes_accept_codes_and_dutch_and_english_labels():
    lookup = importer._Codes(codes.TARGET_GROUPS).parser()
    assert {lookup(v) for v in ("family", "Partner, familie of kind", "partner, family or child",
                                "  PARTNER,  familie of KIND ")} == {"family"}
    questions = importer._Codes(codes.QUESTION_TYPES).parser()
    assert questions("Suicidaal gedrag") == questions("suïcidaal gedrag") == "suicidal"  # accents optional
    products = importer._Codes(codes.PRODUCTS).parser()
    assert products("2") == products("Kortdurende hulp") == products("2 Short-term help") == "short_term"
    assert _parse(lookup, "Politieagent") == "unknown_code"
    with pytest.raises(importer._Bad) as bad:
        questions("SuÃ¯cidaal gedrag")
    assert "Windows-1252" in bad.value.params["hint"]


@pytest.mark.parametrize("name", list(codes.CODE_LISTS))
def test_no_label_names_two_codes(name):
    """A label that meant two codes of one list would make an import ambiguous."""
    seen: dict[str, str] = {}
    for c in codes.CODE_LISTS[name]:
        for text in {c.code, c.nl, c.en}:
            key = importer._fold(text)
            assert seen.setdefault(key, c.code) == c.code, f"{name}: {text!r} names {seen[key]} and {c.code}"


def test_headers_in_dutch_or_english_any_order_and_case(sqlite_store, tmp_path):
    header = [h.upper() for h in reversed(ENGLISH_HEADER)]
    rows = [{h.upper(): v for h, v in _english(r).items()} for r in registrations(2)]
    result = load(sqlite_store, [write(tmp_path, "a.csv", csv_text(header, rows, ","))])
    assert result.committed and result.files[0].inserted == 2


# --- the report ------------------------------------------------------------------------------------------

def test_the_report_is_a_spreadsheet_safe_csv():
    errors = [importer.RowError("a.csv", 7, "aanmelding_id", '=HYPERLINK("http://x";"y")', "formula", (("char", "="),)),
              importer.RowError("a.csv", 8, "eenheid", "@cmd\x07", "unknown_code", (("list", "unit"), ("hint", ""))),
              importer.RowError("b.csv", 0, "", "", "empty_file")]
    text = importer.report_csv(errors, "nl")
    assert text.startswith("\ufeffbestand;regel;kolom;waarde;reden\r\n")
    lines = text[1:].splitlines()
    assert lines[1].startswith("a.csv;7;aanmelding_id;\"'=HYPERLINK(") and "formule-injectie" in lines[1]
    assert ";'@cmd?;" in lines[2]
    assert lines[3].startswith("b.csv;;;;Het bestand is leeg.")
    assert "The file is empty." in importer.report_csv(errors[2:], "en")
    assert str(errors[0]).startswith("a.csv:7: column aanmelding_id value '=HYPERLINK")


def test_every_reason_has_both_languages_and_fills_its_template():
    for code, (en, nl) in importer.REASONS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(nl) if f}, code
        assert importer.RowError("f", 1, "c", "v", code, tuple((f, "x") for f in fields)).reason("nl")


def test_recent_batches_newest_first(sqlite_store, tmp_path):
    load(sqlite_store, [write(tmp_path, "a.csv", registrations_csv(registrations(2)))])
    load(sqlite_store, [write(tmp_path, "b.csv", b"")])
    batches = importer.recent_batches(sqlite_store)
    assert [(b["filename"], b["status"]) for b in batches] == [("b.csv", "rejected"), ("a.csv", "loaded")]


def test_examples_exist_for_every_file_type():
    found = set()
    for path in EXAMPLES.iterdir():
        reader = importer.open_file(path)
        try:
            found.add(importer.detect_kind(reader.header)[0].name)
        finally:
            reader.close()
    assert found == set(KINDS)


def test_reader_handles_a_file_of_only_a_bom(tmp_path):
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbf")
    with pytest.raises(importer._FileError) as exc:
        importer.open_file(path)
    assert exc.value.code == "empty_file"
