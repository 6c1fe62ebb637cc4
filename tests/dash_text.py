"""The text a Dash component shows, for tests that read a rendered page (the exports no longer read one)."""
from __future__ import annotations


def text_of(component) -> str:
    """Return the text a component (or a string or number) shows, its children's in order."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))
