"""Configuration from environment variables, with safe development defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from queries import store
from queries.store import DEFAULT_URL, PROJECT_ROOT

DEV_SECRET_KEY = "dev-only-not-secret"
DEMO_CREDENTIALS = str(PROJECT_ROOT / "instance" / "demo-credentials.txt")
PAGE_CACHE_DIR = str(PROJECT_ROOT / "instance" / "page-cache")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None else int(value)


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value is None else float(value)


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
    # Users and access (README "Users, roles and access"): "basic" checks the store's accounts,
    # "oidc" signs in at the identity provider and takes the role from a group claim.
    AUTH: str = field(default_factory=lambda: os.environ.get("LOKET_AUTH", "basic").strip().lower())
    OIDC_NAME: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_NAME", "politie"))
    OIDC_METADATA_URL: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_METADATA_URL", ""))
    OIDC_CLIENT_ID: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_CLIENT_ID", ""))
    OIDC_CLIENT_SECRET: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_CLIENT_SECRET", ""))
    OIDC_SCOPE: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_SCOPE", "openid email profile"))
    OIDC_USER_CLAIM: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_USER_CLAIM", "email"))
    OIDC_GROUPS_CLAIM: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_GROUPS_CLAIM", "groups"))
    OIDC_GROUP_PREFIX: str = field(default_factory=lambda: os.environ.get("LOKET_OIDC_GROUP_PREFIX", "loket-"))
    SESSION_HOURS: int = field(default_factory=lambda: _env_int("LOKET_SESSION_HOURS", 8))
    LOGIN_WINDOW_MINUTES: int = field(default_factory=lambda: _env_int("LOKET_LOGIN_WINDOW_MINUTES", 15))
    LOGIN_MAX_FAILURES_USER: int = field(default_factory=lambda: _env_int("LOKET_LOGIN_MAX_FAILURES_USER", 10))
    LOGIN_MAX_FAILURES_ADDRESS: int = field(default_factory=lambda: _env_int("LOKET_LOGIN_MAX_FAILURES_ADDRESS", 30))
    # A user signed in from an address within this many days is not locked out there by failures
    # elsewhere (so knowing a user name is not enough to lock its user out); the address limit holds.
    LOGIN_KNOWN_ADDRESS_DAYS: int = field(default_factory=lambda: _env_int("LOKET_LOGIN_KNOWN_ADDRESS_DAYS", 30))
    # How long the app waits for the store before answering 503 (README "Configuration"): to
    # connect, for a free pooled connection, and (in a request) for each statement's answer.
    STORE_CONNECT_SECONDS: float = field(
        default_factory=lambda: _env_float("LOKET_STORE_CONNECT_SECONDS", store.CONNECT_SECONDS))
    STORE_POOL_SECONDS: float = field(default_factory=lambda: _env_float("LOKET_STORE_POOL_SECONDS", store.POOL_SECONDS))
    STORE_STATEMENT_SECONDS: float = field(
        default_factory=lambda: _env_float("LOKET_STORE_STATEMENT_SECONDS", store.STATEMENT_SECONDS))
    # Request bodies larger than this are refused (413) before they are read; administrators'
    # callbacks may be larger: the import page uploads up to 50 MB of files, base64 in JSON (~67 MB).
    MAX_REQUEST_MB: float = field(default_factory=lambda: _env_float("LOKET_MAX_REQUEST_MB", 2))
    MAX_ADMIN_REQUEST_MB: float = field(default_factory=lambda: _env_float("LOKET_MAX_ADMIN_REQUEST_MB", 70))
    # Steering packs one user may have waiting or running at once.
    PACKS_PER_USER: int = field(default_factory=lambda: _env_int("LOKET_PACKS_PER_USER", 2))
    # Background jobs' results (and an import's uploads) are kept in the store, or in this folder
    # (shared by every app instance) when set; finished jobs are deleted after JOB_HOURS.
    JOB_FILES: str = field(default_factory=lambda: os.environ.get("LOKET_JOB_FILES", ""))
    JOB_HOURS: float = field(default_factory=lambda: _env_float("LOKET_JOB_HOURS", 24))
    # Behind a reverse proxy: how many proxies' X-Forwarded-* headers to trust (0: none).
    PROXY_HOPS: int = field(default_factory=lambda: _env_int("LOKET_PROXY_HOPS", 0))
    # Served over HTTPS: secure cookies, HSTS and https redirect URIs for the identity provider.
    HTTPS: bool = field(default_factory=lambda: _env_bool("LOKET_HTTPS", False))
    DEMO_CREDENTIALS: str = field(default_factory=lambda: os.environ.get("LOKET_DEMO_CREDENTIALS", DEMO_CREDENTIALS))
    # Rendered pages are cached per scope for this many seconds (0: no cache), in Redis when
    # REDIS_URL is set (shared by every app host), else in CACHE_DIR (shared by this host's workers;
    # empty: in each process's memory), at most CACHE_PAGES pages.
    CACHE_SECONDS: int = field(default_factory=lambda: _env_int("LOKET_CACHE_SECONDS", 3600))
    CACHE_PAGES: int = field(default_factory=lambda: _env_int("LOKET_CACHE_PAGES", 2000))
    CACHE_DIR: str = field(default_factory=lambda: os.environ.get("LOKET_CACHE_DIR", PAGE_CACHE_DIR))
    REDIS_URL: str = field(default_factory=lambda: os.environ.get("REDIS_URL", ""))
    # Delivery of the steering pack (README "Delivery"): the mail server (no host: nothing is sent),
    # the largest attachment (larger packs are sent as a link to the archive at PUBLIC_URL), and the
    # archive of every release's packs: in the store, or in ARCHIVE_DIR; kept ARCHIVE_MONTHS (0: always).
    SMTP_HOST: str = field(default_factory=lambda: os.environ.get("LOKET_SMTP_HOST", ""))
    SMTP_PORT: int = field(default_factory=lambda: _env_int("LOKET_SMTP_PORT", 587))
    SMTP_TLS: str = field(default_factory=lambda: os.environ.get("LOKET_SMTP_TLS", "starttls").strip().lower())
    SMTP_USER: str = field(default_factory=lambda: os.environ.get("LOKET_SMTP_USER", ""))
    SMTP_PASSWORD: str = field(default_factory=lambda: os.environ.get("LOKET_SMTP_PASSWORD", ""))
    MAIL_FROM: str = field(default_factory=lambda: os.environ.get("LOKET_MAIL_FROM", "loket-monitor@localhost"))
    MAIL_MAX_MB: float = field(default_factory=lambda: _env_float("LOKET_MAIL_MAX_MB", 10))
    PUBLIC_URL: str = field(default_factory=lambda: os.environ.get("LOKET_PUBLIC_URL", "http://127.0.0.1:8050"))
    ARCHIVE_DIR: str = field(default_factory=lambda: os.environ.get("LOKET_ARCHIVE_DIR", ""))
    ARCHIVE_MONTHS: int = field(default_factory=lambda: _env_int("LOKET_ARCHIVE_MONTHS", 24))
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
