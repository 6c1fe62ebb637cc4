"""Subscriptions to the steering pack: an account, an e-mail address, the pack's scope, format and language.

Only administrators manage them. The scope is checked on the server against the account in the
store, when the subscription is made (a unit account only for its own unit) and again before
every mailing (`refusal`): an account whose role or unit changed since is not sent the pack.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from email.errors import HeaderParseError
from email.headerregistry import Address

import sqlalchemy as sa

from queries.accounts import audit_log
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.store.codes import UNITS
from queries.store.schema import Subscription, User

FORMATS = ("pptx", "pdf", "xlsx")
LANGUAGES = ("nl", "en")


class SubscriptionError(ValueError):
    """Raised for a subscription the account may not have, or an invalid address, scope, format or language.

    Its message is a text key of the interface (`delivery.error.*`).
    """


@dataclasses.dataclass(frozen=True)
class SubscriptionView:
    """A subscription as the administrators' page and the mailer see it."""

    id: int
    username: str
    email: str
    role: str
    unit: str | None
    scope: str
    format: str
    language: str
    active: bool
    created_by: str
    created_at: dt.datetime

    def pack_access(self) -> Access:
        """Return the access the pack is built with: the account's own, or for a unit's pack that unit's users'
        (as `loket report --unit` builds it), so a unit's pack is the same whoever receives it."""
        if self.scope == NATIONAL:
            return Access(self.username, self.role, self.unit)
        return Access(self.username, "unit", self.scope)


COLUMNS = (Subscription.id, Subscription.username, Subscription.email, Subscription.role, Subscription.unit_code,
           Subscription.scope, Subscription.format, Subscription.language, Subscription.active,
           Subscription.created_by, Subscription.created_at)


def view_of(row) -> SubscriptionView:
    """Return a subscription from a row of `COLUMNS`."""
    return SubscriptionView(*row)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def require_admin(access: Access) -> Access:
    """Return the access when it is an administrator's, else raise AccessDenied."""
    if access.role != "admin":
        raise AccessDenied(f"{access.user or 'anonymous'} may not manage subscriptions")
    return access


def valid_email(text) -> str:
    """Return an e-mail address (user@domain, nothing else) when it is one, else raise SubscriptionError."""
    if not isinstance(text, str) or len(text.strip()) > 254:
        raise SubscriptionError("delivery.error.email")
    try:
        address = Address(addr_spec=text.strip())
    except (HeaderParseError, ValueError, IndexError):
        raise SubscriptionError("delivery.error.email") from None
    if not address.username or "." not in address.domain or address.addr_spec != text.strip():
        raise SubscriptionError("delivery.error.email")
    return address.addr_spec


def _account(conn: sa.Connection, username: str):
    return conn.execute(sa.select(User.role, User.unit_code).where(User.username == username)).one_or_none()


def allowed_scope(role: str | None, unit: str | None, scope: str) -> bool:
    """Tell whether an account of this role and unit may get a scope's pack: a unit account only its own
    unit's (a national pack shows every unit), programme and administrators any."""
    if role == "unit":
        return scope == unit
    return role in ("programme", "admin") and (scope == NATIONAL or scope in UNITS)


def add(engine: sa.Engine, access: Access, username: str, email: str, scope: str, fmt: str, lang: str) -> int:
    """Subscribe an account (administrators only) and return the subscription's id; raise SubscriptionError
    when the account may not have that scope's pack or a value is invalid."""
    require_admin(access)
    if fmt not in FORMATS:
        raise SubscriptionError("delivery.error.format")
    if lang not in LANGUAGES:
        raise SubscriptionError("delivery.error.language")
    if not isinstance(scope, str):
        raise SubscriptionError("delivery.error.scope")
    address = valid_email(email)
    with engine.begin() as conn:
        account = _account(conn, username) if isinstance(username, str) else None
        if account is None or account.role is None:
            raise SubscriptionError("delivery.error.account")
        if not allowed_scope(account.role, account.unit_code, scope):
            raise SubscriptionError("delivery.error.scope")
        new_id = conn.execute(sa.insert(Subscription).values(
            username=username, email=address, role=account.role, unit_code=account.unit_code, scope=scope,
            format=fmt, language=lang, active=True, created_by=access.user[:80], created_at=_now())
            .returning(Subscription.id)).scalar_one()
        audit_log.record(engine, access, "subscribe", f"subscription {new_id}: {username} {scope} {fmt} {lang}",
                         scope, status=200, conn=conn)
    return new_id


def deactivate(engine: sa.Engine, access: Access, subscription_id: int) -> bool:
    """Stop an active subscription (administrators only); return whether there was one."""
    require_admin(access)
    with engine.begin() as conn:
        done = conn.execute(sa.update(Subscription).where(Subscription.id == subscription_id,
                                                          Subscription.active.is_(True))
                            .values(active=False)).rowcount == 1
        if done:
            audit_log.record(engine, access, "unsubscribe", f"subscription {subscription_id}", None, status=200,
                             conn=conn)
    return done


def listing(engine: sa.Engine, access: Access) -> list[SubscriptionView]:
    """Return every subscription, active ones first, newest first (administrators only)."""
    require_admin(access)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*COLUMNS).order_by(Subscription.active.desc(), Subscription.id.desc())).all()
    return [view_of(r) for r in rows]


def refusal(conn: sa.Connection, subscription: SubscriptionView) -> str | None:
    """Return why a subscription's pack may not be sent now (the account is gone, or its role or unit changed
    since it was subscribed), or None when it may."""
    account = _account(conn, subscription.username)
    if account is None:
        return "the account no longer exists"
    if (account.role, account.unit_code) != (subscription.role, subscription.unit):
        return (f"the account's role or unit changed (was {subscription.role} {subscription.unit or ''}, now "
                f"{account.role or 'none'} {account.unit_code or ''}): subscribe it again").replace("  ", " ")
    return None
