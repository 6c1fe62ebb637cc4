"""Shared helpers for the load and browser benchmarks: bench accounts, gunicorn, machine info.

Not a benchmark itself. `benchmarks/load_test.py` and `benchmarks/browser_timing.py` use it to

* create (or refresh) the bench accounts in a store with the `loket users` command
  (`ensure_accounts`; passwords are new random ones for every run, read from standard input);
* start gunicorn on `app:server` on a free port of 127.0.0.1, production-like: the given
  `DATABASE_URL`, a random `SECRET_KEY` (gunicorn refuses the development key), `LOKET_DEMO=0`,
  and wait until it answers a signed-in request (`Gunicorn`, a context manager that stops the
  whole process group again on exit, also on Ctrl-C or an exception);
* describe the machine (`machine_info`) for the results files;
* open a benchmark's store: the given one, or a fresh demo store in a folder (`demo_store`).
"""
from __future__ import annotations

import base64
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent  # the venv's bin: gunicorn and loket live beside this python
LOKET = str(BIN / "loket")
GUNICORN = str(BIN / "gunicorn")

# Units with their own HR in the bench mix (regional units; codes from queries.store.codes.UNITS).
BENCH_UNITS = ("NN", "ON", "MN", "NH", "AM", "DH", "RT", "ZWB", "OB", "LB")


@dataclass(frozen=True)
class Account:
    """A bench account: name, password (random per run), role and unit."""

    username: str
    password: str
    role: str
    unit: str | None = None

    @property
    def authorization(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


def stop_on_sigterm() -> None:
    """Make SIGTERM interrupt the benchmark like Ctrl-C does, so that gunicorn is stopped too."""
    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def log(message: str) -> None:
    """Print a progress line with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_accounts(programme: int = 3, units: tuple[str, ...] = BENCH_UNITS) -> list[Account]:
    """Return the bench accounts (new random passwords): some programme managers and one HR per unit."""
    accounts = [Account(f"bench-programme-{i}", secrets.token_urlsafe(18), "programme") for i in range(1, programme + 1)]
    accounts += [Account(f"bench-unit-{u.lower()}", secrets.token_urlsafe(18), "unit", u) for u in units]
    return accounts


def _loket(args: list[str], database_url: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "LOKET_DEMO": "0"}
    return subprocess.run([LOKET, *args], input=stdin, env=env, cwd=ROOT, text=True, capture_output=True, timeout=300)


def migrate(database_url: str) -> None:
    """Bring the store's schema up to date, as the Procfile does before gunicorn starts."""
    code = ("from dashboard.config import Config; from queries import store; "
            "store.migrate(store.get_engine(Config().DATABASE_URL))")
    env = {**os.environ, "DATABASE_URL": database_url, "LOKET_DEMO": "0"}
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=600)


def ensure_accounts(database_url: str, accounts: list[Account]) -> None:
    """Create the bench accounts in the store, or give existing ones this run's password and role."""
    listed = _loket(["users", "list"], database_url)
    if listed.returncode != 0:
        raise RuntimeError(f"loket users list failed: {listed.stderr.strip()}")
    existing = {}
    for line in listed.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3:
            existing[parts[0]] = (parts[1], None if parts[2] == "-" else parts[2])
    for account in accounts:
        role_args = ["--role", account.role] + (["--unit", account.unit] if account.unit else [])
        if account.username in existing:
            steps = [(["users", "set-password", account.username], account.password + "\n")]
            if existing[account.username] != (account.role, account.unit):
                steps.append((["users", "set-role", account.username, *role_args], None))
        else:
            steps = [(["users", "add", account.username, *role_args], account.password + "\n")]
        for args, stdin in steps:
            done = _loket(args, database_url, stdin)
            if done.returncode != 0:
                raise RuntimeError(f"loket {' '.join(args)} failed: {done.stderr.strip()}")
    log(f"bench accounts ready: {len(accounts)} ({sum(a.role == 'programme' for a in accounts)} programme, "
        f"{sum(a.role == 'unit' for a in accounts)} unit)")


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `app:server` on 127.0.0.1 in its own process group; a context manager.

    `extra_env` adds or overrides environment variables of the server (e.g. `LOKET_...` settings).
    The server's output goes to `log_path` (a temporary file unless given). Its page cache is a new
    temporary folder (unless `extra_env` names one), so no run starts with pages an earlier one kept.
    """

    def __init__(self, database_url: str, *, workers: int = 4, threads: int = 4, timeout: int = 120,
                 extra_env: dict[str, str] | None = None, log_path: Path | None = None):
        self.database_url, self.workers, self.threads, self.timeout = database_url, workers, threads, timeout
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="loket-gunicorn-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None
        self.pages = tempfile.TemporaryDirectory(prefix="loket-pages-")

    @property
    def command(self) -> list[str]:
        # The rest (gthread, keep-alive, timeouts) comes from gunicorn.conf.py, as in production.
        return [GUNICORN, "app:server", "--workers", str(self.workers), "--threads", str(self.threads),
                "--bind", f"127.0.0.1:{self.port}", "--timeout", str(self.timeout)]

    def start(self, check: Account | None = None, wait: float = 180.0) -> "Gunicorn":
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": secrets.token_hex(32),
               "LOKET_DEMO": "0", "LOKET_CACHE_DIR": self.pages.name, **self.extra_env}
        env.pop("WEB_CONCURRENCY", None)
        log(f"starting gunicorn ({self.workers} workers x {self.threads} threads) on {self.url}; "
            f"its log: {self.log_path}")
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait_until_ready(check, wait)
        return self

    def _wait_until_ready(self, check: Account | None, wait: float) -> None:
        deadline = time.monotonic() + wait
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}:\n"
                                   + self.log_tail())
            request = urllib.request.Request(self.url + "/", headers={"Accept": "text/html"})
            if check is not None:
                request.add_header("Authorization", check.authorization)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    log(f"gunicorn answers ({response.status}) after "
                        f"{wait - (deadline - time.monotonic()):.1f} s")
                    return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if check is None and exc.code == 401:
                    return  # it answers; no account to sign in with
            except (urllib.error.URLError, ConnectionError, socket.timeout) as exc:
                last = str(exc)
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer within {wait:.0f} s ({last}); see {self.log_path}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop gunicorn (TERM to the arbiter, then KILL to its own process group if it lingers)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            self.pages.cleanup()
            return
        log("stopping gunicorn")
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group gunicorn's arbiter leads (start_new_session)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        finally:
            self.pages.cleanup()

    def __enter__(self) -> "Gunicorn":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine_info() -> list[str]:
    """Return lines describing the machine and software the benchmark ran on."""
    import dash
    import flask

    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return [
        f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu_model()}, {memory_gib()} memory",
        f"system: {platform.platform()}; Python {platform.python_version()}; dash {dash.__version__}; "
        f"flask {flask.__version__}",
        f"load average before the run: {load}",
    ]


def describe_store(database_url: str) -> str:
    """Return the store URL without a password, for the results file."""
    if "@" in database_url and "://" in database_url:
        scheme, rest = database_url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return database_url


def demo_store(url: str | None, folder: str):
    """Return (engine, seconds to build it): the store at `url` migrated, or a new published demo store in `folder`."""
    # Imported here: the load generator imports this module without the project's dependencies.
    from queries import catalogue, store
    from queries.demo import load_demo
    from queries.privacy import Policy

    if url:
        engine = store.get_engine(url)
        store.migrate(engine)
        return engine, 0.0
    engine = store.get_engine(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
    store.migrate(engine)
    started = time.perf_counter()
    load_demo(engine)
    catalogue.refresh(engine, Policy())
    return engine, time.perf_counter() - started
