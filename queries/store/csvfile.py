"""The one CSV writer of every download: chart data, the API's tables, the audit log, the import report.

Spreadsheets open a CSV by the locale's list separator, not by the file's: Dutch Excel splits on `;`,
English Excel on `,`. A text that holds the *other* separator is then split into cells, and a
cell that starts with `=`, `+`, `-` or `@` runs as a formula (CSV injection). A user name like
`x;=1+1;y` in a `,`-separated file was such a formula in Dutch Excel. So every writer here:

* quotes a text that holds either separator (`;` or `,`), a quote, a tab or a line end, whatever
  the file's own separator is, doubling its quotes (RFC 4180; the standard `csv` module reads it
  back, but its writer quotes only for its own delimiter, hence this one);
* neutralises formulas as OWASP advises: a text starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return gets a `'` in front, and so does every part of it that would start a cell when a
  spreadsheet splits the text at a separator or line end anyway (Excel honours quotes only at the
  start of a cell, so `"x;=1+1"` read with the other separator still yields a cell `=1+1`);
* replaces other control characters and undecodable bytes by `?`.

Numbers are not text: ints and floats (and `Number`, with a fixed count of decimals) are written
as numbers with the file's decimal mark and no grouping, never quoted or prefixed, so a negative
count stays a number. `None` and NaN are empty cells.
"""
from __future__ import annotations

import dataclasses
import io
import math
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_NEEDS_QUOTES = re.compile(r'[;,"\t\r\n]')
# A formula start at the beginning of the text, or just after a separator or line end (optionally
# behind quotes, which a spreadsheet then opens as a quoted cell of its own).
_CELL_START = re.compile(r'(?:^|(?<=[;,\t\r\n]))("*)(?=[=+\-@\t\r])')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclasses.dataclass(frozen=True)
class Number:
    """A number written with exactly `decimals` decimals (e.g. 12,0 for a median of days)."""

    value: float
    decimals: int = 0


def neutralised(text: str) -> str:
    """Return a text as a spreadsheet shows it as text: no formula anywhere a cell could start."""
    text = _CONTROL.sub("?", text)
    return _CELL_START.sub(lambda m: m.group(1) + "'", text)


def _scalar(value):
    # numpy and pandas scalars (numpy.int64, numpy.bool_, ...) as the Python value they hold
    item = getattr(value, "item", None)
    return item() if item is not None and type(value).__module__ == "numpy" else value


class Writer:
    """Writes rows of cells as CSV text to a text file (opened with newline="")."""

    def __init__(self, fp, *, sep: str = ";", decimal: str | None = None, bom: bool = False,
                 line_end: str = "\r\n"):
        if sep not in (";", ","):
            raise ValueError(f"a CSV for spreadsheets is ';'- or ','-separated, not {sep!r}")
        decimal = decimal or ("," if sep == ";" else ".")  # Dutch Excel: ';' and a decimal comma
        if decimal == sep:
            raise ValueError("the decimal mark cannot be the separator")
        self.fp, self.sep, self.decimal, self.line_end = fp, sep, decimal, line_end
        if bom:
            fp.write(BOM)

    def cell(self, value) -> str:
        """Return one cell as it is written (quoted when needed)."""
        value = _scalar(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "True" if value else "False"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return "" if math.isnan(value) else repr(value).replace(".", self.decimal)
        if isinstance(value, Number):
            if value.value is None or math.isnan(value.value):
                return ""
            return f"{value.value:.{value.decimals}f}".replace(".", self.decimal)
        text = neutralised(str(value))
        if _NEEDS_QUOTES.search(text) or text != text.strip(" "):
            return '"' + text.replace('"', '""') + '"'
        return text

    def writerow(self, row) -> None:
        self.fp.write(self.sep.join(self.cell(v) for v in row) + self.line_end)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def text(rows, **options) -> str:
    """Return rows as CSV text (options as for `Writer`)."""
    out = io.StringIO()
    Writer(out, **options).writerows(rows)
    return out.getvalue()
