"""Events on a time chart: which events a chart shows, their markers in its figure spec and the note that names them.

Pure functions over events already read with the caller's access (`queries.events.events_for`,
in `cards.page_data`): a chart of a scope shows the events of that scope (a unit's chart: the
unit's and the national ones, a national chart: the national ones), each at the period on its
axis that holds the event's day, and only when that period is on the axis. A marker is a dotted
vertical line with a small numbered label above the plot, the event's date and text on hover; the
number ties it to the card's note, so a printed chart (PNG, PDF, a slide) still says what it marks.
The card keeps the marks as data (`Card.events`), which is what the exports write.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from dashboard.ui.texts import fmt_date, t
from queries.accounts.access import NATIONAL
from queries.events import ROLLOUT, Event
from queries.store import periods
from queries.store.codes import UNITS

EVENT_COLOUR = "#5a5a5a"  # grey: apart from the data's colours and the expected values' black
LABEL_ROOM = 40  # px above the plot for the labels


@dataclass(frozen=True)
class EventMark:
    """One event as a chart shows it: its number on the chart, day, the axis period holding it, scope and text."""

    number: int
    day: dt.date
    period: str
    scope: str
    text: str  # in the card's language (a roll-out is named here)


def period_of(day: dt.date, period_type: str) -> str:
    """Return the period of a type (month, quarter, year) that holds a day."""
    month = periods.month_of(day)
    return {"month": month, "quarter": periods.quarter_of(month), "year": periods.year_of(month)}[period_type]


def event_text(event: Event, lang: str) -> str:
    """Return an event's text in a language: its own, or for a roll-out the sentence that names the unit."""
    if event.kind == ROLLOUT:
        return t("events.rollout", lang).format(unit=UNITS.label(event.scope, lang))
    return event.text


def scope_name(scope: str, lang: str) -> str:
    """Return the name of an event's scope (national, or a unit)."""
    return t("scope.national", lang) if scope == NATIONAL else UNITS.label(scope, lang)


def marks_for(events, axis: list[str], scopes: list[str], lang: str) -> tuple[EventMark, ...]:
    """Return the marks of the events of some scopes whose day lies in a period on the chart's axis, numbered by day."""
    if not axis or not events:
        return ()
    period_type = periods.type_of(axis[0])
    on_axis = set(axis)
    chosen = [e for e in events if e.scope in scopes and period_of(e.day, period_type) in on_axis]
    return tuple(EventMark(n, e.day, period_of(e.day, period_type), e.scope, event_text(e, lang))
                 for n, e in enumerate(sorted(chosen, key=lambda e: e.day), 1))


def _plain(text: str) -> str:
    # plotly.js reads a subset of HTML in texts (<a href>, <b>): an event's text is shown as typed, never as markup.
    return html.escape(text, quote=False)


def add_marks(fig: dict, marks: tuple[EventMark, ...], axis: list[str], lang: str) -> dict:
    """Draw the marks on a figure spec over a category axis of periods (`axis`, in axis order); return it.

    One dotted line per period with events, at the period's position, and one label above the plot
    with their numbers; hovering the label gives each event's date, scope and text.
    """
    if not marks:
        return fig
    layout = fig["layout"]
    position = {p: i for i, p in enumerate(axis)}
    by_period: dict[str, list[EventMark]] = {}
    for mark in marks:
        by_period.setdefault(mark.period, []).append(mark)
    for period, found in by_period.items():
        x = position[period]
        layout["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                                 "line": {"color": EVENT_COLOUR, "dash": "dot", "width": 2}, "layer": "above"})
        hover = "<br>".join(f"{m.number}. {fmt_date(m.day, lang)} ({scope_name(m.scope, lang)}): {_plain(m.text)}"
                            for m in found)
        layout["annotations"].append({
            "x": x, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
            "text": ", ".join(str(m.number) for m in found), "font": {"size": 13, "color": EVENT_COLOUR},
            "bgcolor": "white", "bordercolor": EVENT_COLOUR, "borderwidth": 1, "borderpad": 2,
            "hovertext": hover, "hoverlabel": {"bgcolor": "white", "bordercolor": EVENT_COLOUR,
                                               "font": {"color": "#1b1b1b"}},
        })
    margin = layout.setdefault("margin", {})
    margin["t"] = max(margin.get("t", 0), LABEL_ROOM)
    return fig


def note(marks: tuple[EventMark, ...], lang: str) -> str | None:
    """Return the note that lists the events a chart marks (number, date, scope, text), or None."""
    if not marks:
        return None
    listed = "; ".join(f"{m.number}. {fmt_date(m.day, lang)} ({scope_name(m.scope, lang)}): {m.text}" for m in marks)
    return t("note.events", lang).format(events=listed)
