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
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ttdk_xl.core.models import AwardCondition, Book, History, PastResult, Result, Severity, Unit, UnitResult, evolve
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
    blocked = {b.unit_code for b in book.screens.blocked}
    ranked = sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0))
    asked = [u for u in ranked if award_name(u) or u.unit.code in blocked]
    verdicts = dict(
        zip(
            (u.unit.code for u in asked),
            screen_proposals(book, history, [(u.unit, award_name(u)) for u in asked]),
            strict=True,
        )
    )
    reasons = {code: why for code, (_, why) in verdicts.items()}
    units = []
    for u in result.units:
        ok, why = verdicts.get(u.unit.code, (True, ""))
        if u.unit.code in blocked:  # neither acclaimed nor proposed: off the ballot too (ballots.eligible)
            u = evolve(_drop(u, why), acclaim="")
        elif not ok:
            u = _drop(u, why)
        units.append(u)
    history = replace(history, eligibility=reasons, blocked=frozenset(blocked))
    return replace(result, units=tuple(units), history=history)


def screen_proposals(
    book: Book, history: History | None, proposals: Sequence[tuple[Unit, str]]
) -> list[tuple[bool, str]]:
    """Pure: each proposal (unit, award form as in the book's `Khen thưởng`, e.g. 'Cờ thi đua của UBND tỉnh';
    '' for none), in the order that decides quotas (rank, or the places of the vote) → (still proposed, why,
    a Vietnamese sentence). For the dossier, whose proposals follow the vote rather than the ranks."""
    history = history or History(())
    screens = book.screens
    blocked = {b.unit_code: b for b in screens.blocked}
    out: list[tuple[bool, str]] = []
    taken: dict[str, int] = {}
    for unit, award in proposals:
        if unit.code in blocked:
            b = blocked[unit.code]
            out.append((False, f"Không suy tôn, không đề nghị khen thưởng: {b.reason}{_basis(b.basis)}."))
            continue
        if not award:
            out.append((False, ""))
            continue
        why_not = ""
        met: list[str] = []
        for cond in (c for c in screens.conditions if header_key(c.award) == header_key(award)):
            ok, text = _condition(book, history, unit, cond)
            if not ok and not why_not:
                why_not = text
            elif ok:
                met.append(text)
        if why_not:
            out.append((False, f"Không đề nghị {award}: {why_not}."))
            continue
        quota = next((q for q in screens.quotas if header_key(q.award) == header_key(award)), None)
        if quota is not None:
            limit = quota.limit(len(book.units))
            taken[quota.award] = taken.get(quota.award, 0) + 1
            if taken[quota.award] > limit:
                share = f"{vn_number(quota.share * 100)}% số đơn vị của Cụm, " if quota.share is not None else ""
                out.append(
                    (
                        False,
                        f"Không đề nghị {quota.award}: vượt số lượng tối đa ({share}{limit} đơn vị"
                        f"{_basis(quota.basis, ', ')}); đã đủ số đơn vị xếp trên.",
                    )
                )
                continue
        out.append((True, f"Đề nghị {award}" + (f": {'; '.join(met)}." if met else ".")))
    return out


def _condition(book: Book, history: History, unit: Unit, cond: AwardCondition) -> tuple[bool, str]:
    """(held, sentence) for one condition over the `cond.years` years before the book's year."""
    wanted = " hoặc ".join(cond.accepted)
    seen: list[str] = []
    for year in range(book.year - cond.years, book.year):
        rows = [r for r in history.of(unit.code) if r.year == year]
        if not rows:
            return False, (
                f"chưa có kết quả năm {year} để xét điều kiện {cond.years} năm liên tục đạt {wanted}"
                f"{_basis(cond.basis)} (bổ sung vào lich_su/)"
            )
        failed = [r for r in rows if not _meets(r, cond.accepted)]
        if failed:
            what = ", ".join(f"{_who(r, unit)}{'xếp loại ' + r.level if r.level else 'chưa xếp loại'}" for r in failed)
            return False, f"năm {year} {what}, chưa đạt {wanted} ({cond.years} năm liên tục{_basis(cond.basis, ', ')})"
        seen.append(f"{year} " + ", ".join(f"{_who(r, unit)}{_reached(r, cond.accepted)}" for r in rows))
    return True, f"{cond.years} năm liên tục đạt {wanted} ({'; '.join(seen)}){_basis(cond.basis)}"


def _who(r: PastResult, unit: Unit) -> str:
    return "" if r.code == unit.code else f"{r.name or r.code} "


def _meets(r: PastResult, accepted: tuple[str, ...]) -> bool:
    return bool(_reached(r, accepted))


def _reached(r: PastResult, accepted: tuple[str, ...]) -> str:
    level, award = header_key(r.level), header_key(r.award)
    for a in accepted:
        key = header_key(a)
        if key and (key == level or key in award):
            return a
    return ""


def _drop(u: UnitResult, why: str) -> UnitResult:
    return evolve(u, award="", note=f"{u.note} {why}".strip())


def _basis(basis: str, sep: str = " ") -> str:
    if not basis:
        return ""
    return f" (theo {basis})" if sep == " " else f"{sep}theo {basis}"
