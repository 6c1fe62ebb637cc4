"""The comparison page in headless Chromium on the demo store, as the programme manager and as a unit user: the
funnels render without console errors, axe-core finds no violation at all, and screenshots of both roles go to
tests/artifacts/funnel-programme.png and tests/artifacts/funnel-unit.png (git-ignored)."""
from __future__ import annotations

import shutil

import pytest

from dashboard.ui.texts import t
from queries.store.codes import UNITS
from tests import browsing

pytestmark = browsing.MARKS
PATH = "/vergelijking"


@pytest.fixture(scope="module")
def demo_server(demo_store, tmp_path_factory):
    """The app on a copy of the demo store (13 units to compare) in demo mode, so the demo accounts exist."""
    with demo_store.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy must hold every page of the store
    folder = tmp_path_factory.mktemp("funnel-browser")
    shutil.copyfile(demo_store.url.database, folder / "demo.sqlite")
    with browsing.serving(f"sqlite:///{folder / 'demo.sqlite'}", folder / "demo-credentials.txt") as served:
        yield served




@pytest.mark.parametrize("role, shot", [("demo-programme", "funnel-programme"), ("demo-unit", "funnel-unit")])
def test_the_funnels_render_with_no_accessibility_violations(browser, demo_server, role, shot):
    # Under the content security policy first: the page runs as users get it, with no console errors.
    context = browsing.context(browser, demo_server, role)
    page = context.new_page()
    errors = browsing.watch(page)
    page.goto(demo_server["url"] + PATH)
    browsing.wait_for_page(page, PATH)
    assert page.locator(".card .js-plotly-plot").count() == 5
    assert page.locator("p.funnel-reading").count() == 5  # the sentence under every chart
    content = page.content()
    assert t("page.comparison", "nl") in content and "Jaar: 2025" in content
    points = page.locator(".card .js-plotly-plot").first.evaluate(
        "el => el.data[el.data.length - 1].meta")
    if role == "demo-unit":
        assert points == ["NN"]
        others = [u for u in UNITS if u.code != "NN"]
        assert not [u.nl for u in others if u.nl in content]
    else:
        assert len(points) > 5 and points == [u for u in UNITS.values if u in points]  # code order
    nav = page.locator("nav a", has_text=t("page.comparison", "nl"))
    assert nav.count() == 1
    context.close()
    assert errors == []
    # axe is injected as a script, which the policy rightly forbids: only here it is bypassed.
    context = browsing.context(browser, demo_server, role, bypass_csp=True)
    page = context.new_page()
    page.goto(demo_server["url"] + PATH)
    browsing.wait_for_page(page, PATH)
    violations = browsing.axe_violations(page)
    report = [f"{v['impact']} {v['id']}: {v['nodes'][0]['target']!r} ({len(v['nodes'])} nodes)" for v in violations]
    print(f"\naxe-core on {PATH} as {role}: {len(violations)} violations")
    print("\n".join(report) or "no violations")
    path = browsing.shot(page, shot)
    assert path.exists() and path.stat().st_size > 10_000
    context.close()
    assert violations == [], report
