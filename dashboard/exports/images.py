"""Chart images: a card's figure as a downloaded image (title, scope, period, data date and legend drawn
in, 1920x1080) or as a slide's picture, drawn by kaleido 1.x with the system's Chromium
(`ImageRenderer`: one browser per process, started on the first export and kept warm).
"""
from __future__ import annotations

import asyncio
import atexit
import copy
import io
import logging
import threading
from typing import Callable

import plotly.graph_objects as go
from kaleido import Kaleido
from PIL import Image

from dashboard.config import PROJECT_ROOT
from dashboard.exports.meta import (IMAGE_FORMATS, IMAGE_HEIGHT, IMAGE_WIDTH, MUTED_COLOUR, SLIDE_IMAGE_HEIGHT,
                                    SLIDE_IMAGE_WIDTH, TEXT_COLOUR, Meta, escape, legend_lines, source_line)
from dashboard.ui.cards import KEY_FIGURE, Card
from dashboard.ui.texts import t

log = logging.getLogger(__name__)

PLOTLY_JS = PROJECT_ROOT / "assets" / "vendor" / "plotly-basic.min.js"  # every trace type the cards draw (tests)
FONT = "'Source Sans 3', 'Segoe UI', Arial, 'Liberation Sans', sans-serif"  # quoted: "3" is no CSS name


def _base(card: Card, width: int, height: int) -> tuple[go.Figure, int]:
    fig = go.Figure(copy.deepcopy(card.figure))
    tile = card.kind == KEY_FIGURE
    fig.update_layout(width=width, height=height, font={"family": FONT, "size": 17, "color": TEXT_COLOUR},
                      title=None, hoverlabel=None, paper_bgcolor="white", plot_bgcolor="white")
    if tile:  # a tile's small trend: give it axes and room
        fig.update_xaxes(showticklabels=True, nticks=12)
        fig.update_yaxes(showticklabels=True, showgrid=True, gridcolor="#e5e5e5")
    horizontal = any(getattr(tr, "orientation", None) == "h" for tr in fig.data)
    labels = [str(y) for tr in fig.data if getattr(tr, "orientation", None) == "h" for y in (tr.y or ())]
    left = min(width // 3, 24 + 9 * max((len(s) for s in labels), default=0)) if horizontal else 72
    if tile:
        fig.update_layout(showlegend=len(fig.data) > 1)
    fig.update_annotations(font_size=15)
    return fig, left


def image_figure(card: Card, meta: Meta) -> go.Figure:
    """Return the card as a downloaded image shows it: title, scope, period, data date and legend drawn in."""
    fig, left = _base(card, IMAGE_WIDTH, IMAGE_HEIGHT)
    top, bottom, right = 118, 190, 40
    plot_w, plot_h = IMAGE_WIDTH - left - right, IMAGE_HEIGHT - top - bottom
    subtitle = " · ".join(x for x in (meta.scope, f"{t('export.period', meta.lang)}: {card.period_text}") if x)
    fig.update_layout(
        margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
        title={"text": f"<b>{escape(card.title)}</b>", "x": 24 / IMAGE_WIDTH, "xanchor": "left", "xref": "container",
               "y": 1 - 20 / IMAGE_HEIGHT, "yanchor": "top", "yref": "container",
               "font": {"size": 26, "color": TEXT_COLOUR},
               "subtitle": {"text": escape(subtitle), "font": {"size": 17, "color": MUTED_COLOUR}}},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -52 / plot_h, "yanchor": "top",
                "font": {"size": 15}},
    )
    fig.update_yaxes(automargin=False)
    fig.update_xaxes(automargin=False)
    footer = "<br>".join(escape(line) for line in [*legend_lines(meta), source_line(meta)])
    fig.add_annotation(text=footer, showarrow=False, align="left", xref="paper", yref="paper",
                       x=-(left - 24) / plot_w, xanchor="left", y=-(bottom - 14) / plot_h, yanchor="bottom",
                       font={"size": 14, "color": MUTED_COLOUR})
    return fig


def slide_figure(card: Card) -> go.Figure:
    """Return the card as a slide shows it: the slide has the title and legend as editable text."""
    fig, left = _base(card, SLIDE_IMAGE_WIDTH, SLIDE_IMAGE_HEIGHT)
    fig.update_layout(font={"size": 15})
    top, bottom, right = 40 if card.events else 16, 96, 24  # room for the events' labels above the plot
    plot_h = SLIDE_IMAGE_HEIGHT - top - bottom
    fig.update_layout(margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -46 / plot_h, "yanchor": "top",
                              "font": {"size": 14}})
    fig.update_yaxes(automargin=False)
    fig.update_xaxes(automargin=False)
    return fig



class ImageRenderer:
    """Draws figures with kaleido: one headless Chromium per process, started on first use and kept warm.

    kaleido 1.x drives the browser from an asyncio loop; this runs that loop in a thread of its own
    and hands it work with `asyncio.run_coroutine_threadsafe`, so any thread (a callback, a pack
    job, the command line) can render, several at once (`tabs` pages of one browser). A browser
    that fails is closed and started again on the next call.
    """

    def __init__(self, tabs: int = 2, timeout: float = 90):
        self.tabs, self.timeout = tabs, timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._at_exit = False

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    async def _open(self):
        # mathjax=False: no CDN (offline). plotly.js is the pages' own partial bundle, not plotly's full one:
        # kaleido reloads a tab after every image, so each chart paid for parsing 4.8 MB of script.
        kaleido = Kaleido(n=self.tabs, timeout=self.timeout, mathjax=False, plotlyjs=PLOTLY_JS)
        await kaleido.open()
        return kaleido

    def start(self):
        """Start the browser unless it runs; return (loop, kaleido)."""
        with self._lock:
            if self._kaleido is not None:
                return self._loop, self._kaleido
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="loket-kaleido", daemon=True)
            thread.start()
            try:
                kaleido = asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=self.timeout)
            except BaseException:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=5)
                loop.close()
                raise
            self._loop, self._thread, self._kaleido = loop, thread, kaleido
            if not self._at_exit:
                atexit.register(self.close)
                self._at_exit = True
            return loop, kaleido

    def close(self) -> None:
        """Stop the browser (it starts again on the next render)."""
        with self._lock:
            loop, thread, kaleido = self._loop, self._thread, self._kaleido
            self._loop = self._thread = self._kaleido = None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(timeout=20)
        except Exception:  # noqa: BLE001 - a browser that is already gone
            log.warning("kaleido did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()

    def render(self, figures: list[go.Figure], fmt: str, *, width: int, height: int, scale: float,
               progress: Callable[[int], None] | None = None,
               then: Callable[[bytes], bytes] | None = None) -> list[bytes]:
        """Return each figure drawn as PNG or SVG bytes, in order; `progress(n)` after each.

        `then(image)` is applied to each image as it arrives, while the browser draws the next ones.
        """
        if fmt not in IMAGE_FORMATS:
            raise ValueError(f"not an image format: {fmt!r}")
        specs = [fig.to_dict() for fig in figures]
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        loop, kaleido = self.start()
        futures = [asyncio.run_coroutine_threadsafe(kaleido.calc_fig(spec, opts=opts), loop) for spec in specs]
        out = []
        try:
            for n, future in enumerate(futures, 1):
                image = future.result(timeout=self.timeout * 2)
                out.append(then(image) if then else image)
                if progress:
                    progress(n)
        except BaseException:
            for future in futures:
                future.cancel()
            self.close()
            raise
        return out


renderer = ImageRenderer()


def compact_png(data: bytes, colours: int = 128) -> bytes:
    """Return a chart PNG with a palette of its colours: a fifth of the size, the same to the eye."""
    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        palette.save(out, "PNG")
    return out.getvalue()
