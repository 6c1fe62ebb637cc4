"""The linked structure of the published counts: which cells add up to which.

Every published count is tied to others: months add up to their quarter and quarters to their
year, units add up to the national figure, a breakdown's categories add up to its total, and a
cross-table's cells add up, category by category, to a one-way breakdown (its margin). An
attacker can use all of these at once; this module writes them down as linear relations.
"""
from __future__ import annotations

from dataclasses import dataclass

import math

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


@dataclass
class Pairs:
    """Children and their parent cells (positions) in one kind of relation; `group`: which children sum together."""

    child: np.ndarray
    parent: np.ndarray
    group: np.ndarray


class _Keys:
    """A block's cells by their key, for finding each child's parent cell.

    Each KEY column is held as whole-number codes and a key as one integer, so the lookups of a
    block are a sort and a binary search (merges on five text columns took half of an audit's
    time, 2026-12-04).
    """

    def __init__(self, cells: pd.DataFrame):
        self.codes, self.values, self._index = {}, {}, {}
        for column in KEY:
            codes, values = pd.factorize(cells[column], use_na_sentinel=False)
            self.codes[column], self.values[column] = codes.astype(np.int64), values
            self._index[column] = {value: code for code, value in enumerate(values)}
        # A key is the codes in mixed radix; past 63 bits it would wrap and pair unrelated cells.
        if math.prod(len(v) for v in self.values.values()) >= 2**63:
            raise OverflowError("too many distinct key values in one block to number its cells")
        keys = self._keys(self.codes)
        self.order = np.argsort(keys, kind="stable")
        self.sorted = keys[self.order]

    def code(self, column: str, values) -> np.ndarray:
        """Return the codes of some values of a column (-1 where no cell has the value)."""
        index = self._index[column]
        return np.fromiter((index.get(value, -1) for value in values), dtype=np.int64, count=len(values))

    def code_of(self, column: str, value) -> int:
        """Return the code of one value of a column (-1 where no cell has it)."""
        return self._index[column].get(value, -1)

    def _keys(self, codes: dict[str, np.ndarray]) -> np.ndarray:
        keys = np.zeros(len(codes[KEY[0]]), dtype=np.int64)
        for column in KEY:
            keys = keys * len(self.values[column]) + codes[column]
        return keys

    def pairs(self, children: np.ndarray, parent: dict[str, np.ndarray], group: np.ndarray | None = None) -> Pairs:
        """Return the children whose parent cell exists, with it.

        `parent` gives the codes of the parent's key where it differs from the child's (-1: a value
        no cell has). Children of one parent sum to it per `group`: by default each child table in
        a relation of its own, even when tables share a parent.
        """
        codes = {column: parent.get(column, self.codes[column][children]) for column in KEY}
        known = np.logical_and.reduce([codes[column] >= 0 for column in parent])
        keys = self._keys(codes)
        at = np.minimum(np.searchsorted(self.sorted, keys), len(self.sorted) - 1)
        found = known & (self.sorted[at] == keys)
        group = self.codes["table_name"][children] if group is None else group
        return Pairs(children[found], self.order[at[found]], group[found])

    def mapped(self, column: str, children: np.ndarray, mapping, into: str | None = None) -> np.ndarray:
        """Return, per child, the code in column `into` (default: the same) of `mapping` of its value in `column`.

        `mapping` is called once per distinct value, not once per child.
        """
        present = np.unique(self.codes[column][children])
        up = np.full(len(self.values[column]), -1, dtype=np.int64)
        up[present] = self.code(into or column, [mapping(self.values[column][code]) for code in present])
        return up[self.codes[column][children]]

    def constant(self, column: str, value, size: int) -> np.ndarray:
        return np.full(size, self.code_of(column, value), dtype=np.int64)


def _period_pairs(keys: _Keys) -> list[Pairs]:
    out = []
    for level, parent_level in (("month", "quarter"), ("quarter", "year")):
        children = np.flatnonzero(keys.codes["period_type"] == keys.code_of("period_type", level))
        out.append(keys.pairs(children, {
            "period_type": keys.constant("period_type", parent_level, len(children)),
            "period": keys.mapped("period", children, lambda p, lv=level: periods.parent_of(p, lv)),
        }))
    return out


def _scope_pairs(keys: _Keys) -> Pairs:
    children = np.flatnonzero(keys.codes["scope"] != keys.code_of("scope", NATIONAL))
    return keys.pairs(children, {"scope": keys.constant("scope", NATIONAL, len(children))})


def _tables_with(keys: _Keys, chosen: dict) -> np.ndarray:
    return np.flatnonzero(np.isin(keys.codes["table_name"], keys.code("table_name", list(chosen))))


def _category_pairs(keys: _Keys, tables: dict, multi: bool) -> Pairs:
    parent_of = {name: t.parent_cell for name, t in tables.items() if t.parent_cell and t.multi == multi}
    children = _tables_with(keys, parent_of)
    table = keys.mapped("table_name", children, lambda name: parent_of[name][0])
    category = keys.mapped("table_name", children, lambda name: parent_of[name][1], into="category")
    return keys.pairs(children, {"table_name": table, "category": category})


def _margin_pairs(keys: _Keys, tables: dict, partial: bool) -> Pairs:
    """Pair each cross-table cell with the same category of its margin: all tables of one margin sum to it."""
    margin_of = {name: t.margin for name, t in tables.items() if t.margin and t.margin_partial == partial}
    children = _tables_with(keys, margin_of)
    margin = keys.mapped("table_name", children, margin_of.get)
    return keys.pairs(children, {"table_name": margin}, group=margin)


def _sum_rows(pairs: list[Pairs], n_vars: int, sign: int = 1) -> sp.csr_matrix:
    """One row per parent and relation kind: sign * (sum(children) - parent)."""
    rows, cols, vals, offset = [], [], [], 0
    for p in pairs:
        if not len(p.child):
            continue
        # One row per (parent, group), numbered in order of first appearance.
        relation, _ = pd.factorize(p.parent * (int(p.group.max()) + 1) + p.group)
        first = np.unique(relation, return_index=True)[1]
        rows += [relation + offset, np.arange(len(first)) + offset]
        cols += [p.child, p.parent[first]]
        vals += [np.full(len(p.child), sign), np.full(len(first), -sign)]
        offset += len(first)
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
    keys = _Keys(cells)
    eq_pairs = [*_period_pairs(keys), _category_pairs(keys, tables, multi=False),
                _margin_pairs(keys, tables, partial=False)]
    if all_units:
        eq_pairs.append(_scope_pairs(keys))
    equalities = _sum_rows(eq_pairs, n)
    # Overlapping categories: each is at most its parent, and together at least the parent.
    multi = _category_pairs(keys, tables, multi=True)
    each = sp.csr_matrix(
        (np.r_[np.ones(len(multi.child)), -np.ones(len(multi.child))],
         (np.r_[np.arange(len(multi.child)), np.arange(len(multi.child))], np.r_[multi.child, multi.parent])),
        shape=(len(multi.child), n))
    together = _sum_rows([multi], n, sign=-1)
    # A cross-table over part of its margin's population: together at most the margin's cell.
    partial = _sum_rows([_margin_pairs(keys, tables, partial=True)], n)
    return Block(cells, equalities, sp.vstack([each, together, partial]).tocsr())


def parts(cells: pd.DataFrame, tables: dict) -> list[pd.DataFrame]:
    """Split counts into the cells of independent blocks (population x year), each with its `row`."""
    population = cells["table_name"].map(lambda name: tables[name].population)
    years = cells["period"].str[:4]
    return [part.assign(row=part.index) for _key, part in cells.groupby([population, years], sort=True)]


def blocks(cells: pd.DataFrame, tables: dict, *, all_units: bool = True) -> list[Block]:
    """Split counts into independent blocks (population x year) with their relations."""
    return [build_block(part, tables, all_units=all_units) for part in parts(cells, tables)]


def _row_numbers(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Number the distinct rows of some columns in order of first appearance (one number per row)."""
    numbers = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, values = pd.factorize(frame[column], use_na_sentinel=False)
        numbers = pd.factorize(numbers * len(values) + codes)[0]  # renumbered each time: never overflows
    return numbers


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
    stacked = pd.concat([r[ids] for r in releases], ignore_index=True)
    unknown = _row_numbers(stacked, ids)
    unknowns = stacked.iloc[np.unique(unknown, return_index=True)[1]].reset_index(drop=True)
    ends = np.cumsum([len(r) for r in releases])
    positions, eqs, ineqs = [], [], []
    for release, var in zip(releases, np.split(unknown, ends[:-1])):
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
