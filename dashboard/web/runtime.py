"""What a request needs from the running app: its store engine, policy and config."""
from __future__ import annotations

from dataclasses import dataclass

import flask
import sqlalchemy as sa

from dashboard.config import Config
from queries.privacy import Policy

EXTENSION = "loket"


@dataclass(frozen=True)
class Runtime:
    config: Config
    engine: sa.Engine
    policy: Policy


def current() -> Runtime:
    """Return the runtime of the app serving this request."""
    return flask.current_app.extensions[EXTENSION]


def policy_from(cfg: Config) -> Policy:
    """Build the protection policy from the config."""
    return Policy(k=cfg.MIN_COUNT, base=cfg.ROUNDING_BASE, show_zeros=cfg.SHOW_ZEROS,
                  exact_national_total=cfg.EXACT_NATIONAL_TOTAL)
