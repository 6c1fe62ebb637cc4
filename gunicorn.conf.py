"""gunicorn settings for the Procfile and the load benchmarks (gunicorn reads this file from the working folder).

Command-line flags and `WEB_CONCURRENCY` override it.
"""
import os

# A page's first view is CPU work under the GIL: one process per core and a few more, and threads
# so that a slow request (an export, a store read) does not hold a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = 4
# Users think 1-3 s between clicks; gunicorn's default of 2 s closed many connections just before
# the next click reused them (the browser then resends, after a reset).
keepalive = 5
timeout = 120
graceful_timeout = 10


def _without_server_header(default_headers):
    """Wrap gunicorn's response head so that it names no server (and so no version to look up)."""

    def headers(response):
        return [line for line in default_headers(response) if not line.lower().startswith("server:")]

    headers.loket_no_server = True
    return headers


def post_worker_init(worker):
    """gunicorn writes `Server: gunicorn` itself, after the app's headers; it has no setting to stop it."""
    from gunicorn.http import wsgi

    if not getattr(wsgi.Response.default_headers, "loket_no_server", False):
        wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)
