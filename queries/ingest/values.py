"""Parsing one value of an export file: codes and labels, yes/no, numbers, dates, months and ids."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from queries.ingest.contract import _fold
from queries.ingest.report import _Bad
from queries.store.codes import CodeList

LOKET_OPENED = dt.date(2012, 5, 1)  # the first unit (Noord-Nederland) got the Loket in May 2012
QUESTION_SEPARATOR = "|"


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


