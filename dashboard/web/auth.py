"""Who is calling: authentication (dash-auth) and the caller's access scope, derived on the server.

The contract with the rest of the code is `current_access()`: the `Access` of the authenticated
caller of the current request, from the store's account (BasicAuth) or from the identity
provider's group claim (OIDCAuth). Nothing a caller sends besides its credentials (no component
value, URL or hidden field) changes it.
"""
from __future__ import annotations

import base64
import binascii
import collections
import datetime as dt
import fcntl
import functools
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from pathlib import Path

import dash
import flask
import sqlalchemy as sa
from dash_auth import BasicAuth
from dash_auth.public_routes import PUBLIC_ROUTES
from werkzeug.routing import Map, Rule

from dashboard.config import Config
from dashboard.ui.texts import t
from queries.accounts import audit_log, users
from queries.accounts.access import Access
from queries.store.codes import UNITS

EXTENSION = "loket.auth"
REALM = "Loket-monitor"
NOBODY = Access(user="", role=None)

# Static files only: no figure, no layout, no callback is public.
PUBLIC = ("/assets/<path:path>", "/_dash-component-suites/<path:path>", "/_favicon.ico")


@functools.cache
def _dummy_hash() -> str:
    # A hash that matches nothing, checked for unknown users so they take as long as known ones.
    return users.hash_password(secrets.token_urlsafe(16))


def current_access() -> Access:
    """Return the access scope of the authenticated caller; no role when there is none."""
    if not flask.has_request_context():
        return NOBODY
    if "loket_access" not in flask.g:
        authenticator = flask.current_app.extensions.get(EXTENSION)
        flask.g.loket_access = authenticator.access() if authenticator is not None else NOBODY
    return flask.g.loket_access


def may_visit(page: dict) -> bool:
    """Tell whether the caller may open a registered page (pages may name their `roles`)."""
    roles = page.get("roles")
    return roles is None or current_access().role in roles


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """Return (user name, password) from a Basic `Authorization` header, or None for anything else."""
    if not header or len(header) > 4096:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None
    return username, password


def wants_page() -> bool:
    """Tell whether the request is a browser navigation (rather than a callback, API or file request)."""
    req = flask.request
    return (req.method == "GET" and not req.path.startswith(("/_dash-", "/api/"))
            and "text/html" in req.headers.get("Accept", ""))


def _unauthorized(headers: dict | None = None) -> flask.Response:
    return flask.Response(t("auth.login_required"), status=401, headers=headers or {},
                          mimetype="text/plain")


class _VerifiedPasswords:
    """Remember recently verified passwords (as keyed digests) so a page's many requests hash once.

    The key includes the stored hash, so a changed password invalidates it; a removed account is
    caught because the account is read from the store on every request.
    """

    def __init__(self, ttl: float = 600.0, size: int = 1024):
        self._key = secrets.token_bytes(32)
        self._ttl, self._size = ttl, size
        self._seen: collections.OrderedDict[bytes, float] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, account: users.Credentials, password: str) -> bytes:
        message = "\0".join((account.username, password, account.password_hash)).encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def known(self, account: users.Credentials, password: str) -> bool:
        """Tell whether this password was verified for this account lately (no hashing)."""
        digest = self._digest(account, password)
        with self._lock:
            expires = self._seen.get(digest)
        return expires is not None and expires > time.monotonic()

    def check(self, account: users.Credentials, password: str) -> bool:
        if self.known(account, password):
            return True
        if not users.verify_password(account.password_hash, password):
            return False
        digest, now = self._digest(account, password), time.monotonic()
        with self._lock:
            self._seen[digest] = now + self._ttl
            self._seen.move_to_end(digest)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return True


class LoketBasicAuth(BasicAuth):
    """dash-auth's BasicAuth against the store's accounts, with a rate limit on failed logins.

    The limit is atomic across threads and workers: an attempt whose password must be hashed is
    recorded in the store first and then counted with every other (`users.begin_attempt`), so at
    most the limit are ever checked. A user is not locked out by failures for its name at an
    address it signed in from lately (the limit per address still holds there). It also answers
    401 (not an error) to other schemes (`Bearer ...`) and malformed headers.
    """

    def __init__(self, app: dash.Dash, cfg: Config, engine: sa.Engine):
        self.cfg, self.engine = cfg, engine
        self._verified = _VerifiedPasswords()
        super().__init__(app, auth_func=self._check_password)

    def _account(self, username: str) -> users.Credentials | None:
        account = users.credentials(self.engine, username)
        if account is not None and account.is_demo and not self.cfg.DEMO_MODE:
            return None  # demo accounts only work on the demo store
        return account

    def _check_password(self, username: str, password: str) -> bool:
        account = self._account(username)
        if account is None:
            users.verify_password(_dummy_hash(), password)
            return False
        if not self._verified.check(account, password):
            return False
        flask.g.loket_access = users.access_of(account)
        return True

    def _counts(self, username: str, address: str) -> users.LoginCounts:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return users.login_counts(self.engine, username, address, now - dt.timedelta(minutes=self.cfg.LOGIN_WINDOW_MINUTES),
                                  now - dt.timedelta(days=self.cfg.LOGIN_KNOWN_ADDRESS_DAYS))

    def _over_limit(self, counts: users.LoginCounts, *, pending: int = 0) -> bool:
        """Tell whether the failures (with `pending` attempts of this request among them) reach a limit."""
        by_user = not counts.known_address and counts.by_user - pending >= self.cfg.LOGIN_MAX_FAILURES_USER
        return by_user or counts.by_address - pending >= self.cfg.LOGIN_MAX_FAILURES_ADDRESS

    def _keep(self) -> dt.timedelta:
        return dt.timedelta(minutes=max(self.cfg.LOGIN_WINDOW_MINUTES, 60))

    def _refuse(self) -> bool:
        flask.g.loket_blocked = True
        return False

    def _authorize(self) -> bool:
        credentials = parse_basic(flask.request.headers.get("Authorization"))
        if credentials is None:
            return False
        username, password = credentials
        address = flask.request.remote_addr or "-"
        if users.login_key(username) != username:
            flask.current_app.logger.warning("login with a malformed user name from %s", users.login_key(address, 64))
        counts = self._counts(username, address)
        if self._over_limit(counts):
            return self._refuse()
        account = self._account(username)
        if account is not None and self._verified.known(account, password):
            return self._signed_in(account, username, address, counts, verified=False)  # nothing to guess here
        attempt = users.begin_attempt(self.engine, username, address, keep=self._keep())
        if self._over_limit(self._counts(username, address), pending=1):  # others were checked meanwhile
            users.end_attempt(self.engine, attempt)
            return self._refuse()
        if account is None or not self._verified.check(account, password):
            if account is None:
                users.verify_password(_dummy_hash(), password)  # unknown users take as long as known ones
            audit_log.record(self.engine, Access(user=username[:80], role=None), "login_failed",
                             f"{flask.request.method} {flask.request.path}", status=401)
            return False  # the attempt stays, as the failure
        users.end_attempt(self.engine, attempt)
        return self._signed_in(account, username, address, counts, verified=True)

    def _signed_in(self, account: users.Credentials, username: str, address: str, counts: users.LoginCounts,
                   *, verified: bool) -> bool:
        if verified:  # a password just hashed: remember the address (at most every few minutes per worker)
            users.record_success(self.engine, username, address,
                                 keep=dt.timedelta(days=max(self.cfg.LOGIN_KNOWN_ADDRESS_DAYS, 1)))
        if counts.by_user_here:  # this user's own mistakes here; guesses from elsewhere stay counted
            users.clear_failures(self.engine, username, address)
        flask.g.loket_access = users.access_of(account)
        return True

    def is_authorized(self) -> bool:
        """Tell whether the request carries valid credentials (checked once per request)."""
        if "loket_authorized" not in flask.g:
            flask.g.loket_authorized = False  # and so it stays if the check fails (the store is down)
            flask.g.loket_authorized = self._authorize()
        return flask.g.loket_authorized

    def login_request(self):
        """Ask for credentials (401), or refuse for a while after too many failed logins (429)."""
        if flask.g.get("loket_blocked"):
            retry = str(self.cfg.LOGIN_WINDOW_MINUTES * 60)
            return flask.Response(t("auth.too_many_attempts"), status=429, headers={"Retry-After": retry},
                                  mimetype="text/plain")
        return _unauthorized({"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})

    def access(self) -> Access:
        """Return the caller's access from its account (role None when unauthenticated)."""
        if not self.is_authorized():
            return NOBODY
        return flask.g.get("loket_access", NOBODY)

    def auth_paths(self) -> tuple[str, ...]:
        return ()


def access_from_claims(claims: dict, cfg: Config) -> Access:
    """Return the access scope from an identity provider's claims.

    The group claim (`cfg.OIDC_GROUPS_CLAIM`, a list or a comma/space-separated string) holds
    `<prefix>admin`, `<prefix>programme` or `<prefix>unit-<CODE>`; admin wins over programme,
    and a unit role needs exactly one valid unit group. Anything else: no role.
    """
    user = claims.get(cfg.OIDC_USER_CLAIM) or claims.get("sub") or ""
    user = str(user)[:80]
    groups = claims.get(cfg.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = re.split(r"[,\s]+", groups)
    if not isinstance(groups, (list, tuple)):
        groups = []
    groups = {g for g in groups if isinstance(g, str)}
    prefix = cfg.OIDC_GROUP_PREFIX
    if not user:
        return NOBODY
    for role in ("admin", "programme"):
        if prefix + role in groups:
            return Access(user=user, role=role)
    unit_prefix = f"{prefix}unit-"
    units = {g[len(unit_prefix):].upper() for g in groups if g.startswith(unit_prefix)}
    if len(units) == 1 and (unit := units.pop()) in UNITS:
        return Access(user=user, role="unit", unit=unit)
    return Access(user=user, role=None)


def _logged_out() -> str:
    return (f'<!DOCTYPE html><html lang="nl"><title>{REALM}</title><p>U bent uitgelogd. / You are logged out.</p>'
            '<p><a href="/">Loket-monitor</a></p></html>')


def _oidc_auth_class():
    from dash_auth import OIDCAuth  # needs authlib (dash-auth[oidc])

    class LoketOIDCAuth(OIDCAuth):
        """dash-auth's OIDCAuth for the police's identity provider; role and unit from a group claim."""

        def __init__(self, app: dash.Dash, cfg: Config, engine: sa.Engine):
            missing = [name for name, value in (("LOKET_OIDC_METADATA_URL", cfg.OIDC_METADATA_URL),
                                                ("LOKET_OIDC_CLIENT_ID", cfg.OIDC_CLIENT_ID),
                                                ("LOKET_OIDC_CLIENT_SECRET", cfg.OIDC_CLIENT_SECRET)) if not value]
            if missing:
                raise RuntimeError(f"LOKET_AUTH=oidc needs {', '.join(missing)}")
            self.cfg, self.engine = cfg, engine
            super().__init__(app, secret_key=cfg.SECRET_KEY, force_https_callback=cfg.HTTPS,
                             secure_session=cfg.HTTPS, log_signins=True, logout_page=_logged_out())
            self.register_provider(cfg.OIDC_NAME, client_id=cfg.OIDC_CLIENT_ID,
                                   client_secret=cfg.OIDC_CLIENT_SECRET,
                                   server_metadata_url=cfg.OIDC_METADATA_URL,
                                   client_kwargs={"scope": cfg.OIDC_SCOPE})

        def _session_user(self) -> dict | None:
            user = flask.session.get("user")
            login_at = flask.session.get("login_at")
            if not isinstance(user, dict) or not isinstance(login_at, (int, float)):
                return None
            if time.time() - login_at > self.cfg.SESSION_HOURS * 3600:
                return None
            return user

        def is_authorized(self) -> bool:
            """Tell whether the request has a live session (or is one of the login routes)."""
            if "loket_authorized" not in flask.g:
                flask.g.loket_authorized = self._session_user() is not None or self._is_auth_path()
            return flask.g.loket_authorized

        def _is_auth_path(self) -> bool:
            rules = [r for r in (self.login_route, self.logout_route, self.callback_route, self.idp_selection_route) if r]
            return Map([Rule(r) for r in rules]).bind("").test(flask.request.path)

        def auth_paths(self) -> tuple[str, ...]:
            return tuple(r for r in (self.login_route, self.logout_route, self.callback_route) if r)

        def login_request(self, idp: str | None = None):
            """Send a browser to the identity provider; answer 401 to callbacks, API and file requests."""
            if idp is None and not wants_page():
                return _unauthorized()
            return super().login_request(idp)

        def callback(self, idp: str):
            """Finish the login; keep only the claims the app needs in the (signed) session cookie."""
            from authlib.integrations.base_client import OAuthError

            if idp not in self.oauth._registry:
                return _unauthorized()
            client = self.get_oauth_client(idp)
            kwargs = self.get_oauth_kwargs(idp)
            try:
                token = client.authorize_access_token(**kwargs.get("authorize_token_kwargs", {}))
            except OAuthError:
                return _unauthorized()
            claims = dict(token.get("userinfo") or {})
            if claims and self.cfg.OIDC_GROUPS_CLAIM not in claims:
                try:  # some providers put the groups only in the userinfo endpoint's answer
                    claims.update(client.userinfo(token=token))
                except Exception:  # noqa: BLE001 - no userinfo: no groups, so no role
                    pass
            if not claims:
                return _unauthorized()
            keep = {"sub", "email", self.cfg.OIDC_USER_CLAIM, self.cfg.OIDC_GROUPS_CLAIM}
            flask.session.clear()  # a fresh session at every login (no fixation)
            flask.session["user"] = {k: v for k, v in claims.items() if k in keep}
            flask.session["idp"] = idp
            flask.session["login_at"] = time.time()
            flask.session.permanent = True
            access = access_from_claims(flask.session["user"], self.cfg)
            audit_log.record(self.engine, access, "login", idp, status=302)
            return flask.redirect(self.app.config.get("url_base_pathname") or "/")

        def access(self) -> Access:
            """Return the caller's access from the session's claims (role None when there is none)."""
            user = self._session_user()
            return NOBODY if user is None else access_from_claims(user, self.cfg)

    return LoketOIDCAuth


def _public_routes() -> "Map":
    # dash-auth would also make the layout and the callback graph public; only static files are.
    return Map([Rule(r) for r in PUBLIC]).bind("")


def install(app: dash.Dash, cfg: Config, engine: sa.Engine):
    """Put dash-auth in front of every route and return the authenticator."""
    if cfg.AUTH == "basic":
        authenticator = LoketBasicAuth(app, cfg, engine)
    elif cfg.AUTH == "oidc":
        authenticator = _oidc_auth_class()(app, cfg, engine)
    else:
        raise ValueError(f"LOKET_AUTH must be basic or oidc, got {cfg.AUTH!r}")
    app.server.config[PUBLIC_ROUTES] = _public_routes()
    app.server.extensions[EXTENSION] = authenticator
    if cfg.DEMO_MODE and cfg.AUTH == "basic":
        print_demo_accounts(demo_accounts(engine, Path(cfg.DEMO_CREDENTIALS)), cfg.DEMO_CREDENTIALS)
    return authenticator


# --- demo accounts ----------------------------------------------------------------------------

def _read_credentials(text: str) -> dict[str, str]:
    known = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            known[parts[0]] = parts[1]
    return known


def demo_accounts(engine: sa.Engine, path: Path) -> dict[str, str]:
    """Create or repair the demo accounts; keep their passwords in a file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # several gunicorn workers start at once
        known = _read_credentials(fh.read())
        passwords = users.ensure_demo_users(engine, known)
        if passwords != {k: v for k, v in known.items() if k in passwords}:
            lines = ["# Loket monitor demo accounts: demo data only. Delete this file to get new passwords."]
            lines += [f"{name} {passwords[name]} {role} {unit or ''}".rstrip() for name, role, unit in users.DEMO_USERS]
            fh.seek(0)
            fh.truncate()
            fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return passwords


def print_demo_accounts(passwords: dict[str, str], where: str) -> None:
    """Print the demo accounts' credentials (demo mode only)."""
    sees = {"programme": "all units", "admin": "all units and the audit log"}
    print(f"Demo accounts (demo data only; passwords kept in {where}):", flush=True)
    for name, role, unit in users.DEMO_USERS:
        scope = f"{unit} {UNITS.label(unit, 'nl')}" if unit else sees[role]
        print(f"  {name:<15} {passwords[name]}   {role}: {scope}", flush=True)

