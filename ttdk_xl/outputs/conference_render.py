"""Render one of the conference's docxtpl templates: placeholders highlighted, tags checked, written atomically.

A value the tool cannot know travels through the context wrapped in two private-use characters
(`placeholder`); after rendering, each such piece of text gets a run of its own, highlighted in yellow, and the
markers are removed. So a highlighted placeholder survives whatever tag the office writes in its own template
(`{{ conf_day }}`), with no rich-text tag to learn.
"""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path
from typing import Any

from ttdk_xl.core.errors import ReportTemplateError

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

    `label` names the document in messages ("kế hoạch hội nghị"). A template that cannot be read, that breaks
    Jinja or that leaves a tag unrendered raises ReportTemplateError with a Vietnamese message."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except (OSError, zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReportTemplateError(
            f"Không đọc được mẫu {label} “{template}”: tệp không tồn tại hoặc không phải tệp Word (.docx) hợp lệ "
            f"({type(exc).__name__}). Hãy chỉ đến đúng tệp .docx, hoặc bỏ tùy chọn --mau để dùng mẫu mặc định."
        ) from exc
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        tpl.render(context, jinja_env=env)
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(_jinja_message(template, exc, env, label)) from exc
    except Exception as exc:  # docxtpl/lxml failures on a damaged template
        raise ReportTemplateError(
            f"Không dựng được {label} từ mẫu “{template.name}” ({type(exc).__name__}: {exc}). "
            "Hãy kiểm tra các thẻ {%p …%}, {%tr …%} trong tệp mẫu, hoặc dùng lại mẫu mặc định."
        ) from exc
    paragraphs = list(_paragraphs(tpl))
    left = [p.text for p in paragraphs if _LEFT_TAG.search(p.text)]
    if left:
        raise ReportTemplateError(
            f"Mẫu {label} “{template.name}” còn thẻ chưa được thay sau khi dựng: “{strip_marks(left[0])[:120]}”. "
            "Hãy sửa thẻ trong tệp mẫu (thẻ phải có dạng {{ tên_biến }}, gõ liền, không xuống dòng giữa thẻ)."
        )
    for p in paragraphs:
        _highlight(p)
    return tpl


def _jinja_message(template: Path, exc: Exception, env: Any, label: str) -> str:
    """A Vietnamese message naming the template, the faulty tag and the paragraph it is in."""
    found = _locate_bad_tag(template, exc, env)
    if found:
        where, tag, reason = found
        return (
            f"Mẫu {label} “{template.name}” có thẻ không hợp lệ “{tag}” ({where}): {reason or _explain(exc)}. "
            "Hãy sửa thẻ trong tệp mẫu (thẻ phải có dạng {{ tên_biến }} hoặc {%p if … %} … {%p endif %})."
        )
    line = getattr(exc, "lineno", None)
    return (
        f"Mẫu {label} “{template.name}” có lỗi ở dòng {line or '?'}: {_explain(exc)}. "
        "Hãy sửa thẻ trong tệp mẫu (kiểm tra các cặp {%p if %}/{%p endif %}, {%p for %}/{%p endfor %})."
    )


def _explain(exc: Exception) -> str:
    msg = str(getattr(exc, "message", None) or exc)
    for pattern, text in (
        (r"No filter named '([^']+)'", "bộ lọc “{}” không tồn tại"),
        (r"'([^']+)' is undefined", "biến “{}” không có trong dữ liệu của văn bản"),
        (r"has no attribute '([^']+)'", "dữ liệu của văn bản không có mục “{}”"),
        (r"Encountered unknown tag '([^']+)'", "lệnh “{}” không tồn tại hoặc đặt sai chỗ"),
    ):
        m = re.search(pattern, msg)
        if m:
            return text.format(m.group(1))
    if "unexpected end of template" in msg.lower():
        return "có khối lệnh mở (if/for) mà không có lệnh đóng (endif/endfor) tương ứng"
    return f"lỗi Jinja: {msg}"


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{.*|\{%.*")
_KEYWORDS = {"if", "elif", "else", "endif", "for", "endfor", "set", "endset", "with", "endwith", "filter", "endfilter"}


def _locate_bad_tag(template: Path, exc: Exception, env: Any) -> tuple[str, str, str] | None:
    """The first tag of the template that breaks it, checked paragraph by paragraph: (where, tag, reason)."""
    import jinja2
    from docx import Document

    undefined = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
    name = next((g for g in undefined.groups() if g), None) if undefined else None
    try:
        paragraphs = list(_paragraphs_of(Document(str(template))))
    except Exception:  # the message is still given, without the tag's place
        return None
    for n, text in enumerate(paragraphs, 1):
        where = f"đoạn {n}"
        for m in _TAG.finditer(text):
            tag = m.group(0)[:80]
            if tag.startswith("{{") and not tag.endswith("}}"):
                return where, tag, "thẻ mở bằng “{{” nhưng không có “}}” để đóng"
            if tag.startswith("{%") and not tag.endswith("%}"):
                return where, tag, "thẻ mở bằng “{%” nhưng không có “%}” để đóng"
            if name and re.search(rf"\b{re.escape(name)}\b", tag):
                return where, tag, ""
            if tag.startswith("{{"):
                try:
                    env.from_string(re.sub(r"^\{\{[pr]\s", "{{ ", tag))
                except jinja2.TemplateSyntaxError as err:
                    return where, tag, _explain(err)
            else:
                words = re.sub(r"^\{%-?\s*(p|tr|tc|r)?\s+", "", tag).split()
                if words and words[0] not in _KEYWORDS:
                    return where, tag, f"lệnh “{words[0]}” không tồn tại"
    return None


def _paragraphs_of(doc: Any):
    """The text of every paragraph of a python-docx document, tables included, in order."""
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    yield from _paragraphs_of(cell)
        else:
            yield block.text


def _paragraphs(tpl: Any):
    """Every paragraph of the rendered document: body, tables (nested), headers and footers."""

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block

    doc = tpl.docx
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
