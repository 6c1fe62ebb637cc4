"""`loket users add|list|remove|set-password|set-role`: passwords from a prompt or stdin, never argv."""
from __future__ import annotations

import getpass
import io

import pytest
import sqlalchemy as sa

from dashboard import cli
from dashboard.cli import demo as demo_cli
from dashboard.cli import users as users_cli
from queries.accounts import users
from queries.store.schema import User


pytestmark = pytest.mark.usefixtures("fast_hashes")


@pytest.fixture
def loket(sqlite_store, monkeypatch, capsys):
    """Run `loket ...` against the test store with some standard input; return (exit code, out, err)."""
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))

    def run(*argv: str, stdin: str = ""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_add_reads_the_password_from_stdin_and_stores_only_a_hash(loket, sqlite_store):
    code, out, _ = loket("users", "add", "hr-nn", "--role", "unit", "--unit", "NN", stdin="a-long-password-1\n")
    assert code == 0 and "hr-nn" in out
    account = users.credentials(sqlite_store, "hr-nn")
    assert (account.role, account.unit) == ("unit", "NN")
    assert users.verify_password(account.password_hash, "a-long-password-1")
    with sqlite_store.connect() as conn:
        assert "a-long-password-1" not in str(conn.execute(sa.select(User)).all())


def test_list_shows_accounts_but_no_hashes(loket):
    loket("users", "add", "pm", "--role", "programme", stdin="a-long-password-1\n")
    loket("users", "add", "beheer", "--role", "admin", stdin="a-long-password-2\n")
    code, out, _ = loket("users", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["beheer", "admin"] and lines[2].split()[:2] == ["pm", "programme"]
    assert "pbkdf2" not in out and "scrypt" not in out and "password-1" not in out


def test_list_without_accounts_says_how_to_add_one(loket):
    assert "loket users add" in loket("users", "list")[1]


def test_set_password_replaces_the_old_one(loket, sqlite_store):
    loket("users", "add", "pm", "--role", "programme", stdin="a-long-password-1\n")
    code, _, _ = loket("users", "set-password", "pm", stdin="another-password-2\n")
    assert code == 0
    account = users.credentials(sqlite_store, "pm")
    assert users.verify_password(account.password_hash, "another-password-2")
    assert not users.verify_password(account.password_hash, "a-long-password-1")


def test_set_role_and_remove(loket, sqlite_store):
    loket("users", "add", "x", "--role", "programme", stdin="a-long-password-1\n")
    assert loket("users", "set-role", "x", "--role", "unit", "--unit", "LB")[0] == 0
    assert users.access_of(users.credentials(sqlite_store, "x")).unit == "LB"
    assert loket("users", "set-role", "x", "--role", "none")[0] == 0
    assert users.access_of(users.credentials(sqlite_store, "x")).role is None
    assert loket("users", "remove", "x")[0] == 0
    assert users.credentials(sqlite_store, "x") is None


@pytest.mark.parametrize("argv, stdin, message", [
    (("users", "add", "pm", "--role", "programme"), "short\n", "at least 12"),
    (("users", "add", "pm", "--role", "programme"), "", "at least 12"),
    (("users", "add", "hr", "--role", "unit"), "a-long-password-1\n", "unit code"),
    (("users", "add", "pm", "--role", "admin", "--unit", "NN"), "a-long-password-1\n", "only a unit user"),
    (("users", "add", "bad name", "--role", "admin"), "a-long-password-1\n", "user name"),
    (("users", "remove", "ghost"), "", "no user"),
    (("users", "set-password", "ghost"), "a-long-password-1\n", "no user"),
    (("users", "set-role", "ghost", "--role", "admin"), "", "no user"),
])
def test_errors_exit_1_with_a_message(loket, argv, stdin, message):
    code, _, err = loket(*argv, stdin=stdin)
    assert code == 1 and message in err


def test_duplicate_user_is_refused(loket):
    loket("users", "add", "pm", "--role", "programme", stdin="a-long-password-1\n")
    code, _, err = loket("users", "add", "pm", "--role", "admin", stdin="a-long-password-2\n")
    assert code == 1 and "already exists" in err


@pytest.mark.parametrize("argv", [
    ("users", "add", "pm", "--role", "programme", "--password", "a-long-password-1"),
    ("users", "set-password", "pm", "a-long-password-1"),
    ("users", "add", "pm", "--role", "superuser"),
    ("users", "add", "pm", "--role", "unit", "--unit", "XX"),
])
def test_passwords_are_no_command_line_argument(loket, argv):
    with pytest.raises(SystemExit) as stop:
        loket(*argv)
    assert stop.value.code == 2


def test_a_terminal_is_asked_twice(loket, sqlite_store, monkeypatch):
    answers = iter(["typed-password-12", "typed-password-12", "typed-password-34", "typo-password-34"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    monkeypatch.setattr("sys.stdin", Terminal())
    assert cli.main(["users", "add", "pm", "--role", "programme"]) == 0
    assert users.verify_password(users.credentials(sqlite_store, "pm").password_hash, "typed-password-12")
    assert cli.main(["users", "set-password", "pm"]) == 1  # the two entries differ
    assert users.verify_password(users.credentials(sqlite_store, "pm").password_hash, "typed-password-12")


def test_demo_command_is_still_there():
    parser = cli.build_parser()
    assert parser.parse_args(["demo", "--seed", "3"]).func is demo_cli.cmd_demo
    assert parser.parse_args(["users", "list"]).func is users_cli.cmd_users_list
