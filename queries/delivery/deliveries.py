"""The mailing of each release's pack to each subscription: planned, claimed, sent or failed, in the store.

`plan` makes one `pending` delivery per active subscription and release (the pair is unique, so
two runs plan it once). A run then `claim`s each delivery before it sends: the claim is one
conditional update, so of two overlapping runs (two `loket deliver`, or one beside the app's
background run) only one sends it. A failed attempt is recorded (`failure`: attempts, last
error); the delivery is tried again, in the same run or a later one, until `MAX_ATTEMPTS`, and
then stays `failed`, as does one the account may no longer receive (`refuse`). A claim older than
`CLAIM_MINUTES` belongs to a run that died: another run may take it over.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from queries.accounts.access import Access
from queries.delivery.subscriptions import COLUMNS, SubscriptionView, require_admin, view_of
from queries.store.schema import CatalogueRefresh, Delivery, PackArchive, Subscription

MAX_ATTEMPTS = 8
CLAIM_MINUTES = 30  # well over the time one run needs for one pack (drawing it, then mailing it)


@dataclasses.dataclass(frozen=True)
class Due:
    """A delivery still to be sent, with its subscription."""

    id: int
    release_id: int
    attempts: int
    subscription: SubscriptionView


@dataclasses.dataclass(frozen=True)
class DeliveryView:
    """A delivery as the administrators' page shows it."""

    release_id: int
    data_until: str | None
    subscription_id: int
    username: str
    email: str
    scope: str
    format: str
    language: str
    state: str
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None
    file_name: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _claimable(now: dt.datetime):
    """The condition of a delivery a run may claim: pending with attempts left, or claimed by a run that died."""
    stale = now - dt.timedelta(minutes=CLAIM_MINUTES)
    return sa.or_(sa.and_(Delivery.state == "pending", Delivery.attempts < MAX_ATTEMPTS),
                  sa.and_(Delivery.state == "sending", Delivery.claimed_at < stale))


def plan(engine: sa.Engine, release_id: int) -> int:
    """Make a pending delivery of a release for every active subscription that has none; return how many."""
    now = _now()
    with engine.begin() as conn:
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
        missing = sa.select(Subscription.id, sa.literal(release_id), sa.literal("pending"), sa.literal(0),
                            sa.literal(now)).where(
            Subscription.active.is_(True),
            ~sa.exists().where(Delivery.subscription_id == Subscription.id, Delivery.release_id == release_id))
        statement = dialect.insert(Delivery).from_select(
            ["subscription_id", "release_id", "state", "attempts", "created_at"], missing)
        # (counted from RETURNING: PostgreSQL's driver gives no row count for an INSERT ... SELECT)
        return len(conn.execute(statement.on_conflict_do_nothing(index_elements=["subscription_id", "release_id"])
                                .returning(Delivery.id)).all())


def due(engine: sa.Engine, release_id: int) -> list[Due]:
    """Return the deliveries of a release a run may claim now, for active subscriptions, in subscription order."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Delivery.id, Delivery.release_id, Delivery.attempts, *COLUMNS)
                            .join(Subscription, Subscription.id == Delivery.subscription_id)
                            .where(Delivery.release_id == release_id, Subscription.active.is_(True),
                                   _claimable(_now()))
                            .order_by(Subscription.id)).all()
    return [Due(r[0], r[1], r[2], view_of(r[3:])) for r in rows]


def claim(engine: sa.Engine, delivery_id: int, run: str) -> bool:
    """Claim a delivery for a run (one conditional update); return whether this run got it and may send it."""
    now = _now()
    with engine.begin() as conn:
        return conn.execute(sa.update(Delivery).where(Delivery.id == delivery_id, _claimable(now))
                            .values(state="sending", claimed_by=run, claimed_at=now)).rowcount == 1


def _ours(delivery_id: int, run: str):
    return sa.and_(Delivery.id == delivery_id, Delivery.state == "sending", Delivery.claimed_by == run)


def sent(engine: sa.Engine, delivery_id: int, run: str, archive_id: int) -> None:
    """Record that a run sent its claimed delivery, with the archived pack it sent."""
    now = _now()
    with engine.begin() as conn:
        conn.execute(sa.update(Delivery).where(_ours(delivery_id, run)).values(
            state="sent", attempts=Delivery.attempts + 1, sent_at=now, archive_id=archive_id, last_error=None))


def failure(engine: sa.Engine, delivery_id: int, run: str, error: str, *, keep: bool) -> bool:
    """Record a failed attempt of a claimed delivery; with `keep` the run keeps its claim to try again now.
    Return whether attempts are left (else it is `failed` for good)."""
    with engine.begin() as conn:
        attempts = conn.execute(sa.select(Delivery.attempts).where(_ours(delivery_id, run))).scalar()
        if attempts is None:
            return False
        left = attempts + 1 < MAX_ATTEMPTS
        state = "failed" if not left else "sending" if keep else "pending"
        conn.execute(sa.update(Delivery).where(_ours(delivery_id, run)).values(
            state=state, attempts=attempts + 1, last_error=error[:255], claimed_at=_now()))
    return left


def refuse(engine: sa.Engine, delivery_id: int, run: str, reason: str) -> None:
    """Record that a claimed delivery may not be sent at all (the account changed): `failed`, with the reason."""
    with engine.begin() as conn:
        conn.execute(sa.update(Delivery).where(_ours(delivery_id, run)).values(state="failed", last_error=reason[:255]))


def unclaim(engine: sa.Engine, delivery_id: int, run: str) -> None:
    """Give a claimed delivery back without counting an attempt (the run stops before it tried)."""
    with engine.begin() as conn:
        conn.execute(sa.update(Delivery).where(_ours(delivery_id, run)).values(state="pending", claimed_by=None))


def recent(engine: sa.Engine, access: Access, releases: int = 3) -> list[DeliveryView]:
    """Return the deliveries of the newest releases, newest first, failures first (administrators only)."""
    require_admin(access)
    with engine.connect() as conn:
        newest = sa.select(CatalogueRefresh.id).order_by(CatalogueRefresh.id.desc()).limit(releases)
        rows = conn.execute(
            sa.select(Delivery.release_id, CatalogueRefresh.data_until, Subscription.id, Subscription.username,
                      Subscription.email, Subscription.scope, Subscription.format, Subscription.language,
                      Delivery.state, Delivery.attempts, Delivery.last_error, Delivery.sent_at, PackArchive.file_name)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .join(CatalogueRefresh, CatalogueRefresh.id == Delivery.release_id)
            .outerjoin(PackArchive, PackArchive.id == Delivery.archive_id)
            .where(Delivery.release_id.in_(newest))
            .order_by(Delivery.release_id.desc(), (Delivery.state == "sent").asc(), Subscription.id)).all()
    return [DeliveryView(*r) for r in rows]
