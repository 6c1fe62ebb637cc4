"""Reading export files: CSV (sniffed encoding and separator) or XLSX, streamed row by row."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from queries.ingest.contract import KINDS, _header_key
from queries.ingest.report import _FileError

SNIFF_BYTES = 1 << 20               # bytes read to recognise the file's format and encoding


@dataclass
class _Reader:
    """The rows of one file: its header and then (line, fields) pairs, streamed."""

    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]
    dutch_numbers: bool
    encoding: str
    position: Callable[[], float]   # fraction of the file read (for progress)
    close: Callable[[], None]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _sniff(head: bytes) -> str:
    """Return the file's format: 'xlsx' or the encoding of a CSV; raise _FileError for anything else."""
    if not head:
        raise _FileError("empty_file")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _FileError("old_excel")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head[1:4:2] == b"\0\0" and head[0] and head[2]):
        raise _FileError("utf16")
    if b"\0" in head:
        raise _FileError("binary")
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = head.decode(encoding, errors="replace")
    if not text.strip():
        raise _FileError("empty_file")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200) or _CONTROL.search(text.split("\n", 1)[0]):
        raise _FileError("binary")
    return encoding


def _separator(first_line: str) -> str:
    counts = {sep: 0 for sep in ";,\t|"}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    if counts[";"] or counts[","]:
        return ";" if counts[";"] >= counts[","] else ","
    if counts["\t"]:
        raise _FileError("separator", 1, sep="tabs")
    if counts["|"]:
        raise _FileError("separator", 1, sep="'|'")
    return ";"


# Excel's own hint for the separator, as a first line: `sep=;` (when a user typed it into A1 and
# saved again, Excel quotes it and pads the row: `"sep=;";;;`).
_SEP_LINE = re.compile(r'"?sep=(.)"?[;,]*\r?\n?$', re.IGNORECASE | re.DOTALL)


def _open_csv(path: Path, encoding: str) -> _Reader:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the reader's close()
    text = None
    try:
        size = max(path.stat().st_size, 1)
        text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        first = text.readline()
        hint = _SEP_LINE.match(first)
        skipped = 0  # lines before the header (line numbers stay those of the file)
        if hint is not None:
            sep, skipped = hint.group(1), 1
            if sep not in ";,":
                raise _FileError("separator", 1, sep="tabs" if sep == "\t" else repr(sep))
        else:
            sep = _separator(first)
            text.seek(0)
        reader = csv.reader(text, delimiter=sep, quotechar='"', doublequote=True, strict=False)
        try:
            header = next(reader)
        except StopIteration:
            raise _FileError("empty_file") from None
        except csv.Error as exc:
            raise _FileError("malformed_csv", 1 + skipped, detail=str(exc)) from None
    except BaseException:
        (text or raw).close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num
        while True:
            start = line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _FileError("malformed_csv", start + skipped, detail=str(exc)) from None
            line = reader.line_num
            yield start + skipped, fields

    return _Reader(header, 1 + skipped, rows(), sep == ";",
                   encoding.replace("-sig", "").upper().replace("CP", "Windows-"),
                   lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0, text.close)


def _cell_text(value) -> str:
    """One XLSX cell as the text a CSV export would hold (dates ISO, numbers plain)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _sheet_kind(title: str) -> str | None:
    """Return the file type a worksheet is named after (its English or Dutch name, in any case), or None."""
    key = _header_key(title)
    return next((k.name for k in KINDS.values() if key in (k.name, _header_key(k.nl))), None)


def _sheets(book, forced: str | None) -> list:
    """The worksheets the data may be on, in order; the first of them that holds a value is read.

    The rule (docs/data-contract.md, "XLSX"): the sheet named after the file type (`Aanmeldingen`,
    `registrations`; with --kind, the sheet named after that type); when no sheet is named after a
    type, the first visible sheet that is not empty (an export may put its data on `Blad2`). A
    workbook with sheets named after several types is refused: one file holds one type.
    """
    sheets = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"] or book.worksheets
    named: dict[str, list] = {}
    for sheet in sheets:
        kind = _sheet_kind(sheet.title)
        if kind is not None:
            named.setdefault(kind, []).append(sheet)
    if forced is not None and forced in named:
        return named[forced][:1]
    if forced is None and len(named) > 1:
        raise _FileError("several_sheets", sheets=", ".join(s.title for group in named.values() for s in group))
    if forced is None and named:
        return next(iter(named.values()))[:1]
    return list(sheets)


def _open_xlsx(path: Path, forced: str | None = None) -> _Reader:
    if not zipfile.is_zipfile(path):
        raise _FileError("not_xlsx")
    with zipfile.ZipFile(path) as zf:
        if "xl/workbook.xml" not in zf.namelist():
            raise _FileError("not_xlsx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any damage in the workbook: a clear file error
        raise _FileError("bad_xlsx", detail=type(exc).__name__) from None
    try:
        header, header_line = None, 0
        for sheet in _sheets(book, forced):
            values = sheet.iter_rows(values_only=True)
            for number, row in enumerate(values, start=1):
                texts = [_cell_text(v) for v in row]
                if any(t.strip() for t in texts):
                    header, header_line = texts, number
                    break
            if header is not None:
                break
        if header is None:
            raise _FileError("empty_file")
        total = max(sheet.max_row or 1, 1)
        while header and not header[-1].strip():
            header.pop()
    except _FileError:
        book.close()
        raise
    except Exception as exc:  # noqa: BLE001
        book.close()
        raise _FileError("bad_xlsx", detail=type(exc).__name__) from None
    done = [header_line]
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=header_line + 1):
                done[0] = number
                fields = [_cell_text(v) for v in row]
                if len(fields) < width:
                    fields += [""] * (width - len(fields))
                yield number, fields
        except _FileError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _FileError("bad_xlsx", done[0], detail=type(exc).__name__) from None

    return _Reader(header, header_line, rows(), True, "xlsx", lambda: min(done[0] / total, 1.0), book.close)


def open_file(path: Path, kind: str | None = None) -> _Reader:
    """Open an export file (CSV or XLSX) for streaming; raise _FileError when it cannot be read.

    `kind` (the file type named by the caller) chooses the sheet of a workbook with several.
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    fmt = _sniff(head)
    return _open_xlsx(path, kind) if fmt == "xlsx" else _open_csv(path, fmt)


def file_hash(path: Path) -> str:
    """Return the SHA-256 of a file (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _non_empty(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Skip rows without any value (Excel exports end with empty rows such as ';;;;')."""
    for line, fields in rows:
        for f in fields:
            if f and not f.isspace():
                yield line, fields
                break


def _chunked(iterable, size: int):
    it = iter(iterable)
    while chunk := list(itertools.islice(it, size)):
        yield chunk

