"""The README documents every setting the app reads, and nothing it does not read."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A setting is read as os.environ.get("X"), os.environ["X"], "X" in os.environ, or through Config's _env_* helpers.
READ = re.compile(r"""(?:environ(?:\.get)?\(\s*|environ\[\s*|_env_\w+\(\s*)["']([A-Z][A-Z0-9_]+)["']|["']([A-Z][A-Z0-9_]+)["']\s+(?:not\s+)?in\s+os\.environ""")
# Read by the platform, not set by an operator of the app.
NOT_SETTINGS = {"PYTEST_XDIST_WORKER", "SERVER_SOFTWARE", "CI"}


def settings_read() -> dict[str, str]:
    found = {}
    for path in sorted((ROOT / "dashboard").rglob("*.py")) + sorted((ROOT / "queries").rglob("*.py")):
        for match in READ.finditer(path.read_text()):
            name = match.group(1) or match.group(2)
            if name not in NOT_SETTINGS:
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def settings_documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_the_app_reads_is_in_the_readme_table():
    read, documented = settings_read(), settings_documented()
    missing = {name: where for name, where in read.items() if name not in documented}
    assert not missing, f"settings read but not in the README's configuration table: {missing}"


def test_the_readme_table_documents_no_setting_the_app_does_not_read():
    stale = settings_documented() - set(settings_read())
    assert not stale, f"in the README's configuration table but read nowhere: {sorted(stale)}"


def test_the_pattern_finds_settings_in_every_form_they_are_read():
    sample = 'os.environ.get("A_B") os.environ["CC"] _env_int("D_E", 1) "FF" not in os.environ'
    assert {m.group(1) or m.group(2) for m in READ.finditer(sample)} == {"A_B", "CC", "D_E", "FF"}
