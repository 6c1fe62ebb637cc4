"""Benchmark of the delivery (issue #19): the time to deliver one release's steering packs (pptx) to the
programme and to all 14 unit scopes, on the calibrated demo store, through a local SMTP server.

    .venv/bin/python benchmarks/delivery.py [--url URL]

On a fresh temporary SQLite store filled with `load_demo` and published (unless --url names a
published store), it adds one account and one pptx subscription per scope (the programme's
national pack and each unit's, as its users see it), starts a local SMTP server (aiosmtpd), and
runs `dashboard.delivery.deliver` as `loket deliver` does: each pack made (figures, charts drawn
in the warm browser, written), archived and mailed. A second run shows that nothing is sent twice
(and what a run costs when there is nothing to do). The first pack also pays for starting the browser.
The result is printed and written to benchmarks/results/<YYYY-MM-DD>-delivery.txt.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from benchmarks._server import demo_store  # noqa: E402 - after the project root is on the path

from dashboard import delivery  # noqa: E402 - after the project root is on the path
from dashboard.config import Config  # noqa: E402
from queries import catalogue  # noqa: E402
from queries.accounts import users  # noqa: E402
from queries.accounts.access import Access  # noqa: E402
from queries.delivery import subscriptions  # noqa: E402
from queries.store.codes import UNITS  # noqa: E402


class Counter:
    """An SMTP handler that counts what it receives."""

    def __init__(self):
        self.mails = 0
        self.bytes = 0

    async def handle_DATA(self, _server, _session, envelope):
        self.mails += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(url: str | None) -> str:
    with tempfile.TemporaryDirectory() as folder:
        engine, seconds_demo = demo_store(url, folder)
        admin = Access("bench-admin", "admin")
        users.add_user(engine, "bench-programme", "bench-password-0001", "programme")
        subscriptions.add(engine, admin, "bench-programme", "programme@example.org", "NL", "pptx", "nl")
        for code in UNITS.values:
            name = f"bench-hr-{code.lower()}"
            users.add_user(engine, name, "bench-password-0001", "unit", code)
            subscriptions.add(engine, admin, name, f"hr-{code.lower()}@example.org", code, "pptx", "nl")
        handler = Counter()
        controller = Controller(handler, hostname="127.0.0.1", port=_port())
        controller.start()
        lines: list[str] = []
        started = time.perf_counter()

        def say(text: str) -> None:
            line = f"{time.perf_counter() - started:7.1f} s  {text}"
            lines.append(line)
            print(line, flush=True)

        try:
            cfg = Config.from_overrides({"DATABASE_URL": str(engine.url), "DEMO_MODE": True, "SMTP_HOST": "127.0.0.1",
                                         "SMTP_PORT": controller.port, "SMTP_TLS": "none"})
            first = delivery.deliver(cfg, engine, say=say)
            again = delivery.deliver(cfg, engine)
        finally:
            controller.stop()
        with engine.connect() as conn:
            latest = catalogue.latest_refresh(conn)
    summary = [
        f"# Delivery benchmark, {dt.date.today():%Y-%m-%d} ({platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{'--url' if url else 'temporary SQLite demo store'}; demo store built in {seconds_demo:.0f} s)",
        f"Release {latest.id}, data up to {latest.data_until}: pptx packs (nl) for the programme and all "
        f"{len(UNITS.values)} unit scopes, mailed to a local SMTP server.",
        "",
        f"first run:  {first.sent} mails sent ({handler.bytes / 2**20:.1f} MB), {first.packs_made} packs made, "
        f"{first.failed} failed, in {first.seconds:.1f} s ({first.seconds / max(1, first.packs_made):.1f} s a pack, "
        "the first one also starting the browser)",
        f"second run: {again.sent} mails sent, {again.packs_made} packs made, in {again.seconds:.2f} s "
        "(nothing is sent twice)",
        "",
        "The first run's progress:",
        *lines,
    ]
    return "\n".join(summary) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a published store to use instead of a fresh demo store")
    args = parser.parse_args()
    text = run(args.url)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{dt.date.today():%Y-%m-%d}-delivery.txt").write_text(text)


if __name__ == "__main__":
    main()
