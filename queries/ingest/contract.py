"""The data contract of the export files: their types, columns and accepted headers.

`docs/data-contract.md` describes it; the definitions here are its source of truth.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from queries.ingest.report import _FileError
from queries.store import codes
from queries.store.codes import CodeList
from queries.store.schema import Contact, Registration, Session, Survey, Unit, WebsiteVisits


def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


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

