"""One release of the catalogue: carry the past forward, protect, publish, record in the ledger, measure the loss.

`refresh` is the only writer of the published cells: it builds the true figures
(`queries.catalogue.counting`), lets the protection decide what to hide, replaces the published
cells and appends the release to the ledger, all in one transaction. The ledger and the true
counts it keeps are read back only here: by the next refresh, and for the audit
(`release_history`, `counts_beside_publication`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import time
from dataclasses import asdict

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries.catalogue import counting, marks, reader
from queries.catalogue.layout import HEADLINE_CELLS, MEASURES_BY_NAME, RATE_CELLS, TABLES_BY_NAME
from queries.privacy import Policy, loss, releases
from queries.privacy.linked import KEY
from queries.privacy.protect import Protection, cell_costs, code_digest, protect
from queries.privacy.releases import KEPT_SHOWN
from queries.store import insert_frame, periods
from queries.store.schema import CatalogueRefresh, ProtectedBlock, PublishedCell

REFRESH_LOCK_KEY = 0x4C6F6B6574  # "Loket": the advisory lock that keeps two refreshes apart

def publish(counts: pd.DataFrame, policy: Policy, *, known: dict | None = None,
            history: dict | None = None) -> tuple[pd.DataFrame, Protection]:
    """Turn true counts into published cells: hidden, exact or rounded, decided by the protection.

    A cell an earlier release fixed (`fixed`, `fixed_value`) keeps what that release published.
    """
    counts = counts.reset_index(drop=True)
    protection = protect(counts, TABLES_BY_NAME, policy, known=known, history=history)
    n = counts["n"].to_numpy()
    value = np.where(protection.exact, n, policy.round(n)).astype(float)
    if "fixed_value" in counts:
        value = np.where(counts["fixed"].to_numpy() == KEPT_SHOWN, counts["fixed_value"].to_numpy(dtype=float), value)
    value[protection.suppressed] = np.nan
    published = counts[KEY].assign(value=value, suppressed=protection.suppressed)
    return published, protection


def prepare_counts(populations: dict[str, pd.DataFrame], last_month: str, policy: Policy
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the true counts with what protects them (statistics' facts, costs) and the statistics."""
    counts = counting.build_counts(populations, last_month)
    measures = counting.build_measures(populations, last_month, counts, policy)
    facts = counting.statistic_facts(measures)
    counts = counts.merge(facts, on=KEY, how="left").fillna({"fact": 0})
    counts["fact"] = counts["fact"].astype(np.int64)
    return counts.assign(cost=cell_costs(counts, TABLES_BY_NAME, HEADLINE_CELLS, RATE_CELLS)), measures


def _history(conn: sa.Connection, counts: pd.DataFrame) -> dict[tuple[str, str], list[pd.DataFrame]]:
    """Return, for each block with a revised cell, every earlier release of it (what the revision must stay safe with)."""
    revised = counts[counts["revised"]]
    if revised.empty:
        return {}
    blocks = {(TABLES_BY_NAME[t].population, p[:4]) for t, p in zip(revised["table_name"], revised["period"])}
    truth = releases.truths(conn)
    facts = _ledger_facts(conn)
    out: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for release_id, state in releases.states(conn, list(TABLES_BY_NAME)):
        state = _with_truth_and_facts(state, truth, facts.get(release_id))
        block_of = list(zip(state["table_name"].map(lambda t: TABLES_BY_NAME[t].population), state["period"].str[:4]))
        for key in blocks:
            part = state[[b == key for b in block_of]]
            if len(part):
                out.setdefault(key, []).append(part.reset_index(drop=True))
    return out


def _ledger_facts(conn: sa.Connection) -> dict[int, pd.DataFrame]:
    """Return, per release, what its statistics told of their count cells."""
    return {release_id: counting.statistic_facts(state)
            for release_id, state in releases.states(conn, list(MEASURES_BY_NAME))}


def _with_truth_and_facts(state: pd.DataFrame, truth: pd.DataFrame, facts: pd.DataFrame | None) -> pd.DataFrame:
    state = state.merge(truth, on=[*KEY, "version"], how="left")
    if facts is not None:
        state = state.merge(facts, on=KEY, how="left")
    return state.assign(fact=state.get("fact", 0)).fillna({"fact": 0})


def release_history(engine: sa.Engine) -> list[tuple[int, pd.DataFrame]]:
    """Return every release's count cells as published, with true counts and statistics' facts (for the audit only)."""
    with engine.connect() as conn:
        truth = releases.truths(conn)
        facts = _ledger_facts(conn)
        return [(release_id, _with_truth_and_facts(state, truth, facts.get(release_id)))
                for release_id, state in releases.states(conn, list(TABLES_BY_NAME))]


def _protected_blocks(conn: sa.Connection) -> dict[str, tuple[np.ndarray, int]]:
    rows = conn.execute(sa.select(ProtectedBlock.digest, ProtectedBlock.hidden, ProtectedBlock.cells,
                                  ProtectedBlock.rounds))
    return {r.digest: (np.unpackbits(np.frombuffer(r.hidden, np.uint8), count=r.cells).astype(bool), r.rounds)
            for r in rows}


def _store_protected_blocks(conn: sa.Connection, blocks: dict[str, tuple[np.ndarray, int]]) -> None:
    # Only the current blocks are kept: a block whose counts changed will not come back.
    conn.execute(sa.delete(ProtectedBlock))
    conn.execute(sa.insert(ProtectedBlock), [
        {"digest": digest, "hidden": np.packbits(hidden).tobytes(), "cells": len(hidden), "rounds": rounds}
        for digest, (hidden, rounds) in blocks.items()])


@contextlib.contextmanager
def _refresh_lock(conn: sa.Connection):
    """Let one refresh at a time run against a store; a second one waits for the first.

    Several app hosts share one PostgreSQL store, so the lock lives there (a transaction-level
    advisory lock, released at commit). An SQLite store lives on one host: a file lock beside it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK_KEY})
        yield
        return
    database = conn.engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.refresh-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh(engine: sa.Engine, policy: Policy, *, today: dt.date | None = None) -> CatalogueRefresh:
    """Publish a new release of the catalogue from the store in one transaction, keeping the past stable."""
    started = time.perf_counter()
    last_month = periods.last_complete_month(today or dt.date.today())
    with engine.begin() as conn, _refresh_lock(conn):
        due = marks.seen(conn)  # the loads this refresh publishes: read before the store is
        populations = counting.read_populations(conn, last_month)
        counts, measures = prepare_counts(populations, last_month, policy)
        latest = reader.latest_refresh(conn)
        previous = releases.previous_state(conn, reader.published_state(conn))
        stable = latest is not None and json.loads(latest.policy) == asdict(policy)
        counts = releases.carry_forward(counts, previous, stable=stable)
        published, protection = publish(counts, policy, known=_protected_blocks(conn), history=_history(conn, counts))
        _store_protected_blocks(conn, protection.blocks)
        cells = pd.concat([published, measures, counting.website_cells(conn, last_month)], ignore_index=True)
        compared = releases.against(cells[[*KEY, "value", "suppressed"]], previous, counts)
        counted = counts[[*KEY, "n"]].assign(suppressed=published["suppressed"].to_numpy())
        report = {"overall": loss.cells_lost(counted, policy.k, TABLES_BY_NAME),
                  "indicators": loss.as_records(loss.information_loss(counted, measures, policy.k, TABLES_BY_NAME,
                                                                      MEASURES_BY_NAME))}
        run = dict(
            refreshed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            data_until=last_month,
            policy=json.dumps(asdict(policy)),
            cells=len(published),
            primary_suppressed=int(protection.primary.sum()),
            secondary_suppressed=int(protection.secondary.sum()),
            blocks=len(protection.blocks),
            blocks_protected=protection.protected,
            code_digest=code_digest(),
            loss=json.dumps(report),
            seconds=0.0,
        )
        release_id = conn.execute(sa.insert(CatalogueRefresh).returning(CatalogueRefresh.id), run).scalar_one()
        revised = releases.record(conn, release_id, compared, counts)
        conn.execute(sa.delete(PublishedCell))
        insert_frame(conn, PublishedCell, compared[[*KEY, "value", "suppressed", "revised"]])
        run.update(id=release_id, revised_cells=revised, seconds=round(time.perf_counter() - started, 3))
        conn.execute(sa.update(CatalogueRefresh).where(CatalogueRefresh.id == release_id)
                     .values(revised_cells=revised, seconds=run["seconds"]))
        marks.clear(conn, due)
    return CatalogueRefresh(**run)



def counts_beside_publication(engine: sa.Engine) -> tuple[pd.DataFrame, str]:
    """Return the latest release's count cells with their true counts and statistics' facts, for the attacker check only."""
    history = release_history(engine)
    with engine.connect() as conn:
        latest = reader.latest_refresh(conn)
        if latest is None or not history:
            raise LookupError("the catalogue has not been built yet: run `loket refresh`")
        counts = counting.build_counts(counting.read_populations(conn, latest.data_until), latest.data_until)
    cells = history[-1][1]
    merged = counts.merge(cells, on=KEY, how="outer", indicator=True, suffixes=("_store", ""))
    if (merged["_merge"] != "both").any() or (merged["n_store"] != merged["n"]).any():
        raise RuntimeError("the catalogue does not match the store: refresh it before auditing")
    return cells, latest.data_until
