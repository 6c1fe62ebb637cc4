"""A chart's data as CSV (for Dutch Excel: `;`, a decimal comma, UTF-8 with a byte-order mark) and as a
workbook, from the card's typed table: numbers as numbers (counts, whole percentages, days), the
symbols as text, with the title, scope, period, data date and the rule above the table.

CSV goes through the one CSV writer of every download (`queries.store.csvfile`), which quotes
either separator and neutralises formulas, as the standard `csv` writer does not.
"""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard.exports.meta import Meta, definition_lines, header_lines, rule_lines
from dashboard.ui import event_marks
from dashboard.ui.cards import Card
from dashboard.ui.tables import Cell, Table
from dashboard.ui.texts import t
from queries.store import csvfile


def typed_header(table: Table, lang: str) -> list[str]:
    """Return a table's column headings, each numeric column with the unit of its values."""
    header = list(table.header)
    for j in range(1, len(header)):
        units = {row[j].unit for row in table.rows if j < len(row) and row[j].value is not None}
        if units == {"%"}:
            header[j] = f"{header[j]} (%)"
        elif units == {"days"}:
            header[j] = f"{header[j]} ({t('unit.days', lang)})"
    return header


def _csv_cell(cell: Cell):
    # A number as a number (the writer gives it the decimal comma, no grouping); a text (the
    # symbols, labels) as a text, which the writer quotes and keeps from running as a formula.
    return cell.text if cell.value is None else csvfile.Number(cell.value, cell.decimals)


def other_notes(card: Card, lang: str) -> list[str]:
    """Return a card's notes but its period (which the export states on its own)."""
    return [n for n in card.notes if n != t("note.period", lang).format(period=card.period_text)]


def event_lines(card: Card, lang: str) -> list[list[str]]:
    """Return one line per event a chart marks: its number, date (ISO), scope and text."""
    return [[t("export.event", lang).format(number=m.number), m.day.isoformat(), event_marks.scope_name(m.scope, lang),
             m.text] for m in card.events]


def chart_csv(card: Card, meta: Meta) -> bytes:
    """Return a chart's table as CSV for Dutch Excel, with the title, scope, period, data date and rule above it."""
    out = io.StringIO()
    writer = csvfile.Writer(out, sep=";", decimal=",")  # the one CSV writer of every download
    for line in header_lines(card.title, meta, card.period_text):
        writer.writerow(line)
    for line in event_lines(card, meta.lang):  # the CSV has no notes: the events the chart marks, as data
        writer.writerow(line)
    writer.writerow([])
    if card.table is not None:
        writer.writerow(typed_header(card.table, meta.lang))
        for row in card.table.rows:
            writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def _number_format(cell: Cell) -> str:
    base = "0" if cell.decimals == 0 else "0." + "0" * cell.decimals
    if cell.unit == "%":
        return base + '"%"'  # the whole percentage itself (25 is 25%), as on the page
    return "#,##0" if cell.decimals == 0 else "#,##0." + "0" * cell.decimals


class Sheets:
    """An openpyxl workbook with the monitor's sheet styles."""

    def __init__(self):
        self.book = Workbook()
        self._first = True
        self._names: set[str] = set()

        self._names: set[str] = set()

    def sheet(self, title: str):
        name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in self._names:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._names.add(name.lower())
        if self._first:
            ws = self.book.active
            ws.title = name
            self._first = False
        else:
            ws = self.book.create_sheet(name)
        return ws

    def info(self, ws, lines: list[list[str]], title: str) -> int:
        """Write the title and info lines at the top of a sheet; return the next free row."""
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        row = 2
        for label, value in lines:
            ws.cell(row=row, column=1, value=label).font = Font(bold=True)
            cell = ws.cell(row=row, column=2, value=value)
            cell.alignment = Alignment(wrap_text=False)
            row += 1
        return row + 1

    def table(self, ws, first_row: int, header: list[str], rows: list[list[Cell]]) -> int:
        """Write a table with numbers as numbers and symbols as right-aligned text; return the next row."""
        fill = PatternFill("solid", fgColor="E8EEF4")
        for j, text in enumerate(header, 1):
            cell = ws.cell(row=first_row, column=j, value=text)
            cell.font, cell.fill = Font(bold=True), fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(rows, first_row + 1):
            for j, c in enumerate(row, 1):
                if c.value is not None:
                    cell = ws.cell(row=i, column=j, value=int(c.value) if c.decimals == 0 else c.value)
                    cell.number_format = _number_format(c)
                else:
                    cell = ws.cell(row=i, column=j, value=c.text)
                    if j > 1:
                        cell.alignment = Alignment(horizontal="right")
        widths = [max([len(header[j])] + [len(r[j].text) for r in rows if j < len(r)]) for j in range(len(header))]
        for j, width in enumerate(widths, 1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(60, width + 2))
        ws.freeze_panes = ws.cell(row=first_row + 1, column=2)
        return first_row + len(rows) + 2

    def text(self, ws, first_row: int, lines: list[tuple[str, str]]) -> int:
        """Write (label, text) lines with wrapped text; return the next free row."""
        ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 34)
        ws.column_dimensions["B"].width = 110
        row = first_row
        for label, value in lines:
            ws.cell(row=row, column=1, value=label).font = Font(bold=True)
            cell = ws.cell(row=row, column=2, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=row, column=1).alignment = Alignment(vertical="top", wrap_text=True)
            row += 1
        return row + 1

    def bytes(self, meta: Meta, title: str) -> bytes:
        """Return the workbook as bytes, titled."""
        props = self.book.properties
        props.title, props.creator = title, t("app.title", meta.lang)
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def chart_sheet(sheets: Sheets, card: Card, meta: Meta, name: str | None = None) -> None:
    """Write a chart's sheet: its title, scope, period, data date, rule and notes above its table."""
    ws = sheets.sheet(name or card.title)
    lines = header_lines(card.title, meta, card.period_text)[1:]  # the title is the sheet's first line
    lines += [[t("export.notes", meta.lang), n] for n in other_notes(card, meta.lang)]
    row = sheets.info(ws, lines, card.title)
    if card.table is not None:
        sheets.table(ws, row, typed_header(card.table, meta.lang), card.table.rows)


def chart_xlsx(card: Card, meta: Meta) -> bytes:
    """Return a chart's table as a workbook: the data with the title and rule above it, and the rule in full."""
    sheets = Sheets()
    chart_sheet(sheets, card, meta, t("export.data", meta.lang))
    ws = sheets.sheet(t("export.rule", meta.lang))
    row = sheets.text(ws, 1, rule_lines(meta))
    if card.definition:
        sheets.text(ws, row, definition_lines(card.definition, meta.lang))
    return sheets.bytes(meta, card.title)
