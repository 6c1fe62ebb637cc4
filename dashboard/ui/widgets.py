"""Plain HTML drawn from data, one Dash component each: a native select and a table behind a summary.

Dash lays out every component of a page through its renderer at about a millisecond each, so a
select of 170 `html.Option`s or a table of 60 cells cost the browser more than the charts they stand
beside (issue 18). These components carry their options or rows as data; `assets/widgets.js` draws
the same HTML (`<select>` with its options; `<details>` whose table is built once it is opened).
"""
from __future__ import annotations

from dash.development.base_component import Component

# As for any Dash component library, the namespace is the Python package that defines the components (Dash
# imports it for every property it checks) and the browser's window.<namespace> draws them (assets/widgets.js).
NAMESPACE = "dashboard"


class _Widget(Component):
    _namespace = NAMESPACE
    _children_props: list[str] = []
    _base_nodes = ["children"]
    _props: tuple[str, ...] = ()

    def __init__(self, **props):
        unknown = set(props) - set(self._props)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no {', '.join(sorted(unknown))}")
        self._prop_names = list(self._props)
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._props)
        self.available_wildcard_properties = []
        super().__init__(**props)


class Select(_Widget):
    """A native `<select>`: `options` as (value, label) pairs, `value` the one selected."""

    _type = "Select"
    _props = ("id", "name", "className", "options", "value")

    def __init__(self, *, id: str, name: str, options: list[tuple[str, str]], value: str | None,  # noqa: A002
                 className: str = "select"):
        super().__init__(id=id, name=name, options=[[v, label] for v, label in options], value=value,
                         className=className)


class TableDetails(_Widget):
    """A `<details>` with a `summary`; opened, it shows a table: caption, column headings and rows of
    texts whose first cell heads its row."""

    _type = "TableDetails"
    _props = ("id", "className", "summary", "caption", "header", "rows", "table_class")

    def __init__(self, *, summary: str, caption: str, header: list[str], rows: list[list[str]],
                 id: str | None = None, className: str | None = None,  # noqa: A002
                 table_class: str = "data-table"):
        props = {"summary": summary, "caption": caption, "header": list(header),
                 "rows": [list(r) for r in rows], "table_class": table_class}
        props.update({k: v for k, v in (("id", id), ("className", className)) if v is not None})
        super().__init__(**props)
