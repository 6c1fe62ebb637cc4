"""What a client sends: Basic credentials and the requests Dash's renderer posts (tests, benchmarks, load tests)."""
from __future__ import annotations

import json

from werkzeug.datastructures import Authorization

from dashboard.exports import export_ui
from dashboard.web.security import ROUTER_OUTPUT


def basic_auth_header(username: str, password: str) -> str:
    """Return the value of an `Authorization` header for HTTP Basic credentials."""
    return Authorization("basic", {"username": username, "password": password}).to_header()


def router_request(pathname, search, changed: list[str] | None = None) -> dict:
    """Return the request Dash's renderer posts to lay out a page.

    `changed`: the location props that changed (both on a page load; on a navigation click those
    that differ from the page before).
    """
    changed = changed or ["_pages_location.pathname", "_pages_location.search"]
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": list(changed),
        "parsedChangedPropsIds": list(changed),
    }


def router_body(pathname: str, search: str = "") -> dict:
    """Return the request of a click in the navigation: only the path changed."""
    return router_request(pathname, search, ["_pages_location.pathname"])


def callback_body(output: str, outputs, inputs: list[tuple[str, str, object]], state=()) -> dict:
    """Return the request Dash's renderer posts for a callback: (id, property, value) inputs, the first one changed."""
    return {
        "output": output, "outputs": outputs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }


def body_text(response) -> str:
    """Return a response's body as text; JSON is decoded so that escapes (\\u002f) do not hide text."""
    data = response.get_data(as_text=True)
    if response.mimetype == "application/json":
        return json.dumps(json.loads(data), ensure_ascii=False)
    return data


PACK_OUTPUTS = [(export_ui.ID_JOB, "data"), (export_ui.ID_POLL, "disabled"), (export_ui.ID_STATUS, "children"),
                (export_ui.ID_DOWNLOAD, "data"), (export_ui.ID_START, "disabled")]


def dependency(client, headers: dict, marker: str) -> dict:
    """Return the callback whose output names `marker`, from the app's callback graph."""
    deps = client.get("/_dash-dependencies", headers=headers).json
    return next(d for d in deps if marker in d["output"])


def pack_request(client, headers: dict, trigger: str, *, fmt="xlsx", search="", job=None, clicks=1):
    """Post the steering-pack panel's callback: its start button clicked, or its poll of a job."""
    body = {
        "output": dependency(client, headers, export_ui.ID_JOB)["output"],
        "outputs": [{"id": i, "property": p} for i, p in PACK_OUTPUTS],
        "inputs": [{"id": export_ui.ID_START, "property": "n_clicks", "value": clicks},
                   {"id": export_ui.ID_POLL, "property": "n_intervals", "value": 1}],
        "state": [{"id": export_ui.ID_FORMAT, "property": "value", "value": fmt},
                  {"id": export_ui.LOCATION, "property": "search", "value": search},
                  {"id": export_ui.ID_JOB, "property": "data", "value": job}],
        "changedPropIds": [f"{trigger}.{'n_clicks' if trigger == export_ui.ID_START else 'n_intervals'}"],
    }
    return client.post("/_dash-update-component", json=body, headers=headers)
