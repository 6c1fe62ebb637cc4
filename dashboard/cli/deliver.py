"""`loket deliver`: mail the latest release's steering pack to every subscription that has not had it."""
from __future__ import annotations

import sys

from dashboard import delivery
from dashboard.cli.common import open_store
from dashboard.config import Config


def say(text: str) -> None:
    """Print a progress line on the console (standard error, so the summary alone goes to standard output)."""
    print(text, file=sys.stderr, flush=True)


def run_delivery(cfg: Config, engine) -> int:
    """Deliver the latest release with progress on the console; return the exit code (1 when a send failed)."""
    outcome = delivery.deliver(cfg, engine, say=say)
    if outcome.release_id is not None:
        print(f"Release {outcome.release_id}: {outcome.sent} mails sent, {outcome.failed} failed attempts, "
              f"{outcome.refused} refused, {outcome.packs_made} packs made ({outcome.seconds:.1f} s).")
    return 1 if outcome.failed or outcome.refused else 0


def cmd_deliver(_args, cfg: Config) -> int:
    """Deliver the latest release's packs; 2 when no mail server is configured."""
    if not delivery.smtp_configured(cfg):
        print("loket deliver: no mail server is configured: set LOKET_SMTP_HOST (README \"Delivery\")", file=sys.stderr)
        return 2
    return run_delivery(cfg, open_store(cfg))


def add_parsers(sub) -> None:
    deliver = sub.add_parser(
        "deliver", help="mail the latest release's steering pack to every subscription that has not had it",
        description="For the latest published release, build (or take from the archive) the steering pack of every "
                    "active subscription and mail it through the configured SMTP server. Nothing is sent twice, "
                    "also when two runs overlap; failed sends are tried again by the next run. Run it from cron or "
                    "the Procfile's clock line, e.g. hourly.")
    deliver.set_defaults(func=cmd_deliver)
