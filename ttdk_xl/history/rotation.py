"""Pure: the next year's head and deputy proposed from the book's rule and the history.

The rule is the book's `Thông tin` key `Cách đề xuất Cụm trưởng`:
  `luân phiên theo danh sách` — this year's deputy becomes head; the next unit in book order becomes deputy
      (the default without history, as before);
  `lâu nhất chưa làm Cụm trưởng` — the unit that has waited longest since it last was head becomes head,
      the next longest waiting becomes deputy (never head first, in book order) (the default with history).
The head and deputy of every year come from the history rows (`Vai trò trong Cụm`, archived books) and
this year's book. A merged unit has been head in the years one of its parts was.
"""

from __future__ import annotations

from ttdk_xl.core.models import ROLE_HEAD, Book, History, Unit
from ttdk_xl.core.text import header_key
from ttdk_xl.core.units import find_unit

RULE_KEY = "Cách đề xuất Cụm trưởng"
RULE_BOOK_ORDER = "luân phiên theo danh sách"
RULE_LONGEST = "lâu nhất chưa làm Cụm trưởng"


def propose_head_deputy(book: Book, history: History | None) -> tuple[Unit | None, Unit | None, str]:
    """(next head, next deputy, the reason in Vietnamese). Either unit is None when the book gives no way to
    choose (no units, or no deputy this year under the book-order rule)."""
    return _longest(book, history) if rule_of(book, history) == RULE_LONGEST else _book_order(book)


def _book_order(book: Book) -> tuple[Unit | None, Unit | None, str]:
    head, deputy = find_unit(book, book.head_unit), find_unit(book, book.deputy_unit)
    if deputy is None:
        return None, None, "Năm nay chưa có đơn vị Cụm phó trong bộ tiêu chí: Hội nghị Cụm bầu."
    units = list(book.units)
    i = units.index(deputy)
    after = units[i + 1 :] + units[:i]
    candidates = [u for u in after if u != head] or after
    nxt = candidates[0] if candidates else None
    reason = f"Luân phiên: đơn vị Cụm phó năm {book.year} làm Cụm trưởng; đơn vị kế tiếp theo danh sách làm Cụm phó."
    return deputy, nxt, reason


def rule_of(book: Book, history: History | None) -> str:
    """The rule `propose_head_deputy` follows: RULE_LONGEST or RULE_BOOK_ORDER."""
    rule = header_key(book.info(RULE_KEY))
    if rule == header_key(RULE_LONGEST) or (not rule and history is not None and history.rows):
        return RULE_LONGEST
    return RULE_BOOK_ORDER


def last_heads(book: Book, history: History | None) -> dict[str, int]:
    """Today's unit code → the last year it (or one of its parts) was head, this year's head included."""
    last: dict[str, int] = {}
    for r in history.rows if history else ():
        if r.role == ROLE_HEAD:
            last[r.unit_code] = max(last.get(r.unit_code, 0), r.year)
    head_now = find_unit(book, book.head_unit)
    if head_now is not None:
        last[head_now.code] = book.year
    return last


def waiting_note(book: Book, history: History | None, unit: Unit) -> str:
    """'chưa làm Cụm trưởng năm nào trong 2024–2026' or 'làm Cụm trưởng lần gần nhất năm 2024'."""
    y = last_heads(book, history).get(unit.code)
    years = history.years if history else ()
    span = f"{years[0]}–{book.year}" if years else str(book.year)
    return f"chưa làm Cụm trưởng năm nào trong {span}" if y is None else f"làm Cụm trưởng lần gần nhất năm {y}"


def _longest(book: Book, history: History | None) -> tuple[Unit | None, Unit | None, str]:
    last = last_heads(book, history)
    head_now = find_unit(book, book.head_unit)
    order = {u.code: i for i, u in enumerate(book.units)}
    waiting = sorted((u for u in book.units if u != head_now), key=lambda u: (last.get(u.code, 0), order[u.code]))
    if not waiting:
        return None, None, "Cụm chỉ có một đơn vị."

    def why(u: Unit) -> str:
        return f"{u.name} {waiting_note(book, history, u)}"

    head = waiting[0]
    deputy = waiting[1] if len(waiting) > 1 else None
    reason = f"Đơn vị lâu nhất chưa làm Cụm trưởng: {why(head)}" + (f"; kế tiếp: {why(deputy)}." if deputy else ".")
    return head, deputy, reason
