"""The `loket` command: demo data, users, imports, the privacy audit and reports."""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from dashboard.config import Config
from queries import store, users
from queries.access import ROLES
from queries.codes import UNITS
from queries.users import UserError


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
    from dashboard.runtime import policy_from
    from queries import catalogue

    print("Publishing the protected catalogue (the attacker check takes a minute or two)...", file=sys.stderr)
    run = catalogue.refresh(_engine(cfg), policy_from(cfg))
    print(f"Catalogue refreshed up to {run.data_until}: {run.cells:,} count cells, {run.primary_suppressed:,} "
          f"hidden by the rule, {run.secondary_suppressed:,} more hidden so they cannot be worked out "
          f"({run.seconds:.1f} s).")
    return 0


def cmd_audit(args, cfg: Config) -> int:
    from dashboard.runtime import policy_from
    from queries import catalogue
    from queries.access import Access
    from queries.audit import audit_cells

    policy = policy_from(cfg)
    cells, until = catalogue.counts_beside_publication(_engine(cfg))
    roles = []
    if args.role in ("all", "programme"):
        roles.append(Access("audit", "programme"))
    if args.role in ("all", "unit"):
        roles += [Access("audit", "unit", code) for code in (args.unit or UNITS.values)]
    print(f"Attacking the catalogue up to {until} with k = {policy.k} (a hidden cell passes when its "
          f"provable interval is at least {policy.k / 2:g} wide):")
    failed = False
    for access in roles:
        report = audit_cells(cells, policy, access)
        print(" ", report.summary(policy), flush=True)
        if not report.narrow.empty:
            failed = True
            print(report.narrow.head(20).to_string(index=False))
    return 1 if failed else 0


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
    sub.add_parser("refresh", help="rebuild the published, protected catalogue from the store").set_defaults(
        func=cmd_refresh)
    audit = sub.add_parser("audit", help="attack the published catalogue as each role would (LP, HiGHS)")
    audit.add_argument("--role", choices=("all", "programme", "unit"), default="all")
    audit.add_argument("--unit", action="append", choices=UNITS.values, help="unit code(s) for --role unit")
    audit.set_defaults(func=cmd_audit)
    _add_users_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Config())


if __name__ == "__main__":
    sys.exit(main())
