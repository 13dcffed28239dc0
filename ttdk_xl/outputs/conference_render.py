"""Render one of the conference's docxtpl templates: placeholders highlighted, tags checked, written atomically.

A value the tool cannot know travels through the context wrapped in two private-use characters
(`placeholder`); after rendering, each such piece of text gets a run of its own, highlighted in yellow, and the
markers are removed. So a highlighted placeholder survives whatever tag the office writes in its own template
(`{{ conf_day }}`), with no rich-text tag to learn.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from ttdk_xl.core.errors import ReportTemplateError
from ttdk_xl.outputs.report import render_template_doc

OPEN = "\ue000"  # private-use characters: never typed by a person, never shown (they are removed)
CLOSE = "\ue001"
_MARKED = re.compile(f"({OPEN}.*?{CLOSE})", re.DOTALL)
_LEFT_TAG = re.compile(r"\{\{|\{%|%\}|\}\}")


def placeholder(text: str) -> str:
    """`text` as a highlighted placeholder in the rendered document."""
    return f"{OPEN}{text}{CLOSE}"


def strip_marks(text: str) -> str:
    """The text as a reader sees it (for emails and messages): the markers removed."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def render_template(template: Path, context: dict[str, Any], label: str) -> Any:
    """Render `template` with `context`; return the docxtpl document (highlighted placeholders, no tag left).

    `label` names the document in messages ("kế hoạch hội nghị"). A template that cannot be read or breaks
    Jinja (report.render_template_doc), or that leaves a tag unrendered, raises ReportTemplateError with a
    Vietnamese message."""
    tpl = render_template_doc(template, context, label)
    paragraphs = list(paragraphs_of(tpl.docx))
    left = [p.text for p in paragraphs if _LEFT_TAG.search(p.text)]
    if left:
        raise ReportTemplateError(
            f"Mẫu {label} “{template.name}” còn thẻ chưa được thay sau khi dựng: “{strip_marks(left[0])[:120]}”. "
            "Hãy sửa thẻ trong tệp mẫu (thẻ phải có dạng {{ tên_biến }}, gõ liền, không xuống dòng giữa thẻ)."
        )
    for p in paragraphs:
        _highlight(p)
    return tpl


def paragraphs_of(doc: Any):
    """Every paragraph of a python-docx document: body, tables (nested), headers and footers."""

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block

    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from walk(part)


def _highlight(paragraph: Any) -> None:
    """Split each run holding marked text into runs of its own; the marked ones highlighted, markers removed."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.text.run import Run

    rpr = qn("w:rPr")

    for run in list(paragraph.runs):
        text = run.text
        if OPEN not in text and CLOSE not in text:
            continue
        pieces = [p for p in _MARKED.split(text) if p]
        for piece in pieces:
            el = copy.deepcopy(run._r)
            for child in list(el):
                if child.tag != rpr:
                    el.remove(child)
            run._r.addprevious(el)
            new = Run(el, paragraph)
            marked = piece.startswith(OPEN)
            new.text = strip_marks(piece)
            if marked:
                new.font.highlight_color = WD_COLOR_INDEX.YELLOW
        run._r.getparent().remove(run._r)
