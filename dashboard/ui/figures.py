"""Pure DataFrame -> Figure builders. No I/O; every input is an already-protected frame.

A value that is not shown is never drawn as zero: in bar charts it is a hatched bar with the
symbol *, in line charts a gap in the line with * on the chart's top row; hover text says
"* not shown". An expected value (streefwaarde) is a labelled dashed reference line, in black, over
the months it applied to: never a red/green verdict. Periods are categories: a period axis is a
category axis, so years and quarters are never read as numbers (no "2.024,5" between two years).
"""
from __future__ import annotations

import math

import pandas as pd

from queries.catalogue.indicators import records
from dashboard.ui.texts import fmt_period, fmt_value, t
from queries.targets import target_rules
from queries.privacy import SYMBOL

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIDDEN_COLOUR = "#767676"
HIDDEN_FILL = "rgba(118,118,118,0.18)"
REFERENCE_COLOUR = "#1b1b1b"
DASHES = ("solid", "dot", "dash", "dashdot")
FONT = "'Source Sans 3', 'Segoe UI', Arial, sans-serif"

# Figures are plain plotly.js specs (dicts), as dcc.Graph and kaleido take them. plotly's Figure
# objects validate and deep-copy every property on each change: building a page's charts that way
# cost more than all its queries. The tests validate every spec through plotly.graph_objects.
Figure = dict

# What every chart shares. plotly's default template would be sent with every figure (a few kB each).
TEMPLATE = {"layout": {
    "font": {"family": FONT, "size": 15, "color": "#1b1b1b"},
    "plot_bgcolor": "white",
    "paper_bgcolor": "white",
    "legend": {"orientation": "h", "y": -0.18, "x": 0},
    "hoverlabel": {"font": {"family": FONT, "size": 15}},
    "yaxis": {"gridcolor": "#e5e5e5", "rangemode": "tozero", "zerolinecolor": "#bdbdbd"},
}}


def _figure(title: str, lang: str, *, height: int = 380, **layout) -> Figure:
    base = {
        "template": TEMPLATE,
        "margin": {"l": 56, "r": 16, "t": 48 if title else 16, "b": 48},
        "height": height,
        "separators": ",." if lang == "nl" else ".,",
        "xaxis": {},
        "yaxis": {},
        "shapes": [],
        "annotations": [],
    }
    if title:
        base["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return {"data": [], "layout": {**base, **layout}}


PERIOD_AXIS = {"type": "category"}


def _hidden_marker() -> dict:
    return {"color": HIDDEN_FILL, "line": {"color": HIDDEN_COLOUR, "width": 1},
            "pattern": {"shape": "/", "fgcolor": HIDDEN_COLOUR, "size": 8}}


def _number(value) -> bool:
    return value is not None and value == value  # NaN is the one value unequal to itself


def _shown_max(values) -> float:
    shown = [float(v) for v in values if _number(v)]
    return max(shown) if shown else 0.0


def _nothing_shown(fig: Figure, lang: str, *, horizontal: bool = False) -> None:
    fig["layout"]["annotations"].append({
        "text": f"{SYMBOL} {t('legend.all_hidden', lang)}", "showarrow": False, "xref": "paper", "yref": "paper",
        "x": 0.5, "y": 0.5, "font": {"size": 17, "color": "#4a4a4a"}, "bgcolor": "white"})
    # No value axis: a scale under nothing but hidden values would suggest they are small.
    fig["layout"]["xaxis" if horizontal else "yaxis"]["showticklabels"] = False


def add_expected(fig: Figure, expected: pd.DataFrame | None, periods_: list[str], measure: str,
                 lang: str) -> Figure:
    """Draw the commissioner's expected values as labelled dashed reference lines (no verdict), each only
    over the months it applied to: a value from a later month leaves earlier months alone, a change
    mid-range draws a step.

    `expected`: reference lines (`targets.reference_lines`: expected_value, start, end; optional
    `name` to label lines of several indicators apart); `periods_`: the chart's periods in axis order.
    """
    if expected is None or expected.empty or not periods_:
        return fig
    line = {"color": REFERENCE_COLOUR, "dash": "dash", "width": 1.5}
    names = dict(zip(expected["id"], expected["name"])) if "name" in expected else {}
    labelled = set()
    layout = fig["layout"]
    for segment in target_rules.segments(expected, list(periods_)):
        value = segment["value"]
        layout["shapes"].append({"type": "line", "xref": "x", "yref": "y", "x0": segment["x0"], "x1": segment["x1"],
                                 "y0": value, "y1": value, "line": line, "layer": "above"})
        if segment["id"] in labelled:
            continue
        labelled.add(segment["id"])
        name = names.get(segment["id"]) or t("target.label", lang)
        layout["annotations"].append({
            "x": segment["x0"], "y": value, "xref": "x", "yref": "y", "xanchor": "left", "yanchor": "bottom",
            "text": f"{name}: {fmt_value(value, measure, lang)}", "showarrow": False,
            "font": {"size": 13, "color": REFERENCE_COLOUR}, "bgcolor": "rgba(255,255,255,0.7)"})
    return fig


def add_category_expected(fig: Figure, expected: dict | None, measure: str, lang: str) -> Figure:
    """Draw an expected value per category (bar label -> value) as a labelled dashed tick on its bar row."""
    if not expected:
        return fig
    label = t("target.label", lang)
    texts = [f"{label}: {fmt_value(v, measure, lang)}" for v in expected.values()]
    fig["data"].append({
        "type": "scatter", "x": list(expected.values()), "y": list(expected), "mode": "markers", "name": label,
        "marker": {"symbol": "line-ns-open", "size": 26, "color": REFERENCE_COLOUR,
                   "line": {"color": REFERENCE_COLOUR, "width": 2}},
        "customdata": texts, "hovertemplate": "%{y}: %{customdata}<extra></extra>"})
    return fig


def _expected_top(expected: pd.DataFrame | None) -> float:
    return float(expected["expected_value"].max()) if expected is not None and not expected.empty else 0.0


def _values(values, hidden) -> list:
    """Shown values as floats; a hidden or missing value is None (a gap), never zero."""
    return [float(v) if not s and _number(v) else None for v, s in zip(values, hidden)]


def bar_over_time(df: pd.DataFrame, *, title: str, lang: str, measure: str = "count",
                  expected: pd.DataFrame | None = None, height: int = 380) -> Figure:
    """Draw one protected value per period as bars; hidden periods as hatched full-height bars with *."""
    labels = [fmt_period(p, lang) for p in df["period"]]
    hidden = [bool(s) for s in df["suppressed"]]
    values = _values(df["value"].tolist(), hidden)
    texts = [fmt_value(v, measure, lang, suppressed=s) for v, s in zip(values, hidden)]
    fig = _figure(title, lang, height=height, barmode="overlay", bargap=0.15, xaxis=dict(PERIOD_AXIS))
    fig["data"].append({
        "type": "bar", "x": labels, "y": values, "name": t(f"measure.{measure}", lang),
        "marker": {"color": PALETTE[0]}, "customdata": texts, "hovertemplate": "%{x}: %{customdata}<extra></extra>",
    })
    top = _shown_max(values) or 1.0
    if any(hidden):
        fig["data"].append({
            "type": "bar", "x": labels, "y": [top if s else None for s in hidden],
            "name": f"{SYMBOL} {t('legend.hidden_bar', lang)}", "marker": _hidden_marker(),
            "text": [SYMBOL if s else "" for s in hidden], "textposition": "inside", "insidetextanchor": "end",
            "textfont": {"size": 18, "color": "#1b1b1b"},
            "hovertemplate": f"%{{x}}: {SYMBOL} {t('legend.hidden_bar', lang)}<extra></extra>",
        })
    if not any(v is not None for v in values) and len(values):
        _nothing_shown(fig, lang)
    return add_expected(fig, expected, list(df["period"]), measure, lang)


def lines_over_time(df: pd.DataFrame, *, title: str, lang: str, series_labels: dict, measure: str,
                    expected: pd.DataFrame | None = None, height: int = 380, colours: dict | None = None,
                    dashes: dict | None = None) -> Figure:
    """Draw one line per series (column `series`) over the periods; hidden points break the line and
    are marked with * on the chart's top row, in the series' colour.

    `colours` and `dashes` map a series to a palette index and a dash (e.g. one colour per indicator,
    dotted for the national benchmark); by default each series gets the next colour.
    """
    periods_ = sorted(set(df["period"]))
    labels = [fmt_period(p, lang) for p in periods_]
    cells = {(k, p): (v, bool(s)) for k, p, v, s in zip(df["series"], df["period"], df["value"], df["suppressed"])}
    top = max(_shown_max(v for v, s in cells.values() if not s), _expected_top(expected))
    # Hidden points sit on the chart's top row, never near zero (percentages: at 100%).
    star_y = 103.0 if measure == "percent" else (top or 1.0) * 1.08
    traces = []
    any_hidden = False
    for i, key in enumerate(series_labels):
        # A period without a cell is a gap, not a hidden value.
        found = [cells.get((key, p), (None, False)) for p in periods_]
        hidden = [s for _, s in found]
        values = _values([v for v, _ in found], hidden)
        texts = [fmt_value(v, measure, lang, suppressed=s) for v, s in zip(values, hidden)]
        colour = PALETTE[(colours or {}).get(key, i) % len(PALETTE)]
        dash = (dashes or {}).get(key, DASHES[i // len(PALETTE) % len(DASHES)])
        name = series_labels[key]
        traces.append({
            "type": "scatter", "x": labels, "y": values, "name": name, "mode": "lines+markers", "connectgaps": False,
            "line": {"color": colour, "width": 3, "dash": dash},
            "marker": {"size": 8, "color": colour, "symbol": "circle" if dash == "solid" else "diamond"},
            "customdata": texts, "hovertemplate": f"{name}, %{{x}}: %{{customdata}}<extra></extra>",
        })
        if any(hidden):
            # One legend entry for all hidden points; the star has its series' colour, the hover names it.
            traces.append({
                "type": "scatter", "x": [lab for lab, s in zip(labels, hidden) if s], "y": [star_y] * sum(hidden),
                "mode": "markers",
                "marker": {"symbol": "asterisk-open", "size": 14, "color": colour,
                           "line": {"color": colour, "width": 2}},
                "name": f"{SYMBOL} {t('legend.hidden_bar', lang)}", "legendgroup": "hidden",
                "showlegend": not any_hidden,
                "hovertemplate": f"{name}, %{{x}}: {SYMBOL} {t('legend.hidden_bar', lang)}<extra></extra>",
            })
            any_hidden = True
    rows = math.ceil((len(series_labels) + any_hidden) / 2) if len(series_labels) > 1 else 1
    fig = _figure(title, lang, height=height + (24 * (rows - 1) if height >= 300 else 0), xaxis=dict(PERIOD_AXIS))
    fig["data"] = traces
    fig["layout"]["yaxis"] = ({"ticksuffix": "%", "range": [0, 108.0]} if measure == "percent"
                              else {"range": [0, star_y * 1.1]})
    if df["suppressed"].astype(bool).any() and not df["value"].notna().any():
        _nothing_shown(fig, lang)
    return add_expected(fig, expected, periods_, measure, lang)


def category_bars(df: pd.DataFrame, *, title: str, lang: str, category_labels: dict, scope_labels: dict,
                  measure: str, expected: dict | None = None) -> Figure:
    """Draw one horizontal bar per category and scope (column `scope`); hidden values as hatched bars with *.

    With a `count` column (shares of a breakdown), the hover text gives the count too. `expected`:
    an expected value per category (code -> value) for the period shown.
    """
    present = set(df["category"])
    categories = [c for c in category_labels if c in present]
    names = [_wrap(category_labels[c]) for c in categories]
    expected = {_wrap(category_labels[c]): float(v) for c, v in (expected or {}).items() if c in categories}
    with_counts = "count" in df
    cells = {(row["scope"], row["category"]): row for row in records(df)}
    shown = [row["value"] for row in cells.values() if not row["suppressed"] and _number(row["value"])]
    top = max(_shown_max(shown), *expected.values(), 0.0) or 1.0
    present_scopes = set(df["scope"])
    scopes = [s for s in scope_labels if s in present_scopes]
    traces = []
    for i, scope in enumerate(scopes):
        found = [cells.get((scope, c)) for c in categories]
        hidden = [row is None or bool(row["suppressed"]) for row in found]  # no cell: nothing to show
        values = _values([None if row is None else row["value"] for row in found], hidden)
        texts = [fmt_value(v, measure, lang, suppressed=s) for v, s in zip(values, hidden)]
        if with_counts:
            counts = []
            for row in found:
                count_hidden = row is None or bool(row["count_suppressed"])
                count = row["count"] if not count_hidden and _number(row["count"]) else None
                counts.append(fmt_value(count, "count", lang, suppressed=count_hidden))
            texts = [f"{v} ({t('measure.count', lang).lower()}: {c})" for v, c in zip(texts, counts)]
        colour = PALETTE[i % len(PALETTE)]
        label = scope_labels[scope]
        traces.append({
            "type": "bar", "y": names, "x": values, "orientation": "h", "name": label,
            "marker": {"color": colour}, "offsetgroup": str(i),
            "text": [fmt_value(v, measure, lang) if v is not None else "" for v in values],
            "textposition": "outside", "cliponaxis": False, "textfont": {"size": 14},
            "customdata": texts, "hovertemplate": f"{label}, %{{y}}: %{{customdata}}<extra></extra>",
        })
        if any(hidden):
            traces.append({
                "type": "bar", "y": names, "x": [top if s else None for s in hidden], "orientation": "h",
                "offsetgroup": str(i), "name": f"{SYMBOL} {label}: {t('legend.hidden_bar', lang).lower()}",
                "marker": _hidden_marker(), "text": [SYMBOL if s else "" for s in hidden], "textposition": "inside",
                "insidetextanchor": "start", "textfont": {"size": 18, "color": "#1b1b1b"},
                "hovertemplate": f"{label}, %{{y}}: {SYMBOL} {t('legend.hidden_bar', lang)}<extra></extra>",
            })
    height = max(300, 64 + 34 * len(categories) * max(1, len(scopes)))
    fig = _figure(title, lang, height=min(height, 900), barmode="group", bargap=0.2, bargroupgap=0.05)
    fig["data"] = traces
    fig["layout"].update(
        margin={"l": 16, "r": 24, "t": 48 if title else 16, "b": 48},
        yaxis={"autorange": "reversed", "gridcolor": "rgba(0,0,0,0)", "automargin": True},
        xaxis={"gridcolor": "#e5e5e5", "range": [0, top * 1.35], "ticksuffix": "%" if measure == "percent" else ""},
    )
    if len(df) and not shown:
        _nothing_shown(fig, lang, horizontal=True)
    return add_category_expected(fig, expected, measure, lang)


def _wrap(label: str, width: int = 24) -> str:
    """Break a long category label over two lines, so it is not cut off on a narrow screen."""
    if len(label) <= width or " " not in label:
        return label
    middle = len(label) // 2
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{label[:cut]}<br>{label[cut + 1:]}"


def sparkline(df: pd.DataFrame, *, lang: str, measure: str, expected: pd.DataFrame | None = None) -> Figure:
    """Draw a small trend for a key-figure tile: bars for counts, a line otherwise; hidden as *."""
    if measure == "count":
        fig = bar_over_time(df, title="", lang=lang, measure=measure, expected=expected, height=130)
    else:
        fig = lines_over_time(df.assign(series="value"), title="", lang=lang, series_labels={"value": ""},
                              measure=measure, expected=expected, height=130)
    layout = fig["layout"]
    layout.update(showlegend=False, margin={"l": 8, "r": 8, "t": 8, "b": 24}, font={"size": 12})
    layout["xaxis"].update(showticklabels=True, nticks=4)
    layout["yaxis"].update(showticklabels=False, showgrid=False)
    return fig


# --- funnel plots (the comparison page) ---------------------------------------------------------------

LIMIT_COLOUR = "#4a4a4a"  # the control limits: grey, never a red/green verdict


def funnel_plot(points: list[dict], sizes, limits: dict, national: float, *, lang: str, chosen: str | None = None,
                height: int = 440) -> Figure:
    """Draw units as points (rate in percent against clients n) with the national rate and the 95% and 99.8% limits.

    `points`: dicts with unit, code, n, rate (percent) and hover text, in the units' code order (never by
    rate); `sizes`: the n the limits are drawn at; `limits`: {"95": (lower, upper), "99.8": (...)} in
    percent at those sizes; `chosen`: a unit to mark with a ring. Neutral colours only.
    """
    x = [float(n) for n in sizes]
    traces = []
    for key, dash, name in (("99.8", "dot", t("funnel.limits998", lang)), ("95", "dash", t("funnel.limits95", lang))):
        for i, side in enumerate(limits[key]):
            traces.append({
                "type": "scatter", "x": x, "y": [float(v) for v in side], "mode": "lines", "name": name,
                "legendgroup": key, "showlegend": i == 0, "line": {"color": LIMIT_COLOUR, "dash": dash, "width": 1.5},
                "hovertemplate": f"{name}, n = %{{x:.0f}}: %{{y:.1f}}%<extra></extra>"})
    label = f"{t('funnel.national', lang)}: {fmt_value(national, 'percent', lang)}"
    traces.append({
        "type": "scatter", "x": [x[0], x[-1]] if x else [], "y": [national, national], "mode": "lines",
        "name": label, "line": {"color": REFERENCE_COLOUR, "width": 2}, "hovertemplate": f"{label}<extra></extra>"})
    if points:
        # Rounded counts put units on the same spot: their codes are written once, together, at the first.
        together: dict[tuple, list[str]] = {}
        for p in points:
            together.setdefault((p["n"], p["rate"]), []).append(p["code"])
        labels = []
        for p in points:
            codes = together[(p["n"], p["rate"])]
            labels.append(" · ".join(codes) if codes[0] == p["code"] else "")
        traces.append({
            "type": "scatter", "x": [p["n"] for p in points], "y": [p["rate"] for p in points],
            "mode": "markers+text", "name": t("funnel.units", lang), "text": labels,
            "meta": [p["code"] for p in points],  # every point's own code, also where the label is shared
            "textposition": "top center", "textfont": {"size": 12, "color": "#1b1b1b"},
            "marker": {"size": [16 if p["unit"] == chosen else 10 for p in points], "color": PALETTE[0],
                       "line": {"color": [REFERENCE_COLOUR if p["unit"] == chosen else "white" for p in points],
                                "width": [3 if p["unit"] == chosen else 1 for p in points]}},
            "customdata": [p["text"] for p in points], "hovertemplate": "%{customdata}<extra></extra>"})
    shown = [p["rate"] for p in points] + [float(v) for v in limits["99.8"][1]] + [national]
    top = min(100.0, max(shown) * 1.12 + 2.0)
    fig = _figure("", lang, height=height)
    fig["data"] = traces
    fig["layout"]["xaxis"] = {"title": {"text": t("funnel.axis_n", lang)}, "rangemode": "tozero",
                              "gridcolor": "#e5e5e5", "range": [0, (x[-1] if x else 1.0) * 1.03]}
    fig["layout"]["yaxis"] = {"title": {"text": t("funnel.axis_rate", lang)}, "ticksuffix": "%", "range": [0, top]}
    fig["layout"]["margin"] = {"l": 64, "r": 16, "t": 16, "b": 96}
    fig["layout"]["legend"] = {"orientation": "h", "y": -0.2, "x": 0}  # below the axis title
    return fig
