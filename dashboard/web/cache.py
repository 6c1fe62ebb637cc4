"""Rendered monitor pages, cached per scope: a steering meeting opens the same views at once.

A page's layout depends on its URL, the caller's language and scope (role and unit), the day
(expected values are valid from a month on), and the data: the published catalogue and the
expected values. All of these are in the key, so a cached page is never served to another scope
and is replaced as soon as a refresh or a new expected value lands. Only pages registered with
`cache=True` are cached (the monitor pages); admin pages, with forms and logs, never are.

Several app hosts share one Redis (`REDIS_URL`). Without it a host's workers share a folder
(`CACHE_DIR`, in `instance/` by default), so a view opened on another worker's connection is a hit;
with an empty `CACHE_DIR` each process keeps its own pages in memory.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
from importlib.metadata import version

import dash
import flask
import orjson
import sqlalchemy as sa
from flask_caching import Cache
from flask_caching.backends.filesystemcache import FileSystemCache
from plotly.io.json import to_json_plotly

from dashboard.web import runtime
from dashboard.web.auth import current_access
from dashboard.config import Config
from dashboard.ui.texts import current_language
from queries import catalogue

cache = Cache()
_NOT_KEPT = "loket_page_not_kept"


class PageFolder(FileSystemCache):
    """Flask-Caching's folder cache, pruned in batches.

    Once the folder holds its limit of pages, cachelib reads the header of every file in it, twice, on each
    write: at 100 users that took 47% of the server's time, more than rendering. Here the write that finds
    the folder full counts the files again (workers' counts drift apart), removes the expired pages and
    then the oldest down to LOW_WATER of the limit, so the next writes find room without reading the folder.
    """

    LOW_WATER = 0.8

    def _prune(self) -> None:
        if not self._over_threshold():
            return
        self._update_count(value=sum(1 for _ in self._list_dir()))
        if self._over_threshold():
            self._remove_expired(time.time())
        if self._over_threshold():
            limit, self._threshold = self._threshold, int(self._threshold * self.LOW_WATER)
            try:
                self._remove_older()
            finally:
                self._threshold = limit


def settings(cfg: Config) -> dict:
    """Return the Flask-Caching settings for a config: Redis, else a folder this host's workers share, else
    this process's memory."""
    common = {"CACHE_DEFAULT_TIMEOUT": cfg.CACHE_SECONDS,
              # A new release never serves pages an older one rendered.
              "CACHE_KEY_PREFIX": f"loket:{version('loket-monitor')}:"}
    if cfg.REDIS_URL:
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": cfg.REDIS_URL}
    if cfg.CACHE_DIR:
        return {**common, "CACHE_TYPE": f"{__name__}.PageFolder", "CACHE_DIR": cfg.CACHE_DIR,
                "CACHE_THRESHOLD": cfg.CACHE_PAGES}
    return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": cfg.CACHE_PAGES}


def key(page: str, query: dict) -> str:
    """Return the cache key of a page for the caller of this request (raises when the store cannot be read)."""
    access = current_access()
    parts = {
        "page": page, "query": query, "lang": current_language(), "role": access.role, "unit": access.unit,
        "day": dt.date.today().isoformat(), "data": catalogue.data_version(runtime.current().engine),
        "policy": repr(runtime.current().policy),
    }
    return "page:" + hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def not_kept() -> None:
    """Keep this request's page out of the cache (it shows a passing failure, e.g. a store that was down)."""
    flask.g.setdefault(_NOT_KEPT, True)


def cached(page: str, layout):
    """Wrap a page's layout so that it is rendered once per key, then served from the cache."""

    def render(query: dict) -> str:
        # plotly's "json" engine serialises a component tree twice as fast as its orjson engine (which
        # walks every node in Python first); Dash then sends the plain result with orjson, where that wins.
        return to_json_plotly(layout(**query), engine="json")

    @functools.wraps(layout)
    def wrapper(**query):
        if not runtime.current().config.CACHE_SECONDS:
            return orjson.Fragment(render(query))
        try:
            page_key = key(page, query)
        except sa.exc.SQLAlchemyError:
            return layout(**query)  # the store is down: the page says so, and that is not kept
        # Kept as the JSON Dash sends, and sent as it is: Dash writes its answer with orjson (plotly's "orjson"
        # engine), which passes a Fragment through, so a hit neither rebuilds the figures nor parses the page.
        text = cache.get(page_key)
        if text is None:
            text = render(query)
            if not flask.g.get(_NOT_KEPT):
                cache.set(page_key, text)
        return orjson.Fragment(text)

    wrapper.loket_cached = True
    return wrapper


def install(server: flask.Flask, cfg: Config) -> None:
    """Give the app its page cache and wrap the layouts of the pages registered with `cache=True`."""
    cache.init_app(server, config=settings(cfg))
    for name, page in dash.page_registry.items():
        layout = page.get("layout")
        if page.get("cache") and callable(layout) and not getattr(layout, "loket_cached", False):
            page["layout"] = cached(name, layout)
