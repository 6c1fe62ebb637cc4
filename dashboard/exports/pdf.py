"""The steering pack as a PDF (reportlab): the pages of the presentation, 16:9 landscape, with each chart's
definition printed under it (a PDF has no speaker notes)."""
from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, Paragraph, Table as PdfTable, TableStyle

from dashboard.exports.contents import Pack, chart_subtitle, definition_slides, key_figure_rows
from dashboard.exports.csv_xlsx import other_notes
from dashboard.exports.meta import (MUTED_COLOUR, SLIDE_IMAGE_HEIGHT, SLIDE_IMAGE_WIDTH, TEXT_COLOUR, cover_lines,
                                    escape, legend_lines, source_line)
from dashboard.ui.texts import rule_text, t


def pack_pdf(pack: Pack) -> bytes:
    """Return the steering pack as a PDF with the pages of the presentation (16:9 landscape)."""

    meta, lang = pack.meta, pack.meta.lang
    page_w, page_h = 960.0, 540.0  # 13.333 x 7.5 inch, as the slides
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(page_w, page_h), pageCompression=1, invariant=1)
    pdf.setTitle(t("pack.title", lang))
    pdf.setAuthor(t("app.title", lang))
    pdf.setSubject(meta.scope)
    pdf.setCreator(t("app.title", lang))
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, textColor=colors.HexColor(TEXT_COLOUR))
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11.5, textColor=colors.HexColor(MUTED_COLOUR))
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    big = ParagraphStyle("big", parent=body, fontSize=16, leading=22)
    margin = 36.0

    def para(text: str, style) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def flow(items: list, x: float, y: float, w: float, h: float) -> None:
        Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0).addFromList(
            list(items), pdf)

    def header(title: str, subtitle: str | None = None) -> None:
        pdf.setFillColor(colors.HexColor(TEXT_COLOUR))
        pdf.setFont("Helvetica-Bold", 24)
        pdf.drawString(margin, page_h - 58, title[:90])
        if subtitle:
            pdf.setFont("Helvetica", 12)
            pdf.setFillColor(colors.HexColor(MUTED_COLOUR))
            pdf.drawString(margin, page_h - 80, subtitle[:160])
        pdf.setFont("Helvetica", 8.5)
        pdf.setFillColor(colors.HexColor(MUTED_COLOUR))
        pdf.drawString(margin, 18, source_line(meta))
        pdf.drawRightString(page_w - margin, 18, str(pdf.getPageNumber()))

    # Cover
    pdf.setFillColor(colors.HexColor(TEXT_COLOUR))
    pdf.setFont("Helvetica-Bold", 34)
    pdf.drawString(60, page_h - 150, t("pack.title", lang))
    pdf.setFont("Helvetica", 20)
    pdf.drawString(60, page_h - 185, t("pack.subtitle", lang))
    flow([para(f"{label}: {value}", big) for label, value in cover_lines(meta)], 60, 120, page_w - 120, page_h - 330)
    if meta.demo:
        pdf.setFillColor(colors.HexColor("#FFF1C7"))
        pdf.rect(60, 60, 380, 36, stroke=0, fill=1)
        pdf.setFillColor(colors.HexColor("#7A2E00"))
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 72, t("app.demo", lang))
    pdf.showPage()

    # Key figures
    header(t("pack.key_figures", lang), f"{meta.scope} · {meta.data_date}")
    head, cells = key_figure_rows(pack)
    rows = [[c.text for c in row] for row in cells]
    if rows:
        data = [[para(c, bold if i == 0 else body) for c in row] for i, row in enumerate([head, *rows])]
        first = 330.0
        rest = (page_w - 2 * margin - first) / (len(head) - 1)
        table = PdfTable(data, colWidths=[first] + [rest] * (len(head) - 1))
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#BDBDBD")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]))
        flow([table], margin, 110, page_w - 2 * margin, page_h - 110 - 100)
    else:
        flow([para(t("pack.no_key_figures", lang), body)], margin, 110, page_w - 2 * margin, page_h - 210)
    flow([para(t("pack.expected_note", lang), small), para(meta.rule, small)],
         margin, 34, page_w - 2 * margin, 60)
    pdf.showPage()

    # One page per chart: the definition under it (a PDF has no speaker notes)
    image_h = 345.0
    image_w = image_h * SLIDE_IMAGE_WIDTH / SLIDE_IMAGE_HEIGHT
    for chart, image in zip(pack.charts, pack.images):
        header(chart.title, chart_subtitle(chart, meta))
        pdf.drawImage(ImageReader(io.BytesIO(image)), (page_w - image_w) / 2, page_h - 96 - image_h,
                      width=image_w, height=image_h)
        lines = [" ".join(legend_lines(meta))]
        if chart.definition:
            lines.insert(0, f"{t('export.definition', lang)}: {t(f'ind.{chart.definition}.def', lang)}")
        lines += other_notes(chart, lang)
        flow([para(x, small) for x in lines], margin, 32, page_w - 2 * margin, page_h - 100 - image_h - 40)
        pdf.showPage()

    # Privacy rule and definitions
    spaced = ParagraphStyle("spaced", parent=body, spaceAfter=5)
    for n, part in enumerate(definition_slides(pack)):
        header(t("pack.closing", lang) + (f" ({t('pack.continued', lang)})" if n else ""))
        items = []
        if n == 0:
            items += [para(t("definitions.privacy", lang), bold), para(rule_text(meta.policy, lang), spaced),
                      para(meta.rule, body), para(t("legend.no_value", lang), spaced),
                      para(t("pack.expected_note", lang), spaced), Paragraph("&nbsp;", small)]
        for name, text in part:
            items.append(Paragraph(f"<b>{escape(name)}:</b> {escape(text)}", spaced))
        flow(items, margin, 40, page_w - 2 * margin, page_h - 90 - 40)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


