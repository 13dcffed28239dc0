"""Pure scoring: checked submissions → totals, ranks, tie-breaks, classification, award proposals (DESIGN §3).

Equal totals go through the book's tie-break order; units still equal share the rank and are
flagged for a vote at the conference. Never random, never by file order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Final, NamedTuple

from ttdk_xl.core.models import Book, Kind, Status, Submission, TieBreak, Totals, Unit, UnitResult
from ttdk_xl.core.text import vn_number

ACCLAIM = {1: "Nhất", 2: "Nhì", 3: "Ba"}
ZERO = Decimal(0)
NOTE_MAX_PEERS = 5  # with more units of equal total, Ghi chú summarises instead of naming each one


def compute_totals(
    book: Book, scores: dict[str, Decimal], disqualified: dict[str, bool], extra_penalty: Decimal = ZERO
) -> Totals:
    """Totals of one unit from its leaf scores (penalties positive), minus an extra penalty if given."""
    plan = totals_plan(book)
    get = scores.get
    scored = sum([get(c, ZERO) for c in plan.scored], ZERO)
    claimed = sum([get(c, ZERO) for c in plan.bonus], ZERO)
    penalty = sum([get(c, ZERO) for c in plan.penalty], ZERO) + extra_penalty
    full = sum(1 for c, top in plan.scored_max if get(c) == top)
    groups = {g: clean(sum([get(k, ZERO) for k in leaves], ZERO)) for g, leaves in plan.groups}
    bonus = min(claimed, book.bonus_cap)
    total = scored + bonus - penalty
    dq = tuple(code for code, yes in disqualified.items() if yes)
    return Totals(clean(scored), clean(bonus), clean(claimed), clean(penalty), clean(total), groups, full, dq)


@dataclass(frozen=True)
class _TotalsPlan:
    """The book's leaf codes by kind and its groups' leaves, computed once per book."""

    scored: tuple[str, ...]
    scored_max: tuple[tuple[str, Decimal], ...]
    bonus: tuple[str, ...]
    penalty: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]


def totals_plan(book: Book) -> _TotalsPlan:
    """The book's leaf codes by kind and its groups' leaves (computed once per book)."""
    return book.derived("totals_plan", _totals_plan)


def _totals_plan(book: Book) -> _TotalsPlan:
    leaves = book.leaves
    return _TotalsPlan(
        tuple(c.code for c in leaves if c.kind is Kind.SCORED),
        tuple((c.code, c.max_points) for c in leaves if c.kind is Kind.SCORED),
        tuple(c.code for c in leaves if c.kind is Kind.BONUS),
        tuple(c.code for c in leaves if c.kind is Kind.PENALTY),
        tuple((c.code, book.leaf_codes_under(c.code)) for c in book.criteria if c.is_group),
    )


def clean(d: Decimal) -> Decimal:
    """Drop trailing zeros without exponent notation: 95.00 → 95, 87.50 → 87.5, 100 stays 100."""
    if d != d.to_integral_value():
        return d.normalize()
    try:
        return d.quantize(_ONE)
    except InvalidOperation:  # more digits than Decimal keeps (1e308): only a damaged file holds such a number
        return d


_ONE = Decimal(1)


def classify(book: Book, total: Decimal) -> str:
    """The first level (highest threshold first) whose threshold the total reaches; else the lowest."""
    for level in book.levels:
        if total >= level.min_total:
            return level.name
    return book.levels[-1].name if book.levels else ""


def _tiebreak_key(book: Book, t: Totals) -> tuple[Decimal, ...]:
    """Sort key (ascending = better): total first, then the book's tie-break measures."""
    key = [-t.total]
    for step in book.derived("tiebreak_steps", _tiebreak_steps):
        if step is _PENALTY:
            key.append(t.penalty)
        elif step is _BONUS:
            key.append(-t.bonus)
        elif step is _FULL_MARKS:
            key.append(Decimal(-t.full_marks))
        else:
            key.append(-t.groups.get(step, ZERO))
    return tuple(key)


class _Measure(Enum):
    """A tie-break measure other than a group's score. Enum members rather than bare `object()`s: they stay
    themselves when a book with its derived values is pickled (to a spawned worker process)."""

    PENALTY = 1
    BONUS = 2
    FULL_MARKS = 3


_PENALTY: Final = _Measure.PENALTY
_BONUS: Final = _Measure.BONUS
_FULL_MARKS: Final = _Measure.FULL_MARKS


def _tiebreak_steps(book: Book) -> tuple[_Measure | str, ...]:
    """The book's tie-break steps, each a marker or a group code (enum values looked up once per book)."""
    marker = {
        TieBreak.LESS_PENALTY.value: _PENALTY,
        TieBreak.MORE_BONUS.value: _BONUS,
        TieBreak.MORE_FULL_MARKS.value: _FULL_MARKS,
    }
    return tuple(marker.get(step, step) for step in book.tiebreak)


def _describe_step(step: str, better: bool) -> str:
    """Why one unit is placed above (better) or below another with the same total."""
    words = {
        TieBreak.LESS_PENALTY.value: ("điểm trừ ít hơn", "điểm trừ nhiều hơn"),
        TieBreak.MORE_BONUS.value: ("điểm thưởng cao hơn", "điểm thưởng thấp hơn"),
        TieBreak.MORE_FULL_MARKS.value: ("nhiều tiêu chí đạt điểm tối đa hơn", "ít tiêu chí đạt điểm tối đa hơn"),
    }.get(step, (f"điểm nhóm {step} cao hơn", f"điểm nhóm {step} thấp hơn"))
    return words[0 if better else 1]


def _step_value(book: Book, t: Totals, step: str) -> str:
    if step == TieBreak.LESS_PENALTY.value:
        return vn_number(t.penalty)
    if step == TieBreak.MORE_BONUS.value:
        return vn_number(t.bonus)
    if step == TieBreak.MORE_FULL_MARKS.value:
        return str(t.full_marks)
    return vn_number(t.groups.get(step, ZERO))


class _Order(NamedTuple):
    """Rankable units (by index) sorted once by key, and what ranking needs from that one sort."""

    order: list[int]  # indices, best key first; equal keys in book order
    rank: list[int]  # by index: 1 + the number of units with a strictly better key (1, 2, 2, 4)
    run_end: list[int]  # by index: the position after the last unit with the same key
    total_start: list[int]  # by index: the position of the first unit with the same total
    total_end: list[int]  # by index: the position after the last unit with the same total


def _sorted_keys(keys: list[tuple]) -> _Order:
    """One sort of the tie-break keys (total first) and one pass over it: competition ranks, and where each
    unit's equal keys and equal totals begin and end (equal totals are adjacent, the total being first)."""
    n = len(keys)
    order = sorted(range(n), key=keys.__getitem__)
    rank, run_end, total_start, total_end = [0] * n, [0] * n, [0] * n, [0] * n
    run_from = total_from = 0
    for pos in range(n + 1):
        new_run = pos == n or (pos > 0 and keys[order[pos]] != keys[order[pos - 1]])
        if new_run:
            for i in order[run_from:pos]:
                rank[i], run_end[i] = run_from + 1, pos
            new_total = pos == n or keys[order[pos]][0] != keys[order[pos - 1]][0]
            if new_total:
                for i in order[total_from:pos]:
                    total_start[i], total_end[i] = total_from, pos
                total_from = pos
            run_from = pos
    return _Order(order, rank, run_end, total_start, total_end)


def rank_units(
    book: Book,
    submissions: dict[str, Submission],
    statuses: dict[str, Status],
    notes: dict[str, list[str]] | None = None,
    rank_invalid: bool = False,
    extra_penalty: dict[str, Decimal] | None = None,
) -> tuple[UnitResult, ...]:
    """One UnitResult per unit of the book: ranked units by rank, then unranked, then missing.

    `extra_penalty` (unit code → points) is deducted on top of the penalty rows (e.g. for a self-score
    total too far off the agreed one).
    """
    notes = {k: list(v) for k, v in (notes or {}).items()}
    extra_penalty = extra_penalty or {}
    totals: dict[str, Totals] = {}
    for code, given in submissions.items():
        extra = extra_penalty.get(code, ZERO)
        known = given.totals
        if known is not None and not extra and known[0] is given.scores and known[1] is given.disqualified:
            totals[code] = known[2]  # computed while reading, from these very scores
        else:
            totals[code] = compute_totals(book, given.scores, given.disqualified, extra)

    rankable = [
        u
        for u in book.units
        if u.code in totals
        and (statuses[u.code] is Status.VALID or (rank_invalid and statuses[u.code] is Status.INVALID))
    ]
    keys = [_tiebreak_key(book, totals[u.code]) for u in rankable]
    ordered = _sorted_keys(keys)
    ranks = {u.code: ordered.rank[i] for i, u in enumerate(rankable)}
    key_of = dict(zip((u.code for u in rankable), keys, strict=True))
    same_total: dict[Decimal, list] = {}  # units with equal totals, in book order
    for u in rankable:
        same_total.setdefault(totals[u.code].total, []).append(u)

    # Explain tie-breaks between equal totals in Ghi chú: pair by pair for a few units (a cluster);
    # for many (a province's thousands of units), one sentence each, so notes stay short.
    tied: set[str] = set()
    for i, u in enumerate(rankable):
        t = totals[u.code]
        start, end = ordered.total_start[i], ordered.total_end[i]
        if ordered.run_end[i] - ordered.rank[i] > 0:  # another unit has this very key
            tied.add(u.code)
        if end - start - 1 > NOTE_MAX_PEERS:
            below = ordered.rank[i] - 1 - start  # units placed above this one
            above = end - ordered.run_end[i]
            notes.setdefault(u.code, []).append(
                f"Bằng tổng điểm với {end - start - 1} đơn vị khác; theo thứ tự phân định hạng, "
                f"xếp trên {above} và xếp dưới {below} đơn vị trong số đó."
            )
            continue
        for other in same_total[t.total]:
            if other.code == u.code:
                continue
            a, b = key_of[u.code], key_of[other.code]
            if a == b:
                continue
            k = next(k for k in range(1, len(a)) if a[k] != b[k])
            step = book.tiebreak[k - 1]
            better = a < b
            ot = totals[other.code]
            notes.setdefault(u.code, []).append(
                f"Bằng tổng điểm với {other.name}; xếp {'trên' if better else 'dưới'} vì "
                f"{_describe_step(step, better)}"
                f" ({_step_value(book, t, step)} so với {_step_value(book, ot, step)})."
            )
    runs: dict[int, list[Unit]] = {}  # tied units by the position of their run, in book order
    for i, u in enumerate(rankable):
        if u.code in tied:
            runs.setdefault(ordered.rank[i], []).append(u)
    for code in sorted(tied):
        mates = [u.name for u in runs[ranks[code]] if u.code != code]
        if len(mates) > NOTE_MAX_PEERS:
            mates = [f"{len(mates)} đơn vị khác ({', '.join(mates[:NOTE_MAX_PEERS])}, …)"]
        notes.setdefault(code, []).append(
            f"Đồng hạng với {', '.join(mates)} sau mọi tiêu chí phân định — cần Hội nghị bỏ phiếu."
        )

    # Acclaim (Nhất, Nhì, Ba) among ranked units without a disqualifier.
    eranks: dict[str, int] = {}  # 1 + the number of eligible units with a strictly better key
    seen = 0
    for pos, i in enumerate(ordered.order):
        if pos == 0 or keys[i] != keys[ordered.order[pos - 1]]:
            base = seen
        u = rankable[i]
        if not totals[u.code].disqualified:
            eranks[u.code] = base + 1
            seen += 1
    level_index = {lv.name: i for i, lv in enumerate(book.levels)}

    results: list[UnitResult] = []
    for u in book.units:
        status = statuses.get(u.code, Status.MISSING)
        sub = submissions.get(u.code)
        if sub is None or u.code not in totals:
            results.append(UnitResult(unit=u, status=status, note=_join(notes.get(u.code))))
            continue
        t = totals[u.code]
        level = classify(book, t.total)
        acclaim = award = ""
        if t.disqualified:
            notes.setdefault(u.code, []).append(
                f"Có điểm liệt ({', '.join(t.disqualified)}): không đủ điều kiện suy tôn, đề nghị khen thưởng."
            )
        if u.code in eranks and eranks[u.code] in ACCLAIM:
            acclaim = ACCLAIM[eranks[u.code]]
            rule = next((a for a in book.awards if a.rank == eranks[u.code]), None)
            if rule is not None:
                if rule.min_level and level_index.get(level, 99) > level_index.get(rule.min_level, 99):
                    notes.setdefault(u.code, []).append(
                        f"Chưa đủ điều kiện đề nghị {rule.award} (xếp loại {level}, cần tối thiểu {rule.min_level})."
                    )
                else:
                    award = f"Đề nghị tặng {rule.award}"
        if status is Status.INVALID:
            notes.setdefault(u.code, []).insert(
                0,
                "Có lỗi cần sửa; "
                + (
                    "vẫn xếp hạng theo yêu cầu."
                    if rank_invalid
                    else "chưa xếp hạng, xếp loại cho đến khi sửa (tổng điểm tạm tính, chưa kể các ô có lỗi)."
                ),
            )
            if not rank_invalid:
                level = ""  # a level from a partial total would mislead
        results.append(
            UnitResult(
                unit=u,
                status=status,
                scored=t.scored,
                bonus=t.bonus,
                penalty=t.penalty,
                total=t.total,
                rank=ranks.get(u.code),
                acclaim=acclaim,
                level=level,
                award=award,
                disqualified=bool(t.disqualified),
                tied=u.code in tied,
                note=_join(notes.get(u.code)),
                file=sub.file,
                scores=sub.scores | {k: Decimal(1) for k, yes in sub.disqualified.items() if yes},  # a new dict
                group_scores=t.groups,
                explanations=dict(sub.explanations),
                full_marks=t.full_marks,
            )
        )
    # Ranked units in key order (equal keys in book order), then unranked, then missing (book order).
    by_code = {r.unit.code: r for r in results}
    ranked = [by_code[rankable[i].code] for i in ordered.order]
    order = {Status.VALID: 0, Status.INVALID: 1, Status.MISSING: 2}
    others = sorted((r for r in results if r.rank is None), key=lambda r: order[r.status])
    return (*ranked, *others)


def _join(parts: Iterable[str] | None) -> str:
    return " ".join(parts) if parts else ""
