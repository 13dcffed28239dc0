"""Pure: this year's results beside the earlier years → per unit, its years and the change from last year.

Exact (Decimal) so that every output shows the same change; `history.frame` gives the same as DataFrames.
A merged unit's earlier years are its parts' (one row per former unit): no change is computed across the
merger, and the note says why. A renamed unit (one former code) compares straight through.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ttdk_xl.core.models import ROLE_DEPUTY, ROLE_HEAD, Book, History, PastResult, Result, Unit, UnitResult
from ttdk_xl.core.text import plain, vn_number
from ttdk_xl.core.units import find_unit

UP, DOWN, SAME = "▲", "▼", "="


@dataclass(frozen=True)
class Trend:
    """One of today's units across the years (its rows by year; this year's included when it has a total)."""

    unit: Unit
    years: dict[int, tuple[PastResult, ...]]
    change_total: Decimal | None = None  # this year's total − last year's
    change_rank: int | None = None  # last year's rank − this year's: positive = moved up
    note: str = ""  # why there is no change, or under which code last year's result was

    @property
    def arrow(self) -> str:
        if self.change_rank is None:
            return ""
        return UP if self.change_rank > 0 else DOWN if self.change_rank < 0 else SAME

    def rank_text(self) -> str:
        """'▲ 2', '▼ 1', '=' or ''."""
        if self.change_rank is None:
            return ""
        return self.arrow if self.change_rank == 0 else f"{self.arrow} {abs(self.change_rank)}"

    def total_text(self) -> str:
        """'+2,5', '−1,25', '0' or ''."""
        if self.change_total is None:
            return ""
        sign = "+" if self.change_total > 0 else "−" if self.change_total < 0 else ""
        return sign + vn_number(abs(self.change_total))


def role_of(book: Book, unit: Unit) -> str:
    head, deputy = find_unit(book, book.head_unit), find_unit(book, book.deputy_unit)
    return ROLE_HEAD if head == unit else ROLE_DEPUTY if deputy == unit else ""


def current_row(book: Book, u: UnitResult) -> PastResult:
    """This year's result as a history row (what the next-year step will archive)."""
    return PastResult(
        book.year, u.unit.code, u.unit.name, u.unit.code, u.total, u.rank, u.level, u.award, role_of(book, u.unit),
        "ket_qua/ket_qua.json", dict(u.group_scores),
    )  # fmt: skip


def trends(result: Result, history: History | None = None) -> list[Trend]:
    """Each unit of the result (rank order) across the years of `history` (default: the result's) and this one."""
    history = history if history is not None else result.history
    book = result.book
    past: dict[str, dict[int, list[PastResult]]] = {}
    for r in history.rows if history else ():
        past.setdefault(r.unit_code, {}).setdefault(r.year, []).append(r)
    out = []
    for u in result.units:
        years = {y: tuple(rows) for y, rows in sorted(past.get(u.unit.code, {}).items())}
        if u.total is not None:
            years[book.year] = (current_row(book, u),)
        out.append(_trend(book, u, years))
    return out


def _trend(book: Book, u: UnitResult, years: dict[int, tuple[PastResult, ...]]) -> Trend:
    last = years.get(book.year - 1)
    if not last or u.total is None:
        note = "" if u.total is None else f"Chưa có kết quả năm {book.year - 1}."
        return Trend(u.unit, years, note=note)
    if len(last) > 1:
        parts = "; ".join(f"{p.name or p.code} ({p.code}): {vn_number(p.total) or '—'} điểm" for p in last)
        return Trend(u.unit, years, note=f"Hợp nhất từ {len(last)} đơn vị; năm {book.year - 1}: {parts}.")
    prev = last[0]
    note = f"Năm {book.year - 1} mang mã {prev.code}." if prev.code != u.unit.code else ""
    change_total = u.total - prev.total if prev.total is not None else None
    change_rank = prev.rank - u.rank if prev.rank is not None and u.rank is not None else None
    return Trend(u.unit, years, change_total, change_rank, note)


def history_fields(result: Result) -> dict[str, Any]:
    """The `history` key of ket_qua.json (nothing when there is no history and the book has no screens)::

    "history": {
      "years": [2024, 2025],                       // the earlier years read from lich_su/
      "roles": {"head": "TS", "deputy": "NC"},    // this year's head and deputy (read back when archived)
      "units": [{"code": "TS", "change_total": "2.5", "change_rank": 1, "note": "…", "eligibility": "…",
                 "years": [{"year": 2024, "code": "TS", "name": "…", "total": "85", "rank": 2,
                            "level": "Tốt", "award": "…", "role": "Trưởng cụm", "source": "…"}]}],
      "findings": [ … same keys as the top-level findings … ]
    }
    """
    history = result.history
    if history is None:
        return {}
    book = result.book
    head, deputy = find_unit(book, book.head_unit), find_unit(book, book.deputy_unit)

    def row(p: PastResult) -> dict[str, Any]:
        return {
            "year": p.year, "code": p.code, "name": p.name, "total": _dec(p.total), "rank": p.rank,
            "level": p.level, "award": p.award, "role": p.role, "source": p.source,
        }  # fmt: skip

    return {
        "history": {
            "years": list(history.years),
            "roles": {"head": head.code if head else "", "deputy": deputy.code if deputy else ""},
            "units": [
                {
                    "code": t.unit.code,
                    "change_total": _dec(t.change_total),
                    "change_rank": t.change_rank,
                    "note": t.note,
                    "eligibility": history.eligibility.get(t.unit.code, ""),
                    "years": [row(p) for y, rows in t.years.items() if y < book.year for p in rows],
                }
                for t in trends(result)
            ],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "file": f.file,
                    "sheet": f.sheet,
                    "cell": f.cell,
                    "unit_code": f.unit_code,
                    "message": f.message,
                    "fix": f.fix,
                }
                for f in history.findings
            ],
        }
    }


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)
