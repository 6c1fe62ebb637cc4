"""Response compression: Flask-Compress for everything, with static bodies compressed once per process."""
from __future__ import annotations

import hashlib

import flask
from flask_compress import Compress

from dashboard.web import security

# Where the digest of a static body waits for Flask-Compress's cache key (see install).
_STATIC_DIGEST = "loket.static_digest"


class StaticCompressionCache:
    """Flask-Compress's cache, keeping only static bodies (keyed by encoding and the body's digest).

    Every other response gets an empty key (see `static_cache_key`) and is compressed afresh: page
    callbacks and layouts differ per user and request. A digest of the body, not the URL, is the key
    so that a changed file is never answered from the cache, and no made-up URL (Dash strips any
    fingerprint from its script URLs) adds an entry: at most one per file and encoding.
    """

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self.bodies[key] = value


def static_cache_key(request: flask.Request) -> str:
    return request.environ.get(_STATIC_DIGEST, "")


def install(server: flask.Flask) -> None:
    """Compress responses; static files once per process and encoding, not on every request."""
    # Dash's scripts are megabytes of JavaScript and its callbacks answer in JSON: both shrink ~5x.
    # Other streamed answers (downloads) stay as they are: compressing a stream leaves the file it
    # reads from open.
    server.config["COMPRESS_STREAMS"] = False
    # Compressing the same files again cost 20-50 ms of CPU per cold page load (Dash's 4.8 MB
    # plotly.min.js alone 50-80 ms), on the two cores the callbacks need too.
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCompressionCache
    server.config["COMPRESS_CACHE_KEY"] = static_cache_key
    compress = Compress(server)
    server.extensions["compress"] = compress

    # Registered after Flask-Compress, so it runs before it (Flask runs after_request handlers last-in first-out).
    @server.after_request
    def prepare_static(response: flask.Response) -> flask.Response:
        if (not flask.request.path.startswith(security.STATIC_PREFIXES) or response.status_code != 200
                or response.mimetype not in compress.compress_mimetypes_set):
            return response
        if response.is_streamed:
            # Files in assets/ (the plotly bundle among them) are sent from the open file, which
            # Flask-Compress leaves alone; read into memory (the file is closed with the response),
            # they are compressed like Dash's own scripts.
            response.direct_passthrough = False
            response.make_sequence()
        flask.request.environ[_STATIC_DIGEST] = hashlib.blake2b(response.get_data(), digest_size=16).hexdigest()
        return response
