"""The texts of events on the timeline: the page that records and retires them, the charts' note and the exports."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "page.events": ("Gebeurtenissen", "Events"),
    "events.intro": (
        "Gebeurtenissen verklaren een trend: een mailing, een campagne, een wijziging van het aanbod. Elke grafiek "
        "door de tijd van hun bereik toont ze als markering (landelijke gebeurtenissen ook bij elke eenheid), ook in "
        "exports en rapportages. De start van het Loket in een eenheid komt uit de gegevens van de eenheden.",
        "Events explain a trend: a mailing, a campaign, a change of the offer. Every chart over time of their scope "
        "shows them as a marker (national events at every unit too), in exports and packs as well. The start of the "
        "Loket in a unit comes from the units' data.",
    ),
    "events.warning": (
        "Beschrijf in een gebeurtenis nooit een cliënt: geen namen, geen functies, geen situaties die naar een "
        "persoon te herleiden zijn. Eenheden zien de landelijke gebeurtenissen en die van hun eigen eenheid.",
        "Never describe a client in an event: no names, no positions, no situations that could point to a person. "
        "Units see the national events and those of their own unit.",
    ),
    "events.form": ("Nieuwe gebeurtenis", "New event"),
    "events.day": ("Datum (JJJJ-MM-DD)", "Date (YYYY-MM-DD)"),
    "events.scope": ("Bereik", "Scope"),
    "events.scope_hint": ("Bereik: NL (landelijk), of de code of naam van een eenheid",
                          "Scope: NL (national), or a unit's code or name"),
    "events.text": ("Korte tekst (hoogstens {n} tekens)", "Short text (at most {n} characters)"),
    "events.save": ("Vastleggen", "Record"),
    "events.saved": ("Vastgelegd: {day}, {scope}: {text}", "Recorded: {day}, {scope}: {text}"),
    "events.not_saved": ("Niet vastgelegd: {reason}", "Not recorded: {reason}"),
    "events.not_retired": ("Niet ingetrokken: {reason}", "Not retired: {reason}"),
    "events.retire": ("Intrekken", "Retire"),
    "events.retire_label": ("Gebeurtenis {id} intrekken: {text}", "Retire event {id}: {text}"),
    "events.retired": ("Gebeurtenis {id} is ingetrokken.", "Event {id} was retired."),
    "events.caption": ("Actieve gebeurtenissen, op datum", "Active events, by date"),
    "events.empty": ("Er zijn geen gebeurtenissen.", "There are no events."),
    "events.id": ("Nr.", "No."),
    "events.col_day": ("Datum", "Date"),
    "events.col_text": ("Tekst", "Text"),
    "events.by": ("Vastgelegd door", "Recorded by"),
    "events.action": ("Actie", "Action"),
    "events.from_units": ("uit de gegevens van de eenheden", "from the units' data"),
    "events.rollout": ("Start van het Loket in {unit}", "The Loket starts in {unit}"),
    "events.err.date": ("geen datum (JJJJ-MM-DD): {value}", "not a date (YYYY-MM-DD): {value}"),
    "events.err.date_range": ("de datum ligt buiten de periode van de monitor ({first} tot en met {last})",
                              "the date lies outside the monitor's span ({first} to {last})"),
    "events.err.scope": ("kies landelijk (NL) of een eenheid", "choose national (NL) or a unit"),
    "events.err.text": ("geef een korte tekst", "give a short text"),
    "events.err.text_long": ("de tekst is langer dan {n} tekens ({length})",
                             "the text is longer than {n} characters ({length})"),
    "events.err.text_chars": ("de tekst bevat een stuurteken", "the text holds a control character"),
    "events.err.id": ("geen nummer van een gebeurtenis", "not an event's number"),
    "events.err.no_id": ("er is geen gebeurtenis {id}", "there is no event {id}"),
    "events.err.retired": ("gebeurtenis {id} was al ingetrokken", "event {id} was already retired"),
    "note.events": ("Gebeurtenissen in de grafiek: {events}", "Events in the chart: {events}"),
    "export.event": ("Gebeurtenis {number}", "Event {number}"),
    "action.event_add": ("Gebeurtenis vastgelegd", "Event recorded"),
    "action.event_retire": ("Gebeurtenis ingetrokken", "Event retired"),
}
