"""A local SMTP server (aiosmtpd) that keeps what it receives, and a small published store with accounts."""
from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from dashboard import delivery
from dashboard.config import Config
from queries.accounts import users
from tests import monitor_fixtures
from tests.factories import add_accounts, cheap_hashes
from tests.stores import copy_store

ACCOUNTS = {"pm": ("programme", None), "hr-nn": ("unit", "NN"), "hr-lb": ("unit", "LB"), "steward": ("admin", None)}


class Inbox:
    """Keeps every mail the server accepts; refuses the first `refuse` DATA commands (a server in trouble)."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse = 0
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):
        with self._lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.mails.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """Return the mails that went to an address."""
        return [m for rcpt, m in self.mails if address in rcpt]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def store(tmp_path_factory, tmp_path):
    """The monitor pages' small store (NN, LB and AM, published as of April 2014) with recipients' accounts and
    the app tests' sign-in accounts."""
    engine = copy_store(monitor_fixtures.template(tmp_path_factory), tmp_path)
    with cheap_hashes():
        for name, (role, unit) in ACCOUNTS.items():
            users.add_user(engine, name, "a-long-password-0001", role, unit)
        add_accounts(engine)  # the accounts the app's tests sign in with (tests.factories.headers)
    return engine


@pytest.fixture
def cfg(store, inbox):
    return Config.from_overrides({"DATABASE_URL": str(store.url), "DEMO_MODE": False, "TESTING": True,
                                  "SMTP_HOST": "127.0.0.1", "SMTP_PORT": inbox.port, "SMTP_TLS": "none",
                                  "MAIL_FROM": "loket@example.org", "ARCHIVE_MONTHS": 24})


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", (0.0, 0.0))
