"""What every export states and is named by: the caller's scope, periods, data date, demo or not and the
rule (`Meta`), file names, and the texts shared by the formats (legend, source line, cover lines).

Also the caller's context outside a page: the view of a page's URL and a request as the caller
(`as_caller`, for a job thread or the command line).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import re
import unicodedata
import urllib.parse
from typing import Callable, Iterator

import flask
import sqlalchemy as sa

from dashboard.ui import controls
from dashboard.ui.cards import period_range
from dashboard.ui.texts import LANG_COOKIE, MONTHS, TEXTS, fmt_period, release_note, rule_sentence, rule_text, t
from queries import catalogue
from queries.accounts.access import NATIONAL, Access
from queries.catalogue import indicators
from queries.privacy import Policy
from queries.store.codes import UNITS

IMAGE_FORMATS = ("png", "svg")
DATA_FORMATS = ("csv", "xlsx")
CHART_FORMATS = (*IMAGE_FORMATS, *DATA_FORMATS)
PACK_FORMATS = ("pptx", "pdf", "xlsx")
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}
# A downloaded image: 1280x720 layout pixels drawn at 1.5x, so 1920x1080 (full HD, 16:9).
IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_SCALE = 1280, 720, 1.5
# A chart on a slide or PDF page (the slide has the title and legend as text): 2:1, drawn at 1.5x.
# Drawn small and scaled up, so that its text is as large on the slide as the slide's own small print.
SLIDE_IMAGE_WIDTH, SLIDE_IMAGE_HEIGHT, SLIDE_IMAGE_SCALE = 1000, 500, 2
TEXT_COLOUR = "#1b1b1b"
MUTED_COLOUR = "#4a4a4a"


@dataclasses.dataclass(frozen=True)
class Meta:
    """The context every export states: whose scope, which periods, data up to when, demo or not, and the
    protection policy its rule text states (the app's, from its config)."""

    lang: str
    unit: str | None  # the unit of the view (None: the national figures)
    period_type: str
    start: str
    end: str
    data_until: str | None
    demo: bool
    made_on: dt.date
    policy: Policy
    release: int | None = None  # the catalogue release the figures come from

    @property
    def rule(self) -> str:
        """Return the privacy rule in one sentence, with the policy's numbers."""
        return rule_sentence(self.policy, self.lang)

    @property
    def scope(self) -> str:
        """Return the scope in words: national, or the unit with the national benchmark."""
        if self.unit is None:
            return t("scope.national", self.lang)
        return t("export.scope_unit", self.lang).format(unit=UNITS.label(self.unit, self.lang))

    @property
    def scope_slug(self) -> str:
        return slug(UNITS.label(self.unit, self.lang) if self.unit else t("scope.national", self.lang))

    @property
    def period(self) -> str:
        """Return the reported period (the range's last) in words."""
        return fmt_period(self.end, self.lang)

    @property
    def trend(self) -> str:
        """Return the range of the trends in words."""
        return period_range(fmt_period(self.start, self.lang), fmt_period(self.end, self.lang))

    @property
    def data_date(self) -> str:
        until = fmt_period(self.data_until, self.lang) if self.data_until else "–"
        return f"{t('app.data_until', self.lang)} {until}{release_note(self.release, self.lang)}"

    def scope_code(self) -> str:
        return self.unit or NATIONAL



Progress = Callable[[str, int, int], None]  # (step, done, total)


def no_progress(_step: str, _done: int, _total: int) -> None:
    """Report no progress (the default)."""
    return None


def slug(text: str, length: int = 60) -> str:
    """Return a file-name part: ASCII, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].strip("-") or "x"


def file_name(what: str, meta: Meta, periods: tuple[str, ...], ext: str) -> str:
    """Return a useful file name: what (indicator or pack), scope and period keys, e.g.
    loket_wachttijd-tot-eerste-intake_landelijk_2013-Q2_2014-Q1.png."""
    release = f"_r{meta.release}" if meta.release else ""
    return f"loket_{slug(what)}_{meta.scope_slug}_{'_'.join(periods) or 'x'}{release}.{ext}"


def pack_name(meta: Meta, fmt: str) -> str:
    """Return the file name of a steering pack."""
    return file_name(t("pack.heading", meta.lang), meta, (meta.end,), fmt)


def size_text(n: int) -> str:
    """Return a file size in words (kB or MB)."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, math.ceil(n / 1024))} kB"


def escape(text: str) -> str:
    """Return a text safe inside plotly's and reportlab's markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def legend_lines(meta: Meta) -> list[str]:
    """Return the legend every chart export states: the rule and the no-value symbol."""
    return [meta.rule, t("legend.no_value", meta.lang)]


def source_line(meta: Meta) -> str:
    """Return the source line: the monitor, the data date and "demo data" when so."""
    parts = [t("export.source", meta.lang), meta.data_date]
    if meta.demo:
        parts.append(t("app.demo", meta.lang))
    return " · ".join(parts)


def data_until(meta: Meta) -> str:
    """Return the month the data runs to, with the release."""
    return (fmt_period(meta.data_until, meta.lang) if meta.data_until else "–") + release_note(meta.release, meta.lang)


def header_lines(title: str, meta: Meta, period: str) -> list[list[str]]:
    """Return the lines above a chart's data: title, scope, period, data date and the rule."""
    lines = [[t("app.title", meta.lang), title],
             [t("export.scope", meta.lang), meta.scope],
             [t("export.period", meta.lang), period],
             [t("app.data_until", meta.lang), data_until(meta)],
             [t("export.rule", meta.lang), meta.rule],
             ["", t("legend.no_value", meta.lang)]]
    if meta.demo:
        lines.insert(1, [t("app.demo", meta.lang), ""])
    return lines


def cover_lines(meta: Meta) -> list[tuple[str, str]]:
    """Return the cover's facts: scope, period, range of the trends, data date and the day it was made."""
    made_on = f"{meta.made_on.day} {MONTHS[meta.lang][meta.made_on.month - 1]} {meta.made_on.year}"
    return [(t("export.scope", meta.lang), meta.scope),
            (t("export.period", meta.lang), meta.period),
            (t("export.trend", meta.lang), meta.trend),
            (t("app.data_until", meta.lang), data_until(meta)),
            (t("export.made_on", meta.lang), made_on)]


def definition_lines(key: str, lang: str) -> list[tuple[str, str]]:
    """Return an indicator's definition, numerator and denominator as (label, text) lines."""
    lines = [(t(f"ind.{key}", lang), t(f"ind.{key}.def", lang)),
             (f"  {t('definitions.numerator', lang)}", t(f"ind.{key}.num", lang))]
    den = t(f"ind.{key}.den", lang) if f"ind.{key}.den" in TEXTS else t("definitions.statistic", lang)
    lines.append((f"  {t('definitions.denominator', lang)}", den))
    return lines


def rule_lines(meta: Meta) -> list[tuple[str, str]]:
    """Return the privacy rule in full, its sentence and the no-value symbol as (label, text) lines."""
    lang = meta.lang
    return [(t("definitions.privacy", lang), rule_text(meta.policy, lang)),
            ("", meta.rule), ("", t("legend.no_value", lang))]


@contextlib.contextmanager
def as_caller(server: flask.Flask, access: Access, lang: str) -> Iterator[None]:
    """Run card code outside a web request (a job thread, the command line) as a caller would see it.

    The access is given, never read from the request: `current_access()` returns it.
    """
    with server.test_request_context("/", headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
        flask.g.loket_access = access
        yield


def view_for(engine: sa.Engine, access: Access, query: dict) -> controls.View | None:
    """Return the view of a page's query keys for a caller (a unit user's unit is always its own)."""
    return controls.view_from(query, access, indicators.published_periods(engine, access))


def meta_for(engine: sa.Engine, view: controls.View, lang: str, demo: bool, policy: Policy) -> Meta:
    """Return what the exports of a view state, with the release the catalogue publishes now."""
    with engine.connect() as conn:
        latest = catalogue.latest_refresh(conn)
    return Meta(lang, view.unit, view.period_type, view.start, view.end, latest.data_until if latest else None, demo,
                dt.date.today(), policy, latest.id if latest else None)


def query_of(search) -> dict:
    """Return the page's query keys from a URL's query string (anything else is ignored)."""
    if not isinstance(search, str):
        return {}
    pairs = urllib.parse.parse_qs(search.lstrip("?"), keep_blank_values=False)
    return {k: v[-1] for k, v in pairs.items() if k in controls.KEYS.values() and v}
