"""Pure DataFrame -> Figure builders. No I/O; every input is an already-protected frame."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.texts import fmt_number, fmt_period, t
from queries.privacy import SYMBOL

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIDDEN_COLOUR = "#9a9a9a"
FONT = "Source Sans 3, Segoe UI, Arial, sans-serif"


def _base_layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 15},
        margin={"l": 56, "r": 16, "t": 56, "b": 64},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.22},
        separators=",.",
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def bar_over_time(df: pd.DataFrame, *, title: str, lang: str) -> go.Figure:
    """Draw one protected count per period as bars; hidden periods as hatched full-height bars."""
    labels = [fmt_period(p, lang) for p in df["period"]]
    shown = ~df["suppressed"]
    values = [None if s else float(v) for v, s in zip(df["value"], df["suppressed"])]
    texts = [fmt_number(v, lang) for v in values]
    fig = go.Figure()
    fig.add_bar(
        x=labels, y=values, name=t("table.value", lang), marker_color=PALETTE[0],
        customdata=texts, hovertemplate="%{x}: %{customdata}<extra></extra>",
    )
    top = float(df.loc[shown, "value"].max()) if shown.any() else 10.0
    fig.add_bar(
        x=labels, y=[top if s else None for s in df["suppressed"]],
        name=f"{SYMBOL} {t('legend.hidden_bar', lang)}",
        marker={"color": "rgba(154,154,154,0.25)", "line": {"color": HIDDEN_COLOUR, "width": 1},
                "pattern": {"shape": "/", "fgcolor": HIDDEN_COLOUR}},
        text=[SYMBOL if s else "" for s in df["suppressed"]], textposition="inside",
        hovertemplate=f"%{{x}}: {SYMBOL} {t('legend.hidden_bar', lang)}<extra></extra>",
    )
    fig.update_layout(barmode="overlay", bargap=0.15)
    return _base_layout(fig, title)
