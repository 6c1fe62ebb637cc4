"""Local accounts of the embedded login, their roles, and the login record behind the rate limit.

Passwords are stored only as salted hashes (werkzeug's scrypt); nothing here ever returns one to
a caller outside the login check. Accounts from the identity provider (OIDC) are not stored here.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from queries.accounts.access import ROLES, Access
from queries.store.codes import UNITS
from queries.store.schema import LoginFailure, LoginSuccess, User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The demo accounts, one per role; they exist only in demo mode (see `ensure_demo_users`).
DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("demo-programme", "programme", None),
    ("demo-unit", "unit", "NN"),
    ("demo-admin", "admin", None),
)


class UserError(ValueError):
    """Raised for an invalid user name, role, unit or password, or an unknown or duplicate user."""


@dataclass(frozen=True)
class UserInfo:
    """What may be shown about an account (never its password hash)."""

    username: str
    role: str | None
    unit: str | None
    is_demo: bool
    created_at: dt.datetime
    password_set_at: dt.datetime


@dataclass(frozen=True)
class Credentials:
    """An account as the login check needs it: the stored hash and the role."""

    username: str
    password_hash: str
    role: str | None
    unit: str | None
    is_demo: bool


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def validate_username(username: str) -> str:
    """Return the user name when it is valid (letters, digits, . _ @ -; at most 80), else raise."""
    if not isinstance(username, str) or not USERNAME.match(username):
        raise UserError("a user name has 1-80 letters, digits or . _ @ - and starts with a letter or digit")
    return username


def validate_password(password: str) -> str:
    """Return the password when it is long enough and printable, else raise UserError."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH or any(not ch.isprintable() for ch in password):
        raise UserError(f"a password has at most {MAX_PASSWORD_LENGTH} printable characters")
    return password


def validate_role(role: str | None, unit: str | None) -> tuple[str | None, str | None]:
    """Return (role, unit) when consistent: a unit user has exactly one unit code, others none."""
    if role is not None and role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if role == "unit":
        if unit not in UNITS:
            raise UserError(f"a unit user needs one unit code of {', '.join(UNITS.values)}")
        return role, unit
    if unit is not None:
        raise UserError("only a unit user has a unit code")
    return role, None


def hash_password(password: str) -> str:
    """Return a salted hash of a password."""
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether a password matches a stored hash (constant time)."""
    try:
        return check_password_hash(password_hash, password)
    except (ValueError, TypeError):
        return False


def _info(row) -> UserInfo:
    return UserInfo(row.username, row.role, row.unit_code, row.is_demo, row.created_at, row.password_set_at)


def add_user(engine: sa.Engine, username: str, password: str, role: str | None, unit: str | None = None,
             *, demo: bool = False) -> UserInfo:
    """Create an account; raise UserError when the name is taken or anything is invalid."""
    validate_username(username)
    validate_password(password)
    role, unit = validate_role(role, unit)
    now = _now()
    row = dict(username=username, password_hash=hash_password(password), role=role, unit_code=unit,
               is_demo=demo, created_at=now, password_set_at=now)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(User), [row])
    except sa.exc.IntegrityError as exc:
        raise UserError(f"user {username!r} already exists") from exc
    return UserInfo(username, role, unit, demo, now, now)


def _update(engine: sa.Engine, username: str, **values) -> None:
    with engine.begin() as conn:
        done = conn.execute(sa.update(User).where(User.username == username).values(**values)).rowcount
    if not done:
        raise UserError(f"no user {username!r}")


def set_password(engine: sa.Engine, username: str, password: str) -> None:
    """Replace an account's password (its earlier logins stop working at once)."""
    validate_password(password)
    _update(engine, username, password_hash=hash_password(password), password_set_at=_now())


def set_role(engine: sa.Engine, username: str, role: str | None, unit: str | None = None) -> None:
    """Change an account's role and unit; role None keeps the account but it then sees nothing."""
    role, unit = validate_role(role, unit)
    _update(engine, username, role=role, unit_code=unit)


def remove_user(engine: sa.Engine, username: str) -> None:
    """Delete an account; raise UserError when there is none."""
    with engine.begin() as conn:
        done = conn.execute(sa.delete(User).where(User.username == username)).rowcount
    if not done:
        raise UserError(f"no user {username!r}")


def list_users(engine: sa.Engine) -> list[UserInfo]:
    """Return every account, by name, without password hashes."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(User).order_by(User.username)).all()
    return [_info(r) for r in rows]


def credentials(engine: sa.Engine, username: str) -> Credentials | None:
    """Return an account's stored hash and role for the login check, or None."""
    if not isinstance(username, str) or not USERNAME.match(username):
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(User).where(User.username == username)).first()
    if row is None:
        return None
    return Credentials(row.username, row.password_hash, row.role, row.unit_code, row.is_demo)


def access_of(account: Credentials | UserInfo) -> Access:
    """Return the access scope of an account: role None when its role or unit is not valid."""
    name = account.username
    if account.role not in ROLES:
        return Access(user=name, role=None)
    if account.role == "unit":
        if account.unit not in UNITS:
            return Access(user=name, role=None)
        return Access(user=name, role="unit", unit=account.unit)
    return Access(user=name, role=account.role)


# --- logins: the rate limit per user name and per address ---------------------------------------
#
# An attempt is recorded (committed) before its password is checked, and then the attempts are
# counted: the k-th attempt to commit sees at least k rows, so however many arrive at once, in
# however many workers, at most the limit are checked. An attempt that is refused unchecked or
# succeeds is then removed; a failed one stays as the failure.

@dataclass(frozen=True)
class LoginCounts:
    """Failed (and pending) logins in the window, and whether the address is one the user signed in from."""

    by_user: int
    by_address: int
    by_user_here: int = 0  # this user name's from this address
    known_address: bool = False


def login_key(text: str, length: int = 80) -> str:
    """Return the form in which a user name or address is stored and compared: no control
    characters (PostgreSQL refuses NUL in text), at most `length` characters."""
    return _CONTROL.sub("\ufffd", str(text))[:length]


def login_counts(engine: sa.Engine, username: str, address: str, since: dt.datetime,
                 known_since: dt.datetime | None = None) -> LoginCounts:
    """Return the failed logins for a user name and from an address since a moment, and whether the
    user signed in successfully from that address since `known_since`."""
    username, address = login_key(username), login_key(address, 64)
    f = LoginFailure
    def count(*conditions):
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    failures = sa.select(count(f.username == username), count(f.address == address),
                         count(f.username == username, f.address == address)).where(
        f.at >= since, sa.or_(f.username == username, f.address == address))
    with engine.connect() as conn:
        by_user, by_address, here = conn.execute(failures).one()
        known = known_since is not None and conn.execute(sa.select(LoginSuccess.at).where(
            LoginSuccess.username == username, LoginSuccess.address == address, LoginSuccess.at >= known_since)
        ).first() is not None
    return LoginCounts(int(by_user), int(by_address), int(here), known)


def recent_failures(engine: sa.Engine, username: str, address: str, since: dt.datetime) -> tuple[int, int]:
    """Return (failures for this user name, failures from this address) since a moment."""
    counts = login_counts(engine, username, address, since)
    return counts.by_user, counts.by_address


def begin_attempt(engine: sa.Engine, username: str, address: str, *, keep: dt.timedelta) -> int:
    """Record a login attempt before its password is checked (it counts at once, in every worker);
    forget failures older than `keep`; return the attempt's id."""
    now = _now()
    row = {"at": now, "username": login_key(username), "address": login_key(address, 64)}
    with engine.begin() as conn:
        attempt = conn.execute(sa.insert(LoginFailure).values(**row).returning(LoginFailure.id)).scalar_one()
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - keep))
    return attempt


def end_attempt(engine: sa.Engine, attempt: int) -> None:
    """Forget an attempt that was no failure: refused before its password was checked, or signed in."""
    with engine.begin() as conn:
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.id == attempt))


def record_failure(engine: sa.Engine, username: str, address: str, *, keep: dt.timedelta) -> None:
    """Record one failed login and forget failures older than `keep`."""
    begin_attempt(engine, username, address, keep=keep)


def record_success(engine: sa.Engine, username: str, address: str, *, keep: dt.timedelta) -> None:
    """Remember that a user signed in from an address (the latest time); forget sign-ins older than `keep`."""
    now = _now()
    key = {"username": login_key(username), "address": login_key(address, 64)}
    s = LoginSuccess
    with engine.begin() as conn:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(s).values(**key, at=now)
        # one statement, so that workers signing the same user in at once do not collide
        conn.execute(insert.on_conflict_do_update(index_elements=[s.username, s.address], set_={"at": now}))
        conn.execute(sa.delete(s).where(s.at < now - keep))


def clear_failures(engine: sa.Engine, username: str, address: str | None = None) -> None:
    """Forget a user name's failed logins after a successful one (from that address only, when given:
    a user's sign-in must not wipe out someone else's guesses from elsewhere)."""
    query = sa.delete(LoginFailure).where(LoginFailure.username == login_key(username))
    if address is not None:
        query = query.where(LoginFailure.address == login_key(address, 64))
    with engine.begin() as conn:
        conn.execute(query)


# --- demo accounts ----------------------------------------------------------------------------

def new_password() -> str:
    """Return a random password for a demo account (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def ensure_demo_users(engine: sa.Engine, known: dict[str, str]) -> dict[str, str]:
    """Make sure each demo account exists with its role and a working password; return the passwords.

    `known` holds the passwords kept from an earlier start; a demo account whose kept password
    no longer matches (or that is missing) gets a new random one.
    """
    passwords = {}
    for username, role, unit in DEMO_USERS:
        password = known.get(username)
        account = credentials(engine, username)
        if (account and password and account.is_demo and account.role == role and account.unit == unit
                and verify_password(account.password_hash, password)):
            passwords[username] = password
            continue
        if not password or len(password) < MIN_PASSWORD_LENGTH:
            password = new_password()
        if account is None:
            add_user(engine, username, password, role, unit, demo=True)
        else:
            _update(engine, username, password_hash=hash_password(password), password_set_at=_now(),
                    role=role, unit_code=unit, is_demo=True)
        passwords[username] = password
    return passwords
