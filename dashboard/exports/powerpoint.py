"""The steering pack as a PowerPoint presentation (python-pptx, 16:9): every text editable, charts as
pictures, a chart's definition in its speaker notes."""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.exports.contents import Pack, chart_notes, chart_subtitle, definition_slides, key_figure_rows
from dashboard.exports.meta import SLIDE_IMAGE_HEIGHT, SLIDE_IMAGE_WIDTH, cover_lines, legend_lines, source_line
from dashboard.ui.texts import rule_text, t


def pack_pptx(pack: Pack) -> bytes:
    """Return the steering pack as a PowerPoint presentation (16:9), every text editable."""

    meta, lang = pack.meta, pack.meta.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # PowerPoint's 16:9 (13.33 x 7.5 inch)
    width = prs.slide_width
    title_only = prs.slide_layouts[5]
    props = prs.core_properties
    props.title, props.author, props.subject = t("pack.title", lang), t("app.title", lang), meta.scope
    props.last_modified_by, props.keywords = t("app.title", lang), ""
    dark, muted = RGBColor(0x1B, 0x1B, 0x1B), RGBColor(0x4A, 0x4A, 0x4A)

    def textbox(slide, left, top, w, h, paragraphs: list[tuple[str, int, bool]], colour=dark):
        box = slide.shapes.add_textbox(left, top, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        for i, (text, size, bold) in enumerate(paragraphs):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.text = text
            p.font.size, p.font.bold, p.font.color.rgb = Pt(size), bold, colour
        return box

    def new_slide(title: str):
        slide = prs.slides.add_slide(title_only)
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.8)
        shape.text = title
        para = shape.text_frame.paragraphs[0]
        para.font.size, para.font.bold, para.font.color.rgb = Pt(30), True, dark
        para.alignment = PP_ALIGN.LEFT
        footer = [source_line(meta)]
        textbox(slide, Inches(0.5), prs.slide_height - Inches(0.45), width - Inches(1.0), Inches(0.3),
                [(footer[0], 10, False)], muted)
        return slide

    # Cover
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = t("pack.title", lang)
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.8), Inches(1.3)
    slide.shapes.title.width, slide.shapes.title.height = width - Inches(1.6), Inches(1.2)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(2.7), width - Inches(1.6), Inches(3.2)
    frame = subtitle.text_frame
    frame.text = t("pack.subtitle", lang)
    for label, value in cover_lines(meta):
        p = frame.add_paragraph()
        p.text = f"{label}: {value}"
        p.font.size = Pt(20)
    if meta.demo:
        box = textbox(slide, Inches(0.8), Inches(6.1), Inches(6), Inches(0.6), [(t("app.demo", lang), 20, True)],
                      RGBColor(0x7A, 0x2E, 0x00))
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xFF, 0xF1, 0xC7)
    slide.notes_slide.notes_text_frame.text = "\n".join([t("pack.notes_hint", lang), meta.rule])

    # Key figures
    slide = new_slide(t("pack.key_figures", lang))
    textbox(slide, Inches(0.5), Inches(1.05), width - Inches(1.0), Inches(0.4),
            [(f"{meta.scope} · {meta.data_date}", 14, False)], muted)
    header, cells = key_figure_rows(pack)
    rows = [[c.text for c in row] for row in cells]
    if rows:
        # Every indicator with an expected value is listed too: more rows get smaller rows and letters.
        row_h = min(Inches(0.5), (prs.slide_height - Inches(1.6) - Inches(1.45)) // (len(rows) + 1))
        size = 16 if len(rows) <= 8 else 12 if len(rows) <= 14 else 10
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(1.6), width - Inches(1.0),
                                       row_h * (len(rows) + 1))
        table = shape.table
        for table_row in table.rows:
            table_row.height = row_h
        table.columns[0].width = Inches(4.6)
        rest = (width - Inches(1.0) - Inches(4.6)) // (len(header) - 1)
        for j in range(1, len(header)):
            table.columns[j].width = Emu(rest)
        for i, row in enumerate([header, *rows]):
            for j, text in enumerate(row):
                cell = table.cell(i, j)
                cell.text = text
                cell.text_frame.paragraphs[0].font.size = Pt(size)
                cell.text_frame.paragraphs[0].font.bold = i == 0
                if size < 16:
                    cell.margin_top = cell.margin_bottom = Emu(Inches(0.02))
    else:
        textbox(slide, Inches(0.5), Inches(1.6), width - Inches(1.0), Inches(0.6), [(t("pack.no_key_figures", lang), 18, False)])
    textbox(slide, Inches(0.5), prs.slide_height - Inches(1.35), width - Inches(1.0), Inches(0.8),
            [(t("pack.expected_note", lang), 12, False), (meta.rule, 12, False)], muted)
    slide.notes_slide.notes_text_frame.text = "\n".join(
        [f"{k.title}: {t(f'ind.{k.key}.def', lang)}" for k in pack.key_figures if k.key])

    # One slide per chart
    image_h = Inches(5.2)
    image_w = Emu(int(image_h * SLIDE_IMAGE_WIDTH / SLIDE_IMAGE_HEIGHT))
    for chart, image in zip(pack.charts, pack.images):
        slide = new_slide(chart.title)
        textbox(slide, Inches(0.5), Inches(1.0), width - Inches(1.0), Inches(0.4),
                [(chart_subtitle(chart, meta), 14, False)], muted)
        slide.shapes.add_picture(io.BytesIO(image), (width - image_w) // 2, Inches(1.45), image_w, image_h)
        legend = legend_lines(meta)
        textbox(slide, Inches(0.5), Inches(6.6), width - Inches(1.0), Inches(0.5),
                [(" ".join(legend), 10, False)], muted)
        slide.notes_slide.notes_text_frame.text = chart_notes(chart, meta)

    # Privacy rule and definitions
    for n, part in enumerate(definition_slides(pack)):
        title = t("pack.closing", lang) + (f" ({t('pack.continued', lang)})" if n else "")
        slide = new_slide(title)
        paragraphs = []
        if n == 0:
            paragraphs += [(t("definitions.privacy", lang), 16, True), (rule_text(meta.policy, lang), 13, False),
                           (meta.rule, 13, False), (t("legend.no_value", lang), 13, False),
                           (t("pack.expected_note", lang), 13, False), ("", 8, False)]
        box = textbox(slide, Inches(0.5), Inches(1.15), width - Inches(1.0), Inches(5.8), paragraphs)
        unused = not paragraphs  # a new text box has one empty paragraph
        for name, text in part:
            p = box.text_frame.paragraphs[0] if unused else box.text_frame.add_paragraph()
            unused = False
            p.space_after = Pt(4)
            head, rest = p.add_run(), p.add_run()
            head.text, rest.text = f"{name}: ", text
            head.font.bold = True
            for run in (head, rest):
                run.font.size, run.font.color.rgb = Pt(13), dark
        slide.notes_slide.notes_text_frame.text = t("pack.notes_hint", lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


