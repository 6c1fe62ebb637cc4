"""The `loket` command: demo data, users, imports, the privacy audit, reports and expected values."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from pathlib import Path

from dashboard.config import Config
from queries import store
from queries.accounts import users
from queries.accounts.access import ROLES
from queries.store.codes import UNITS
from queries.accounts.users import UserError


def _engine(cfg: Config):
    engine = store.get_engine(cfg.DATABASE_URL)
    store.migrate(engine)
    return engine


def cmd_demo(args, cfg: Config) -> int:
    from queries.demo import load_demo

    engine = _engine(cfg)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r  {done:>9,} / {total:,} registrations", end="", file=sys.stderr, flush=True)

    summary = load_demo(engine, seed=args.seed, registrations=args.registrations, progress=progress)
    print(file=sys.stderr)
    print(f"Demo store filled in {time.perf_counter() - started:.1f} s: {summary}")
    return cmd_refresh(args, cfg)


def cmd_refresh(args, cfg: Config) -> int:
    from dashboard.web.runtime import policy_from
    from queries import catalogue

    from queries.ingest.columns import UnknownCodes

    if getattr(args, "status", False):
        return _refresh_status(_engine(cfg))
    print("Publishing the protected catalogue (the attacker check runs only on blocks whose counts changed)...", file=sys.stderr)
    try:
        run = catalogue.refresh(_engine(cfg), policy_from(cfg))
    except UnknownCodes as exc:
        print(f"loket refresh: nothing published: {exc}", file=sys.stderr)
        return 2
    print(f"Release {run.id} published, data up to {run.data_until}: {run.cells:,} count cells, "
          f"{run.primary_suppressed:,} hidden by the rule, {run.secondary_suppressed:,} more hidden so they cannot "
          f"be worked out, {run.revised_cells} revised; {run.blocks_protected} of {run.blocks} blocks attacked "
          f"again, the others unchanged ({run.seconds:.1f} s).")
    return 0


def _refresh_status(engine) -> int:
    """Say when the catalogue was last refreshed and whether loaded rows wait to be published (exit 1)."""
    from queries import catalogue
    from queries.catalogue import refresh_due

    with engine.connect() as conn:
        latest = catalogue.latest_refresh(conn)
    if latest is None:
        print("The published catalogue was never built.")
    else:
        print(f"The published catalogue was refreshed on {latest.refreshed_at:%Y-%m-%d %H:%M} UTC, "
              f"with data up to {latest.data_until}.")
    due = refresh_due.due(engine)
    if due is None:
        print("No refresh is due: every loaded row is published.")
        return 0
    batches = ", ".join(map(str, due.batches)) or "-"
    print(f"A refresh is due: rows loaded since {due.since:%Y-%m-%d %H:%M} UTC (import batch {batches}: "
          f"{', '.join(due.files) or '-'}; by {', '.join(due.by) or '-'}) are not yet published. "
          "Run `loket refresh`; the next import or the next start of the app also does it.")
    return 1


def cmd_audit(args, cfg: Config) -> int:
    import pandas as pd

    from dashboard.web.runtime import policy_from
    from queries import catalogue
    from queries.accounts.access import Access
    from queries.privacy.audit import audit_releases

    policy = policy_from(cfg)
    engine = _engine(cfg)
    try:
        _latest, until = catalogue.counts_beside_publication(engine)  # also checks it matches the store
    except (LookupError, RuntimeError) as exc:
        print(f"loket audit: {exc}", file=sys.stderr)
        return 2
    history = [cells for _id, cells in catalogue.release_history(engine)]
    if args.latest:
        history = history[-1:]
    roles = []
    if args.role in ("all", "programme"):
        roles.append(Access("audit", "programme"))
    if args.role in ("all", "unit"):
        roles += [Access("audit", "unit", code) for code in (args.unit or UNITS.values)]
    print(f"Attacking {'the latest release' if args.latest else f'the union of {len(history)} releases'} up to "
          f"{until} with k = {policy.k}, over whole numbers and with what every statistic says of its count "
          f"(a hidden cell passes when its provable interval is at least {policy.k / 2:g} wide):")
    failed = False
    for access in roles:
        report = audit_releases(history, policy, access, catalogue.TABLES_BY_NAME)
        print(" ", report.summary(policy), flush=True)
        if not report.narrow.empty:
            failed = True
            print(report.narrow.head(20).to_string(index=False))
    with engine.connect() as conn:
        report = json.loads(catalogue.latest_refresh(conn).loss or "{}")
    if report:
        overall = report["overall"]
        print(f"\nInformation loss of the latest release: {overall['cells']:,} count cells, "
              f"{overall['hidden_by_rule']:.1%} hidden by the rule (fewer than {policy.k} clients), "
              f"{overall['hidden_as_partner']:.1%} more hidden so they cannot be worked out; "
              f"a unit's yearly breakdown cells with at least {policy.k} clients hidden: "
              f"{overall['unit_year_breakdown_lost']:.1%}.")
        print("Per indicator and level, the share of figures hidden although at least k clients underlie them "
              "(the plain rule shows them all):")
        table = pd.DataFrame(report["indicators"])
        wide = table.pivot_table(index="indicator", columns=["scope", "level"], values="lost_share", sort=False)
        print(wide.map(lambda v: "" if v != v else f"{v:.1%}").to_string())
    return 1 if failed else 0


def cmd_import(args, cfg: Config) -> int:
    """Validate export files and load them in one transaction (see docs/data-contract.md)."""
    from dashboard.web.runtime import policy_from
    from queries.ingest import importer
    from queries.accounts.access import Access

    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"loket import: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    engine = _engine(cfg)
    user = (args.by or _os_user())[:80]
    lang = args.lang
    shown = [0]
    report_file = open(args.report, "w", encoding="utf-8", newline="") if args.report else None  # noqa: SIM115
    writer = importer.ReportWriter(report_file, lang) if report_file else None
    interactive = sys.stderr.isatty()

    def on_error(error: importer.RowError) -> None:
        if writer is not None:
            writer(error)
        if writer is None or shown[0] < REPORT_PREVIEW:
            _clear_progress(interactive)
            print(_error_line(error, lang), file=sys.stderr)
        shown[0] += 1

    last = [0.0]

    def progress(p: importer.Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and p.fraction < 1:
            return
        last[0] = now
        phase = "checking" if p.phase == "check" else "loading"
        text = f"  [{p.file_number}/{p.files}] {p.file}: {phase} {p.rows:>11,} rows ({p.fraction:4.0%})"
        if interactive:
            print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    mode = "Checking (dry run)" if args.dry_run else "Checking and loading"
    print(f"{mode} {len(paths)} file{'s' if len(paths) != 1 else ''} as {user}...", file=sys.stderr)
    try:
        # The import records itself in the audit log (a load in its transaction, a rejected or
        # failed one with its batch rows); the store's refusals come back as plain reasons.
        result = importer.import_files(
            engine, paths, user=user, policy=None if args.dry_run else policy_from(cfg),
            valid_only=args.valid_only, dry_run=args.dry_run, kind=args.kind, on_error=on_error, progress=progress,
            audit=Access(user=user, role=None), via="cli")
    except Exception as exc:  # noqa: BLE001 - a file could not be read (or a fault): say so plainly, never SQL
        _clear_progress(interactive)
        detail = f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else type(exc).__name__
        print(f"loket import: the import failed and nothing was changed: {detail}", file=sys.stderr)
        return 1
    finally:
        if report_file is not None:
            report_file.close()
    _clear_progress(interactive)
    if writer is not None and result.error_count > REPORT_PREVIEW:
        print(f"... and {result.error_count - REPORT_PREVIEW:,} more; all of them are in {args.report}", file=sys.stderr)
    print(_summary_table(result))
    return _conclude(result, args)


REPORT_PREVIEW = 20


def _os_user() -> str:
    try:
        return f"{getpass.getuser()} (cli)"
    except (KeyError, OSError):
        return "cli"


def _clear_progress(interactive: bool) -> None:
    if interactive:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def _error_line(error, lang: str) -> str:
    where = f"{error.file}:{error.line}" if error.line else error.file
    column = f" [{error.column}]" if error.column else ""
    value = f" {error.value[:80]!r}" if error.value else ""
    return f"{where}{column}{value}: {error.reason(lang)}"


def _summary_table(result) -> str:
    lines = [f"{'file':<32} {'type':<15} {'rows':>10} {'rejected':>9} {'inserted':>9} {'updated':>9} "
             f"{'unchanged':>10}  status"]
    for f in result.files:
        lines.append(f"{f.name[:32]:<32} {f.kind or '-':<15} {f.rows:>10,} {f.rejected:>9,} {f.inserted:>9,} "
                     f"{f.updated:>9,} {f.unchanged:>10,}  {f.status or '-'}"
                     + (f" (batch {f.batch_id})" if f.batch_id else "")
                     + (f"; this file was imported before (batch {', '.join(map(str, f.seen_before))})"
                        if f.seen_before else ""))
    return "\n".join(lines)


def _conclude(result, args) -> int:
    if args.dry_run:
        if result.error_count:
            print(f"Dry run: nothing was changed. {result.error_count:,} error(s) in {result.rejected:,} row(s); "
                  "fix them, or load only the valid rows with --valid-only. Inserted/updated show what a load would do.")
            return 1
        print("Dry run: nothing was changed. The files are valid; inserted/updated show what a load would do.")
        return 0
    if result.store_error is not None:
        print(f"Nothing was changed: {result.store_error.reason()}")
        return 1
    if not result.committed:
        print(f"Nothing was changed: {result.error_count:,} error(s) in {result.rejected:,} row(s). "
              "Fix them and import again, or load only the valid rows with --valid-only.")
        return 1
    skipped = f" {result.rejected:,} rejected row(s) were skipped (--valid-only)." if result.rejected else ""
    due = (" An earlier load was not yet published; the published catalogue was refreshed."
           if result.refresh_was_due and result.refreshed else "")
    if result.changed == 0:
        print(f"Nothing new: every row was already in the store.{skipped}{due}")
    else:
        refreshed = " The published catalogue was refreshed." if result.refreshed else ""
        print(f"Loaded in {result.seconds:.1f} s.{skipped}{refreshed}")
    if result.refresh_error:
        print(f"The data were loaded, but refreshing the published catalogue failed ({result.refresh_error}); "
              "the pages show the old figures until a refresh succeeds (`loket refresh`; the next import or "
              "start of the app tries again, and `loket refresh --status` says whether one is due).")
        return 3
    return 0


def _read_password(confirm: bool = True) -> str:
    """Prompt for a password on a terminal (twice), or read the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Password (again): ") != password:
            raise UserError("the passwords differ")
        return password
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _user_command(func):
    def run(args, cfg: Config) -> int:
        try:
            return func(args, _engine(cfg))
        except UserError as exc:
            print(f"loket users: {exc}", file=sys.stderr)
            return 1
    return run


@_user_command
def cmd_users_add(args, engine) -> int:
    password = _read_password()
    info = users.add_user(engine, args.username, password, args.role, args.unit)
    print(f"Added {info.username} ({_describe(info.role, info.unit)}).")
    return 0


@_user_command
def cmd_users_list(args, engine) -> int:
    accounts = users.list_users(engine)
    if not accounts:
        print("No users. Add one with: loket users add NAME --role admin")
        return 0
    print(f"{'user':<32} {'role':<10} {'unit':<5} {'demo':<5} password set (UTC)")
    for a in accounts:
        print(f"{a.username:<32} {a.role or '-':<10} {a.unit or '-':<5} {'yes' if a.is_demo else '':<5} "
              f"{a.password_set_at:%Y-%m-%d %H:%M}")
    return 0


@_user_command
def cmd_users_remove(args, engine) -> int:
    users.remove_user(engine, args.username)
    print(f"Removed {args.username}.")
    return 0


@_user_command
def cmd_users_set_password(args, engine) -> int:
    if users.credentials(engine, args.username) is None:
        raise UserError(f"no user {args.username!r}")
    users.set_password(engine, args.username, _read_password())
    print(f"Password of {args.username} changed.")
    return 0


@_user_command
def cmd_users_set_role(args, engine) -> int:
    role = None if args.role == "none" else args.role
    users.set_role(engine, args.username, role, args.unit)
    print(f"{args.username} is now {_describe(role, args.unit)}.")
    return 0


def _describe(role: str | None, unit: str | None) -> str:
    if role is None:
        return "without a role (sees nothing)"
    return f"{role} of unit {unit}" if unit else role


def _add_users_parser(sub) -> None:
    parser = sub.add_parser("users", help="manage the accounts of the embedded login (passwords: prompted or stdin)")
    users_sub = parser.add_subparsers(dest="users_command", required=True)
    unit_help = f"unit code for the unit role: {', '.join(UNITS.values)}"

    add = users_sub.add_parser("add", help="add an account; the password is prompted, or read from stdin")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", choices=UNITS.values, help=unit_help)
    add.set_defaults(func=cmd_users_add)

    lst = users_sub.add_parser("list", help="list the accounts (never their passwords)")
    lst.set_defaults(func=cmd_users_list)

    remove = users_sub.add_parser("remove", help="remove an account")
    remove.add_argument("username")
    remove.set_defaults(func=cmd_users_remove)

    set_password = users_sub.add_parser("set-password", help="set a new password (prompted, or read from stdin)")
    set_password.add_argument("username")
    set_password.set_defaults(func=cmd_users_set_password)

    set_role = users_sub.add_parser("set-role", help="change an account's role (none: keep it, but it sees nothing)")
    set_role.add_argument("username")
    set_role.add_argument("--role", required=True, choices=(*ROLES, "none"))
    set_role.add_argument("--unit", choices=UNITS.values, help=unit_help)
    set_role.set_defaults(func=cmd_users_set_role)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loket", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="replace the store's contents with deterministic demo data")
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--registrations", type=int, default=None,
                      help="total registrations (default: calibrated to the 2014 evaluation, then growth)")
    demo.set_defaults(func=cmd_demo)
    refresh = sub.add_parser("refresh", help="rebuild the published, protected catalogue from the store")
    refresh.add_argument("--status", action="store_true",
                         help="only say whether a refresh is due (loaded rows not yet published: exit code 1)")
    refresh.set_defaults(func=cmd_refresh)
    audit = sub.add_parser("audit", help="attack the union of all releases as each role would (integer programmes, "
                                         "HiGHS), and report what users lose")
    audit.add_argument("--role", choices=("all", "programme", "unit"), default="all")
    audit.add_argument("--latest", action="store_true", help="attack the latest release alone")
    audit.add_argument("--unit", action="append", choices=UNITS.values, help="unit code(s) for --role unit")
    audit.set_defaults(func=cmd_audit)
    _add_users_parser(sub)
    _add_import_parser(sub)
    _add_report_parser(sub)
    _add_targets_parser(sub)
    return parser


def cmd_report(args, cfg: Config) -> int:
    """Write a steering pack for the programme, or for one unit exactly as its users see it."""
    from dashboard.ui import controls
    from dashboard import exports
    from queries.accounts import audit_log
    from queries.catalogue import indicators
    from queries.accounts.access import Access

    period_type = controls.period_type_of(args.period)
    if period_type is None:
        print(f"loket report: {args.period!r} is not a period: use 2014-03, 2014-Q1 or 2014", file=sys.stderr)
        return 2
    if args.start is not None and controls.period_type_of(args.start) != period_type:
        print(f"loket report: --from {args.start!r} is not a period of the same kind as {args.period}", file=sys.stderr)
        return 2
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "pptx")
    if fmt not in exports.PACK_FORMATS:
        print(f"loket report: choose --format {'|'.join(exports.PACK_FORMATS)}", file=sys.stderr)
        return 2
    engine = _engine(cfg)
    user = _os_user()[:80]
    access = Access(user, "unit", args.unit) if args.unit else Access(user, "programme")
    available = indicators.published_periods(engine, access)[period_type]
    if not available:
        print("loket report: nothing is published yet: load data and run `loket refresh`", file=sys.stderr)
        return 1
    if args.period not in available:
        print(f"loket report: {args.period} is not published; {period_type}s run from {available[0]} to "
              f"{available[-1]}", file=sys.stderr)
        return 2
    query = {"periode": period_type, "tot": args.period, **({"van": args.start} if args.start else {})}
    interactive = sys.stderr.isatty()
    names = {"collect": "reading the figures", "render": "drawing the charts", "write": "writing the file"}

    def progress(step: str, done: int, total: int) -> None:
        text = f"  {names.get(step, step)}: {done} of {total}"
        if interactive:
            print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
        elif done == total:
            print(text, file=sys.stderr, flush=True)

    who = f"unit {args.unit} ({UNITS.label(args.unit, 'en')}) as its users see it" if args.unit else "the programme"
    print(f"Steering pack ({fmt}) for {who}, {args.period}...", file=sys.stderr)
    started = time.perf_counter()
    server = exports.offline_server(cfg, engine)
    try:
        result = exports.build_pack(server, access, query, args.lang, fmt, demo=cfg.DEMO_MODE, progress=progress)
    except Exception as exc:  # noqa: BLE001 - the browser or the store failed: say so plainly
        _clear_progress(interactive)
        print(f"loket report: the pack could not be made: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _clear_progress(interactive)
    if result is None:
        print("loket report: nothing is published yet: load data and run `loket refresh`", file=sys.stderr)
        return 1
    name, data, pack = result
    out = Path(args.out) if args.out else Path(name)
    out.write_bytes(data)
    audit_log.record(engine, access, "export", f"cli: {out.name}", pack.meta.scope_code(), status=200)
    print(f"Wrote {out}: {len(pack.charts)} charts, {len(pack.key_figures)} key figures, "
          f"{exports.size_text(len(data))}, in {time.perf_counter() - started:.1f} s.")
    return 0


def _add_report_parser(sub) -> None:
    report = sub.add_parser(
        "report", help="write a steering pack (PowerPoint, PDF or Excel) for the programme or one unit",
        description="Write the steering pack: a cover, the key figures with their expected values, one slide per "
                    "chart of the monitor (its definition in the notes) and the privacy rule. Only protected, "
                    "published figures: exactly what the programme manager, or with --unit a unit's users, see on "
                    "the pages. Charts are drawn by the system's Chromium (kaleido).")
    report.add_argument("--period", required=True, metavar="PERIOD",
                        help="the reported period: a month (2014-03), quarter (2014-Q1) or year (2014); trends run "
                             "up to it")
    report.add_argument("--from", dest="start", metavar="PERIOD",
                        help="first period of the trends (default: a year of months, 8 quarters or 6 years)")
    report.add_argument("--unit", choices=UNITS.values,
                        help="a unit's pack: that unit with the national benchmark, as its users see it")
    report.add_argument("--format", choices=("pptx", "pdf", "xlsx"),
                        help="pptx (default), pdf or xlsx (default: from the --out suffix)")
    report.add_argument("--out", metavar="FILE", help="where to write it (default: a file name from scope and period)")
    report.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (default: nl)")
    report.set_defaults(func=cmd_report)


def _add_import_parser(sub) -> None:
    from queries.ingest.importer import KIND_ORDER

    imp = sub.add_parser(
        "import", help="validate export files of the registration system and load them in one transaction",
        description="Validate every row of every file first, then load them in one transaction. A file with "
                    "any error changes nothing, unless --valid-only. Rows are keyed by the source system's ids: "
                    "importing the same or an updated file again never duplicates. See docs/data-contract.md.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV (; or ,) or XLSX export files")
    imp.add_argument("--dry-run", action="store_true", help="check everything and report, but change nothing")
    imp.add_argument("--valid-only", action="store_true",
                     help="load the valid rows even when other rows (or files) are rejected")
    imp.add_argument("--kind", choices=KIND_ORDER, help="the file type (default: recognised from the header row)")
    imp.add_argument("--report", metavar="CSV", help="write every rejected row to this CSV file (then only the "
                                                     f"first {REPORT_PREVIEW} are printed)")
    imp.add_argument("--by", metavar="NAME", help="who imports, for the batch record (default: the OS user)")
    imp.add_argument("--lang", choices=("en", "nl"), default="en", help="language of the reasons (default: en)")
    imp.set_defaults(func=cmd_import)


def _target_access(args) -> "Access":
    from queries.accounts.access import Access

    return Access((args.by or _os_user())[:80], "admin")


def cmd_targets_set(args, cfg: Config) -> int:
    """Record an expected value (a change is a new row; the older one stays, superseded from --from on)."""
    from queries import targets

    engine = _engine(cfg)
    try:
        new_id = targets.record(engine, _target_access(args), indicator=args.indicator, value=args.value,
                                valid_from=args.valid_from, rationale=args.rationale, product=args.product,
                                target_group=args.target_group)
    except targets.TargetError as exc:
        print(f"loket targets: {exc}; nothing was recorded", file=sys.stderr)
        return 2
    print(f"Recorded expected value {new_id}: {args.indicator} = {args.value} from {args.valid_from}"
          + (f", product {args.product}" if args.product else "")
          + (f", target group {args.target_group}" if args.target_group else "") + ".")
    return 0


def cmd_targets_list(args, cfg: Config) -> int:
    """List the expected values that apply now or later (with --all: every one ever recorded)."""
    from queries.targets import target_rules
    from queries import targets

    df = targets.history(_engine(cfg), _target_access(args), include_past=args.all)
    if df.empty:
        print("No expected values." + ("" if args.all else " (--all also lists superseded and retired ones)"))
        return 0
    print(f"{'id':>5} {'indicator':<26} {'product':<17} {'target group':<18} {'value':>9} {'from':<7} {'to':<7} "
          f"{'status':<10} {'set by':<16} rationale")
    for row in df.sort_values(["indicator", "start", "id"]).itertuples():
        last = target_rules.last_month(row.start, row.end)
        until = "" if last is None else last or "never"
        status = row.status + (f" by {row.retired_by}" if row.status == targets.RETIRED else "")
        print(f"{row.id:>5} {row.indicator:<26} {row.product or '-':<17} {row.target_group or '-':<18} "
              f"{row.expected_value:>9g} {row.start:<7} {until:<7} {status:<10} {row.set_by or '-':<16} "
              f"{(row.rationale or '')[:60]}")
    return 0


def cmd_targets_retire(args, cfg: Config) -> int:
    """Retire an expected value from this month on; its row and earlier months stay."""
    from queries import targets

    try:
        targets.retire(_engine(cfg), _target_access(args), target_id=args.id)
    except targets.TargetError as exc:
        print(f"loket targets: {exc}; nothing was changed", file=sys.stderr)
        return 2
    print(f"Retired expected value {args.id}.")
    return 0


def _add_targets_parser(sub) -> None:
    from queries.store.codes import PRODUCTS, TARGET_GROUPS

    parser = sub.add_parser(
        "targets", help="record, list and retire the commissioner's expected values (streefwaarden)",
        description="Expected values per indicator, optionally per product or target group, never per unit. "
                    "A change is a new row from its --from month on; nothing is overwritten.")
    targets_sub = parser.add_subparsers(dest="targets_command", required=True)
    by_help = "who sets it, for the record and the audit log (default: the OS user)"

    set_ = targets_sub.add_parser("set", help="record an expected value (or a change of one)")
    set_.add_argument("indicator", help="indicator key, e.g. waiting_within_14 (see the definitions page)")
    set_.add_argument("value", help="the expected value; percentages 0-100")
    set_.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM", help="first month it applies to")
    set_.add_argument("--product", help=f"only for this product: {', '.join(PRODUCTS.values)}")
    set_.add_argument("--target-group", help=f"only for this target group: {', '.join(TARGET_GROUPS.values)}")
    set_.add_argument("--rationale", required=True, help="a short rationale")
    set_.add_argument("--by", metavar="NAME", help=by_help)
    set_.set_defaults(func=cmd_targets_set)

    lst = targets_sub.add_parser("list", help="list the expected values that apply now or later")
    lst.add_argument("--all", action="store_true", help="the whole history, with superseded and retired values")
    lst.add_argument("--by", metavar="NAME", help=argparse.SUPPRESS)
    lst.set_defaults(func=cmd_targets_list)

    retire = targets_sub.add_parser("retire", help="retire an expected value from this month on (its row stays)")
    retire.add_argument("id", help="the expected value's id (see `loket targets list`)")
    retire.add_argument("--by", metavar="NAME", help=by_help)
    retire.set_defaults(func=cmd_targets_retire)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Config())


if __name__ == "__main__":
    sys.exit(main())
