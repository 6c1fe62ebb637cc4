"""Tables of the registration store: the data contract that imports, the catalogue and reports rely on."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


Code = sa.String(32)


class Unit(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    name_nl: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    headcount: Mapped[int | None]
    rollout_on: Mapped[dt.date | None]


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Code)
    filename: Mapped[str] = mapped_column(sa.String(255))
    file_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    imported_by: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(16))


class RefreshDue(Base):
    """An import's load whose rows are not yet in the published catalogue (queries/catalogue/refresh_due.py).

    Written in the transaction of the load, deleted by the catalogue refresh that publishes it.
    """

    __tablename__ = "refresh_due"
    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[dt.datetime]
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    source_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    contacted_at: Mapped[dt.datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(Code)
    unit_code: Mapped[str | None] = mapped_column(sa.ForeignKey("units.code"))
    target_group: Mapped[str | None] = mapped_column(Code)
    led_to_registration: Mapped[bool] = mapped_column(default=False)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))
    __table_args__ = (sa.Index("ix_contacts_unit_period", "unit_code", "contacted_at"),)


class Registration(Base):
    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    source_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    registered_on: Mapped[dt.date] = mapped_column(index=True)
    target_group: Mapped[str] = mapped_column(Code)
    unit_code: Mapped[str] = mapped_column(sa.ForeignKey("units.code"))
    gender: Mapped[str] = mapped_column(Code)
    age_band: Mapped[str] = mapped_column(Code)
    channel: Mapped[str] = mapped_column(Code)
    found_via: Mapped[str] = mapped_column(Code)
    anonymity_wish: Mapped[bool]
    anonymity_reason: Mapped[str | None] = mapped_column(Code)
    product: Mapped[str] = mapped_column(Code)
    first_intake_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None] = mapped_column(index=True)
    sessions_count: Mapped[int] = mapped_column(default=0)
    counsellor_changes: Mapped[int] = mapped_column(default=0)
    tcl_done: Mapped[bool] = mapped_column(default=False)
    tcl_above_cutoff: Mapped[bool | None]
    referral_outcome: Mapped[str | None] = mapped_column(Code)
    work_status: Mapped[str | None] = mapped_column(Code)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))
    __table_args__ = (
        sa.Index("ix_registrations_unit_period", "unit_code", "registered_on"),
        sa.CheckConstraint("first_intake_on IS NULL OR first_intake_on >= registered_on", name="intake_after_registration"),
        sa.CheckConstraint("closed_on IS NULL OR closed_on >= registered_on", name="closed_after_registration"),
        sa.CheckConstraint("sessions_count >= 0 AND counsellor_changes >= 0", name="non_negative_counts"),
    )


class RegistrationQuestion(Base):
    __tablename__ = "registration_questions"
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    question_type: Mapped[str] = mapped_column(Code, primary_key=True)


class Session(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    source_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[dt.date]
    mode: Mapped[str] = mapped_column(Code)
    counsellor_id: Mapped[str] = mapped_column(sa.String(32))
    evaluation_moment: Mapped[bool] = mapped_column(default=False)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))


class Survey(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id", ondelete="SET NULL"))
    answered_on: Mapped[dt.date] = mapped_column(index=True)
    grade: Mapped[int]
    goals_reached: Mapped[str] = mapped_column(Code)
    expectations_met: Mapped[bool]
    work_resumed: Mapped[bool | None]
    rating_reachability: Mapped[int | None]
    rating_waiting_time: Mapped[int | None]
    rating_expertise: Mapped[int | None]
    rating_treatment: Mapped[int | None]
    found_via: Mapped[str | None] = mapped_column(Code)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))
    __table_args__ = (sa.CheckConstraint("grade BETWEEN 1 AND 10", name="grade_range"),)


class WebsiteVisits(Base):
    __tablename__ = "website_visits"
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    visits: Mapped[int]
    new_visits: Mapped[int]
    returning_visits: Mapped[int]
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))


class IndicatorTarget(Base):
    __tablename__ = "indicator_targets"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(sa.String(64), index=True)
    product: Mapped[str | None] = mapped_column(Code)
    target_group: Mapped[str | None] = mapped_column(Code)
    expected_value: Mapped[float]
    valid_from: Mapped[dt.date]
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    set_by: Mapped[str] = mapped_column(sa.String(80), default="")
    set_at: Mapped[dt.datetime | None]
    retired_at: Mapped[dt.datetime | None]
    retired_by: Mapped[str | None] = mapped_column(sa.String(80))


class CellKey:
    """The key of a catalogue cell: which table, scope, period and category (a mixin of the cell tables)."""

    table_name: Mapped[str] = mapped_column(sa.String(48))
    scope: Mapped[str] = mapped_column(sa.String(8))
    period_type: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(8))
    category: Mapped[str] = mapped_column(sa.String(48))


class PublishedCell(CellKey, Base):
    """One protected figure of the catalogue; the only figures pages, exports and the API read."""

    __tablename__ = "published_cells"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    value: Mapped[float | None]
    suppressed: Mapped[bool]
    # The value differs from what an earlier release published for this cell (late or corrected data).
    revised: Mapped[bool] = mapped_column(default=False)
    __table_args__ = (
        sa.Index("ix_published_cells_slice", "table_name", "period_type", "scope", "period"),
        # The few revised cells, for the cards' notes (every table of a range at once). Each dialect's own
        # spelling of the condition, as its queries write it, so the planner sees the index applies.
        sa.Index("ix_published_cells_revised", "period_type", "scope", "period",
                 sqlite_where=sa.text("revised = 1"), postgresql_where=sa.text("revised")),
    )


class ReleaseCell(CellKey, Base):
    """The release ledger: what each release published, append-only, as changes on the release before.

    A release's catalogue is, per cell, the newest row at or before it. `version` counts the
    changes of a count cell's true count (a revision); cells with the same version have the
    same true count in every release that shows them.
    """

    __tablename__ = "release_cells"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_refreshes.id"), index=True)
    value: Mapped[float | None]
    suppressed: Mapped[bool]
    version: Mapped[int] = mapped_column(default=0)
    revised: Mapped[bool] = mapped_column(default=False)


class CellTruth(CellKey, Base):
    """The true count behind each version of a published count cell: the refresh's memory of the past.

    Only the refresh and the audit read it (never a page, an export or the API): it tells whether a
    cell's count changed since it was published, and gives the attacker check its known answers.
    """

    __tablename__ = "cell_truths"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    version: Mapped[int]
    n: Mapped[int]


class CatalogueRefresh(Base):
    """One run of the catalogue refresh: when, up to which month, under which policy, with what loss."""

    __tablename__ = "catalogue_refreshes"
    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[dt.datetime]
    data_until: Mapped[str | None] = mapped_column(sa.String(8))
    policy: Mapped[str] = mapped_column(sa.Text)
    cells: Mapped[int]
    primary_suppressed: Mapped[int]
    secondary_suppressed: Mapped[int]
    seconds: Mapped[float]
    # How many independent blocks there were, and how many had to be attacked again (the rest
    # had the same counts as at an earlier refresh).
    blocks: Mapped[int | None]
    blocks_protected: Mapped[int | None]
    # A refresh is a release: what it published is in `release_cells`, under this id.
    code_digest: Mapped[str | None] = mapped_column(sa.String(16))
    revised_cells: Mapped[int | None]
    # What users lose to secondary suppression in this release, per indicator and level (JSON).
    loss: Mapped[str | None] = mapped_column(sa.Text)


class ProtectedBlock(Base):
    """The hidden cells of one protected block, keyed by a digest of everything that decided them.

    A block (one population in one year) is protected again only when its digest changes: after a
    monthly import only the current year's blocks do, so a refresh re-runs the attacker there only.
    """

    __tablename__ = "protected_blocks"
    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    hidden: Mapped[bytes] = mapped_column(sa.LargeBinary)
    cells: Mapped[int]
    rounds: Mapped[int]


class User(Base):
    """A local account of the embedded login; accounts from the identity provider (OIDC) live there."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # NULL: the account exists but has no role, so it sees nothing but a message.
    role: Mapped[str | None] = mapped_column(sa.String(16))
    unit_code: Mapped[str | None] = mapped_column(Code)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]
    password_set_at: Mapped[dt.datetime]
    __table_args__ = (
        sa.CheckConstraint("role IS NULL OR role IN ('programme', 'unit', 'admin')", name="known_role"),
        sa.CheckConstraint("(role = 'unit') = (unit_code IS NOT NULL)", name="unit_only_for_unit_role"),
    )


class LoginFailure(Base):
    """One failed login, kept for the rate limit's window (per user name and per address)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    address: Mapped[str] = mapped_column(sa.String(64))
    __table_args__ = (
        sa.Index("ix_login_failures_username_at", "username", "at"),
        sa.Index("ix_login_failures_address_at", "address", "at"),
    )


class LoginSuccess(Base):
    """A user's latest successful sign-in from an address: there, failures elsewhere do not lock it out."""

    __tablename__ = "login_successes"
    username: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Who looked at what, when: one page view, download, export, API call or refusal; never a figure."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(sa.String(80), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(16))
    unit_code: Mapped[str | None] = mapped_column(Code)
    action: Mapped[str] = mapped_column(sa.String(32))
    target: Mapped[str] = mapped_column(sa.String(255))
    scope: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[int | None]


class Job(Base):
    """A background job (a steering pack or an import): its owner, state, progress and result.

    Any app instance answers a poll or a download from this row; only the one that accepted the
    job runs it, and its heartbeat says it still does.
    """

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # a random token: it names the job to its owner
    kind: Mapped[str] = mapped_column(sa.String(16))
    owner: Mapped[str] = mapped_column(sa.String(80))
    owner_role: Mapped[str | None] = mapped_column(sa.String(16))
    owner_unit: Mapped[str | None] = mapped_column(Code)
    state: Mapped[str] = mapped_column(sa.String(16))
    step: Mapped[str | None] = mapped_column(sa.String(32))
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[str | None] = mapped_column(sa.Text)  # JSON the job's page needs (an import's phase and outcome)
    input_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # what the job works on (an import's uploads)
    input_path: Mapped[str | None] = mapped_column(sa.String(255))
    result_name: Mapped[str | None] = mapped_column(sa.String(255))
    result_mime: Mapped[str | None] = mapped_column(sa.String(128))
    result_size: Mapped[int | None]
    result_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    result_path: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    heartbeat_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    __table_args__ = (
        sa.Index("ix_jobs_owner_state", "owner", "state"),
        sa.CheckConstraint("state IN ('waiting', 'running', 'done', 'failed')", name="known_state"),
    )


class Subscription(Base):
    """A recipient of the monthly steering pack: which account, where to, for which scope, in which format.

    `role` and `unit_code` are the account's when it was subscribed (queries/delivery/subscriptions.py):
    a pack is sent only while the account still has them. `scope` is the pack's: NL or a unit code
    (a unit account's is always its own unit).
    """

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(16))
    unit_code: Mapped[str | None] = mapped_column(Code)
    scope: Mapped[str] = mapped_column(Code)
    format: Mapped[str] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(2))
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime]
    __table_args__ = (
        sa.CheckConstraint("format IN ('pptx', 'pdf', 'xlsx')", name="known_format"),
        sa.CheckConstraint("language IN ('nl', 'en')", name="known_language"),
        sa.CheckConstraint("role IN ('programme', 'unit', 'admin')", name="known_role"),
        sa.CheckConstraint("role <> 'unit' OR scope = unit_code", name="unit_gets_own_unit"),
    )


class PackArchive(Base):
    """One steering pack of a release for a scope, format and language: made once, sent to every subscriber.

    Its bytes are in `data`, or in a file (`path`, in `LOKET_ARCHIVE_DIR`) when a folder is configured.
    """

    __tablename__ = "pack_archive"
    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_refreshes.id"))
    scope: Mapped[str] = mapped_column(Code)
    format: Mapped[str] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(2))
    period: Mapped[str] = mapped_column(sa.String(8))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    path: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    __table_args__ = (sa.UniqueConstraint("release_id", "scope", "format", "language"),)


class Delivery(Base):
    """The mailing of one release's pack to one subscription (at most one per pair).

    `sending` is a claim: the run that set it (`claimed_by`) sends; one whose claim is older than
    a run may take it over. A failed attempt goes back to `pending` until the attempts run out.
    """

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("subscriptions.id"))
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_refreshes.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(255))
    claimed_by: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[dt.datetime]
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    archive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pack_archive.id", ondelete="SET NULL"))
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "release_id"),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="known_state"),
    )


class Event(Base):
    """Something that happened and explains a trend: a mailing campaign, a change of product (never a client).

    Recorded by programme managers and administrators for the nation (`NL`) or one unit; retiring
    one keeps its row (`queries/events`). A unit's roll-out is no row here: it is `units.rollout_on`.
    """

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    scope: Mapped[str] = mapped_column(Code)
    text: Mapped[str] = mapped_column(sa.String(200))
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime]
    retired_by: Mapped[str | None] = mapped_column(sa.String(80))
    retired_at: Mapped[dt.datetime | None]
    __table_args__ = (sa.CheckConstraint("length(text) BETWEEN 1 AND 200", name="text_length"),)
