"""The demo's calibrated parameters: the 2014 evaluation's figures and the shapes every table is drawn from.

May 2012 - March 2014 is calibrated to the evaluation (429 registrations, about 2,500 phone
contacts, 16 survey responses, 13,973 website visits, ...); the shares, rates and weights below
shape every table before and after.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from queries.store import codes

START = dt.date(2012, 5, 1)
CALIBRATION_END = dt.date(2014, 3, 31)
CALIBRATION_MONTHS = 23  # May 2012 - March 2014

# The 2014 evaluation's figures for May 2012 - March 2014.
CAL_REGISTRATIONS = 429
CAL_PHONE_CONTACTS = 2_500
CAL_EMAIL_CONTACTS = 400
CAL_WEB_CONTACTS = 100
CAL_SURVEYS = 16
CAL_SURVEYS_7_PLUS = 14
CAL_VISITS = 13_973
CAL_RETURNING_VISITS = 2_601  # 11,372 new


# code, headcount, roll-out month. Noord-Nederland first; Amsterdam and Zeeland-West-Brabant last.
UNIT_SETUP = {
    "NN": (4_300, dt.date(2012, 5, 1)),
    "ON": (6_600, dt.date(2013, 9, 1)),
    "MN": (3_900, dt.date(2012, 6, 1)),
    "NH": (3_700, dt.date(2012, 11, 1)),
    "AM": (5_900, dt.date(2013, 11, 1)),
    "DH": (5_200, dt.date(2013, 3, 1)),
    "RT": (6_000, dt.date(2013, 4, 1)),
    "ZWB": (4_600, dt.date(2013, 11, 1)),
    "OB": (3_600, dt.date(2013, 2, 1)),
    "LB": (3_700, dt.date(2012, 9, 1)),
    "LE": (5_000, dt.date(2013, 5, 1)),
    "PDC": (9_000, dt.date(2013, 6, 1)),
    "PA": (1_500, dt.date(2013, 1, 1)),
    "UNK": (None, None),
}
# Share of registrations per unit over the calibration period (the evaluation: 15% Noord-Nederland,
# 3% Oost-Nederland; the rest is a plausible spread given the roll-out).
UNIT_CAL_SHARE = {
    "NN": 15.0, "ON": 3.0, "MN": 10.0, "NH": 8.0, "AM": 4.0, "DH": 9.0, "RT": 9.0, "ZWB": 3.5,
    "OB": 7.0, "LB": 8.0, "LE": 6.0, "PDC": 8.5, "PA": 4.0, "UNK": 5.0,
}
# Long-run propensity relative to headcount (Noord-Nederland stays the best-known, Oost-Nederland
# catches up only partly).
UNIT_LONG_RUN = {"NN": 1.5, "ON": 0.7, "PA": 1.3, "PDC": 0.7}

TG = codes.TARGET_GROUPS.values
TG_P_2014 = np.array([0.71, 0.10, 0.08, 0.06, 0.05, 0.003, 0.003, 0.002])
TG_P_2024 = np.array([0.66, 0.13, 0.08, 0.08, 0.04, 0.004, 0.004, 0.002])

PRODUCTS = codes.PRODUCTS.values
PRODUCT_P = np.array([0.40, 0.35, 0.18, 0.03, 0.015, 0.015, 0.01])
INFO, SHORT, PROCESS, CRISIS, TIME_OUT, CASE_MAN, SUPPL = range(7)

QUESTIONS = codes.QUESTION_TYPES.values
QUESTION_W = np.array([0.18, 0.12, 0.10, 0.09, 0.07, 0.08, 0.04, 0.12, 0.10, 0.10])
# Number of question types (1-4) per product: multi-problem is common, most in process guidance.
N_QUESTIONS_P = np.array([
    [0.60, 0.28, 0.10, 0.02],
    [0.45, 0.35, 0.15, 0.05],
    [0.20, 0.40, 0.28, 0.12],
    [0.45, 0.33, 0.16, 0.06],
    [0.45, 0.33, 0.16, 0.06],
    [0.30, 0.35, 0.25, 0.10],
    [0.60, 0.30, 0.08, 0.02],
])

GENDERS = codes.GENDERS.values
AGE_BANDS = codes.AGE_BANDS.values
CHANNELS = codes.CHANNELS.values
FOUND_VIA = codes.FOUND_VIA.values
REASONS = codes.ANONYMITY_REASONS.values
REFERRALS = codes.REFERRAL_OUTCOMES.values
WORK = codes.WORK_STATUSES.values
MODES = codes.SESSION_MODES.values
GOALS = codes.GOALS_REACHED.values
UNIT_CODES = codes.UNITS.values
UNK = UNIT_CODES.index(codes.UNKNOWN_UNIT)

GRADE_P = np.array([0.005, 0.005, 0.01, 0.02, 0.035, 0.055, 0.20, 0.36, 0.22, 0.09])

# Contact hours: weekday and weekend weights per hour 0-23 (24/7 opening is used: evenings,
# nights and weekends together are about 40% of contacts).
HOUR_W_WEEKDAY = np.array([
    1.2, 0.9, 0.7, 0.6, 0.5, 0.6, 1.0, 1.8, 3.2,
    9.0, 10.0, 9.8, 8.9, 8.4, 9.1, 8.9, 8.2,
    4.2, 3.2, 3.4, 3.6, 3.2, 2.4, 1.7,
])
HOUR_W_WEEKEND = np.array([
    1.6, 1.2, 0.9, 0.7, 0.6, 0.6, 0.8, 1.2, 1.8,
    2.6, 3.2, 3.4, 3.2, 3.0, 3.0, 3.0, 3.0,
    3.0, 2.8, 3.2, 3.6, 3.4, 2.8, 2.2,
])
WEEKEND_DAY_W = 0.45     # contacts on a Saturday or Sunday relative to a weekday
REG_WEEKEND_DAY_W = 0.35  # registrations likewise
