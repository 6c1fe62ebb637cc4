"""Reach and 24/7: contacts by channel, the share in evenings, nights and weekends, website visits."""
from __future__ import annotations

import dash

from dashboard.ui import cards, controls
from dashboard.ui.texts import t
from queries.store import codes
from queries.monitor import reach

PATH = "/bereik"
dash.register_page(__name__, path=PATH, name="Bereik en 24/7", text_key="page.reach", order=5, cache=True)

PAGE = "reach"
ID_CONTACTS = "reach-contacts"
ID_CHANNELS = "reach-channels"
ID_HOURS = "reach-out-of-hours"
ID_WEBSITE = "reach-website"


def body(view: controls.View, lang: str) -> list:
    """Return the reach cards for a view."""
    data = cards.page_data(view)
    engine, access = data.engine, data.access
    return [
        cards.trend_card(ID_CONTACTS, view=view, lang=lang, keys=["contacts"], title=t("ind.contacts", lang),
                         definition="contacts", expected=data.lines,
                         fetch=lambda s: reach.contacts_over_time(engine, access, scopes=[view.scope],
                                                                  period_type=s.period_type, start=s.start, end=s.end)),
        cards.breakdown_card(ID_CHANNELS, view=view, lang=lang, tables=cards.parent_tables("contacts_by_channel"),
                             title=t("ind.contacts_by_channel", lang), definition="contacts_by_channel",
                             category_labels=cards.code_labels(codes.CHANNELS, lang),
                             fetch=lambda s: reach.contacts_by_channel(engine, access, scopes=view.scopes,
                                                                       period_type=s.period_type, period=s.period)),
        cards.trend_card(ID_HOURS, view=view, lang=lang,
                         keys=["outside_office_hours", "evening_share", "night_share", "weekend_share"],
                         title=t("reach.hours", lang), definition="outside_office_hours",
                         expected=data.lines,
                         fetch=lambda s: reach.out_of_hours(engine, access, scopes=view.scopes,
                                                            period_type=s.period_type, start=s.start, end=s.end)),
        cards.trend_card(ID_WEBSITE, view=view, lang=lang, national=True,
                         keys=["website_visits", "website_new_visits", "website_returning_visits"],
                         title=t("ind.website_visits", lang), definition="website_visits", expected=data.lines,
                         fetch=lambda s: reach.website_visits(engine, access, period_type=s.period_type,
                                                              start=s.start, end=s.end)),
    ]


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the reach page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

