"""The published catalogue: every protected table, built once per data refresh and stored.

Pages, exports and the API read only the published cells; nothing else ever hands a figure to a
user. Building them is the single place where true counts exist outside the store.

Modules, by job:
- `layout`: what is published (count and statistic tables, from which population, for units);
- `declarations`: the indicators and the cells each is read or computed from;
- `counting`: the true figures, read from the store and counted (never published as such);
- `release`: one refresh, the only writer (carry the past forward, protect, record, measure loss);
- `reader`: the only reader of the published cells and of the release metadata;
- `indicators`: the monitor's figures, derived from published cells only;
- `tables`: the published tables as such (the API's listing and one table's cells);
- `marks` and `refresh_due`: whether a refresh is due after an import, and who finishes it.

This module names what other packages use.
"""
from __future__ import annotations

from queries.catalogue.counting import build_counts, read_populations
from queries.catalogue.layout import (
    COUNT_TABLES, HEADLINE_CELLS, MEASURE_TABLES, MEASURES_BY_NAME, NOT_RECORDED, PUBLIC_TABLES, RATE_CELLS, UNKNOWN,
    TABLES_BY_NAME, published_for,
)
from queries.catalogue.reader import (
    CELL_FIELDS, cell_rows, data_version, latest_refresh, periods_of, read_cells, targets_state,
)
from queries.catalogue.release import counts_beside_publication, publish, refresh, release_history
from queries.store.codes import TOTAL

__all__ = [
    "CELL_FIELDS", "COUNT_TABLES", "HEADLINE_CELLS", "MEASURES_BY_NAME", "MEASURE_TABLES", "NOT_RECORDED", "UNKNOWN",
    "PUBLIC_TABLES", "RATE_CELLS", "TABLES_BY_NAME", "TOTAL", "build_counts", "cell_rows",
    "counts_beside_publication", "data_version", "latest_refresh", "periods_of", "publish", "published_for",
    "read_cells", "read_populations", "refresh", "release_history", "targets_state",
]
