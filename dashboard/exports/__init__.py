"""Exports for steering meetings: chart images (PNG, SVG), chart data (CSV, XLSX) and the steering pack
(PowerPoint, PDF, Excel).

**One source.** Nothing here reads the store or computes a figure, and nothing reads a page: every
export writes the cards (`dashboard.ui.cards`) the monitor pages render, built for the caller by
`dashboard.ui.monitor` with the caller's `Access`, server-side: the chart's figure spec, its typed
table (the same protected values and symbols the page shows), its title, period, notes and
definition. So an export holds nothing the caller could not see on the page, for exactly the
caller's scope; a unit user's pack holds its own unit and the national benchmark, nothing else.

One module per job: `meta` (what every export states, file names), `images` (kaleido, PNG/SVG),
`csv_xlsx` (a chart's data), `contents` (what a pack holds), `powerpoint`, `pdf`, and `pack`
(collect and write; one chart's file). This package gives what the rest of the app calls.
"""
from __future__ import annotations

from dashboard.exports.contents import Pack
from dashboard.exports.images import ImageRenderer, renderer
from dashboard.exports.meta import (CHART_FORMATS, DATA_FORMATS, IMAGE_FORMATS, MIME, PACK_FORMATS, Meta, as_caller,
                                    file_name, meta_for, pack_name, query_of, size_text, view_for)
from dashboard.exports.pack import (build_pack, chart_file, collect, draw, find_chart, offline_server,
                                    page_for_path, write_pack)

__all__ = ["CHART_FORMATS", "DATA_FORMATS", "IMAGE_FORMATS", "MIME", "PACK_FORMATS", "ImageRenderer", "Meta", "Pack",
           "as_caller", "build_pack", "chart_file", "collect", "draw", "file_name", "find_chart", "meta_for",
           "offline_server", "pack_name", "page_for_path", "query_of", "renderer", "size_text", "view_for",
           "write_pack"]
