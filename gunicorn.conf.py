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
