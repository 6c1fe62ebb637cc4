"""The linked structure of the published counts: which cells add up to which.

Every published count is tied to others: months add up to their quarter and quarters to their
year, units add up to the national figure, a breakdown's categories add up to its total, and a
cross-table's cells add up, category by category, to a one-way breakdown (its margin). An
attacker can use all of these at once; this module writes them down as linear relations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries.store import periods
from queries.accounts.access import NATIONAL

KEY = ["table_name", "scope", "period_type", "period", "category"]


@dataclass
class Block:
    """One independent part of the linked set: the cells of one population in one year.

    No relation crosses a year or a population (no cumulative or year-to-date figures are
    published), so each block can be attacked, and protected, on its own.
    """

    cells: pd.DataFrame          # KEY columns, n, and `row` (the cell's row in the caller's frame); position = variable
    equalities: sp.csr_matrix    # rows: sum(children) - parent == 0
    inequalities: sp.csr_matrix  # rows: expression <= 0 (overlapping categories)


def _pairs(cells: pd.DataFrame, children: pd.DataFrame, parent_keys: pd.DataFrame,
           group: pd.Series | None = None) -> pd.DataFrame:
    """Return (child, parent) variable pairs for children whose parent cell exists.

    Children of one parent sum to it per `group`: by default each child table in a relation of its
    own, even when tables share a parent.
    """
    lookup = cells[KEY].assign(parent=np.arange(len(cells)))
    group = children["table_name"] if group is None else group
    keyed = parent_keys.assign(child=children.index.to_numpy(), group=group.to_numpy())
    return keyed.merge(lookup, on=KEY, how="inner")[["child", "parent", "group"]]


def _period_pairs(cells: pd.DataFrame) -> list[pd.DataFrame]:
    out = []
    for level, parent_level in (("month", "quarter"), ("quarter", "year")):
        children = cells[cells["period_type"] == level]
        keys = children[KEY].assign(
            period_type=parent_level,
            period=children["period"].map(lambda p, lv=level: periods.parent_of(p, lv)),
        )
        out.append(_pairs(cells, children, keys))
    return out


def _scope_pairs(cells: pd.DataFrame) -> pd.DataFrame:
    children = cells[cells["scope"] != NATIONAL]
    return _pairs(cells, children, children[KEY].assign(scope=NATIONAL))


def _category_pairs(cells: pd.DataFrame, tables: dict, multi: bool) -> pd.DataFrame:
    parent_of = {name: t.parent_cell for name, t in tables.items() if t.parent_cell and t.multi == multi}
    children = cells[cells["table_name"].isin(parent_of)]
    parent = children["table_name"].map(parent_of)
    keys = children[KEY].assign(table_name=parent.str[0], category=parent.str[1])
    return _pairs(cells, children, keys)


def _margin_pairs(cells: pd.DataFrame, tables: dict, partial: bool) -> pd.DataFrame:
    """Pair each cross-table cell with the same category of its margin: all tables of one margin sum to it."""
    margin_of = {name: t.margin for name, t in tables.items() if t.margin and t.margin_partial == partial}
    children = cells[cells["table_name"].isin(margin_of)]
    margin = children["table_name"].map(margin_of)
    return _pairs(cells, children, children[KEY].assign(table_name=margin), group="margin:" + margin)


def _sum_rows(pairs: list[pd.DataFrame], n_vars: int, sign: int = 1) -> sp.csr_matrix:
    """One row per parent and relation kind: sign * (sum(children) - parent)."""
    rows, cols, vals, offset = [], [], [], 0
    for p in pairs:
        if p.empty:
            continue
        relation = pd.MultiIndex.from_arrays([p["parent"], p["group"]])
        codes_, uniques = pd.factorize(relation)
        group = codes_ + offset
        parents = p.drop_duplicates(["parent", "group"])
        parent_rows = pd.factorize(pd.MultiIndex.from_arrays([parents["parent"], parents["group"]]))[0] + offset
        rows += [group, parent_rows]
        cols += [p["child"].to_numpy(), parents["parent"].to_numpy()]
        vals += [np.full(len(p), sign), np.full(len(parents), -sign)]
        offset = group.max() + 1
    if not rows:
        return sp.csr_matrix((0, n_vars))
    return sp.csr_matrix((np.concatenate(vals).astype(float), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(offset, n_vars))


def build_block(cells: pd.DataFrame, tables: dict, *, all_units: bool = True) -> Block:
    """Write down every relation among the cells of one block.

    `all_units` says whether every unit's cells are present; a unit user sees only its own unit,
    so for that role units -> national is not a relation it can use.
    """
    cells = cells.reset_index(drop=True)
    n = len(cells)
    eq_pairs = [*_period_pairs(cells), _category_pairs(cells, tables, multi=False),
                _margin_pairs(cells, tables, partial=False)]
    if all_units:
        eq_pairs.append(_scope_pairs(cells))
    equalities = _sum_rows(eq_pairs, n)
    # Overlapping categories: each is at most its parent, and together at least the parent.
    multi = _category_pairs(cells, tables, multi=True)
    each = sp.csr_matrix(
        (np.r_[np.ones(len(multi)), -np.ones(len(multi))],
         (np.r_[np.arange(len(multi)), np.arange(len(multi))], np.r_[multi["child"], multi["parent"]])),
        shape=(len(multi), n))
    together = _sum_rows([multi], n, sign=-1)
    # A cross-table over part of its margin's population: together at most the margin's cell.
    partial = _sum_rows([_margin_pairs(cells, tables, partial=True)], n)
    return Block(cells, equalities, sp.vstack([each, together, partial]).tocsr())


def parts(cells: pd.DataFrame, tables: dict) -> list[pd.DataFrame]:
    """Split counts into the cells of independent blocks (population x year), each with its `row`."""
    population = cells["table_name"].map(lambda name: tables[name].population)
    years = cells["period"].str[:4]
    return [part.assign(row=part.index) for _key, part in cells.groupby([population, years], sort=True)]


def blocks(cells: pd.DataFrame, tables: dict, *, all_units: bool = True) -> list[Block]:
    """Split counts into independent blocks (population x year) with their relations."""
    return [build_block(part, tables, all_units=all_units) for part in parts(cells, tables)]


def _unique_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Drop repeated rows (the same relation written down by several releases)."""
    if matrix.shape[0] == 0:
        return matrix
    matrix = matrix.tocsr()
    matrix.sort_indices()
    seen, keep = set(), []
    for r in range(matrix.shape[0]):
        lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
        signature = (matrix.indices[lo:hi].tobytes(), matrix.data[lo:hi].tobytes())
        if signature not in seen:
            seen.add(signature)
            keep.append(r)
    return matrix[keep]


def union_block(releases: list[pd.DataFrame], tables: dict, *,
                all_units: bool = True) -> tuple[Block, list[np.ndarray]]:
    """Write down the relations of several releases of one block over their common unknowns.

    Each release's cells carry KEY and `version`: a cell keeps one unknown true count across the
    releases that show the same version, and a revised cell gets a new one. Every release's
    relations hold among the versions current in it. Returns the block over the distinct
    (cell, version) unknowns and, per release, each of its cells' position among them.
    """
    ids = [*KEY, "version"]
    unknowns = pd.concat([r[ids] for r in releases], ignore_index=True).drop_duplicates(ignore_index=True)
    lookup = unknowns.assign(var=np.arange(len(unknowns)))
    positions, eqs, ineqs = [], [], []
    for release in releases:
        release = release.reset_index(drop=True)
        var = release[ids].merge(lookup, on=ids, how="left")["var"].to_numpy()
        positions.append(var)
        block = build_block(release, tables, all_units=all_units)
        remap = sp.csr_matrix((np.ones(len(var)), (np.arange(len(var)), var)), shape=(len(var), len(unknowns)))
        eqs.append(block.equalities @ remap)
        ineqs.append(block.inequalities @ remap)
    block = Block(unknowns, _unique_rows(sp.vstack(eqs).tocsr()), _unique_rows(sp.vstack(ineqs).tocsr()))
    return block, positions


def growth(unknowns: pd.DataFrame, truth: np.ndarray) -> sp.csr_matrix:
    """Write down that a revised count grew (earlier version - later version <= 0) where it did.

    Late data mostly adds clients, so an attacker may well assume a revision only grows; where it
    did grow, the attacker is given that fact (where it shrank, a correction, it is not assumed).
    """
    order = unknowns.assign(var=np.arange(len(unknowns)), n=truth).sort_values([*KEY, "version"])
    same = (order[KEY].shift(-1) == order[KEY]).all(axis=1).to_numpy()[:-1] if len(order) > 1 else np.zeros(0, bool)
    earlier, later = order["var"].to_numpy()[:-1][same], order["var"].to_numpy()[1:][same]
    grew = truth[later] >= truth[earlier]
    earlier, later = earlier[grew], later[grew]
    rows = np.arange(len(earlier))
    return sp.csr_matrix((np.r_[np.ones(len(rows)), -np.ones(len(rows))], (np.r_[rows, rows], np.r_[earlier, later])),
                         shape=(len(rows), len(unknowns)))
