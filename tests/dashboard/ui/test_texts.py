"""The one text catalogue (issue #16): split by area, every key used in the code exists in Dutch and English."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from dashboard.ui import texts
from dashboard.ui.texts.catalogue import AREAS, TEXTS

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted(p for folder in ("dashboard", "queries", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
                 if "vendor" not in p.parts)
LITERAL_KEY = re.compile(r"""(?<![\w.])t\(\s*(["'])([^"'{}]+)\1""")  # t with a quoted key, never an f-string


def _used_keys() -> dict[str, str]:
    return {m[2]: str(path.relative_to(ROOT)) for path in SOURCES for m in LITERAL_KEY.finditer(path.read_text())}


def _imported_names() -> set[str]:
    names = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "dashboard.ui.texts":
                names.update(alias.name for alias in node.names)
    return names


def test_the_scan_finds_the_keys_it_should():
    used = _used_keys()
    assert "app.title" in used and "rule.sentence" in used and len(used) > 150


@pytest.mark.parametrize("key", sorted(_used_keys()))
def test_every_key_the_code_uses_exists_in_dutch_and_english(key):
    assert key in TEXTS, f"{key} (used in {_used_keys()[key]}) is not in the catalogue"
    nl, en = TEXTS[key]
    assert nl.strip() and en.strip()


def test_no_two_areas_define_the_same_key():
    assert sum(len(area.TEXTS) for area in AREAS) == len(TEXTS)


def test_dutch_and_english_fill_in_the_same_fields():
    fields = lambda text: {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}  # noqa: E731
    assert [key for key, (nl, en) in TEXTS.items() if fields(nl) != fields(en)] == []


def test_every_name_the_code_imports_from_texts_is_there():
    names = _imported_names()
    assert {"t", "TEXTS", "fmt_value", "rule_sentence"} <= names
    assert [name for name in sorted(names) if not hasattr(texts, name)] == []
