"""Who is calling: the caller's access scope, derived on the server for every request."""
from __future__ import annotations

import flask

from queries.access import Access


def current_access() -> Access:
    """Return the access scope of the authenticated caller; no role when there is none."""
    access = flask.g.get("access") if flask.has_request_context() else None
    return access or Access(user="", role=None)
