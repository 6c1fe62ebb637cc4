"""Numbers, periods and dates as the interface shows them, in Dutch (nl_NL) and English (en_GB), by Babel (CLDR)."""
from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern
from babel.units import format_unit

from queries.privacy import SYMBOL

LOCALES = {"nl": Locale.parse("nl_NL"), "en": Locale.parse("en_GB")}
NO_VALUE = "–"  # no clients in the period (a hidden figure is SYMBOL)
_ONE_DECIMAL = Decimal("0.1")

# CLDR abbreviates September in British English as "Sept"; the monitor has always said "Sep", and the
# exports read period labels back by these names, so that one CLDR name is replaced.
_KEPT_NAMES = {"en": {"Sept": "Sep"}}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _exact(value) -> Decimal:
    # Babel turns a float into a Decimal through str(), which rounds 0.35 up to 0.4; the exact binary value
    # (0.34999...) rounds half-even to 0.3, as Python's format() always did.
    return Decimal(int(value)) if isinstance(value, numbers.Integral) else Decimal(float(value))


@functools.cache  # parsed once: a page formats thousands of values
def _pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0." + "0" * decimals if decimals else "#,##0")


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """Format a number with Dutch (1.234,5) or English (1,234.5) separators; None as the symbol."""
    if _missing(value):
        return SYMBOL
    return format_decimal(_exact(value), _pattern(decimals), locale=LOCALES[lang])


def fmt_value(value: float | None, measure: str, lang: str, *, suppressed: bool = False) -> str:
    """Format a protected value for its measure (count, percent, days, ...): * when hidden, – when none."""
    if suppressed:
        return SYMBOL
    if _missing(value):
        return NO_VALUE
    return _formatted(value, measure, lang)


# Babel takes some 20 us a number and a page formats a thousand or more; published values are few distinct
# numbers (rounded counts, whole percents, days to a decimal), so a process formats each once.
@functools.lru_cache(maxsize=65536)
def _formatted(value: float, measure: str, lang: str) -> str:
    if measure == "count":
        return fmt_number(value, lang)
    if measure == "percent":
        return format_percent(_exact(value).scaleb(-2), locale=LOCALES[lang])
    if measure == "days":
        # Rounded first, so the plural follows the shown number: "1,0 dagen", never "1,0 dag".
        days = _exact(value).quantize(_ONE_DECIMAL)
        return format_unit(days, "duration-day", format=_pattern(1), locale=LOCALES[lang])
    return fmt_number(value, lang, 1)


def _date(day: dt.date, pattern: str, lang: str) -> str:
    text = format_date(day, pattern, locale=LOCALES[lang])
    for cldr, kept in _KEPT_NAMES.get(lang, {}).items():
        text = text.replace(cldr, kept)
    return text


@functools.lru_cache(maxsize=4096)  # a page labels the same few hundred periods over and over
def fmt_period(period: str, lang: str) -> str:
    """Format a period key (2014-03, 2014-Q1, 2014) for display (mrt 2014, 2014 K1, 2014)."""
    if "-Q" in period:
        return _date(dt.date(int(period[:4]), 3 * int(period[-1]) - 2, 1), "y QQQ", lang)
    if len(period) == 7:
        return _date(dt.date(int(period[:4]), int(period[5:7]), 1), "LLL y", lang)
    return period


def fmt_date(day: dt.date, lang: str) -> str:
    """Format a day (5 sep 2014, 5 Sep 2014)."""
    return _date(day, "d MMM y", lang)


MONTHS = {lang: tuple(_date(dt.date(2000, month, 1), "LLL", lang) for month in range(1, 13)) for lang in LOCALES}
