"""What people wait for in the browser (issue #18): a control change and a page switch, for both roles.

Run (the store must have a published catalogue, e.g. after `loket demo --registrations 1000000`
and `loket refresh`):

    .venv/bin/python benchmarks/browser_actions.py --url sqlite:////tmp/big/store.sqlite [--rounds 3]

What it does: creates bench accounts (a programme manager and the HR of one unit) in that store,
starts gunicorn as production would (`benchmarks/_server.py`) and, per role, in headless Chromium
with one browser context (scripts cached after the first page, as for a person at work):

* opens the overview once (untimed, the context's first load);
* per round, for every monitor page in navigation order: clicks its link in the navigation and
  waits until the page is laid out and every chart on it is drawn (**page switch**); then picks
  another start period in the page's controls, presses the apply button and waits again until the
  new view is laid out and drawn (**control change**).

"Laid out and drawn": the page's cards container (`[data-page]`) shows a view (`data-view`, its
query string) other than the one before the action, nothing in the page is loading, and every chart
in it has drawn its plotly `.main-svg`. The clock starts in the page just before the click and is
read in the page (`Date.now()`, kept in `sessionStorage` so that a full document load keeps it).
The same measure holds whether the page reloads the document or updates it in place.

Prints p50 / p95 / max per role and action, the page's DOM element count, and writes the table to
`benchmarks/results/<YYYY-MM-DD>-browser-actions[-LABEL].txt`. Exit status 1 when a p95 is over
the target (1.0 s).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _server  # noqa: E402
from benchmarks._server import log  # noqa: E402
from benchmarks.browser_timing import ARGS, CHROMIUM, percentile  # noqa: E402

TARGET_MS = 1000.0
PAGES = {"registrations": "/aanmeldingen", "waiting": "/wachttijden", "referrals": "/verwijzingen",
         "survey": "/clientonderzoek", "reach": "/bereik", "comparison": "/vergelijking", "overview": "/"}

START = """(selector) => {
    const cards = document.querySelector('#main .cards[data-page]');
    sessionStorage.setItem('bench-t0', String(Date.now()));
    sessionStorage.setItem('bench-old', cards ? cards.dataset.page + cards.dataset.view : '');
    document.querySelector(selector).click();
}"""

# {ms, nodes, charts} once the page `page` shows a new view with every chart drawn; false before.
DONE = """(page) => {
    const cards = document.querySelector('#main .cards[data-page]');
    if (!cards || cards.dataset.page !== page) return false;
    if (cards.dataset.page + cards.dataset.view === sessionStorage.getItem('bench-old')) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const graphs = cards.querySelectorAll('.dash-graph');
    for (const graph of graphs) {
        const svg = graph.querySelector('.js-plotly-plot .main-svg');
        if (!svg || svg.getBoundingClientRect().width === 0) return false;
    }
    return {ms: Date.now() - Number(sessionStorage.getItem('bench-t0')), charts: graphs.length,
            nodes: document.getElementsByTagName('*').length};
}"""

# Another start period than the current one (the one before it, or after it at the first), set in the select.
PICK_START = """(page) => {
    const select = document.getElementById(page + '-start');
    const i = select.selectedIndex;
    select.selectedIndex = i > 0 ? i - 1 : Math.min(1, select.options.length - 1);
    return select.value;
}"""


def wait_done(page, key: str, timeout_s: float) -> dict:
    """Poll until the page shows a new view of `key`, drawn; survives a document load in between."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = page.evaluate(DONE, key)
        except Exception as error:  # noqa: BLE001 - the document is being replaced: ask the next one
            if "context was destroyed" not in str(error) and "navigat" not in str(error).lower():
                raise
            result = False
        if result:
            return result
        time.sleep(0.01)
    raise TimeoutError(f"{key} did not render within {timeout_s} s")


def act(page, selector: str, key: str, timeout_s: float) -> dict:
    page.evaluate(START, selector)
    return wait_done(page, key, timeout_s)


def measure_role(browser, server_url: str, account, rounds: int, timeout_s: float) -> dict[str, list[dict]]:
    context = browser.new_context(extra_http_headers={"Authorization": account.authorization},
                                  viewport={"width": 1366, "height": 900}, locale="nl-NL")
    results: dict[str, list[dict]] = {"page switch": [], "control change": []}
    try:
        page = context.new_page()
        page.goto(server_url + "/", wait_until="commit")
        page.evaluate("() => sessionStorage.setItem('bench-old', '')")
        wait_done(page, "overview", timeout_s)
        for r in range(1, rounds + 1):
            for key, path in PAGES.items():
                switch = act(page, f'.site-nav a[href="{path}"]', key, timeout_s)
                results["page switch"].append({"page": key, **switch})
                page.evaluate(PICK_START, key)
                change = act(page, f"#{key}-apply", key, timeout_s)
                results["control change"].append({"page": key, **change})
            log(f"  {account.role} round {r}/{rounds}: page switch p50 "
                f"{statistics.median(x['ms'] for x in results['page switch']):,.0f} ms, control change p50 "
                f"{statistics.median(x['ms'] for x in results['control change']):,.0f} ms")
    finally:
        context.close()
    return results


def report(args, machine: list[str], measured: dict[str, dict[str, list[dict]]]) -> tuple[list[str], bool]:
    met = True
    lines = [
        f"Loket monitor: control changes and page switches in headless Chromium "
        f"({dt.datetime.now():%Y-%m-%d %H:%M}){' - ' + args.label if args.label else ''}",
        "", *machine,
        f"store: {_server.describe_store(args.url)}",
        f"server: gunicorn app:server --workers {args.workers} --threads {args.threads} (gthread), LOKET_DEMO=0",
        f"browser: {CHROMIUM} headless (Playwright), viewport 1366x900, one context per role (scripts cached)",
        f"measured: click -> the page's cards show the new view, nothing loading, every chart drawn; "
        f"{args.rounds} rounds x {len(PAGES)} pages per role and action",
        "",
        f"{'role':<10} {'action':<15} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   target p95 <= "
        f"{TARGET_MS:,.0f} ms",
    ]
    for role, results in measured.items():
        for action, rows in results.items():
            values = [r["ms"] for r in rows]
            p95 = percentile(values, 95)
            met &= p95 <= TARGET_MS
            lines.append(f"{role:<10} {action:<15} {len(values):>4} {percentile(values, 50):>8,.0f} {p95:>8,.0f} "
                         f"{max(values):>8,.0f}   {'MET' if p95 <= TARGET_MS else 'MISSED'}")
    lines += ["", "per page (p50 ms of the page switch / control change; DOM elements and charts after it):"]
    lines.append(f"{'role':<10} {'page':<14} {'switch':>8} {'change':>8} {'elements':>9} {'charts':>7}")
    for role, results in measured.items():
        for key in PAGES:
            switch = [r for r in results["page switch"] if r["page"] == key]
            change = [r for r in results["control change"] if r["page"] == key]
            lines.append(f"{role:<10} {key:<14} {statistics.median(r['ms'] for r in switch):>8,.0f} "
                         f"{statistics.median(r['ms'] for r in change):>8,.0f} {switch[-1]['nodes']:>9,} "
                         f"{switch[-1]['charts']:>7}")
    return lines, met


def run(args) -> int:
    from playwright.sync_api import sync_playwright

    accounts = _server.bench_accounts(programme=1, units=(args.unit,))
    log(f"store: {_server.describe_store(args.url)}")
    _server.migrate(args.url)
    _server.ensure_accounts(args.url, accounts)
    measured: dict[str, dict[str, list[dict]]] = {}
    with _server.Gunicorn(args.url, workers=args.workers, threads=args.threads) as server:
        server.start(check=accounts[0])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                for account in accounts:
                    measured[account.role] = measure_role(browser, server.url, account, args.rounds, args.timeout)
            finally:
                browser.close()
    lines, met = report(args, _server.machine_info(), measured)
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    out = _server.RESULTS / f"{dt.date.today():%Y-%m-%d}-browser-actions{'-' + args.label if args.label else ''}.txt"
    out.write_text(text, encoding="utf-8")
    log(f"written to {out}")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="DATABASE_URL of the store (with a published catalogue)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the pages per role (default 3)")
    parser.add_argument("--unit", default="NN", help="the unit of the unit user (default NN)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for one action (default 60)")
    parser.add_argument("--label", default="", help="suffix of the results file (e.g. before)")
    args = parser.parse_args(argv)
    _server.stop_on_sigterm()
    try:
        return run(args)
    except KeyboardInterrupt:
        log("interrupted; gunicorn stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
