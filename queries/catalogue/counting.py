"""The true figures: the counted populations read from the store, and every count and statistic built from them.

This is the one place where true counts exist outside the store; they leave it only through the
release (`queries.catalogue.release`), which protects them before anything is published.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from queries.accounts.access import NATIONAL
from queries.catalogue.layout import (
    COUNT_TABLES, MEASURE_TABLES, NOT_RECORDED, UNKNOWN, CountTable, published_for,
)
from queries.ingest import columns
from queries.privacy import Policy
from queries.privacy.audit import AT_LEAST_K, BELOW_K
from queries.store import codes, periods
from queries.store.codes import TOTAL, UNITS
from queries.store.schema import Contact, Registration, RegistrationQuestion, Session, Survey, WebsiteVisits

# --- reading the store ---------------------------------------------------------------------
#
# At national scale the store holds millions of rows; they are read column-wise (Arrow) and kept
# as numbers and categoricals: a unit and a month are small integer codes, never Python strings.

def _as_datetime(column: pd.Series) -> pd.Series:
    # SQLite hands dates and timestamps back as ISO text, PostgreSQL as dates and timestamps; a
    # column with no value at all comes back as numbers (SQLite cannot tell its type).
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_numeric_dtype(column):
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[s]")
    return pd.to_datetime(column, format="ISO8601")


def _month_codes(when: pd.Series, months: list[str]) -> np.ndarray:
    """Return each row's position in `months` (complete months from the first on), -1 outside."""
    month = _as_datetime(when).to_numpy(dtype="datetime64[M]")
    offset = month.astype(np.int64) - np.datetime64(months[0], "M").astype(np.int64)
    return np.where(~np.isnat(month) & (offset >= 0) & (offset < len(months)), offset, -1)


def _keyed(df: pd.DataFrame, month: np.ndarray, months: list[str]) -> pd.DataFrame:
    """Keep the rows inside the published months, with the month as a categorical."""
    return df.assign(month=pd.Categorical.from_codes(month, categories=months))[month >= 0].reset_index(drop=True)


def _classes(conditions: list, labels: list[str], default: str | None = None) -> pd.Categorical:
    """Label each row by the first condition it meets; rows that meet none get `default` (or none)."""
    categories = [*labels, default] if default else labels
    codes_ = np.select([np.asarray(c, dtype=bool) for c in conditions], list(range(len(labels))),
                       len(labels) if default else -1)
    return pd.Categorical.from_codes(codes_, categories=categories)


def _filled(column: pd.Series, label: str) -> pd.Series:
    return column.cat.add_categories([label]).fillna(label)


def _flag(column: pd.Series) -> np.ndarray:
    # Booleans arrive as bool, 0/1 or, with NULLs among them, 1.0/0.0/NaN, depending on the database.
    return pd.array(column, dtype="boolean").fillna(False).to_numpy(dtype=bool)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (_as_datetime(later) - _as_datetime(earlier)).dt.days


REGISTRATION_CODES = {
    "unit": UNITS.values, "target_group": codes.TARGET_GROUPS.values, "product": codes.PRODUCTS.values,
    "channel": codes.CHANNELS.values, "gender": codes.GENDERS.values, "age_band": codes.AGE_BANDS.values,
    "found_via": codes.FOUND_VIA.values, "anonymity_reason": codes.ANONYMITY_REASONS.values,
    "referral_outcome": codes.REFERRAL_OUTCOMES.values, "work_status": codes.WORK_STATUSES.values,
}
_r, _c, _s = Registration, Contact, Survey
# What the refresh reads, largest first (they are read two at a time). The evaluation moments are
# joined in pandas: SQLite's outer join to a grouped subquery is slow at millions of rows.
QUERIES = {
    "contacts": sa.select(_c.contacted_at, _c.channel, _c.unit_code, _c.led_to_registration),
    "registrations": sa.select(
        _r.id, _r.registered_on, _r.unit_code.label("unit"), _r.target_group, _r.product, _r.channel, _r.gender,
        _r.age_band, _r.found_via, _r.anonymity_wish, _r.anonymity_reason, _r.first_intake_on, _r.closed_on,
        _r.sessions_count, _r.counsellor_changes, _r.tcl_done, _r.tcl_above_cutoff, _r.referral_outcome,
        _r.work_status),
    "questions": sa.select(RegistrationQuestion.registration_id.label("id"), RegistrationQuestion.question_type),
    "evaluations": sa.select(Session.registration_id.label("id"), sa.func.count().label("n"))
    .where(Session.evaluation_moment.is_(True)).group_by(Session.registration_id),
    "surveys": sa.select(_s.answered_on, _s.grade, _s.goals_reached, _s.expectations_met, _s.work_resumed,
                         _s.rating_reachability, _s.rating_waiting_time, _s.rating_expertise, _s.rating_treatment,
                         sa.func.coalesce(_r.unit_code, codes.UNKNOWN_UNIT).label("unit"), _r.product, _r.target_group)
    .outerjoin(_r, _r.id == _s.registration_id),
}
# Which of those each population is built from.
SOURCES = {"registrations": ("registrations", "evaluations"), "intakes": ("registrations", "evaluations"),
           "closures": ("registrations", "evaluations"),
           "questions": ("registrations", "evaluations", "questions"), "contacts": ("contacts",),
           "surveys": ("surveys",)}


def _registration_frame(table: pa.Table, evaluations: pa.Table) -> pd.DataFrame:
    df = columns.frame(table, REGISTRATION_CODES)
    done = columns.frame(evaluations)
    df["evaluations"] = df["id"].map(done.set_index("id")["n"]).fillna(0)
    wait = _days(df["first_intake_on"], df["registered_on"])
    tcl = _classes([~_flag(df["tcl_done"]), _flag(df["tcl_above_cutoff"])], ["not_done", "above_cutoff"],
                   "below_cutoff")
    outcome = df["referral_outcome"]
    referred = [c.code for c in codes.REFERRAL_OUTCOMES if c.group != "none"]
    above = tcl == "above_cutoff"
    anonymous = _flag(df["anonymity_wish"])
    # An evaluation moment is due every 8 sessions at the latest (the evaluation's recommendation).
    guided = (df["product"] == "process_guidance").to_numpy()
    evaluated = (df["evaluations"] >= df["sessions_count"] // 8).to_numpy()
    return df.assign(
        wait_days=wait,
        throughput_days=_days(df["closed_on"], df["registered_on"]),
        waiting=_classes([wait <= 14, wait > 14], ["within_14", "after_14"]),
        tcl=tcl,
        referral=_filled(outcome, NOT_RECORDED),
        tcl_referral=_classes([above & outcome.isin(referred), above], ["referred", "not_referred"]),
        work_status=_filled(df["work_status"], NOT_RECORDED),
        anonymity=_classes([anonymous], ["yes"], "no"),
        anonymity_reason=df["anonymity_reason"].where(anonymous),
        counsellor_changes=_classes([df["counsellor_changes"] == 0, df["counsellor_changes"] == 1], ["0", "1"],
                                    "2plus"),
        pg_evaluation=_classes([guided & evaluated, guided], ["evaluated", "not_evaluated"]),
    )


def _question_frame(table: pa.Table, registrations: pd.DataFrame) -> pd.DataFrame:
    questions = columns.frame(table, {"question_type": codes.QUESTION_TYPES.values})
    # With the registration's anonymity wish: the question types are also counted by it (a cross-table).
    return questions.merge(registrations[["id", "unit", "month", "anonymity"]], on="id")


def _contact_frame(table: pa.Table, months: list[str]) -> pd.DataFrame:
    """Return the contacts counted per unit, month, channel, time of day and outcome (column n)."""
    # Millions of contacts, but a few hundred thousand distinct hours: the month and time of day
    # are worked out once per hour, then handed to the contacts by index.
    at = table["contacted_at"]
    if pa.types.is_timestamp(at.type):
        hour_of = pc.floor_temporal(at, unit="hour")
    else:  # SQLite's ISO text, "YYYY-MM-DD HH:MM:SS": the hour is its first 13 characters
        hour_of = pc.utf8_slice_codeunits(at.cast(pa.string()), 0, 13)
    hour_of = hour_of.combine_chunks().dictionary_encode()
    hours = _as_datetime(pd.Series(hour_of.dictionary.to_pandas()))
    weekend, hour = hours.dt.day_of_week >= 5, hours.dt.hour
    time_of_hour = _classes([weekend, (hour >= 8) & (hour < 18), (hour >= 18) & (hour < 23)],
                            ["weekend", "office", "evening"], "night").codes
    row_hour = hour_of.indices.to_numpy()
    df = pd.DataFrame({
        "unit": columns.coded(table["unit_code"], UNITS.values, null=codes.UNKNOWN_UNIT, name="unit"),
        "month": _month_codes(hours, months)[row_hour],
        "channel": columns.coded(table["channel"], codes.CHANNELS.values, name="channel"),
        "time_class": pd.Categorical.from_codes(time_of_hour[row_hour], ["weekend", "office", "evening", "night"]),
        "led": _classes([_flag(table["led_to_registration"].to_pandas())], ["yes"], "no"),
    })
    df = _keyed(df, df.pop("month").to_numpy(), months)
    return df.groupby(["unit", "month", "channel", "time_class", "led"], observed=True).size().rename("n").reset_index()


def _survey_frame(table: pa.Table) -> pd.DataFrame:
    df = columns.frame(table, {"unit": UNITS.values, "goals_reached": codes.GOALS_REACHED.values,
                               "product": codes.PRODUCTS.values, "target_group": codes.TARGET_GROUPS.values})
    resumed = df["work_resumed"]
    return df.assign(
        # An answer not linked to a registration: its product and target group are unknown.
        product=_filled(df["product"], UNKNOWN), target_group=_filled(df["target_group"], UNKNOWN),
        grade_class=_classes([df["grade"] >= 7], ["7plus"], "below_7"),
        expectations=_classes([_flag(df["expectations_met"])], ["yes"], "no"),
        work_resumed=_classes([resumed.notna() & _flag(resumed), resumed.notna()], ["yes", "no"], "unknown"),
    )


POPULATIONS = tuple(SOURCES)


def read_populations(conn: sa.Connection, last_month: str, only: tuple[str, ...] = POPULATIONS
                     ) -> dict[str, pd.DataFrame]:
    """Return the counted units (registration, question, contact, closure, survey) of the published months."""
    months = periods.complete_periods(periods.FIRST_MONTH, last_month)["month"]
    needed = {source for name in only for source in SOURCES[name]}
    tables = columns.read_tables(conn, {name: query for name, query in QUERIES.items() if name in needed})
    out = {}
    if "registrations" in tables:
        everything = _registration_frame(tables["registrations"], tables["evaluations"])
        out["registrations"] = _keyed(everything, _month_codes(everything["registered_on"], months), months)
        out["intakes"] = _keyed(everything, _month_codes(everything["first_intake_on"], months), months)
        out["closures"] = _keyed(everything, _month_codes(everything["closed_on"], months), months)
    if "questions" in tables:
        out["questions"] = _question_frame(tables["questions"], out["registrations"])
    if "contacts" in tables:
        out["contacts"] = _contact_frame(tables["contacts"], months)
    if "surveys" in tables:
        surveys = _survey_frame(tables["surveys"])
        out["surveys"] = _keyed(surveys, _month_codes(surveys["answered_on"], months), months)
    return {name: out[name] for name in only}


# --- building the cells ----------------------------------------------------------------------

def _cube(rows: pd.DataFrame, column: str | None, categories: tuple[str, ...], months: list[str]) -> pd.DataFrame:
    """Count rows (or sum their `n`) per unit, month and category, with every combination present."""
    unit = rows["unit"].cat.codes.to_numpy().astype(np.int64)
    month = rows["month"].cat.codes.to_numpy().astype(np.int64)
    category = (pd.Categorical(rows[column], categories=list(categories)).codes.astype(np.int64) if column
                else np.zeros(len(rows), dtype=np.int64))
    keep = (unit >= 0) & (category >= 0)
    flat = (unit * len(months) + month) * len(categories) + category
    weights = rows["n"].to_numpy()[keep] if "n" in rows else None
    n = np.bincount(flat[keep], weights=weights, minlength=len(UNITS.values) * len(months) * len(categories))
    full = pd.MultiIndex.from_product([UNITS.values, months, list(categories)], names=["unit", "month", "category"])
    return pd.DataFrame({"n": n.astype(np.int64)}, index=full).reset_index()


def _period_maps(spans: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    # Only complete quarters and years are published.
    return {level: {m: key(m) for m in spans["month"] if key(m) in spans[level]}
            for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of))}


def _periods(month: pd.Series, spans: dict[str, list[str]]) -> dict[str, pd.Categorical]:
    """Return each row's month, quarter and year (missing where the quarter or year is incomplete)."""
    out = {"month": month.array}
    for level, of_month in _period_maps(spans).items():
        position = {label: i for i, label in enumerate(spans[level])}
        lookup = np.array([position.get(of_month.get(m), -1) for m in month.cat.categories] + [-1])
        out[level] = pd.Categorical.from_codes(lookup[month.cat.codes.to_numpy()], categories=spans[level])
    return out


def _expand(cube: pd.DataFrame, spans: dict[str, list[str]]) -> pd.DataFrame:
    """Add the national scope and the quarter and year levels to a unit x month cube."""
    national = cube.groupby(["month", "category"], as_index=False)["n"].sum().assign(unit=NATIONAL)
    both = pd.concat([cube, national], ignore_index=True).rename(columns={"unit": "scope"})
    frames = [both.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, of_month in _period_maps(spans).items():
        up = both.assign(period=both["month"].map(of_month)).dropna(subset=["period"])
        frames.append(up.groupby(["scope", "period", "category"], as_index=False)["n"].sum().assign(period_type=level))
    return pd.concat(frames, ignore_index=True)[["scope", "period_type", "period", "category", "n"]]


def build_counts(populations: dict[str, pd.DataFrame], last_month: str,
                 tables: tuple[CountTable, ...] = COUNT_TABLES) -> pd.DataFrame:
    """Return the true counts of every count table (they never leave this module unprotected)."""
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    frames = []
    for table in tables:
        rows = populations["questions" if table.column == "question_type" else table.population]
        if table.within:
            column, code = table.within
            rows = rows[rows[column] == code]
        cells = _expand(_cube(rows, table.column, table.codes, spans["month"]), spans)
        frames.append(cells[published_for(cells, table)].assign(table_name=table.name))
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(np.int64)
    return out


def _statistics(rows: pd.DataFrame, keys: list[str], stats: tuple[str, ...]) -> pd.DataFrame:
    # Medians and percentiles are order statistics ("lower" interpolation): always one client's own
    # whole number, so neither a .5 (an even count) nor an interpolated fraction says anything
    # about how many clients there are.
    grouped = rows.groupby(keys, observed=True)["value"]
    out = pd.DataFrame({stat: grouped.quantile(QUANTILES[stat], interpolation="lower") if stat in QUANTILES
                        else grouped.agg(stat) for stat in stats})
    out["clients"] = grouped.size()
    return out.reset_index()


QUANTILES = {"median": 0.5, "p80": 0.8}


def _measure_cells(rows: pd.DataFrame, value: str, stats: tuple[str, ...], spans: dict[str, list[str]]) -> pd.DataFrame:
    """Return a statistic of `value` per scope (each unit, national), and per month, quarter and year."""
    rows = rows[rows[value].notna()]
    frames = []
    for level, period in _periods(rows["month"], spans).items():
        keyed = pd.DataFrame({"value": rows[value].astype(float).to_numpy(), "scope": rows["unit"].array,
                              "period": period})
        for frame in (_statistics(keyed, ["scope", "period"], stats),
                      _statistics(keyed, ["period"], stats).assign(scope=NATIONAL)):
            frames.append(frame.astype({"scope": str, "period": str}).assign(period_type=level))
    return pd.concat(frames, ignore_index=True)


def build_measures(populations: dict[str, pd.DataFrame], last_month: str, counts: pd.DataFrame,
                   policy: Policy) -> pd.DataFrame:
    """Return medians, percentiles and means, each shown exactly where at least k clients underlie it.

    Whether a statistic is shown then tells an attacker only "its count is at least k" (or, when it
    is not shown, "below k"); the attacker check knows both (`statistic_facts`). A statistic exists
    wherever its count cell is published, whatever that cell's own status.
    """
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    where = ["scope", "period_type", "period"]
    frames = []
    for m in MEASURE_TABLES:
        rows = populations[m.population]
        for by_code in (TOTAL, *m.by_codes):
            part = rows if by_code == TOTAL else rows[rows[m.by] == by_code]
            count_table, count_category = m.count_cell(by_code)
            exists = counts.loc[(counts["table_name"] == count_table) & (counts["category"] == count_category), where]
            stats = exists.merge(_measure_cells(part, m.value, m.stats, spans), on=where, how="left")
            ok = stats["clients"].fillna(0).to_numpy() >= policy.k
            for stat in m.stats:
                value = stats[stat].round(policy.mean_decimals) if stat not in QUANTILES else stats[stat]
                frames.append(stats[where].assign(
                    value=np.where(ok, value, np.nan), table_name=m.name,
                    category=by_code if m.by else stat, suppressed=~ok))
    return pd.concat(frames, ignore_index=True)


def statistic_facts(measures: pd.DataFrame) -> pd.DataFrame:
    """Return, per count cell that statistics rest on, what they tell of it: AT_LEAST_K, BELOW_K or nothing (0)."""
    where = ["scope", "period_type", "period"]
    frames = []
    for m in MEASURE_TABLES:
        for by_code in (TOTAL, *m.by_codes):
            count_table, count_category = m.count_cell(by_code)
            category = by_code if m.by else m.stats[0]
            shown = measures.loc[(measures["table_name"] == m.name) & (measures["category"] == category),
                                 [*where, "suppressed"]]
            hidden = shown["suppressed"].to_numpy(dtype=bool)
            fact = np.where(hidden, BELOW_K if m.complete else 0, AT_LEAST_K)
            frames.append(shown[where].assign(table_name=count_table, category=count_category, fact=fact))
    facts = pd.concat(frames, ignore_index=True)
    # Several statistics may rest on one cell; any shown one says at least k.
    return facts.groupby([*where, "table_name", "category"], as_index=False)["fact"].max()


def website_cells(conn: sa.Connection, last_month: str) -> pd.DataFrame:
    """Return the website visits per month, quarter and year: not about clients, so published as counted."""
    visits = pd.read_sql(sa.select(WebsiteVisits.month, WebsiteVisits.visits, WebsiteVisits.new_visits,
                                   WebsiteVisits.returning_visits), conn)
    visits["month"] = _as_datetime(visits["month"]).dt.strftime("%Y-%m")
    visits = visits[(visits["month"] >= periods.FIRST_MONTH) & (visits["month"] <= last_month)]
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    long = visits.melt(id_vars="month", var_name="category", value_name="n").assign(unit=NATIONAL)
    frames = [long.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of)):
        up = long.assign(period=long["month"].map(key))
        up = up[up["period"].isin(spans[level])]
        frames.append(up.groupby(["period", "category"], as_index=False)["n"].sum().assign(period_type=level))
    out = pd.concat(frames, ignore_index=True)
    return out.assign(table_name="website_visits", scope=NATIONAL, value=out["n"].astype(float),
                      suppressed=False).drop(columns=["n", "month", "unit"], errors="ignore")

