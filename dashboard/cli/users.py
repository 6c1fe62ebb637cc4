"""`loket users add|list|remove|set-password|set-role`: the accounts of the embedded login."""
from __future__ import annotations

import getpass
import sys

from dashboard.cli.common import open_store
from dashboard.config import Config
from queries.accounts import users
from queries.accounts.access import ROLES
from queries.accounts.users import UserError
from queries.store.codes import UNITS


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
            return func(args, open_store(cfg))
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


def add_parsers(sub) -> None:
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

