"""Where the app bends Dash: the page's language and landmarks, page callbacks for every app, and a
worker's first requests.

Each patch names the Dash behaviour it works around; a newer Dash that changes it makes the patch fail
loudly (see `serialize_first_request_setup`) rather than silently.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
import threading

import dash
from dash import _callback

import dashboard.pages as pages_pkg
from dashboard.ui.texts import current_language

_PAGE_CALLBACKS: tuple[list, dict] | None = None


# Scripts Dash puts on every page that the monitor does without. @babel/polyfill (core-js, for browsers of
# 2015) cost 280 ms of main-thread script on a cold render; every browser the monitor supports has all of
# it natively, but dash_renderer's transpiled async code calls the global `regeneratorRuntime`, which
# assets/vendor/regenerator-runtime.js (the same package's runtime, 25 kB) provides. No page has a DataTable.
_UNUSED_SCRIPTS = ("/deps/polyfill@", "/dash_table/bundle.")


class LoketDash(dash.Dash):
    def _generate_scripts_html(self) -> str:
        tags = super()._generate_scripts_html().split("\n")
        kept = [tag for tag in tags if not any(name in tag for name in _UNUSED_SCRIPTS)]
        if len(tags) - len(kept) != len(_UNUSED_SCRIPTS):  # a Dash that names them otherwise: look again
            raise RuntimeError(f"expected one script tag each for {_UNUSED_SCRIPTS} among Dash's scripts")
        return "\n".join(kept)

    def interpolate_index(self, **kwargs):
        # Screen readers need the page's language; it follows the caller's cookie.
        html = super().interpolate_index(**kwargs)
        # Dash puts its scripts in a <footer>: a second "contentinfo" landmark beside the shell's footer.
        html = html.replace("<footer>", '<div class="dash-scripts">', 1).replace("</footer>", "</div>", 1)
        return html.replace("<html>", f'<html lang="{current_language()}">', 1)


def register_pages() -> None:
    """Import the page modules once per process and hand their callbacks to every new app.

    Dash keeps `dash.callback` registrations in a global list that the first app consumes; tests
    build several apps, so the list is kept and handed over again for each one.
    """
    global _PAGE_CALLBACKS
    if _PAGE_CALLBACKS is None:
        for info in pkgutil.iter_modules(pages_pkg.__path__):
            module = importlib.import_module(f"dashboard.pages.{info.name}")
            if module.__name__ in dash.page_registry:
                dash.page_registry[module.__name__]["layout"] = module.layout
        _PAGE_CALLBACKS = (list(_callback.GLOBAL_CALLBACK_LIST), dict(_callback.GLOBAL_CALLBACK_MAP))
    callbacks, callback_map = _PAGE_CALLBACKS
    _callback.GLOBAL_CALLBACK_LIST[:] = list(callbacks)
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_MAP.update(callback_map)


def serialize_first_request_setup(app: dash.Dash) -> None:
    """Make a worker's concurrent first requests wait until Dash has set the server up.

    Dash sets up on a worker's first request (`_setup_server`: it registers the script paths it
    may serve; the pages router: it registers the router callback) and marks this done before it
    is. Under gunicorn's threads, the page's scripts reach a fresh worker together: all but the
    first were answered 404 while it was still setting up, and the page stayed at "Loading...".
    """
    lock = threading.Lock()
    hooks = app.server.before_request_funcs.setdefault(None, [])

    def serialized(hook):
        done = False

        @functools.wraps(hook)
        def once():
            nonlocal done
            if done:
                return None
            with lock:
                if done:
                    return None
                try:
                    return hook()
                finally:
                    done = True  # Dash does not retry a failed setup either

        return once

    wrapped = 0
    for i, hook in enumerate(hooks):
        if hook == app._setup_server or getattr(hook, "__name__", None) in ("router_sync", "router_async"):
            hooks[i] = serialized(hook)
            wrapped += 1
    if wrapped != 2:  # a newer Dash: look again at how it sets up on the first request
        raise RuntimeError(f"found {wrapped} of Dash's 2 first-request setup hooks")
