"""Delivery of the monthly steering pack: for the latest release, every subscription's pack, mailed.

`deliver` runs from `loket deliver` (cron, or the Procfile's `clock:` line) and, when a refresh
publishes a release in the app, in the background (`start_after_refresh`, the job runner's pack
pool, so an instance never draws more packs at once than its pool allows). For every active
subscription without a sent delivery of the latest release it builds the pack of the release's
latest complete period (the monthly view ending at the month the data run to), exactly as
`loket report` builds it for the recipient's scope, or reuses it from the archive: one pack per
scope, format and language, shared by its subscribers. Each delivery is claimed in the store
before it is sent (`queries.delivery.deliveries`), so two overlapping runs never send it twice.

A failed send is tried `TRIES_PER_RUN` times with a short backoff, then again by the next run up
to `deliveries.MAX_ATTEMPTS`; each failure is recorded with its error for the administrators'
page. The mail names the scope, the period and the release and says that the figures are
protected; it never holds a figure, only the pack (attached up to `LOKET_MAIL_MAX_MB`, above it a
link to the archive).
"""
from __future__ import annotations

import dataclasses
import functools
import secrets
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import flask
import sqlalchemy as sa

from dashboard import exports
from dashboard.config import Config
from dashboard.ui.texts import fmt_period, rule_sentence, t
from dashboard.web import jobs, runtime
from queries import catalogue
from queries.accounts import audit_log
from queries.accounts.access import NATIONAL, Access
from queries.delivery import archive, deliveries, subscriptions
from queries.store import jobs as store_jobs
from queries.store.codes import UNITS

TLS_MODES = ("none", "starttls", "ssl")
TRIES_PER_RUN = 3
BACKOFF_SECONDS = (2.0, 10.0)  # the waits between a run's tries of one mail
SMTP_SECONDS = 60  # a mail server that does not answer within this is a failed attempt
ARCHIVE_PATH = "/archief"
STEPS = {"collect": "reading the figures", "render": "drawing the charts", "write": "writing the file"}

Say = Callable[[str], None]


def quiet(_text: str) -> None:
    """Say nothing (the default of `deliver`)."""
    return None


@dataclasses.dataclass
class Outcome:
    """What one run did: the release, mails sent, attempts failed, deliveries refused, packs made, seconds."""

    release_id: int | None = None
    sent: int = 0
    failed: int = 0
    refused: int = 0
    packs_made: int = 0
    seconds: float = 0.0


class ReleaseChanged(RuntimeError):
    """A newer release was published while a run was making the packs of the one before."""


def smtp_configured(cfg: Config) -> bool:
    """Tell whether a mail server is configured (`LOKET_SMTP_HOST`); without one nothing is delivered."""
    return bool(cfg.SMTP_HOST)


def send(cfg: Config, message: EmailMessage) -> None:
    """Send one mail through the configured server (TLS as `LOKET_SMTP_TLS` says, login when a user is set)."""
    if cfg.SMTP_TLS not in TLS_MODES:
        raise ValueError(f"LOKET_SMTP_TLS is one of {', '.join(TLS_MODES)}, not {cfg.SMTP_TLS!r}")
    context = ssl.create_default_context()
    if cfg.SMTP_TLS == "ssl":
        smtp = smtplib.SMTP_SSL(cfg.SMTP_HOST, cfg.SMTP_PORT, timeout=SMTP_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(cfg.SMTP_HOST, cfg.SMTP_PORT, timeout=SMTP_SECONDS)
    with smtp:
        if cfg.SMTP_TLS == "starttls":
            smtp.starttls(context=context)
        if cfg.SMTP_USER:
            smtp.login(cfg.SMTP_USER, cfg.SMTP_PASSWORD)
        smtp.send_message(message)


def scope_label(scope: str, lang: str) -> str:
    """Return a pack's scope in words: national, or the unit's name."""
    return t("scope.national", lang) if scope == NATIONAL else UNITS.label(scope, lang)


def compose(cfg: Config, subscription: subscriptions.SubscriptionView, packed: archive.ArchivedPack, data: bytes,
            policy) -> EmailMessage:
    """Return the mail of a pack for a subscription: its scope, period and release, the rule, and the pack
    attached (or, above `LOKET_MAIL_MAX_MB`, a link to the archive)."""
    lang = subscription.language
    words = {"scope": scope_label(packed.scope, lang), "period": fmt_period(packed.period, lang),
             "release": t("app.release", lang).format(release=packed.release_id),
             "until": fmt_period(packed.data_until, lang) if packed.data_until else "-",
             "rule": rule_sentence(policy, lang), "name": packed.file_name, "size": exports.size_text(len(data)),
             "url": f"{cfg.PUBLIC_URL.rstrip('/')}{ARCHIVE_PATH}"}
    attach = len(data) <= cfg.MAIL_MAX_MB * 2**20
    message = EmailMessage()
    message["Subject"] = t("mail.subject", lang).format(**words)
    message["From"] = cfg.MAIL_FROM
    message["To"] = subscription.email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=cfg.MAIL_FROM.rpartition("@")[2] or None)
    message.set_content(t("mail.body", lang).format(**words) + "\n"
                        + t("mail.attached" if attach else "mail.link", lang).format(**words) + "\n"
                        + t("mail.closing", lang))
    if attach:
        maintype, _, subtype = exports.MIME[packed.format].partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=packed.file_name)
    return message


def error_text(exc: Exception) -> str:
    """Return a failed send's error as administrators read it: the server's code and answer, or the exception."""
    if isinstance(exc, smtplib.SMTPResponseException):
        answer = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: {exc.smtp_code} {answer}"
    return f"{type(exc).__name__}: {exc}"


def _who(subscription: subscriptions.SubscriptionView) -> str:
    return f"{subscription.username} <{subscription.email}>"


def _make_pack(cfg: Config, engine: sa.Engine, server: flask.Flask, release, subscription, say: Say):
    """Build a scope's pack of the release as the recipient would, and archive it; return the archived pack."""
    fmt, lang, scope = subscription.format, subscription.language, subscription.scope
    query = {"periode": "month", "tot": release.data_until, **({} if scope == NATIONAL else {"eenheid": scope})}

    def progress(step: str, done: int, total: int) -> None:
        if done == total:
            say(f"    {STEPS.get(step, step)}: {done} of {total}")

    say(f"  Making the {fmt} pack for {scope_label(scope, 'en')} ({lang}), {release.data_until}...")
    started = time.perf_counter()
    built = exports.build_pack(server, subscription.pack_access(), query, lang, fmt, demo=cfg.DEMO_MODE,
                               progress=progress)
    if built is None:
        raise LookupError("nothing is published for the pack's view")
    name, data, pack = built
    if pack.meta.release != release.id:
        raise ReleaseChanged(f"release {pack.meta.release} was published while making release {release.id}'s packs")
    folder = Path(cfg.ARCHIVE_DIR) if cfg.ARCHIVE_DIR else None
    packed = archive.put(engine, release.id, scope, fmt, lang, pack.meta.end, name, data, folder)
    say(f"    {packed.file_name}: {exports.size_text(packed.size)} in {time.perf_counter() - started:.1f} s")
    return packed


def _send_with_retries(cfg: Config, engine: sa.Engine, run: str, item: deliveries.Due, packed: archive.ArchivedPack,
                       data: bytes, policy, say: Say, outcome: Outcome) -> None:
    subscription = item.subscription
    message = compose(cfg, subscription, packed, data, policy)
    for attempt in range(1, TRIES_PER_RUN + 1):
        try:
            send(cfg, message)
        except (smtplib.SMTPException, OSError) as exc:  # the server refused, or could not be reached
            error = error_text(exc)
            outcome.failed += 1
            left = deliveries.failure(engine, item.id, run, error, keep=attempt < TRIES_PER_RUN)
            say(f"  {_who(subscription)}: attempt {item.attempts + attempt} failed: {error}")
            if not left:
                say(f"  {_who(subscription)}: not sent after {deliveries.MAX_ATTEMPTS} attempts")
                return
            if attempt < TRIES_PER_RUN:
                time.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])
            continue
        deliveries.sent(engine, item.id, run, packed.id)
        audit_log.record(engine, Access(subscription.username, subscription.role, subscription.unit), "export",
                         f"mail to {subscription.email}: {packed.file_name}", packed.scope, status=200)
        outcome.sent += 1
        say(f"  {_who(subscription)}: sent")
        return
    say(f"  {_who(subscription)}: tried again by the next run")


def _claimed(engine: sa.Engine, run: str, items: list[deliveries.Due], say: Say, outcome: Outcome) -> list:
    """Claim a group's deliveries for this run; refuse those whose account changed; return the ones to send."""
    mine = []
    for item in items:
        if not deliveries.claim(engine, item.id, run):
            continue  # another run took it
        with engine.connect() as conn:
            reason = subscriptions.refusal(conn, item.subscription)
        if reason is not None:
            deliveries.refuse(engine, item.id, run, reason)
            outcome.refused += 1
            say(f"  {_who(item.subscription)}: not sent: {reason}")
            continue
        mine.append(item)
    return mine


def deliver(cfg: Config, engine: sa.Engine, *, say: Say = quiet, server: flask.Flask | None = None) -> Outcome:
    """Send the latest release's pack to every active subscription that has not had it; return what was done."""
    started = time.perf_counter()
    outcome = Outcome()
    removed = archive.expire(engine, cfg.ARCHIVE_MONTHS)
    if removed:
        say(f"Removed {removed} packs archived more than {cfg.ARCHIVE_MONTHS} months ago.")
    with engine.connect() as conn:
        release = catalogue.latest_refresh(conn)
    if release is None or not release.data_until:
        say("Nothing is published yet: nothing to deliver.")
        return outcome
    outcome.release_id = release.id
    planned = deliveries.plan(engine, release.id)
    todo = deliveries.due(engine, release.id)
    say(f"Release {release.id} (data up to {release.data_until}): {len(todo)} mailings to send"
        f"{f', {planned} new' if planned else ''}.")
    groups: dict[tuple[str, str, str], list[deliveries.Due]] = {}
    for item in todo:
        sub = item.subscription
        groups.setdefault((sub.scope, sub.format, sub.language), []).append(item)
    server = server or exports.offline_server(cfg, engine)
    policy = runtime.policy_from(cfg)
    run = secrets.token_hex(8)
    for (scope, fmt, lang), items in groups.items():
        mine = _claimed(engine, run, items, say, outcome)
        if not mine:
            continue
        packed = archive.find(engine, release.id, scope, fmt, lang)
        try:
            if packed is None:
                packed = _make_pack(cfg, engine, server, release, mine[0].subscription, say)
                outcome.packs_made += 1
        except ReleaseChanged as exc:
            for item in mine:
                deliveries.unclaim(engine, item.id, run)
            say(f"Stopped: {exc}; the next run delivers the new release.")
            break
        except Exception as exc:  # noqa: BLE001 - the browser or the store failed: record it, go on with the rest
            for item in mine:
                deliveries.failure(engine, item.id, run, f"the pack could not be made: {type(exc).__name__}: {exc}",
                                   keep=False)
            outcome.failed += len(mine)
            say(f"  The {fmt} pack for {scope_label(scope, 'en')} ({lang}) could not be made: {type(exc).__name__}: {exc}")
            continue
        data = archive.content(engine, packed.id)
        for item in mine:
            _send_with_retries(cfg, engine, run, item, packed, data, policy, say, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _job(cfg: Config, engine: sa.Engine, job_id: str) -> None:
    """Deliver the latest release as a background job, its progress lines as the job's progress."""
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        store_jobs.progress(engine, job_id, "deliver", len(lines), 0, text[:255])

    outcome = deliver(cfg, engine, say=say)
    store_jobs.finish(engine, job_id, detail=dataclasses.asdict(outcome))


def start_after_refresh(cfg: Config, engine: sa.Engine, access: Access) -> str | None:
    """Start delivering the latest release in the background when a mail server is configured; return the
    job's id, or None (no mail server, or this user's delivery runs already)."""
    if not smtp_configured(cfg):
        return None
    job_id = store_jobs.create(engine, "delivery", access, 1)
    if job_id is not None:
        jobs.submit(engine, "pack", job_id, functools.partial(_job, cfg, engine, job_id), failed="delivery.failed")
    return job_id
