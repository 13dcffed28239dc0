"""Shared python-docx helpers for documents in the Decree 30/2020/NĐ-CP layout.

Times New Roman for every script, A4 portrait, margins 20/20/30/15 mm, the two-column national header,
tables with fixed widths. Used by scripts/make_report_template.py (the report's Word template) and by
the documents ttdk-xl writes directly (ballots, count minutes, covenant). Importing this module imports
python-docx: import it lazily from the CLI.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.zipparts import with_fixed_times

FONT = "Times New Roman"
BODY_SIZE = 14
LINE_SPACING = 1.2

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# ---------------------------------------------------------------------------------------------- low-level helpers


def set_rfonts(rpr) -> None:
    """Times New Roman for every script (ascii, hAnsi, eastAsia, cs), without theme overrides."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), "vi-VN")


def style_run(run, size: float = BODY_SIZE, bold: bool = False, italic: bool = False, mark: bool = False) -> None:
    run.font.name = FONT
    set_rfonts(run._element.get_or_add_rPr())
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    if mark:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def mark_size(paragraph, size: float) -> None:
    """Size of the paragraph mark, so an empty paragraph has the intended height."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    set_rfonts(rpr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)


def fmt(
    paragraph,
    align=JUSTIFY,
    before: float = 0,
    after: float = 6,
    indent: float | None = None,
    line: float | None = LINE_SPACING,
    keep: bool = False,
):
    pf = paragraph.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if indent is not None:
        pf.first_line_indent = Cm(indent)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = line
    pf.keep_with_next = keep or None
    pf.widow_control = True
    return paragraph


def add_runs(paragraph, parts, size: float = BODY_SIZE, bold: bool = False, italic: bool = False) -> None:
    """parts: a string, or a list of strings and (text, {"bold": …, "italic": …, "mark": …}) tuples."""
    if isinstance(parts, str):
        parts = [parts]
    for part in parts:
        text, opts = (part, {}) if isinstance(part, str) else part
        run = paragraph.add_run(text)
        style_run(
            run,
            size=opts.get("size", size),
            bold=opts.get("bold", bold),
            italic=opts.get("italic", italic),
            mark=opts.get("mark", False),
        )


def bottom_rule(paragraph, left_cm: float, right_cm: float) -> None:
    """A short centred horizontal rule: the bottom border of an indented, nearly empty paragraph."""
    pf = paragraph.paragraph_format
    pf.left_indent = Cm(left_cm)
    pf.right_indent = Cm(right_cm)
    pf.space_before = Pt(2)
    pf.space_after = Pt(0)
    pf.line_spacing = Pt(2)
    _border(paragraph, ("bottom",))
    mark_size(paragraph, 1)


def box(paragraph) -> None:
    """A thin border around a paragraph (the "DỰ THẢO" stamp)."""
    _border(paragraph, ("top", "left", "bottom", "right"))


def _border(paragraph, sides: tuple[str, ...]) -> None:
    """Thin single borders on the given sides of a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        pbdr.append(el)
    # pBdr must come before spacing/ind/jc in CT_PPr order
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    if anchor is not None:
        anchor.addprevious(pbdr)
    else:
        ppr.append(pbdr)


def table_props(
    table, widths_cm: list[float], borders: bool, indent_cm: float = 0, pad_cm: float | None = None
) -> None:
    """Fixed column widths, optional single borders, optional left indent."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tblpr = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblInd", "w:tblBorders", "w:tblLayout", "w:tblCellMar"):
        old = tblpr.find(qn(tag))
        if old is not None:
            tblpr.remove(old)
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    tblw.set(qn("w:type"), "dxa")
    tblpr.append(tblw)
    if indent_cm:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(int(indent_cm * 567)))
        ind.set(qn("w:type"), "dxa")
        tblpr.append(ind)
    bdr = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        bdr.append(el)
    tblpr.append(bdr)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    if pad_cm is not None:
        mar = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(int(pad_cm * 567)))
            el.set(qn("w:type"), "dxa")
            mar.append(el)
        tblpr.append(mar)
    # keep CT_TblPr child order valid: tblStyle, …, tblW, jc, …, tblInd, tblBorders, …, tblLayout, …, tblLook
    order = [
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    ]
    children = sorted(
        tblpr, key=lambda el: order.index(el.tag.replace(qn("w:"), "w:")) if el.tag.startswith(qn("w:")) else 99
    )
    for child in children:
        tblpr.remove(child)
        tblpr.append(child)
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    trpr.insert(0, el)


def cell_par(cell, parts, align=CENTER, size: float = 12, bold: bool = False, italic: bool = False, first=True):
    """Write into a table cell (its first paragraph when first=True), single spacing."""
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    fmt(p, align=align, before=2, after=2, indent=0, line=None)
    add_runs(p, parts, size=size, bold=bold, italic=italic)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return p


class Writer:
    """Adds body paragraphs in the report's few recurring shapes."""

    def __init__(self, doc):
        self.doc = doc

    def para(self, parts, indent: float = 1.27, align=JUSTIFY, bold=False, italic=False, before=0, after=6, keep=False):
        p = self.doc.add_paragraph()
        fmt(p, align=align, before=before, after=after, indent=indent, keep=keep)
        add_runs(p, parts, bold=bold, italic=italic)
        return p

    def tag(self, text: str):
        """A paragraph holding only a docxtpl paragraph tag ({%p …%}); docxtpl removes it when rendering."""
        p = self.doc.add_paragraph()
        fmt(p, align=LEFT, after=0, indent=0)
        add_runs(p, text)
        return p

    def part(self, text):
        """A part heading ("Phần I. …"), centred, bold."""
        return self.para(text, indent=0, align=CENTER, bold=True, before=6, after=6, keep=True)

    def heading(self, text):
        """A numbered heading ("1. …"), bold."""
        return self.para(text, bold=True, keep=True)

    def subheading(self, text):
        """A lettered heading ("a) …"), bold italic."""
        return self.para(text, bold=True, italic=True, keep=True)

    def placeholder(self, text: str):
        """A part the author must write: highlighted in yellow, in square brackets."""
        return self.para([(text, {"mark": True, "italic": True})])

    def bullet(self, parts):
        return self.para(parts)


def page_field(paragraph) -> None:
    """A PAGE field (complex field, so Word and LibreOffice both update it)."""

    def fld(kind: str):
        run = paragraph.add_run()
        style_run(run, size=14)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    style_run(run, size=14)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    run = paragraph.add_run("2")
    style_run(run, size=14)
    fld("end")


# ---------------------------------------------------------------------------------------------- page and header


def new_document(title: str, stamp: str = "", comments: str = "", landscape: bool = False):
    """An empty document: Times New Roman 14 (Vietnamese proofing), A4, margins 20/20/30/15 mm,
    page number centred at the top from page 2, optional boxed stamp ("DỰ THẢO") on page 1."""
    doc = Document()

    # Defaults and Normal style: Times New Roman 14 for every script, Vietnamese proofing.
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr_default)
    set_lang(rpr_default)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    set_rfonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.alignment = JUSTIFY
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = LINE_SPACING
    for name in ("Header", "Footer", "Table Grid"):
        try:
            st = doc.styles[name]
        except KeyError:
            continue
        st.font.name = FONT
        set_rfonts(st.element.get_or_add_rPr())

    # A4, margins 20/20/30/15 mm (in landscape: the long edge is the width), page number from page 2.
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Mm(297) if landscape else Mm(210)
    section.page_height = Mm(210) if landscape else Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True

    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    fmt(p, align=CENTER, after=0, indent=0, line=None)
    page_field(p)

    first = section.first_page_header
    first.is_linked_to_previous = False
    p = first.paragraphs[0]
    fmt(p, align=RIGHT, after=0, indent=0, line=None)
    if stamp:
        add_runs(p, stamp, size=12, bold=True)
        box(p)
        p.paragraph_format.alignment = CENTER
        p.paragraph_format.left_indent = Cm(usable_width_cm(doc) - 2.6)

    props = doc.core_properties
    props.title = title
    props.author = "ttdk-xl"
    props.language = "vi-VN"
    if comments:
        props.comments = comments
    return doc


def usable_width_cm(doc) -> float:
    """Width between the margins of the first section, in cm."""
    s = doc.sections[0]
    return round((s.page_width - s.left_margin - s.right_margin) / 360000, 2)


def national_header(
    doc,
    upper: str,
    issuer: str,
    number: str,
    date_line: str,
    left_w: float = 6.4,
    right_w: float = 10.7,
) -> None:
    """The two-column heading: bodies and number left, national title and the place and date right.

    `upper` is the parent body (13 pt), `issuer` the issuing body (13 pt bold); `number` ("Số: …/BC-CTĐ")
    and `date_line` may be empty."""
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [left_w, right_w], borders=False, indent_cm=-0.5)
    left, right = t.rows[0].cells
    cell_par(left, upper, size=13)
    cell_par(left, issuer, size=13, bold=True, first=False).paragraph_format.space_before = Pt(0)
    bottom_rule(left.add_paragraph(), (left_w - 0.4 - 2.4) / 2, (left_w - 0.4 - 2.4) / 2)
    if number:
        p = cell_par(left, number, size=13, first=False)
        p.paragraph_format.space_before = Pt(8)
    for p in left.paragraphs[:2]:
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(0)

    p = cell_par(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p = cell_par(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, first=False)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    bottom_rule(right.add_paragraph(), (right_w - 0.4 - 6.1) / 2, (right_w - 0.4 - 6.1) / 2)
    if date_line:
        p = cell_par(right, date_line, size=14, italic=True, first=False)
        p.paragraph_format.space_before = Pt(8)
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def title(w: Writer, kind: str, subject: str, before: float = 18) -> None:
    """Document kind ("BÁO CÁO") and subject, bold and centred, with a short rule below."""
    w.para(kind, indent=0, align=CENTER, bold=True, before=before, after=0, keep=True)
    if subject:
        p = w.para(subject, indent=0, align=CENTER, bold=True, after=0, keep=True)
        p.paragraph_format.left_indent = Cm(1.0)
        p.paragraph_format.right_indent = Cm(1.0)
    rule = w.doc.add_paragraph()
    side = (usable_width_cm(w.doc) - 4.0) / 2
    bottom_rule(rule, side, side)
    rule.paragraph_format.space_after = Pt(18)


def save(doc, path: Path) -> Path:
    """Save atomically (a temporary file in the same folder, then os.replace), with fixed zip dates."""
    return write_docx(doc, path)


def write_docx(doc, path: Path) -> Path:
    """Save a python-docx (or docxtpl) document atomically, its zip entries dated 1980-01-01 rather than
    the clock: the same inputs give the same bytes."""
    return write_bytes(path, docx_bytes(doc))


def docx_bytes(doc) -> bytes:
    """A python-docx (or docxtpl) document's bytes, its zip entries dated 1980-01-01."""
    import io

    buffer = io.BytesIO()
    doc.save(buffer)
    return with_fixed_times(buffer.getvalue())
