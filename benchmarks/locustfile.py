"""Locust users that click through the Loket monitor as a browser does (issue #8, load target).

Normally started by `benchmarks/load_test.py`, which creates the accounts, starts gunicorn and
reads the results. To run it by hand against a server that is already running:

    LOKET_BENCH_ACCOUNTS=/path/accounts.json .venv/bin/locust --headless -f benchmarks/locustfile.py \
        -u 50 -r 10 -t 5m --host http://127.0.0.1:8050 --csv /tmp/loket-load

`LOKET_BENCH_ACCOUNTS` names a JSON file `[{"username": ..., "password": ..., "role": ..., "unit": ...}]`;
each simulated user signs in (HTTP Basic, as the browser sends it with every request) as the
next account in turn, so programme and unit users are mixed. `LOKET_BENCH_ENCODING` and
`LOKET_BENCH_TIMES` (optional) name JSON files where the Content-Encoding seen per request type and
every request's (name, milliseconds, succeeded), with the requests resent after a failed
connection (see `BrowserRetry`), are written at the end.

What one simulated user does, with 1-3 s of think time between clicks:

* first visit (a browser with a cold cache): GET the page HTML, the scripts, style sheets, fonts
  and icon it names, `/_dash-layout`, `/_dash-dependencies`, then the page router's POST
  `/_dash-update-component?endId=...` that lays out the page (the request Dash's renderer sends,
  body and headers as recorded from Chromium, with the page load's signed `endId` from the HTML's
  `_dash-config`), then the graph script Dash loads on demand (`async-graph.js`; plotly.js itself is
  the bundle in assets/, named in the HTML);
* static files follow the browser's HTTP cache: fresh ones (fingerprinted, `max-age`) are not
  asked for again, the others are revalidated on every full page load (`If-None-Match` /
  `If-Modified-Since`, normally answered 304);
* a click in the navigation (`dcc.Link`): only the page router's POST for the new path;
* "Toon" on the controls: the form's query string (`?periode=...&van=...&tot=...`, programme users
  also `&eenheid=...`; `van` and `tot` are periods of the granularity shown, as the form submits
  them) goes into the history and the page is laid out in place (`assets/controls.js`): only the
  page router's POST with that search;
* now and then a reload or a shared link: the same full page load.

Errors: any non-2xx answer (304 only for a revalidated static file), a connection that fails
again after the one resend a browser makes (`BrowserRetry`), and any answer whose body lacks what
the page needs (the Dash shell, the router's callback in the dependencies, the page's own
component id and its controls in the router's answer) or carries one of the app's refusal or
failure messages.
"""
from __future__ import annotations

import email.utils
import itertools
import json
import os
import random
import re
import threading
import time
from collections import defaultdict

from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from urllib3.util.retry import Retry

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
# Page path -> a component id that the page's layout always has (for every role and period).
PAGES = {
    "/": "overview-tiles",
    "/aanmeldingen": "registrations-graph",
    "/wachttijden": "waiting-times",
    "/verwijzingen": "referrals-rates",
    "/clientonderzoek": "survey-response-rate",
    "/bereik": "reach-contacts",
    "/vergelijking": "comparison-waiting-within-14",
    "/definities": "privacy-rule",
}
MONITOR_PAGES = [p for p in PAGES if p != "/definities"]  # the pages with controls and charts
PERIOD_TYPES = ("month", "quarter", "year")
UNITS = ("NN", "ON", "MN", "NH", "AM", "DH", "RT", "ZWB", "OB", "LB", "LE", "PDC", "PA")
# The app's own refusal and failure texts (dashboard/ui/texts/), Dutch and English: never a success.
FAILURE_TEXTS = (
    "De registratiedatabase is nu niet bereikbaar", "The registration store cannot be reached",
    "Er ging iets mis", "Something went wrong",
    "U hebt geen toegang tot deze gegevens", "You do not have access to these data",
    "Uw account heeft geen rol", "Your account has no role",
    "Er zijn nog geen gepubliceerde cijfers", "No figures have been published yet",
)
# What Chromium sends (urllib3 decodes zstd with backports.zstd, which Flask-Compress brings).
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "HeadlessChrome/156.0.0.0 Safari/537.36 loket-bench",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "nl-NL,nl;q=0.9",
}
NAVIGATE = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
    "Upgrade-Insecure-Requests": "1",
}
FETCH_JSON = {"Accept": "application/json", "Content-Type": "application/json",
              "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
ASSET_RE = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="(/(?:_dash-component-suites/|assets/|_favicon)[^"]+)"')
CSS_URL_RE = re.compile(r"""url\(\s*['"]?(/assets/[^'")\s]+)""")
CONFIG_RE = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)
# Loaded by Dash's renderer when the first graph is drawn (not named in the HTML).
GRAPH_SCRIPTS = ("/_dash-component-suites/dash/dcc/async-graph.js",)

_accounts = None
_next_account = itertools.count()
_encodings: dict[str, dict] = defaultdict(lambda: {"count": 0, "encodings": defaultdict(int), "wire_bytes": 0,
                                                      "body_bytes": 0})
_encodings_lock = threading.Lock()


def accounts() -> list[dict]:
    global _accounts
    if _accounts is None:
        path = os.environ.get("LOKET_BENCH_ACCOUNTS")
        if not path:
            raise RuntimeError("set LOKET_BENCH_ACCOUNTS to the JSON file with the bench accounts")
        with open(path, encoding="utf-8") as fh:
            _accounts = json.load(fh)
    return _accounts


def router_body(pathname: str, search: str, changed: list[str] | None = None) -> dict:
    """Return the page router's callback request exactly as Dash's renderer sends it.

    The same as `tests.http_client.router_request`, restated so the load generator imports none
    of the app (locust's gevent patches would reach it). `changed`: the location props that
    changed (both on a page load; on a navigation click those that differ from the page before)."""
    changed = changed or ["_pages_location.pathname", "_pages_location.search"]
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": list(changed),
        "parsedChangedPropsIds": list(changed),
    }


def _select(tree, name: str) -> dict:
    """Return the props of the first select named `name` in a Dash layout tree (the app's data-drawn
    `dashboard.ui.widgets.Select`: `options` as [value, label] pairs and the selected `value`)."""
    stack = [tree]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            props = node.get("props")
            if node.get("type") == "Select" and isinstance(props, dict) and props.get("name") == name:
                return props
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return {}


def select_options(tree, name: str) -> list[str]:
    """Return the option values of the controls' select named `name` in a Dash layout tree."""
    return [value for value, _label in _select(tree, name).get("options") or []]


def _note_encoding(name: str, response) -> None:
    encoding = response.headers.get("Content-Encoding", "identity") or "identity"
    length = response.headers.get("Content-Length")
    with _encodings_lock:
        entry = _encodings[name]
        entry["count"] += 1
        entry["encodings"][encoding] += 1
        entry["body_bytes"] += len(response.content or b"")
        entry["wire_bytes"] += int(length) if length and length.isdigit() else len(response.content or b"")


_times: list[tuple[str, float, bool]] = []  # every request: (name, ms, succeeded)
_retried: list[tuple[str, str]] = []  # requests sent again after the connection failed: (url, error)


class BrowserRetry(Retry):
    """Send a request once more when its connection failed before an answer, as Chromium does.

    Chromium resends a request (POST too) whose reused keep-alive connection was closed by the
    server before any answer came, e.g. when gunicorn closes an idle connection (`--keep-alive`,
    2 s) just as the next click goes out. Every such retry is recorded and reported; the request's
    time includes both attempts, and a second failure is an error.
    """

    @classmethod
    def once(cls) -> "BrowserRetry":
        return cls(total=1, connect=1, read=1, status=0, other=0, redirect=0, allowed_methods=None,
                   raise_on_status=False, raise_on_redirect=False, backoff_factor=0)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        retry = super().increment(method, url, response, error, _pool, _stacktrace)  # raises when spent
        _retried.append((f"{method} {url}", repr(error)[:200]))
        return retry


@events.request.add_listener
def _record_time(request_type, name, response_time, response_length, exception=None, **_kwargs):
    _times.append((name, response_time, exception is None))


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    path = os.environ.get("LOKET_BENCH_ENCODING")
    if path:
        with _encodings_lock, open(path, "w", encoding="utf-8") as fh:
            json.dump({k: {**v, "encodings": dict(v["encodings"])} for k, v in _encodings.items()}, fh, indent=1)
    path = os.environ.get("LOKET_BENCH_TIMES")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"times": _times, "retried": _retried}, fh)


class MonitorUser(HttpUser):
    """A programme manager or a unit's HR clicking through the monitor in a browser."""

    wait_time = between(1, 3)

    def on_start(self):
        account = accounts()[next(_next_account) % len(accounts())]
        self.account = account
        self.client.auth = (account["username"], account["password"])
        self.client.mount("http://", LocustHttpAdapter(pool_manager=None, max_retries=BrowserRetry.once()))
        self.client.headers.update(BROWSER_HEADERS)
        self.programme = account["role"] in ("programme", "admin")
        self.cache: dict[str, dict] = {}  # the browser's HTTP cache: url -> validators and freshness
        self.css_urls: set[str] = set()  # fonts named in the style sheets
        self.end_id = ""  # the page load's signed token, echoed on every callback
        self.shown_type: str | None = None  # the granularity and periods the controls show
        self.shown_options: list[str] = []
        self.path, self.search = "/", ""
        self.full_load(random.choice(list(PAGES)), "")

    # --- what the browser sends ----------------------------------------------------------------

    def _request(self, method: str, url: str, name: str, check, ok=(200,), **kwargs):
        with self.client.request(method, url, name=name, catch_response=True, allow_redirects=False,
                                 **kwargs) as response:
            _note_encoding(name, response)
            if response.status_code == 0:  # no answer: the connection failed
                response.failure(f"no response: {response.error!r}"[:300])
                return None
            if response.status_code not in ok:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
                return None
            try:
                problem = check(response)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problem = f"unexpected body ({type(exc).__name__}: {exc})"
            if problem:
                response.failure(problem)
                return None
            response.success()
            return response

    def static(self, url: str, referer: str) -> None:
        """Fetch a static file the way the browser's HTTP cache does."""
        entry = self.cache.get(url)
        if entry is not None and entry["fresh_until"] > time.time():
            return  # fresh in the cache: no request
        headers = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Referer": referer,
                   "Accept": "text/css,*/*;q=0.1" if ".css" in url else "*/*"}
        if entry is not None:
            if entry.get("etag"):
                headers["If-None-Match"] = entry["etag"]
            if entry.get("last_modified"):
                headers["If-Modified-Since"] = entry["last_modified"]
            name = "GET static (revalidate)"
        else:
            name = "GET static (download)"

        def check(response):
            if response.status_code == 200 and not response.content:
                return "empty static file"
            return None

        response = self._request("GET", url, name, check, ok=(200, 304), headers=headers)
        if response is None:
            return
        if response.status_code == 200 and url.split("?")[0].endswith(".css"):
            self.css_urls.update(CSS_URL_RE.findall(response.text))
        kept = entry or {}
        etag = response.headers.get("ETag") or kept.get("etag")
        last_modified = response.headers.get("Last-Modified") or kept.get("last_modified")
        self.cache[url] = {"etag": etag, "last_modified": last_modified,
                           "fresh_until": time.time() + _freshness(response.headers, last_modified)}

    def full_load(self, path: str, search: str) -> None:
        """A browser navigation: the page HTML, its files, the layout and callbacks, then the page."""
        html = self._request("GET", path + search, "GET page html", self._check_html, headers=NAVIGATE)
        if html is None:
            return
        config = json.loads(CONFIG_RE.search(html.text).group(1))
        self.end_id = config.get("end_id", "")
        page_url = self.host + path + search
        for asset in dict.fromkeys(ASSET_RE.findall(html.text)):
            self.static(asset, page_url)
        for font in sorted(self.css_urls):
            self.static(font, page_url)
        referer = {"Referer": page_url}
        self._request("GET", "/_dash-layout", "GET /_dash-layout", self._check_layout,
                      headers={**FETCH_JSON, **referer})
        self._request("GET", "/_dash-dependencies", "GET /_dash-dependencies", self._check_dependencies,
                      headers={**FETCH_JSON, **referer})
        self.path, self.search = path, search
        if self.route(path, search, initial=True) and path in MONITOR_PAGES:
            for script in GRAPH_SCRIPTS:  # the first graph makes the renderer load it
                self.static(script, page_url)

    def route(self, path: str, search: str, initial: bool = False) -> bool:
        """The page router's callback that lays out a page (also what a click on a dcc.Link sends)."""
        expected = PAGES[path]

        def check(response):
            content = response.json()["response"]["_pages_content"]["children"]
            text = json.dumps(content, ensure_ascii=False)
            if f'"{expected}"' not in text:
                return f"page layout without #{expected}"
            for failure in FAILURE_TEXTS:
                if failure in text:
                    return f"page layout says {failure!r}"
            if path in MONITOR_PAGES:
                shown = _selected(content, "periode")
                options = select_options(content, "van")
                if not shown or not options:
                    return "page layout without its controls"
                self.shown_type, self.shown_options = shown[0], options
            return None

        if initial:
            changed = None
        else:
            changed = [f"_pages_location.{prop}" for prop, before, after in
                       (("pathname", self.path, path), ("search", self.search, search)) if before != after]
        body = json.dumps(router_body(path, search, changed), separators=(",", ":"))
        headers = {**FETCH_JSON, "Origin": self.host, "Referer": self.host + self.path + self.search}
        url = "/_dash-update-component" + (f"?endId={self.end_id}" if self.end_id else "")
        if self._request("POST", url, f"POST page layout {path}", check, data=body, headers=headers) is None:
            return False
        self.path, self.search = path, search
        return True

    @staticmethod
    def _check_html(response):
        if 'id="react-entry-point"' not in response.text or not CONFIG_RE.search(response.text):
            return "page html without the Dash shell"
        return None

    @staticmethod
    def _check_layout(response):
        layout = response.json()
        if "_pages_content" not in json.dumps(layout):
            return "layout without the page container"
        for failure in FAILURE_TEXTS:
            if failure in response.text:
                return f"layout says {failure!r}"
        return None

    @staticmethod
    def _check_dependencies(response):
        if not any(c.get("output") == ROUTER_OUTPUT for c in response.json()):
            return "dependencies without the page router"
        return None

    # --- what the person does ------------------------------------------------------------------

    def form_search(self) -> str:
        """Return the query string the controls' form submits after the person changed them.

        As in the browser, `van` and `tot` are periods of the granularity shown (the server snaps them
        to the new granularity when that changed), and programme users always send `eenheid`."""
        shown = self.shown_type or random.choice(PERIOD_TYPES)
        period_type = shown if random.random() < 0.6 else random.choice(PERIOD_TYPES)
        query = [("periode", period_type)]
        options = self.shown_options
        if options:
            end = random.randrange(len(options))
            span = random.randint(1, min(len(options), {"month": 24, "quarter": 12, "year": 8}.get(shown, 12)))
            query += [("van", options[max(0, end - span + 1)]), ("tot", options[end])]
        if self.programme:
            query.append(("eenheid", random.choice(("",) * 4 + UNITS)))
        return "?" + "&".join(f"{k}={v}" for k, v in query)

    @task(6)
    def click_navigation(self):
        self.route(random.choice([p for p in PAGES if p != self.path] or list(PAGES)), "")

    @task(3)
    def apply_controls(self):
        if self.path not in MONITOR_PAGES:
            self.route(random.choice(MONITOR_PAGES), "")  # first go to a page with controls
            return
        self.route(self.path, self.form_search())

    @task(1)
    def reload_or_shared_link(self):
        path = random.choice(list(PAGES))
        search = self.form_search() if path in MONITOR_PAGES and random.random() < 0.5 else ""
        self.full_load(path, search)


def _freshness(headers, last_modified: str | None) -> float:
    """Return for how many seconds a response is fresh in the browser's cache (RFC 9111, simplified)."""
    cache_control = (headers.get("Cache-Control") or "").lower()
    if "no-cache" in cache_control or "no-store" in cache_control:
        return 0.0
    match = re.search(r"max-age=(\d+)", cache_control)
    if match:
        return float(match.group(1))
    if not cache_control and last_modified:  # heuristic freshness: a tenth of the file's age
        try:
            modified = email.utils.parsedate_to_datetime(last_modified).timestamp()
        except (TypeError, ValueError):
            return 0.0
        return max(0.0, (time.time() - modified) / 10)
    return 0.0


def _selected(tree, name: str) -> list[str]:
    """Return the selected value of the controls' select named `name` (empty when none)."""
    value = _select(tree, name).get("value")
    return [value] if value else []
