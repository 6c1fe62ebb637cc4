"""The texts of exports and the steering pack (dashboard/exports)."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "export.group": ("Exporteren", "Export"),
    # A button shows the format; its accessible name starts with it (WCAG 2.5.3, label in name).
    "export.png": ("afbeelding voor een presentatie", "image for a presentation"),
    "export.svg": ("schaalbare afbeelding", "scalable image"),
    "export.csv": ("gegevens voor Excel", "data for Excel"),
    "export.xlsx": ("gegevens als Excel-werkmap", "data as an Excel workbook"),
    "export.failed": (
        "De export is mislukt. Probeer het opnieuw of neem contact op met de beheerder.",
        "The export failed. Please try again or contact the administrator.",
    ),
    "export.scope": ("Bereik", "Scope"),
    "export.scope_unit": ("{unit}, met het landelijke cijfer ter vergelijking",
                          "{unit}, with the national figure for comparison"),
    "export.period": ("Periode", "Period"),
    "export.trend": ("Verloop", "Trend"),
    "export.made_on": ("Gemaakt op", "Made on"),
    "export.source": ("Bron: Loket-monitor", "Source: Loket monitor"),
    "export.rule": ("Privacyregel", "Privacy rule"),
    "export.data": ("Gegevens", "Data"),
    "export.definition": ("Definitie", "Definition"),
    "export.notes": ("Opmerkingen", "Notes"),
    "pack.heading": ("Stuurpakket", "Steering pack"),
    "pack.intro": (
        "Alle grafieken van de monitor voor de gekozen periode en eenheid in één bestand: voorblad, kerncijfers, "
        "één dia per grafiek met de definitie in de notities, en de privacyregel.",
        "Every chart of the monitor for the chosen period and unit in one file: cover, key figures, one slide per "
        "chart with its definition in the notes, and the privacy rule.",
    ),
    "pack.format": ("Bestandsformaat", "File format"),
    "pack.pptx": ("PowerPoint", "PowerPoint"),
    "pack.pdf": ("PDF", "PDF"),
    "pack.xlsx": ("Excel", "Excel"),
    "pack.start": ("Maak het stuurpakket", "Make the steering pack"),
    "pack.waiting": ("Het stuurpakket wordt gemaakt, een ogenblik...", "The steering pack is being made, one moment..."),
    "pack.step.collect": ("Cijfers ophalen", "Reading the figures"),
    "pack.step.render": ("Grafieken tekenen", "Drawing the charts"),
    "pack.step.write": ("Bestand maken", "Writing the file"),
    "pack.progress": ("{step}: {done} van {total}", "{step}: {done} of {total}"),
    "pack.ready": ("Het stuurpakket is klaar: {name} ({size}).", "The steering pack is ready: {name} ({size})."),
    "pack.failed": (
        "Het stuurpakket kon niet gemaakt worden. Probeer het opnieuw of neem contact op met de beheerder.",
        "The steering pack could not be made. Please try again or contact the administrator.",
    ),
    "pack.expired": ("Dit stuurpakket is niet meer beschikbaar; maak het opnieuw.",
                     "This steering pack is no longer available; please make it again."),
    "pack.title": ("Loket-monitor: stuurinformatie", "Loket monitor: steering information"),
    "pack.subtitle": ("24/7 Loket Politie", "24/7 Loket Politie"),
    "pack.key_figures": ("Kerncijfers", "Key figures"),
    "pack.indicator": ("Indicator", "Indicator"),
    "pack.value": ("Waarde", "Value"),
    "pack.no_key_figures": ("Voor deze keuze zijn er geen kerncijfers.", "There are no key figures for this choice."),
    "pack.expected_note": (
        "De streefwaarde is een referentie van de opdrachtgever, geen oordeel over het Loket of een eenheid.",
        "The expected value is the commissioner's reference, not a verdict on the Loket or a unit.",
    ),
    "pack.closing": ("Privacyregel en definities", "Privacy rule and definitions"),
    "pack.continued": ("vervolg", "continued"),
    "pack.notes_hint": ("De definitie van elke grafiek staat in de notities van haar dia.",
                        "Each chart's definition is in the notes of its slide."),
    "pack.contents": ("Inhoud", "Contents"),
    "pack.too_many": (
        "U hebt al {n} stuurpakketten in de maak. Wacht tot die klaar zijn.",
        "You already have {n} steering packs being made. Please wait until they are done.",
    ),
}
