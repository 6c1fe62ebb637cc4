"""Configuration from environment variables, with safe development defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from queries.store import DEFAULT_URL

DEV_SECRET_KEY = "dev-only-not-secret"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None else int(value)


@dataclass
class Config:
    """Every setting of the app; each field documents its environment variable in the README."""

    DATABASE_URL: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", DEFAULT_URL))
    SECRET_KEY: str = field(default_factory=lambda: os.environ.get("SECRET_KEY", DEV_SECRET_KEY))
    # The embedded demo store is filled on first start when empty; production sets this off.
    DEMO_MODE: bool = field(default_factory=lambda: _env_bool("LOKET_DEMO", "DATABASE_URL" not in os.environ))
    MIN_COUNT: int = field(default_factory=lambda: _env_int("LOKET_MIN_COUNT", 10))
    ROUNDING_BASE: int = field(default_factory=lambda: _env_int("LOKET_ROUNDING_BASE", 5))
    EXACT_NATIONAL_TOTAL: bool = field(default_factory=lambda: _env_bool("LOKET_EXACT_NATIONAL_TOTAL", False))
    SHOW_ZEROS: bool = field(default_factory=lambda: _env_bool("LOKET_SHOW_ZEROS", True))
    LANGUAGE: str = field(default_factory=lambda: os.environ.get("LOKET_LANGUAGE", "nl"))
    TESTING: bool = False

    @classmethod
    def from_overrides(cls, overrides: dict | None = None) -> "Config":
        """Build the config from the environment, then apply a test's overrides."""
        cfg = cls()
        known = {f.name for f in fields(cls)}
        for key, value in (overrides or {}).items():
            if key not in known:
                raise KeyError(f"unknown setting {key!r}")
            setattr(cfg, key, value)
        return cfg
