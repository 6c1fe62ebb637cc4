"""The events page in a real browser (Playwright driving Debian's Chromium): axe-core finds no violations at all,
the programme manager records an event and sees it marked on a chart, then retires it; the unit user has no
link to the page and is refused on it."""
from __future__ import annotations


from tests import browsing

pytestmark = browsing.MARKS
PATH = "/beheer/gebeurtenissen"
TEXT = "Browsertest: landelijke mailing"




def _report(violations: list[dict]) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['nodes'][0]['target']!r}" for v in violations]


def test_the_events_page_has_no_accessibility_violations_and_records_and_retires(browser, server):
    # axe is injected as a script, which the content security policy forbids: only here it is bypassed.
    context = browsing.context(browser, server, "demo-programme", bypass_csp=True)
    page = context.new_page()
    errors = browsing.watch(page)
    page.goto(server["url"] + PATH)
    page.wait_for_selector("#events-list", timeout=30000)
    assert "nooit een cliënt" in page.locator("#events-warning").inner_text()
    assert page.locator("#events-text").get_attribute("maxlength") == "200"
    violations = browsing.axe_violations(page)
    print(f"\naxe-core on {PATH}: {len(violations)} violations", *_report(violations), sep="\n")
    assert violations == []
    # a text that is too long cannot be typed in; the server would refuse it too
    page.get_by_label("Korte tekst (hoogstens 200 tekens)").fill("x" * 250)
    assert len(page.locator("#events-text").input_value()) == 200
    page.get_by_label("Datum (JJJJ-MM-DD)").fill("2014-13-01")
    page.get_by_label("Korte tekst (hoogstens 200 tekens)").fill(TEXT)
    page.get_by_role("button", name="Vastleggen").click()
    page.wait_for_selector("#events-status .message-error", timeout=15000)
    assert "geen datum" in page.locator("#events-status").inner_text()
    page.get_by_label("Datum (JJJJ-MM-DD)").fill("2014-02-10")
    page.get_by_role("button", name="Vastleggen").click()
    page.wait_for_function("document.querySelector('#events-status').innerText.includes('Vastgelegd')", timeout=15000)
    assert TEXT in page.locator("#events-list").inner_text()
    violations = browsing.axe_violations(page)  # with a message and a retire button
    assert violations == [], _report(violations)
    browsing.shot(page, "demo-programme-events")
    # the chart marks it: a numbered label above the plot, and the note under the chart
    page.goto(server["url"] + "/aanmeldingen?periode=month&van=2013-04&tot=2014-03")
    browsing.wait_for_page(page, "/aanmeldingen")
    assert TEXT in page.locator(".notes").first.inner_text()
    assert page.locator(".card .annotation-text", has_text="1").count() >= 1
    serious = [v for v in browsing.axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], _report(serious)
    browsing.shot(page, "demo-programme-registrations-event")
    # retire it: it leaves the list
    page.goto(server["url"] + PATH)
    page.wait_for_selector("#events-list", timeout=30000)
    page.get_by_role("button", name=f"Gebeurtenis 1 intrekken: {TEXT}").click()
    page.wait_for_function("document.querySelector('#events-status').innerText.includes('ingetrokken')",
                           timeout=15000)
    assert TEXT not in page.locator("#events-list").inner_text()
    context.close()
    assert errors == []


def test_the_unit_user_has_no_link_to_the_page_and_is_refused_on_it(browser, server):
    context = browsing.context(browser, server, "demo-unit")
    page = context.new_page()
    page.goto(server["url"] + "/")
    browsing.wait_for_page(page, "/")
    assert page.locator(f"nav a[href='{PATH}']").count() == 0
    page.goto(server["url"] + PATH)
    page.wait_for_selector(".message-error", timeout=30000)
    assert page.locator("#events-save").count() == 0 and page.locator("#events-warning").count() == 0
    context.close()
