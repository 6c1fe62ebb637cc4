"""Load test: concurrent signed-in users clicking through the monitor on gunicorn (issue #8).

Target (issue 18): 100 concurrent users for 5 minutes with 0 errors and an overall p95 <= 300 ms.

Run (the store must have a published catalogue, e.g. after `loket demo` and `loket refresh`):

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python benchmarks/load_test.py --url sqlite:////tmp/big/store.sqlite [--users 100] [--minutes 5] [--workers 4]

What it does:

1. brings the store's schema up to date (as the Procfile does) and creates the bench accounts in it
   with `loket users` (idempotent: existing ones get this run's random password and their role):
   `bench-programme-1..N` (programme) and `bench-unit-<code>` (unit HR), interleaved, so the
   simulated users are half programme managers, half unit users;
2. starts gunicorn on `app:server` on a free port of 127.0.0.1 (`--workers 4 --threads 4`, gthread)
   with `DATABASE_URL`, a random `SECRET_KEY` and `LOKET_DEMO=0`, and waits until it answers;
3. checks the responses' `Content-Encoding` and sizes once (page HTML, `/_dash-layout`,
   `/_dash-dependencies`, the page router's callback, the scripts and style sheets);
4. runs locust headless with `benchmarks/locustfile.py` (what each simulated user does is described
   there: full page loads with the controls' query strings, navigation clicks, 1-3 s think time),
   `--users` users spawned at `--spawn-rate` per second, for `--minutes`;
5. stops gunicorn and prints per request type: count, errors, p50, p95, max (and overall), the
   errors seen, the CPU used by the server and by locust (they share this machine), and writes it all
   to `benchmarks/results/<YYYY-MM-DD>-load.txt` with the machine and the settings.

Exit status 1 when a target is missed (any error, or overall p95 over `--target-p95`); the results
file is written anyway. Ctrl-C stops locust and gunicorn. Percentiles are computed here from every
request's time (locust's own CSV statistics round them), overall and for pages and callbacks
without the static files.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _server  # noqa: E402
from benchmarks._server import log  # noqa: E402
from tests.http_client import router_request
from dashboard.web import security  # noqa: E402  (this process only drives the load; locust runs apart)

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
LOCUST = str(_server.BIN / "locust")
# As in locustfile.py (not imported here: importing locust patches the standard library with gevent).
ASSET_RE = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="(/(?:_dash-component-suites/|assets/|_favicon)[^"]+)"')
GRAPH_SCRIPTS = ("/_dash-component-suites/dash/dcc/async-graph.js",)


# --- the compression check ----------------------------------------------------------------------

def _decode(body: bytes, encoding: str) -> bytes | None:
    """Return a response body decoded from its Content-Encoding; None when it cannot be decoded here."""
    try:
        if encoding in ("", "identity"):
            return body
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
        if encoding == "br":
            import brotli
            return brotli.decompress(body)
        if encoding == "zstd":
            try:
                from compression import zstd  # Python 3.14
            except ImportError:
                from backports import zstd  # what Flask-Compress uses before 3.14
            return zstd.decompress(body)
    except Exception:  # noqa: BLE001 - a decoder missing or a bad body: size unknown
        return None
    return None


def _decoded_length(body: bytes, encoding: str) -> int | None:
    decoded = _decode(body, encoding)
    return None if decoded is None else len(decoded)


def _fetch(url: str, account: _server.Account, data: bytes | None = None, accept: str = "*/*") -> tuple[int, dict, bytes, float]:
    headers = {"Authorization": account.authorization, "Accept-Encoding": "gzip, deflate, br, zstd",
               "Accept": accept, "Sec-Fetch-Site": "same-origin"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            return response.status, dict(response.headers), body, (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read(), (time.perf_counter() - started) * 1000


def compression_check(base: str, account: _server.Account) -> list[str]:
    """Fetch each kind of response once as a browser would and report its encoding and sizes."""
    lines = [f"{'response':<34} {'status':>6} {'encoding':<9} {'on the wire':>13} {'decoded':>13} {'time ms':>8}"]
    status, headers, html, ms = _fetch(base + "/", account, accept="text/html")
    rows = [("page html /", status, headers, html, ms)]
    for path in ("/_dash-layout", "/_dash-dependencies"):
        rows.append((path, *_fetch(base + path, account, accept="application/json")))
    for page in ("/", "/aanmeldingen"):
        body = router_request(page, "")
        rows.append((f"router callback {page}",
                     *_fetch(base + "/_dash-update-component", account, json.dumps(body).encode(), "application/json")))
    decoded_html = _decode(html, headers.get("Content-Encoding", "identity")) or b""
    assets = list(dict.fromkeys(ASSET_RE.findall(decoded_html.decode("utf-8", "replace")))) + list(GRAPH_SCRIPTS)
    totals = {"wire": 0, "decoded": 0, "n": 0, "enc": Counter()}
    biggest = []
    for asset in assets:
        a_status, a_headers, a_body, _ms = _fetch(base + asset, account)
        enc = a_headers.get("Content-Encoding", "identity")
        cache = a_headers.get("Cache-Control") or ("(none; ETag)" if a_headers.get("ETag") else "(none)")
        biggest.append((len(a_body), _decoded_length(a_body, enc), asset, enc, cache))
        totals["n"] += 1
        totals["wire"] += len(a_body)
        totals["decoded"] += _decoded_length(a_body, enc) or 0
        totals["enc"][f"{a_status} {enc}"] += 1
    for name, status, hdrs, body, ms in rows:
        enc = hdrs.get("Content-Encoding", "identity")
        decoded = _decoded_length(body, enc)
        lines.append(f"{name:<34} {status:>6} {enc:<9} {len(body):>13,} "
                     f"{(f'{decoded:,}' if decoded is not None else '?'):>13} {ms:>8,.0f}")
    label = f"scripts and styles ({totals['n']})"
    lines.append(f"{label:<34} {'':>6} {'':<9} {totals['wire']:>13,} {totals['decoded']:>13,}")
    lines.append("  their status and encoding: " + ", ".join(f"{k}: {n}" for k, n in totals["enc"].most_common()))
    for wire, decoded, asset, enc, cache in sorted(biggest, reverse=True)[:4]:
        shown = f"{decoded:,}" if decoded is not None else "?"
        lines.append(f"  {asset.split('?')[0][-60:]:<60} {enc:<9} {wire:>11,} B on the wire, "
                     f"{shown:>11} decoded; Cache-Control: {cache}")
    lines.append("  (sizes in bytes; requests sent with Accept-Encoding: gzip, deflate, br, zstd, as Chromium does)")
    return lines


# --- running locust -----------------------------------------------------------------------------

def _cpu_seconds(pid: int) -> float:
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _machine_busy() -> tuple[float, float]:
    import psutil

    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle, sum(times)


def run_locust(args, host: str, accounts_file: Path, encoding_file: Path, times_file: Path, prefix: Path,
               server_pid: int) -> dict:
    command = [LOCUST, "--headless", "-f", str(LOCUSTFILE), "-u", str(args.users), "-r", str(args.spawn_rate),
               "-t", f"{int(args.minutes * 60)}s", "--host", host, "--csv", str(prefix), "--only-summary",
               "--stop-timeout", "15", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    env = {**os.environ, "LOKET_BENCH_ACCOUNTS": str(accounts_file), "LOKET_BENCH_ENCODING": str(encoding_file),
           "LOKET_BENCH_TIMES": str(times_file)}
    log(f"running locust: {args.users} users (spawn rate {args.spawn_rate}/s) for {args.minutes:g} min on {host}")
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = _cpu_seconds(server_pid)
    busy_before, all_before = _machine_busy()
    started = time.monotonic()
    with open(prefix.with_suffix(".locust.log"), "wb") as locust_log:
        proc = subprocess.Popen(command, cwd=_server.ROOT, env=env, stdout=locust_log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            history = Path(f"{prefix}_stats_history.csv")
            next_report = started + 15
            while proc.poll() is None:
                time.sleep(1)
                if time.monotonic() >= next_report:
                    next_report += 15
                    log("  " + _progress(history, time.monotonic() - started))
        except BaseException:
            proc.terminate()  # locust stops its users and writes its CSV on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
    elapsed = time.monotonic() - started
    server_cpu = _cpu_seconds(server_pid) - server_before
    busy_after, all_after = _machine_busy()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = (after_children.ru_utime + after_children.ru_stime) - (before_children.ru_utime + before_children.ru_stime)
    log(f"locust finished (exit {proc.returncode}) after {elapsed:.0f} s")
    return {"elapsed": elapsed, "server_cpu": server_cpu, "locust_cpu": locust_cpu,
            "machine_busy": (busy_after - busy_before) / max(all_after - all_before, 1e-9),
            "returncode": proc.returncode}


def _progress(history: Path, elapsed: float) -> str:
    try:
        with open(history, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("Name") == "Aggregated"]
    except OSError:
        rows = []
    if not rows:
        return f"{elapsed:.0f} s: (no statistics yet)"
    r = rows[-1]
    return (f"{elapsed:.0f} s: {r['User Count']} users, {float(r['Requests/s']):.1f} req/s, "
            f"{r['Total Request Count']} requests, {r['Total Failure Count']} errors, "
            f"p50 {r['50%']} ms, p95 {r['95%']} ms (cumulative)")


# --- the report ---------------------------------------------------------------------------------

def read_stats(prefix: Path) -> list[dict]:
    try:
        with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError:
        return []


def read_failures(prefix: Path) -> list[dict]:
    try:
        with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError:
        return []


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def read_times(path: Path) -> tuple[list[tuple[str, float, bool]], list[tuple[str, str]]]:
    """Return every request's (name, ms, succeeded) and the requests resent after a failed connection."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], []
    return [tuple(t) for t in data["times"]], [tuple(r) for r in data["retried"]]


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) with linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(times: list[tuple[str, float, bool]]) -> dict:
    ms = [t[1] for t in times]
    return {"count": len(ms), "errors": sum(1 for t in times if not t[2]), "p50": percentile(ms, 50),
            "p95": percentile(ms, 95), "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan"),
            "avg": sum(ms) / len(ms) if ms else float("nan")}


def is_static(name: str) -> bool:
    return name.startswith("GET static")


def stats_table(times: list[tuple[str, float, bool]], elapsed: float) -> list[str]:
    """Per request type and overall: count, errors, p50, p95, p99, max, mean, requests per second."""
    header = (f"{'request':<36} {'count':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>8} {'avg ms':>7} {'req/s':>6}")
    lines = [header]

    def row(name, subset):
        x = summary(subset)
        lines.append(f"{name:<36} {x['count']:>7,} {x['errors']:>6,} {x['p50']:>7,.0f} {x['p95']:>7,.0f} "
                     f"{x['p99']:>7,.0f} {x['max']:>8,.0f} {x['avg']:>7,.0f} {x['count'] / max(elapsed, 1e-9):>6.1f}")

    by_name: dict[str, list] = {}
    for t in times:
        by_name.setdefault(t[0], []).append(t)
    for name in sorted(by_name, key=lambda n: (is_static(n), n)):
        row(name, by_name[name])
    lines.append("-" * len(header))
    row("overall, pages and callbacks only", [t for t in times if not is_static(t[0])])
    row("overall (all requests)", times)
    return lines


def encoding_table(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["(no Content-Encoding statistics from locust)"]
    lines = [f"{'request':<36} {'responses':>9}  {'encodings':<28} {'avg wire B':>10} {'avg body B':>10}"]
    for name, v in sorted(data.items()):
        encs = ", ".join(f"{k}: {n}" for k, n in sorted(v["encodings"].items(), key=lambda kv: -kv[1]))
        n = max(v["count"], 1)
        lines.append(f"{name:<36} {v['count']:>9,}  {encs:<28} {v['wire_bytes'] / n:>10,.0f} {v['body_bytes'] / n:>10,.0f}")
    return lines


def server_errors(log_text: str) -> list[str]:
    lines = log_text.splitlines()
    hits = [line for line in lines if re.search(r"Traceback|\bERROR\b|\[CRITICAL\]|WORKER TIMEOUT|Exception", line)]
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="DATABASE_URL of the store (with a published catalogue)")
    parser.add_argument("--users", type=int, default=100, help="concurrent simulated users (default 100)")
    parser.add_argument("--minutes", type=float, default=5, help="duration of the load (default 5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second (default 10)")
    parser.add_argument("--programme-accounts", type=int, default=10, help="programme bench accounts (default 10)")
    parser.add_argument("--target-p95", type=float, default=300, help="overall p95 target in ms (default 300)")
    args = parser.parse_args(argv)
    _server.stop_on_sigterm()
    try:
        return run(args)
    except KeyboardInterrupt:
        log("interrupted: locust and gunicorn stopped")
        return 130


def run(args) -> int:
    units = _server.BENCH_UNITS
    programme = _server.bench_accounts(programme=args.programme_accounts, units=())
    unit = _server.bench_accounts(programme=0, units=units)
    accounts = [a for pair in zip(programme, unit) for a in pair] + programme[len(unit):] + unit[len(programme):]
    log(f"store: {_server.describe_store(args.url)}")
    log("migrating the store (as the Procfile does) and creating the bench accounts")
    _server.migrate(args.url)
    _server.ensure_accounts(args.url, accounts)
    machine = _server.machine_info()
    started_at = dt.datetime.now()
    with tempfile.TemporaryDirectory(prefix="loket-load-") as tmp:
        tmp_dir = Path(tmp)
        accounts_file = tmp_dir / "accounts.json"
        fd = os.open(accounts_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump([{"username": a.username, "password": a.password, "role": a.role, "unit": a.unit}
                       for a in accounts], fh)
        prefix = tmp_dir / "locust"
        encoding_file = tmp_dir / "encodings.json"
        times_file = tmp_dir / "times.json"
        server = _server.Gunicorn(args.url, workers=args.workers, threads=args.threads,
                                  log_path=tmp_dir / "gunicorn.log")
        with server:
            server.start(check=accounts[0])
            log("checking compression (one request of each kind)")
            compression = compression_check(server.url, accounts[0])
            for line in compression:
                print("    " + line)
            usage = run_locust(args, server.url, accounts_file, encoding_file, times_file, prefix, server.proc.pid)
        gunicorn_log = server.log_path.read_text(errors="replace")
        locust_log = prefix.with_suffix(".locust.log").read_text(errors="replace")
        stats = read_stats(prefix)
        failures = read_failures(prefix)
        encodings = encoding_table(encoding_file)
        times, retried = read_times(times_file)

    if not times:
        print("locust recorded no requests; its log:\n" + locust_log[-4000:], file=sys.stderr)
    overall = summary(times)
    app_only = summary([t for t in times if not is_static(t[0])])
    locust_overall = next((r for r in stats if r["Name"] == "Aggregated"), None)
    total, errors = overall["count"], overall["errors"]
    if locust_overall is not None:  # locust's own count, in case a request was missed by the listener
        errors = max(errors, int(_num(locust_overall["Failure Count"])))
    p95 = overall["p95"]
    router = {}
    for name, ms, _ok in times:
        if name.startswith("POST page layout"):
            router.setdefault(name.removeprefix("POST page layout "), []).append(ms)
    met_errors, met_p95 = errors == 0 and total > 0, p95 <= args.target_p95
    n_prog = sum(1 for i in range(args.users) if accounts[i % len(accounts)].role == "programme")
    problems = server_errors(gunicorn_log)
    cores = os.cpu_count() or 1
    lines = [
        f"Loket monitor: load test, {args.users} users for {args.minutes:g} min ({started_at:%Y-%m-%d %H:%M})",
        "",
        *machine,
        f"store: {_server.describe_store(args.url)}",
        f"server: gunicorn app:server --workers {args.workers} --threads {args.threads} (gthread), 127.0.0.1, "
        "LOKET_DEMO=0, random SECRET_KEY",
        f"load: locust {_locust_version()} headless, {args.users} users ({n_prog} programme, {args.users - n_prog} unit) "
        f"spawned at {args.spawn_rate:g}/s, think time 1-3 s, HTTP Basic on every request; "
        "tasks (weights): navigation click = router POST (6), apply controls = full page load with query (3), "
        "reload or shared link = full page load (1); static files as the browser cache asks for them "
        "(all on a first visit, then revalidation of those without max-age on each full page load)",
        f"ran {usage['elapsed']:.0f} s; CPU used: gunicorn {usage['server_cpu']:.0f} s, locust {usage['locust_cpu']:.0f} s "
        f"(of {usage['elapsed'] * cores:.0f} core-seconds on {cores} cores); machine busy "
        f"{usage['machine_busy'] * 100:.0f}% (everything on it, other work included)",
        "",
        *stats_table(times, usage["elapsed"]),
        "(percentiles from every request's time, linear interpolation; static files are what the browser's cache "
        "asks for: downloads on a user's first visit, revalidations on later page loads)",
        "",
        f"target: 0 errors: {'MET' if met_errors else 'MISSED'} ({errors:,} of {total:,} requests)",
        f"target: overall p95 <= {args.target_p95:g} ms: {'MET' if met_p95 else 'MISSED'} (p95 {p95:,.0f} ms; "
        f"pages and callbacks only: p95 {app_only['p95']:,.0f} ms, "
        f"{'within' if app_only['p95'] <= args.target_p95 else 'over'} the target)",
    ]
    slow = {k: percentile(v, 95) for k, v in router.items() if percentile(v, 95) > args.target_p95}
    if slow:
        lines.append("page layouts (router callback) with p95 over the target: "
                     + ", ".join(f"{k} {v:,.0f} ms" for k, v in sorted(slow.items(), key=lambda kv: -kv[1])))
    lines += ["", "errors (locust):"]
    lines += [f"  {f['Occurrences']:>6} x {f['Method']} {f['Name']}: {f['Error'][:160]}" for f in failures] or ["  none"]
    lines += ["", f"requests resent once after their connection failed before an answer (as Chromium does; "
                  f"their time includes both attempts): {len(retried)}"]
    for error, n in Counter(e for _url, e in retried).most_common(5):
        lines.append(f"  {n:>6} x {error}")
    lines += ["", f"server log: {len(problems)} error lines" + (":" if problems else "")]
    lines += [f"  {p[:200]}" for p in problems[:10]]
    lines += ["", "Content-Encoding and sizes, one request of each kind before the load:"]
    lines += ["  " + line for line in compression]
    lines += ["", "Content-Encoding seen during the load (locust; wire size from Content-Length):"]
    lines += ["  " + line for line in encodings]
    text = "\n".join(lines) + "\n"
    if not times:
        text += "\nlocust recorded no requests; its log:\n" + locust_log[-3000:]
    print()
    print(text)
    out = _server.RESULTS / f"{dt.date.today():%Y-%m-%d}-load.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log(f"written to {out}")
    return 0 if met_errors and met_p95 else 1


def _locust_version() -> str:
    try:
        from importlib.metadata import version
        return version("locust")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    sys.exit(main())
