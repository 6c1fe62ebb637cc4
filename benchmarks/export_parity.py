"""Export parity (issue #16): every chart's CSV and XLSX and the steering pack, captured cell by cell and
text by text, so that two versions of the code can be compared.

    .venv/bin/python benchmarks/export_parity.py --out parity.json
    .venv/bin/python benchmarks/export_parity.py --compare old.json new.json [--summary FILE]

The capture builds a fresh demo store (`load_demo` with a fixed seed, size and date, then published)
in a temporary SQLite file and asks only what a browser or an operator can ask: the chart export
callback through the app's own HTTP route (`/_dash-update-component`, the Flask test client, basic
auth), for every chart the page lays out (read from the page callback's answer), for the programme
user and a unit user (NN), in both languages, for the default view and a quarter and a year view;
and the steering pack through `loket report` in every format. It reads back every cell of every CSV
and workbook sheet (value and number format), every text and speaker note of the presentation and
every page text of the PDF. Only what must differ is dropped: the day the pack was made.

The comparison prints every difference and exits 1 on any; it prints the counts of files, cells and
texts it compared.
"""
from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 28)  # the demo's "today": data up to October 2026
REGISTRATIONS = 20_000  # the seeded timeline with fewer registrations: a faster store, more hidden cells
USERS = {"programme": ("parity-programme", "parity-programme-1", "programme", None),
         "unit": ("parity-unit-nn", "parity-unit-nn-001", "unit", "NN")}
PAGES = {"overview": "/", "registrations": "/aanmeldingen", "waiting": "/wachttijden",
         "referrals": "/verwijzingen", "survey": "/clientonderzoek", "reach": "/bereik"}
VIEWS = {"default": "", "quarter": "?periode=quarter", "year": "?periode=year"}
PACKS = [("programme", "2026-10"), ("unit", "2026-Q3")]
MONTHS = {"nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
          "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}
MADE_ON = "<made on>"


def _store(folder: Path):
    from queries import catalogue, store
    from queries.accounts import users
    from queries.demo import load_demo
    from queries.privacy import Policy

    url = f"sqlite:///{folder / 'parity.sqlite'}"
    engine = store.get_engine(url)
    store.migrate(engine)
    load_demo(engine, until=TODAY, registrations=REGISTRATIONS)
    catalogue.refresh(engine, Policy(), today=TODAY)
    for name, password, role, unit in USERS.values():
        users.add_user(engine, name, password, role, unit)
    return url


def _headers(role: str, lang: str) -> dict:
    name, password = USERS[role][:2]
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Cookie": f"loket_lang={lang}"}


def _dependency(client, headers: dict, marker: str) -> dict:
    return next(d for d in client.get("/_dash-dependencies", headers=headers).json if marker in d["output"])


def _cards(client, headers: dict, path: str, search: str) -> list[str]:
    """Return the card ids whose export buttons the page lays out (from the page callback's answer)."""
    dep = _dependency(client, headers, "_pages_content.children")
    inputs = [{"id": "_pages_location", "property": "pathname", "value": path},
              {"id": "_pages_location", "property": "search", "value": search}]
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]}
               for part in dep["output"].strip(".").split("...")]
    body = {"output": dep["output"], "outputs": outputs, "inputs": inputs[:len(dep["inputs"])],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    answer = client.post("/_dash-update-component", json=body, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            ident = node.get("id")
            if isinstance(ident, dict) and ident.get("type") == "chart-export" and ident["card"] not in found:
                found.append(ident["card"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(answer.json)
    return found


def _chart(client, headers: dict, card: str, fmt: str, path: str, search: str) -> tuple[str, bytes] | None:
    dep = _dependency(client, headers, "chart-export-download")
    formats = ("png", "svg", "csv", "xlsx")
    inputs = [{"id": {"type": "chart-export", "card": card, "format": f}, "property": "n_clicks",
               "value": 1 if f == fmt else 0} for f in formats]
    changed = json.dumps(inputs[formats.index(fmt)]["id"], sort_keys=True, separators=(",", ":"))
    body = {"output": dep["output"], "outputs": {"id": {"type": "chart-export-download", "card": card},
                                                 "property": "data"},
            "inputs": inputs, "changedPropIds": [f"{changed}.n_clicks"],
            "state": [{"id": "shell-url", "property": "pathname", "value": path},
                      {"id": "shell-url", "property": "search", "value": search}]}
    answer = client.post("/_dash-update-component", json=body, headers=headers)
    if answer.status_code == 204:
        return None
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    payload = next(iter(answer.json["response"].values()))
    value = next(v for v in payload.values() if isinstance(v, dict) and "filename" in v)
    data = base64.b64decode(value["content"]) if value.get("base64") else value["content"].encode()
    return value["filename"], data


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _made_on(text: str) -> str:
    for months in MONTHS.values():
        day = dt.date.today()
        text = text.replace(f"{day.day} {months[day.month - 1]} {day.year}", MADE_ON)
    return text


def _clean(value):
    return _made_on(value) if isinstance(value, str) else _plain(value)


def read_csv(data: bytes) -> list[list[str]]:
    """Return a CSV download's rows (UTF-8 with a byte-order mark, `;`)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")]


def read_xlsx(data: bytes) -> dict:
    """Return every sheet's cells as [value, number format] rows."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [[[_clean(c.value), c.number_format] for c in row] for row in ws.iter_rows()]
            for ws in book.worksheets}


def read_pptx(data: bytes) -> list[dict]:
    """Return every slide's texts (text frames and table cells, in shape order) and its speaker notes."""
    from pptx import Presentation

    slides = []
    for slide in Presentation(io.BytesIO(data)).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(_made_on(shape.text_frame.text))
            if getattr(shape, "has_table", False) and shape.has_table:
                texts += [[_made_on(cell.text) for cell in row.cells] for row in shape.table.rows]
            if shape.shape_type == 13:  # a picture: its presence, not its pixels
                texts.append("<picture>")
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append({"texts": texts, "notes": _made_on(notes)})
    return slides


def read_pdf(data: bytes) -> list[str]:
    """Return every page's text."""
    from pypdf import PdfReader

    return [_made_on(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def capture(folder: Path) -> dict:
    """Return every export of the demo store, read back."""
    from dashboard import cli, create_app

    url = _store(folder)
    app = create_app({"DATABASE_URL": url, "DEMO_MODE": True, "TESTING": True,
                      "DEMO_CREDENTIALS": str(folder / "demo-credentials")})
    client = app.server.test_client()
    out: dict = {"charts": {}, "packs": {}}
    for role in USERS:
        for lang in ("nl", "en"):
            headers = _headers(role, lang)
            for view, search in VIEWS.items():
                for page, path in PAGES.items():
                    for card in _cards(client, headers, path, search):
                        for fmt in ("csv", "xlsx"):
                            sent = _chart(client, headers, card, fmt, path, search)
                            key = f"{role}|{lang}|{view}|{page}|{card}|{fmt}"
                            if sent is None:
                                out["charts"][key] = None
                                continue
                            name, data = sent
                            out["charts"][key] = {"name": name,
                                                  "cells": read_csv(data) if fmt == "csv" else read_xlsx(data)}
            print(f"charts: {role} {lang} done ({len(out['charts'])} files)", file=sys.stderr, flush=True)
    os.environ["DATABASE_URL"] = url
    os.environ["LOKET_DEMO"] = "on"
    readers = {"pptx": read_pptx, "pdf": read_pdf, "xlsx": read_xlsx}
    for role, period in PACKS:
        unit = USERS[role][3]
        for lang in ("nl", "en"):
            for fmt in ("xlsx", "pptx", "pdf") if lang == "nl" else ("xlsx", "pptx"):
                target = folder / f"pack-{role}-{lang}.{fmt}"
                argv = ["report", "--period", period, "--format", fmt, "--lang", lang, "--out", str(target)]
                assert cli.main(argv + (["--unit", unit] if unit else [])) == 0, argv
                out["packs"][f"{role}|{lang}|{period}|{fmt}"] = readers[fmt](target.read_bytes())
                print(f"pack: {role} {lang} {fmt} done", file=sys.stderr, flush=True)
    return out


def _leaves(node, path: str = ""):
    """Yield (path, leaf) of a captured tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, node


def compare(old: dict, new: dict) -> tuple[list[str], dict]:
    """Return the differences between two captures and the counts of what was compared."""
    differences = []
    counts = {"chart files": 0, "chart cells": 0, "pack files": 0, "pack texts and cells": 0}
    for part, files, leaves in (("charts", "chart files", "chart cells"), ("packs", "pack files", "pack texts and cells")):
        for key in sorted(set(old[part]) | set(new[part])):
            if key not in old[part] or key not in new[part]:
                differences.append(f"{part} {key}: only in {'new' if key not in old[part] else 'old'}")
                continue
            counts[files] += 1
            a, b = dict(_leaves(old[part][key])), dict(_leaves(new[part][key]))
            counts[leaves] += len(a)
            for path in sorted(set(a) | set(b)):
                if a.get(path, "<missing>") != b.get(path, "<missing>"):
                    differences.append(f"{part} {key} {path}: {a.get(path, '<missing>')!r} -> "
                                       f"{b.get(path, '<missing>')!r}")
    return differences, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the capture of this code to FILE (JSON)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two captures")
    parser.add_argument("--summary", help="with --compare: also write the summary to this file")
    args = parser.parse_args(argv)
    if args.compare:
        old, new = (json.loads(Path(p).read_text()) for p in args.compare)
        differences, counts = compare(old, new)
        lines = [f"Export parity, {dt.datetime.now():%Y-%m-%d %H:%M}: {args.compare[0]} against {args.compare[1]}",
                 *(f"  {what}: {n:,}" for what, n in counts.items()),
                 f"  differences: {len(differences)}", *(f"    {d}" for d in differences[:200])]
        text = "\n".join(lines)
        print(text)
        if args.summary:
            Path(args.summary).write_text(text + "\n")
        return 1 if differences else 0
    if not args.out:
        parser.error("give --out FILE or --compare OLD NEW")
    with tempfile.TemporaryDirectory() as folder:
        result = capture(Path(folder))
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=0, default=str))
    print(f"wrote {args.out}: {len(result['charts'])} chart files, {len(result['packs'])} packs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
