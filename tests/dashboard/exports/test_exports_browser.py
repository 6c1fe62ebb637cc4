"""Exports in a real browser (Playwright driving Debian's Chromium), under the app's content security policy.

A chart's CSV and PNG buttons download files with their useful names; the steering pack panel on
any page shows its progress while the pack is made in the background and then downloads it.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from dashboard.ui.texts import t
from tests import browsing

pytestmark = browsing.MARKS


def _download(page, click) -> tuple[str, bytes]:
    with page.expect_download(timeout=120_000) as info:
        click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_chart_buttons_download_csv_and_png(browser, server):
    context = browsing.context(browser, server, "demo-unit", accept_downloads=True)
    page = context.new_page()
    errors = browsing.watch(page)
    page.goto(server["url"] + "/aanmeldingen?periode=year")
    browsing.wait_for_page(page, "/aanmeldingen")
    card = page.locator("#registrations-by-target-group-card")
    name, data = _download(page, lambda: card.locator("button.export-button", has_text="CSV").click())
    assert name.startswith("loket_aanmeldingen-naar-doelgroep_noord-nederland_") and name.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf") and "Limburg" not in data.decode("utf-8-sig")
    name, data = _download(page, lambda: card.locator("button.export-button", has_text="PNG").click())
    assert name.endswith(".png") and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert errors == []
    context.close()


def test_the_steering_pack_shows_progress_and_downloads(browser, server):
    context = browsing.context(browser, server, "demo-programme", accept_downloads=True)
    page = context.new_page()
    errors = browsing.watch(page)
    page.goto(server["url"] + "/bereik?periode=year")
    browsing.wait_for_page(page, "/bereik")
    page.locator("#pack-panel summary").click()
    page.get_by_role("radio", name=t("pack.xlsx", "nl"), exact=True).check()
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name=t("pack.start", "nl")).click()
        page.wait_for_selector("#pack-status progress", timeout=30_000)  # the progress while it is made
        browsing.shot(page, "demo-programme-pack-progress")
    download = info.value
    assert re.fullmatch(r"loket_stuurpakket_landelijk_2013_r\d+\.xlsx", download.suggested_filename)  # and its release
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames[0] == t("pack.key_figures", "nl")
    page.wait_for_selector("#pack-status >> text=" + t("pack.ready", "nl").split(":")[0], timeout=30_000)
    assert errors == []
    context.close()
