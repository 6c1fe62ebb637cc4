"""The shell around every page: header, navigation, language switch, legend and footer."""
from __future__ import annotations

import dash
import sqlalchemy as sa
from dash import dcc, html

from dashboard.web import runtime
from dashboard.web.auth import may_visit
from dashboard.ui.texts import current_language, fmt_period, release_note, rule_sentence, t
from queries import catalogue

ID_URL = "shell-url"


def _latest():
    try:
        with runtime.current().engine.connect() as conn:
            return catalogue.latest_refresh(conn)
    except sa.exc.SQLAlchemyError:
        return None


def shell() -> html.Div:
    """Build the page shell for the calling user and language (called per request)."""
    lang = current_language()
    other = "en" if lang == "nl" else "nl"
    pages = sorted(dash.page_registry.values(), key=lambda page: (page.get("order") or 0, page["relative_path"]))
    nav_links = [
        dcc.Link(t(page["text_key"], lang), href=page["relative_path"], className="nav-link")
        for page in pages
        if page.get("text_key") and may_visit(page)
    ]
    latest = _latest()
    demo = runtime.current().config.DEMO_MODE
    return html.Div(
        [
            dcc.Location(id=ID_URL, refresh="callback-nav"),
            html.A(t("nav.skip", lang), href="#main", className="skip-link"),
            html.Header(
                [
                    html.Div([html.H1(t("app.title", lang)), html.P(t("app.subtitle", lang), className="subtitle")]),
                    html.Div(t("app.demo", lang), className="demo-badge") if demo else None,
                    html.A(t("lang.switch", lang), href=f"/taal/{other}", className="lang-switch",
                           lang=other, hrefLang=other),
                ],
                className="site-header",
            ),
            html.Nav(nav_links, className="site-nav", **{"aria-label": t("nav.label", lang)}),
            html.Main(dash.page_container, className="site-main", id="main", tabIndex="-1"),
            html.Footer(
                [
                    html.P(rule_sentence(runtime.current().policy, lang), className="legend"),
                    html.P(f"{t('app.data_until', lang)} {fmt_period(latest.data_until, lang)}"
                           f"{release_note(latest.id, lang)}") if latest and latest.data_until else None,
                ],
                className="site-footer",
            ),
        ],
        className="shell",
    )
