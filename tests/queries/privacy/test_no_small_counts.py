"""Every query function, every scope and granularity, on a store where every count is small: nothing leaks.

With fewer than k clients in every cell of every table, the only numbers any query function may
return are 0 (a true zero) or nothing (hidden): a count, a percentage, a median or a rate per 1,000
staff computed from a small count would be a leak. New query functions are found automatically;
one with a parameter this scanner does not know fails the test until it is taught the values.
"""
import datetime as dt
import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

import queries
from queries import catalogue
from queries.catalogue import indicators, tables
from queries.catalogue.declarations import FUNNEL
from queries.monitor import overview, registrations
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.privacy import Policy
from tests.stores import fresh_store
from tests.factories import add_registrations, add_units, registration

PERIODS = {"month": "2014-03", "quarter": "2014-Q1", "year": "2014"}
PUBLIC_COLUMNS = {"headcount"}  # unit headcounts are public facts, not about clients
# Modules whose (engine, access) functions return no figures: the access log, the importer, the accounts, and the
# delivery's records (subscriptions, mailings, archived packs: files made from the published cards).
NOT_FIGURES = {"queries.accounts.audit_log", "queries.ingest.importer", "queries.accounts.users",
               "queries.delivery.archive", "queries.delivery.deliveries", "queries.delivery.subscriptions"}


def _query_functions():
    found = []
    for info in pkgutil.walk_packages(queries.__path__, "queries."):
        if info.name in NOT_FIGURES or ".migrations" in info.name:  # migrations run only under Alembic
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if fn.__module__ == module.__name__ and not name.startswith("_") and params[:2] == ["engine", "access"]:
                found.append(fn)
    return found


def _choices(param: str, access: Access, period_type: str):
    unit_scopes = [NATIONAL] + ([] if access.sees_all_units else [access.unit])
    return {
        "scopes": [unit_scopes, [NATIONAL, "NN", "ON", "LB"]] if access.sees_all_units else [unit_scopes],
        "scope": unit_scopes,
        "period_type": [period_type],
        "period": [PERIODS[period_type]],
        "year": [PERIODS["year"]],
        "dimension": list(registrations.DIMENSIONS),
        "indicator": list(dict.fromkeys([*overview.HEADLINE, *FUNNEL])),
        "name": tables.table_names(),
        "keys": [list(indicators.INDICATORS)],
        "table": [t.name for t in catalogue.COUNT_TABLES if t.parent_cell],
        "tables": [{m.name: f"{m.name}:{c}" for m in catalogue.MEASURE_TABLES
                    for c in ((catalogue.TOTAL, *m.by_codes) if m.by else m.stats)}],
    }.get(param)


def _calls(fn, access: Access):
    sig = inspect.signature(fn)
    for period_type in PERIODS:
        kwargs_options = [{}]
        for name, p in list(sig.parameters.items())[2:]:
            if p.default is not inspect.Parameter.empty and name not in ("period_type", "scope", "scopes"):
                continue
            values = _choices(name, access, period_type)
            if values is None:
                if p.default is not inspect.Parameter.empty:
                    continue
                pytest.fail(f"{fn.__module__}.{fn.__name__}: teach the scanner values for parameter {name!r}")
            kwargs_options = [{**kw, name: v} for kw in kwargs_options for v in values]
        yield from kwargs_options


def _numbers(result) -> list[float]:
    frames = result.values() if isinstance(result, dict) else [result]
    if hasattr(result, "points"):  # a funnel: its units' points, and the national rate it is drawn around
        frames = [result.points, pd.DataFrame({"national": [result.national, result.national_numerator,
                                                            result.national_denominator]}, dtype=float)]
    out = []
    for frame in frames:
        if isinstance(frame, pd.DataFrame):
            for column in frame.columns:
                series = frame[column]
                if column in PUBLIC_COLUMNS or not pd.api.types.is_numeric_dtype(series) \
                        or pd.api.types.is_bool_dtype(series):
                    continue
                out += [float(v) for v in series.dropna()]
    return out


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    engine = fresh_store(f"sqlite:///{tmp_path_factory.mktemp('small') / 's.sqlite'}")
    rng = np.random.default_rng(3)
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, [
            registration(dt.date(2014, int(m), 3), str(u), closed_on=dt.date(2014, int(m), 25),
                         referral_outcome="back_to_unit", work_status="working", sessions_count=3)
            for m, u in zip(rng.integers(1, 13, 9), rng.choice(["NN", "ON", "LB"], 9))
        ])
    catalogue.refresh(engine, Policy(), today=dt.date(2015, 2, 1))
    return engine


@pytest.mark.parametrize("access", [Access("scan", "programme"), Access("scan", "unit", "NN")],
                         ids=["programme", "unit"])
def test_no_query_function_returns_a_number_about_fewer_than_k_clients(small_store, access):
    functions = _query_functions()
    assert len(functions) >= 10
    calls = 0
    for fn in functions:
        for kwargs in _calls(fn, access):
            try:
                result = fn(small_store, access, **kwargs)
            except (ValueError, LookupError, AccessDenied):
                continue  # a combination the function refuses (e.g. a granularity a unit does not have)
            calls += 1
            leaked = [v for v in _numbers(result) if v != 0]
            assert not leaked, f"{fn.__module__}.{fn.__name__}({kwargs}) returned {leaked[:5]}"
    assert calls >= 50
