"""The demo's generators: one chunk of registrations with their questions, sessions, contacts and surveys,
and the website visits."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from queries.demo import draw, timeline
from queries.demo.calibration import (
    CALIBRATION_END, CALIBRATION_MONTHS, CAL_EMAIL_CONTACTS, CAL_PHONE_CONTACTS, CAL_REGISTRATIONS,
    CAL_RETURNING_VISITS, CAL_SURVEYS, CAL_SURVEYS_7_PLUS, CAL_VISITS, CAL_WEB_CONTACTS, CASE_MAN, CRISIS,
    FOUND_VIA, GRADE_P, INFO, N_QUESTIONS_P, PROCESS, PRODUCT_P, QUESTIONS, QUESTION_W, REFERRALS,
    REG_WEEKEND_DAY_W, SHORT, TG, TIME_OUT, UNIT_CODES, UNIT_SETUP, UNK, WEEKEND_DAY_W, WORK,
)

@dataclass
class Ids:
    """The next id of each table (ids are given by the demo, chunk after chunk)."""

    registration: int = 0
    contact: int = 0
    session: int = 0
    survey: int = 0


def registrations(rng, plan: timeline.Plan, a: int, b: int, ids: Ids) -> dict:
    """Return the registrations of months [a, b) with their questions and sessions, as column arrays."""
    months = plan.months
    parts = {"reg": [], "month": [], "tg": [], "unit": [], "product": []}
    for m in range(a, b):
        n = int(plan.counts[m])
        if n == 0:
            continue
        parts["reg"].append(np.sort(draw.day_numbers(rng, months[m], n, REG_WEEKEND_DAY_W)))
        parts["month"].append(np.full(n, m))
        parts["tg"].append(draw.quota(rng, n, plan.tg_p[m]))
        parts["unit"].append(draw.quota(rng, n, plan.unit_p[m]))
        parts["product"].append(draw.quota(rng, n, PRODUCT_P))
    if not parts["reg"]:
        return {}
    r = {k: np.concatenate(v) for k, v in parts.items()}
    n = len(r["reg"])
    r["id"] = ids.registration + 1 + np.arange(n)
    ids.registration += n
    years = plan.years[r["month"]]
    tg, product, unit = r["tg"], r["product"], r["unit"]
    family = tg == TG.index("family")
    former = tg == TG.index("former_staff")
    trainee = tg == TG.index("trainee")
    manager = tg == TG.index("manager")

    # gender: police staff roughly 60/40; partners and family mostly women
    gp = np.tile([0.58, 0.40, 0.02], (n, 1))
    gp[family] = [0.22, 0.76, 0.02]
    gp[manager] = [0.70, 0.29, 0.01]
    r["gender"] = draw.choice_rows(rng, gp)
    # age band by target group
    ap = np.tile([0.03, 0.22, 0.30, 0.30, 0.15, 0.00], (n, 1))
    ap[former] = [0.00, 0.03, 0.12, 0.20, 0.40, 0.25]
    ap[trainee] = [0.70, 0.28, 0.02, 0.00, 0.00, 0.00]
    ap[manager] = [0.00, 0.05, 0.30, 0.45, 0.20, 0.00]
    ap[family] = [0.15, 0.20, 0.25, 0.25, 0.10, 0.05]
    r["age"] = draw.choice_rows(rng, ap)
    # channel: mostly phone; e-mail and web grow
    tw = np.clip(years / 10, 0, 1)
    cp = np.stack([0.85 - 0.12 * tw, 0.12 + 0.02 * tw, 0.03 + 0.10 * tw], axis=1)
    r["channel"] = draw.choice_rows(rng, cp)
    fp = np.tile([0.22, 0.15, 0.18, 0.14, 0.11, 0.10, 0.06, 0.04], (n, 1))
    fp[:, FOUND_VIA.index("website")] += 0.10 * tw
    fp[:, FOUND_VIA.index("intranet")] -= 0.05 * tw
    r["found"] = draw.choice_rows(rng, fp)
    # anonymity towards the unit's care line
    anon_p = np.where(unit == UNK, 0.70, np.where(family, 0.15, 0.29))
    r["anon"] = rng.random(n) < anon_p
    reason = draw.choice(rng, n, [0.35, 0.25, 0.20, 0.12, 0.08])
    r["reason"] = np.where(r["anon"], reason, -1)

    # intake: crisis at once, otherwise about a week with a tail past 14 days
    reg = r["reg"]
    busy = np.where((years >= 6.75) & (years < 8.75), 1.25, 1.0)  # 2021-2022 capacity crunch
    wait = np.rint(np.exp(rng.normal(math.log(7.6), 0.75, n)) * busy).astype(np.int64)
    wait = np.where(product == CRISIS, rng.integers(0, 2, n), wait)
    wait = np.where(product == TIME_OUT, np.rint(np.exp(rng.normal(math.log(5.0), 0.5, n))), wait)
    wait = wait.astype(np.int64)
    no_intake = np.where(product == INFO, rng.random(n) < 0.25, rng.random(n) < 0.02)
    intake = np.where(no_intake, -1, reg + wait)

    # planned sessions per product
    u = rng.random(n)
    planned = np.select(
        [product == INFO, product == SHORT, product == PROCESS, product == CRISIS,
         product == TIME_OUT, product == CASE_MAN],
        [1 + (u < 0.3),
         1 + draw.choice(rng, n, [0.05, 0.12, 0.20, 0.25, 0.23, 0.15]),
         np.clip(np.rint(np.exp(rng.normal(math.log(15.5), 0.42, n))), 5, 30),
         rng.integers(1, 5, n), rng.integers(2, 5, n), rng.integers(3, 13, n)],
        rng.integers(4, 9, n),
    ).astype(np.int64)
    dropout = no_intake & (product != INFO)
    planned[dropout] = 0
    first_session = np.where(no_intake, reg, intake)

    # sessions, vectorised: one row per planned session
    total = int(planned.sum())
    owner = np.repeat(np.arange(n), planned)
    starts = np.cumsum(planned) - planned
    seq = np.arange(total) - np.repeat(starts, planned)  # 0-based within the registration
    p_s = product[owner]
    gap_lo = np.array([1, 5, 7, 0, 1, 10, 7])[p_s]
    gap_hi = np.array([10, 16, 24, 3, 1, 30, 14])[p_s]
    gap = np.where(seq == 0, 0, draw.between(rng, gap_lo, gap_hi))
    cum = np.cumsum(gap)
    cum = cum - cum[np.repeat(starts, planned)]
    held = first_session[owner] + cum
    last_session = np.where(planned > 0, first_session, reg)
    has = planned > 0
    last_session[has] = held[starts[has] + planned[has] - 1]

    lag_lo = np.where(dropout, 21, np.where(product == CRISIS, 3, np.where(product == INFO, 14, 7)))
    lag_hi = np.where(dropout, 60, np.where(product == CRISIS, 21, 45))
    closed = last_session + draw.between(rng, lag_lo, lag_hi)

    # what is known at the end of the data: later dates do not exist yet
    end = plan.data_end
    intake = np.where(intake > end, -1, intake)
    closed = np.where(closed > end, -1, closed)
    is_closed = closed >= 0
    keep = held <= end
    held_count = np.bincount(owner[keep], minlength=n)

    # counsellors: a primary one per registration, rarely a change
    pool = plan.counsellors[r["month"]]
    primary = np.floor(rng.random(n) * pool).astype(np.int64)
    offset = 1 + np.floor(rng.random(n) * np.maximum(pool - 1, 1)).astype(np.int64)
    changes = draw.choice(rng, n, [0.85, 0.12, 0.03])
    changes = np.minimum(changes, np.maximum(planned - 1, 0))
    change_no = (seq * (changes[owner] + 1)) // np.maximum(planned[owner], 1)
    counsellor = (primary[owner] + change_no * offset[owner]) % pool[owner]
    last_held_change = np.zeros(n, dtype=np.int64)
    hc = held_count > 0
    last_held_change[hc] = change_no[starts[hc] + held_count[hc] - 1]
    r["changes"] = last_held_change

    # evaluation moments every 5-8 sessions in process guidance and case management, not always
    evaluating = np.isin(product, (PROCESS, CASE_MAN)) & (rng.random(n) < 0.75)
    interval = rng.integers(5, 9, n)
    evaluation = (evaluating[owner] & ((seq + 1) % interval[owner] == 0)
                  & (rng.random(total) > 0.12))
    # mode: information and advice by phone; video calls since the pandemic
    covid_on = held >= draw.day(dt.date(2020, 3, 15))
    mp = np.tile([0.78, 0.19, 0.03], (total, 1))
    mp[covid_on] = [0.52, 0.23, 0.25]
    mp[p_s == INFO] = [0.0, 0.97, 0.03]
    mode = draw.choice_rows(rng, mp)

    # TCL screening at intake; above cut-off more often with trauma
    r["questions"] = _questions(rng, product)
    ptsd = np.zeros(n, dtype=bool)
    q_owner, q_type = r["questions"]
    ptsd[q_owner[q_type == QUESTIONS.index("ptsd_trauma")]] = True
    tcl_done = (intake >= 0) & (rng.random(n) < 0.67)
    above = rng.random(n) < 0.22 + 0.38 * ptsd
    r["tcl_done"] = tcl_done
    r["tcl_above"] = np.where(tcl_done, above.astype(np.int8), -1)

    r["referral"] = _referrals(rng, is_closed, product, unit, tg, r["anon"], above & tcl_done)
    wp = np.tile([0.66, 0.17, 0.14, 0.03], (n, 1))
    wp[family | former | (tg >= TG.index("volunteer"))] = [0.06, 0.03, 0.03, 0.88]
    r["work"] = np.where(is_closed, draw.choice_rows(rng, wp), -1)

    r.update(intake=intake, closed=closed, sessions_count=held_count)
    r["sessions"] = {
        "registration_id": r["id"][owner[keep]],
        "held_on": held[keep],
        "mode": mode[keep],
        "counsellor": counsellor[keep],
        "evaluation_moment": evaluation[keep],
    }
    return r


def _questions(rng, product: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-4 distinct question types per registration (Gumbel top-k), as (row, type) pairs."""
    n = len(product)
    k = 1 + draw.choice_rows(rng, N_QUESTIONS_P[product])
    w = np.tile(QUESTION_W, (n, 1))
    w[product == CRISIS, QUESTIONS.index("suicidal")] *= 6
    w[product == PROCESS, QUESTIONS.index("ptsd_trauma")] *= 1.5
    keys = np.log(w) - np.log(-np.log(rng.random((n, len(QUESTION_W)))))
    order = np.argsort(-keys, axis=1)
    take = np.arange(len(QUESTION_W))[None, :] < k[:, None]
    rows = np.repeat(np.arange(n), k)
    types = order[take]
    return rows, types


def _referrals(rng, is_closed, product, unit, tg, anon, tcl_above) -> np.ndarray:
    """Referral outcome of closed registrations: 25% back to the unit, 30% external, rest none."""
    n = len(product)
    out = np.full(n, -1)
    idx = np.flatnonzero(is_closed)
    c = len(idx)
    if c == 0:
        return out
    n_unit, n_ext = draw.round_total(rng, np.array([0.25, 0.30, 0.45]), c)[:2]
    # Back to the unit rarely for those who want anonymity, an unknown unit, family or former staff.
    score = (rng.random(c) - 0.7 * anon[idx] - 0.6 * (unit[idx] == UNK)
             - 0.3 * np.isin(tg[idx], (TG.index("family"), TG.index("former_staff"))))
    order = np.argsort(-score, kind="stable")
    to_unit = idx[order[:n_unit]]
    rest = idx[order[n_unit:]]
    score2 = (rng.random(len(rest)) + 0.35 * np.isin(product[rest], (PROCESS, CRISIS, CASE_MAN))
              + 0.3 * tcl_above[rest])
    to_ext = rest[np.argsort(-score2, kind="stable")[:n_ext]]
    out[idx] = REFERRALS.index("none_needed")
    out[to_unit] = REFERRALS.index("back_to_unit")
    ep = np.tile([0.27, 0.40, 0.08, 0.25], (len(to_ext), 1))
    ep[product[to_ext] == CRISIS] = [0.10, 0.25, 0.50, 0.15]
    ext_codes = np.array([REFERRALS.index(c) for c in
                          ("external_gp", "external_mental_health", "external_crisis",
                           "external_police_clinic")])
    out[to_ext] = ext_codes[draw.choice_rows(rng, ep)]
    return out


def surveys(rng, plan: timeline.Plan, r: dict, calibration_chunk: bool, ids: Ids) -> dict:
    """Return the survey responses of the chunk's closed registrations (the calibration chunk fits the evaluation)."""
    closed = r["closed"]
    idx = np.flatnonzero(closed >= 0)
    cal_end = draw.day(CALIBRATION_END)
    years = plan.years[r["month"][idx]]
    # Response rate: about 4.5% in 2012-2014, improving to about 30%.
    rate = 0.045 + (0.30 - 0.045) * np.clip(years / 7, 0, 1)
    respond = rng.random(len(idx)) < rate
    delay = 1 + np.minimum(rng.geometric(0.1, len(idx)), 60)
    answered = closed[idx] + delay
    grade = 1 + draw.choice(rng, len(idx), GRADE_P)
    if calibration_chunk:
        # Exactly the evaluation's 16 responses (14 graded 7 or higher) up to March 2014; a store
        # ending inside that period gets its share.
        scale = len(closed) / CAL_REGISTRATIONS
        n_pick = round(CAL_SURVEYS * scale)
        n_high = round(n_pick * CAL_SURVEYS_7_PLUS / CAL_SURVEYS)
        last = min(cal_end, plan.data_end)
        early = closed[idx] <= last - 14
        respond[:] = False
        pick = rng.choice(np.flatnonzero(early), size=min(n_pick, int(early.sum())), replace=False)
        respond[pick] = True
        room = last - closed[idx][pick]
        answered[pick] = closed[idx][pick] + 1 + np.floor(rng.random(len(pick)) * np.minimum(room, 30)).astype(np.int64)
        high = 7 + draw.choice(rng, len(pick), GRADE_P[6:])
        low = 1 + draw.choice(rng, len(pick), GRADE_P[:6])
        grade[pick] = np.where(np.arange(len(pick)) < n_high, high, low)
        late = ~early
        respond[late] = rng.random(int(late.sum())) < rate[late]
        answered[late] = np.maximum(answered[late], cal_end + 1)
    respond &= answered <= plan.data_end
    idx, answered, grade = idx[respond], answered[respond], grade[respond]
    order = np.argsort(answered, kind="stable")
    idx, answered, grade = idx[order], answered[order], grade[order]
    k = len(idx)
    gp = np.where((grade >= 8)[:, None], [0.70, 0.27, 0.03],
                  np.where((grade == 7)[:, None], [0.45, 0.45, 0.10], [0.10, 0.40, 0.50]))
    goals = draw.choice_rows(rng, gp)
    expectations = rng.random(k) < np.where(grade >= 7, 0.9, 0.3)
    work = r["work"][idx]
    working = np.isin(work, (WORK.index("working"), WORK.index("partly")))
    resumed = np.where(work == WORK.index("not_applicable"), -1,
                       (rng.random(k) < np.where(working, 0.95, 0.15)).astype(np.int8))

    def rating(shift):
        v = np.clip(np.rint(grade + shift + rng.normal(0, 1, k)), 1, 10).astype(np.int64)
        return np.where(rng.random(k) < 0.05, -1, v)

    found = np.where(rng.random(k) < 0.9, r["found"][idx], -1)
    sid = ids.survey + 1 + np.arange(k)
    ids.survey += k
    return {
        "id": sid, "registration_id": r["id"][idx], "answered_on": answered, "grade": grade,
        "goals_reached": goals, "expectations_met": expectations, "work_resumed": resumed,
        "rating_reachability": rating(0.6), "rating_waiting_time": rating(-0.8),
        "rating_expertise": rating(0.3), "rating_treatment": rating(0.4), "found_via": found,
    }


def contacts(rng, plan: timeline.Plan, r: dict, a: int, b: int, calibration_chunk: bool, ids: Ids) -> dict:
    """The registration contact of each registration plus the other calls, e-mails and web contacts."""
    n = len(r["reg"])
    per_month = np.bincount(r["month"] - a, minlength=b - a)
    if calibration_chunk:
        reg_channel = np.bincount(r["channel"], minlength=3)
        totals = np.array([CAL_PHONE_CONTACTS, CAL_EMAIL_CONTACTS, CAL_WEB_CONTACTS])
        scale = plan.counts[a:b].sum() / CAL_REGISTRATIONS  # < 1 if the store ends early
        others = np.maximum(np.rint(totals * scale).astype(np.int64) - reg_channel, 0)
        other_counts = np.stack([draw.round_total(rng, per_month, int(o)) for o in others], axis=1)
    else:
        other_counts = np.stack([
            draw.round_total(rng, per_month * plan.contact_ratio[a:b, c])
            for c in range(3)], axis=1)
    days, months, channel = [r["reg"]], [r["month"]], [r["channel"]]
    for j, m in enumerate(range(a, b)):
        k = int(other_counts[j].sum())
        if k:
            days.append(draw.day_numbers(rng, plan.months[m], k, WEEKEND_DAY_W))
            months.append(np.full(k, m))
            channel.append(np.repeat(np.arange(3), other_counts[j]))
    days, months, channel = map(np.concatenate, (days, months, channel))
    total = len(days)
    ts = draw.timestamps(rng, days)
    led = np.zeros(total, dtype=bool)
    led[:n] = True
    unit = np.full(total, -1)
    # registration contacts: the unit is recorded when the client gave it, most of the time
    reg_unit = r["unit"]
    unit[:n] = np.where((reg_unit != UNK) & (rng.random(n) < 0.72), reg_unit, -1)
    # other contacts: unit recorded for about 60%, from that month's units
    other = slice(n, total)
    up = plan.unit_p[months[other]].copy()
    up[:, UNK] = 0
    known = rng.random(total - n) < 0.60
    unit[other] = np.where(known, draw.choice_rows(rng, up), -1)
    tg = np.full(total, -1)
    tg[:n] = r["tg"]
    tg[other] = np.where(rng.random(total - n) < 0.6, draw.choice_rows(rng, plan.tg_p[months[other]]), -1)
    order = np.argsort(ts, kind="stable")
    cid = ids.contact + 1 + np.arange(total)
    ids.contact += total
    return {"id": cid, "contacted_at": ts[order], "channel": channel[order], "unit_code": unit[order],
            "target_group": tg[order], "led_to_registration": led[order]}


def website(rng, plan: timeline.Plan) -> dict:
    """Monthly visits of Blauwe Veerkracht; the calibration period sums to the evaluation's figures."""
    months = plan.months
    n = len(months)
    m = np.arange(n)
    heads = np.array([UNIT_SETUP[u][0] or 0 for u in UNIT_CODES], dtype=float)
    coverage = (timeline.active_units(months) * heads).sum(axis=1) / heads.sum()
    years = plan.years
    w = ((0.5 + 0.5 * coverage) * np.where(years > 0, 1.11 ** np.maximum(years, 0), 1.0)
         * timeline.season(months.astype(int) % 12 + 1) * np.exp(rng.normal(0, 0.08, n)))
    ret_share = np.where(m < CALIBRATION_MONTHS, 0.12 + 0.12 * m / (CALIBRATION_MONTHS - 1),
                         0.24 + 0.08 * np.clip(years / 10, 0, 1))
    full_cal = CALIBRATION_MONTHS
    per_weight = CAL_VISITS / w[:full_cal].sum() if n >= full_cal else None
    n_cal = min(full_cal, n)
    visits = np.zeros(n, dtype=np.int64)
    returning = np.zeros(n, dtype=np.int64)
    if per_weight is not None:
        visits[:n_cal] = draw.round_total(rng, w[:n_cal], CAL_VISITS)
        returning[:n_cal] = draw.round_total(rng, visits[:n_cal] * ret_share[:n_cal], CAL_RETURNING_VISITS)
        visits[n_cal:] = np.rint(per_weight * w[n_cal:])
    else:  # a store ending inside the calibration period: the same level, unrounded totals
        visits[:] = np.rint(CAL_VISITS / CALIBRATION_MONTHS * w / w.mean())
        returning[:n_cal] = np.rint(visits[:n_cal] * ret_share[:n_cal])
    returning[n_cal:] = np.rint(visits[n_cal:] * ret_share[n_cal:])
    returning = np.minimum(returning, visits)
    return {"month": months.astype("datetime64[D]").astype(np.int64), "visits": visits,
            "new_visits": visits - returning, "returning_visits": returning}
