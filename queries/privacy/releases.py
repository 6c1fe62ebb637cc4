"""The release ledger: every refresh that publishes is a release, and what it published stays on file.

Users keep what they downloaded, so the releases together are what an attacker holds. The ledger
lets the next refresh keep the past stable (a cell whose true count did not change keeps its
status and value), protect revised cells against everything earlier releases said of them, and
lets the audit attack the union of all releases.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries.privacy.linked import KEY
from queries.store import insert_frame
from queries.store.schema import CellTruth, ReleaseCell

FREE, KEPT_SHOWN, KEPT_HIDDEN = 0, 1, 2  # `fixed`: what an earlier release decided for a cell


def _truths(conn: sa.Connection) -> pd.DataFrame:
    """Return the newest version of every count cell and its true count."""
    return truths(conn).sort_values("version").drop_duplicates(KEY, keep="last")


def previous_state(conn: sa.Connection, published: pd.DataFrame) -> pd.DataFrame:
    """Return the latest release's cells (`published`, from the reader) with count cells' version and true count."""
    return published.merge(_truths(conn), on=KEY, how="left")


def carry_forward(counts: pd.DataFrame, previous: pd.DataFrame, *, stable: bool) -> pd.DataFrame:
    """Add each count cell's version, what an earlier release fixed for it, and whether it is revised.

    A cell published before with the same true count keeps its status and value (when `stable`:
    the rule is the one that release used); one whose count changed is a revision, a new unknown.
    """
    before = previous.loc[previous["n"].notna(), [*KEY, "value", "suppressed", "version", "n"]]
    merged = counts.merge(before.rename(columns={"n": "n_before", "value": "value_before"}), on=KEY, how="left")
    seen = merged["n_before"].notna().to_numpy()
    same = seen & (merged["n_before"].to_numpy() == merged["n"].to_numpy())
    version = merged["version"].fillna(0).to_numpy(dtype=np.int64) + (seen & ~same)
    hidden_before = merged["suppressed"].fillna(False).to_numpy(dtype=bool)
    fixed = np.where(same & stable, np.where(hidden_before, KEPT_HIDDEN, KEPT_SHOWN), FREE)
    return counts.assign(version=version, fixed=fixed,
                         fixed_value=np.where(fixed == KEPT_SHOWN, merged["value_before"], np.nan),
                         revised=seen & ~same)


def against(cells: pd.DataFrame, previous: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Compare a release's cells with the release before: each cell's version, whether it is new, changed
    (value, status or version) and revised (shown differently from before, now or in an earlier release)."""
    revised_count = counts.loc[counts["revised"], KEY].assign(count_revised=True)
    mine = cells.merge(counts[[*KEY, "version"]], on=KEY, how="left").merge(revised_count, on=KEY, how="left")
    mine["version"] = mine["version"].fillna(0).astype(np.int64)
    old = previous[[*KEY, "value", "suppressed", "version", "revised"]].rename(
        columns={"value": "v0", "suppressed": "s0", "version": "ver0", "revised": "r0"})
    both = mine.merge(old, on=KEY, how="left", indicator=True)
    new = (both["_merge"] == "left_only").to_numpy()
    same_value = (both["value"].to_numpy() == both["v0"].to_numpy()) | (both["value"].isna() & both["v0"].isna()).to_numpy()
    shown_differently = ~new & (~same_value | (both["suppressed"].to_numpy() != both["s0"].fillna(False).to_numpy(dtype=bool)))
    changed = shown_differently | (~new & (both["version"].to_numpy() != both["ver0"].fillna(0).to_numpy()))
    revised = shown_differently | both["r0"].fillna(False).to_numpy(dtype=bool) \
        | both["count_revised"].fillna(False).to_numpy(dtype=bool)
    return both[[*KEY, "value", "suppressed", "version"]].assign(new=new, changed=changed, revised=revised)


def record(conn: sa.Connection, release_id: int, compared: pd.DataFrame, counts: pd.DataFrame) -> int:
    """Append what this release changed to the ledger (and the new versions' true counts); return the cells revised now."""
    rows = compared.loc[compared["new"] | compared["changed"], [*KEY, "value", "suppressed", "version", "revised"]]
    insert_frame(conn, ReleaseCell, rows.assign(release_id=release_id))
    ids = [*KEY, "version"]
    fresh = counts[ids + ["n"]].merge(truths(conn)[ids], on=ids, how="left", indicator=True)
    insert_frame(conn, CellTruth, fresh.loc[fresh["_merge"] == "left_only", ids + ["n"]])
    return int((compared["changed"] & compared["revised"]).sum())


def states(conn: sa.Connection, tables: list[str]) -> list[tuple[int, pd.DataFrame]]:
    """Return each release's cells of some tables as it published them (value, status, version), oldest first."""
    r = ReleaseCell.__table__.c
    ledger = pd.read_sql(sa.select(r.release_id, *[r[c] for c in KEY], r.value, r.suppressed, r.version)
                         .where(r.table_name.in_(tables)).order_by(r.release_id, r.id), conn)
    ledger["suppressed"] = ledger["suppressed"].astype(bool)
    out = []
    for release_id in sorted(ledger["release_id"].unique()):
        upto = ledger[ledger["release_id"] <= release_id]
        out.append((int(release_id), upto.drop_duplicates(KEY, keep="last").drop(columns="release_id")
                    .reset_index(drop=True)))
    return out


def truths(conn: sa.Connection) -> pd.DataFrame:
    """Return the true count of every version of every count cell (for the attacker check only)."""
    t = CellTruth.__table__.c
    return pd.read_sql(sa.select(*[t[c] for c in KEY], t.version, t.n), conn)
