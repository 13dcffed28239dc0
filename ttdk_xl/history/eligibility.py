"""Pure: the book's award screens (core.models.Screens) over a ranked Result and its history.

In order: a unit on `Đơn vị không đề nghị` is neither acclaimed nor proposed, and is off the acclamation
ballot (Decree 152/2025/NĐ-CP Art. 4(4): discipline, investigation, inspection, a pending complaint); the
other acclaims do not move (the conference's vote decides the places). A condition of `Điều kiện khen
thưởng` must hold in each of the years before this one (a merged unit's year holds when it held for every
one of its parts); then `Số lượng khen thưởng` keeps the first proposals in rank order. A unit that loses
its proposal keeps its rank and acclaim: the conference decides whether to propose another. Each decision
is a sentence in `History.eligibility` and, for a unit not proposed, in its note.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ttdk_xl.core.models import AwardCondition, Book, History, PastResult, Result, Severity, UnitResult, evolve
from ttdk_xl.core.text import header_key, nfc, vn_number

PROPOSE = "Đề nghị tặng "


def award_name(u: UnitResult) -> str:
    """'Đề nghị tặng Cờ thi đua của UBND tỉnh' → 'Cờ thi đua của UBND tỉnh'."""
    return re.sub(r"^\s*đề\s+nghị\s+(tặng\s+)?", "", nfc(u.award), flags=re.IGNORECASE)


def with_history(result: Result, where: str | Path) -> Result:
    """The result with the history of the year folder `where` (its inbox will do) and the book's screens
    applied. The pipeline's hook: called only when the folder has `lich_su/` or the book declares screens."""
    from ttdk_xl.history.files import load_history

    history = load_history(where, result.book) or History(())
    # A bad history row is shown in `Kiểm tra` too, as a warning: it never blocks this year's consolidation.
    shown = tuple(replace(f, severity=Severity.WARNING, unit_code="") for f in history.findings)
    return screen(replace(result, history=history, findings=result.findings + shown))


def screen(result: Result) -> Result:
    """Apply the book's screens to the proposals of `result` (its history: `result.history`)."""
    book, history = result.book, result.history or History(())
    screens = book.screens
    blocked = {b.unit_code: b for b in screens.blocked}
    reasons: dict[str, str] = {}
    units: list[UnitResult] = []
    for u in result.units:
        award = award_name(u)
        if u.unit.code in blocked:  # neither acclaimed nor proposed: off the ballot too (ballots.eligible)
            b = blocked[u.unit.code]
            reasons[u.unit.code] = f"Không suy tôn, không đề nghị khen thưởng: {b.reason}{_basis(b.basis)}."
            units.append(evolve(_drop(u, reasons[u.unit.code]), acclaim=""))
            continue
        if not award:
            units.append(u)
            continue
        why_not = ""
        met: list[str] = []
        for cond in (c for c in screens.conditions if header_key(c.award) == header_key(award)):
            ok, text = _condition(book, history, u, cond)
            if not ok and not why_not:
                why_not = text
            elif ok:
                met.append(text)
        if why_not:
            reasons[u.unit.code] = f"Không đề nghị {award}: {why_not}."
            units.append(_drop(u, reasons[u.unit.code]))
        else:
            reasons[u.unit.code] = f"Đề nghị {award}" + (f": {'; '.join(met)}." if met else ".")
            units.append(u)
    units = _quotas(book, units, reasons)
    history = replace(history, eligibility=reasons, blocked=frozenset(blocked))
    return replace(result, units=tuple(units), history=history)


def _condition(book: Book, history: History, u: UnitResult, cond: AwardCondition) -> tuple[bool, str]:
    """(held, sentence) for one condition over the `cond.years` years before the book's year."""
    wanted = " hoặc ".join(cond.accepted)
    seen: list[str] = []
    for year in range(book.year - cond.years, book.year):
        rows = [r for r in history.of(u.unit.code) if r.year == year]
        if not rows:
            return False, (
                f"chưa có kết quả năm {year} để xét điều kiện {cond.years} năm liên tục đạt {wanted}"
                f"{_basis(cond.basis)} (bổ sung vào lich_su/)"
            )
        failed = [r for r in rows if not _meets(r, cond.accepted)]
        if failed:
            what = ", ".join(f"{_who(r, u)}{'xếp loại ' + r.level if r.level else 'chưa xếp loại'}" for r in failed)
            return False, f"năm {year} {what}, chưa đạt {wanted} ({cond.years} năm liên tục{_basis(cond.basis, ', ')})"
        seen.append(f"{year} " + ", ".join(f"{_who(r, u)}{_reached(r, cond.accepted)}" for r in rows))
    return True, f"{cond.years} năm liên tục đạt {wanted} ({'; '.join(seen)}){_basis(cond.basis)}"


def _who(r: PastResult, u: UnitResult) -> str:
    return "" if r.code == u.unit.code else f"{r.name or r.code} "


def _meets(r: PastResult, accepted: tuple[str, ...]) -> bool:
    return bool(_reached(r, accepted))


def _reached(r: PastResult, accepted: tuple[str, ...]) -> str:
    level, award = header_key(r.level), header_key(r.award)
    for a in accepted:
        key = header_key(a)
        if key and (key == level or key in award):
            return a
    return ""


def _quotas(book: Book, units: list[UnitResult], reasons: dict[str, str]) -> list[UnitResult]:
    """Past a quota, the proposals of the lower-ranked units are dropped (units keep their order)."""
    dropped: dict[str, str] = {}
    ranked = sorted(units, key=lambda u: (u.rank is None, u.rank or 0))
    for q in book.screens.quotas:
        limit = q.limit(len(book.units))
        proposed = [
            u for u in ranked if u.unit.code not in dropped and header_key(award_name(u)) == header_key(q.award)
        ]
        share = f"{vn_number(q.share * 100)}% số đơn vị của Cụm, " if q.share is not None else ""
        for u in proposed[limit:]:
            dropped[u.unit.code] = reasons[u.unit.code] = (
                f"Không đề nghị {q.award}: vượt số lượng tối đa ({share}{limit} đơn vị"
                f"{_basis(q.basis, ', ')}); đã đủ số đơn vị xếp trên."
            )
    return [_drop(u, dropped[u.unit.code]) if u.unit.code in dropped else u for u in units]


def _drop(u: UnitResult, why: str) -> UnitResult:
    return evolve(u, award="", note=f"{u.note} {why}".strip())


def _basis(basis: str, sep: str = " ") -> str:
    if not basis:
        return ""
    return f" (theo {basis})" if sep == " " else f"{sep}theo {basis}"
