"""What a steering pack holds (`Pack`: the key figures and the charts of every monitor page, as cards) and
the texts its formats share: the key-figure table, a chart's subtitle and speaker notes, and the
definitions per closing slide.
"""
from __future__ import annotations

import dataclasses

from dashboard.exports.csv_xlsx import other_notes
from dashboard.exports.meta import Meta, definition_lines, legend_lines
from dashboard.ui.cards import EXPECTED, KEY_FIGURE, Card, KeyFigure
from dashboard.ui.tables import Cell
from dashboard.ui.texts import TEXTS, t

DEFINITIONS_FIRST, DEFINITIONS_PER_SLIDE = 5, 12  # the first closing slide has the rule too


@dataclasses.dataclass
class Pack:
    """A steering pack: what it states, its key figures and charts, and (once drawn) the charts' images."""

    meta: Meta
    key_figures: list[KeyFigure]
    charts: list[Card]
    images: list[bytes] = dataclasses.field(default_factory=list)  # slide images, one per chart

    @property
    def definitions(self) -> list[str]:
        """Return the indicator keys of the pack's figures, in order, once each."""
        keys = [k.key for k in self.key_figures] + [c.definition for c in self.charts]
        return list(dict.fromkeys(k for k in keys if k))


def _explained(key: str | None) -> str | None:
    """Return a definition key that has a definition, else None."""
    return key if key and f"ind.{key}" in TEXTS else None


def key_figures(cards: list[Card]) -> list[KeyFigure]:
    """Return the key figures of a page's cards: its tiles, then every expected value not on a tile already
    (with its product or target group when it holds for one), with its latest figure and period."""
    tiles = [c.key_figure for c in cards if c.kind == KEY_FIGURE and not c.empty]
    out = list(tiles)
    on_tiles = {(k.key, k.expected.text if k.expected else None) for k in tiles}
    for card in cards:
        if card.kind != EXPECTED:
            continue
        for row in card.expected:
            key = _explained(row.definition)
            if row.for_all and (key, row.expected.text) in on_tiles:
                continue
            title = row.name if row.for_all else f"{row.name} ({row.holds_for})"
            out.append(KeyFigure(key, title, row.value, row.period if row.period != "–" else "", None, row.expected))
    return out


def key_figure_rows(pack: Pack) -> tuple[list[str], list[list[Cell]]]:
    """Return the key-figure table: indicator, value, period, (the benchmark for a unit) and expected value."""
    lang, unit = pack.meta.lang, pack.meta.unit
    header = [t("pack.indicator", lang), t("pack.value", lang), t("export.period", lang)]
    if unit:
        header.append(t("kpi.benchmark", lang))
    header.append(t("target.label", lang))
    rows = []
    for k in pack.key_figures:
        row = [Cell(k.title), k.value, Cell(k.period)]
        if unit:
            row.append(k.benchmark or Cell("–"))
        row.append(k.expected or Cell("–"))
        rows.append(row)
    return header, rows


def chart_subtitle(card: Card, meta: Meta) -> str:
    """Return a chart slide's subtitle: scope and period."""
    return " · ".join([meta.scope, f"{t('export.period', meta.lang)}: {card.period_text}"])


def chart_notes(card: Card, meta: Meta) -> str:
    """Return a chart slide's speaker notes: title, definition, notes, legend and data date."""
    lang = meta.lang
    lines = [card.title]
    if card.definition:
        lines += [f"{t('export.definition', lang)}: {t(f'ind.{card.definition}.def', lang)}"]
        lines += [f"{label.strip()}: {text}" for label, text in definition_lines(card.definition, lang)[1:]]
    lines += other_notes(card, lang)
    lines += ["", *legend_lines(meta), meta.data_date]
    return "\n".join(lines)


def definition_slides(pack: Pack) -> list[list[tuple[str, str]]]:
    """Return the definitions per closing slide: a few beside the rule, then a dozen a slide."""
    lang = pack.meta.lang
    items = [(t(f"ind.{key}", lang), t(f"ind.{key}.def", lang)) for key in pack.definitions]
    slides = [items[:DEFINITIONS_FIRST]]
    rest = items[DEFINITIONS_FIRST:]
    slides += [rest[i:i + DEFINITIONS_PER_SLIDE] for i in range(0, len(rest), DEFINITIONS_PER_SLIDE)]
    return slides
