"""Pure scoring: checked submissions → totals, ranks, tie-breaks, classification, award proposals (DESIGN §3).

Equal totals go through the book's tie-break order; units still equal share the rank and are
flagged for a vote at the conference. Never random, never by file order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import Book, Kind, Status, Submission, TieBreak, UnitResult
from .text import vn_number

ACCLAIM = {1: "Nhất", 2: "Nhì", 3: "Ba"}
ZERO = Decimal(0)
NOTE_MAX_PEERS = 5  # with more units of equal total, Ghi chú summarises instead of naming each one


@dataclass(frozen=True)
class Totals:
    scored: Decimal
    bonus: Decimal  # after the cap
    bonus_claimed: Decimal
    penalty: Decimal
    total: Decimal
    groups: dict[str, Decimal]
    full_marks: int
    disqualified: tuple[str, ...]  # codes of the disqualifiers that apply


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
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


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


_PENALTY, _BONUS, _FULL_MARKS = object(), object(), object()


def _tiebreak_steps(book: Book) -> tuple[object, ...]:
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


def _competition_ranks(keys: list[tuple]) -> list[int]:
    """1, 2, 2, 4: a unit's rank is 1 + the number of units with a strictly better key."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = [0] * len(keys)
    for pos, i in enumerate(order):  # one pass over the sorted keys: equal keys share the first position
        ranks[i] = pos + 1 if pos == 0 or keys[i] != keys[order[pos - 1]] else ranks[order[pos - 1]]
    return ranks


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
    for code, sub in submissions.items():
        extra = extra_penalty.get(code, ZERO)
        known = sub.totals
        if known is not None and not extra and known[0] is sub.scores and known[1] is sub.disqualified:
            totals[code] = known[2]  # computed while reading, from these very scores
        else:
            totals[code] = compute_totals(book, sub.scores, sub.disqualified, extra)

    rankable = [
        u
        for u in book.units
        if u.code in totals
        and (statuses[u.code] is Status.VALID or (rank_invalid and statuses[u.code] is Status.INVALID))
    ]
    keys = [_tiebreak_key(book, totals[u.code]) for u in rankable]
    ranks = dict(zip((u.code for u in rankable), _competition_ranks(keys), strict=True))
    key_of = dict(zip((u.code for u in rankable), keys, strict=True))
    key_count = Counter(keys)
    tied = {u.code for u in rankable if key_count[key_of[u.code]] > 1}
    same_total: dict[Decimal, list] = {}  # units with equal totals, in book order
    same_key: dict[tuple, list] = {}
    for u in rankable:
        same_total.setdefault(totals[u.code].total, []).append(u)
        same_key.setdefault(key_of[u.code], []).append(u)

    # Explain tie-breaks between equal totals in Ghi chú: pair by pair for a few units (a cluster);
    # for many (a province's thousands of units), one sentence each, so notes stay short.
    sorted_keys = {total: sorted(key_of[u.code] for u in group) for total, group in same_total.items()}
    for u in rankable:
        t = totals[u.code]
        peers = same_total[t.total]
        if len(peers) - 1 > NOTE_MAX_PEERS:
            keys_here, mine = sorted_keys[t.total], key_of[u.code]
            below = bisect_left(keys_here, mine)  # units placed above this one
            above = len(keys_here) - bisect_right(keys_here, mine)
            notes.setdefault(u.code, []).append(
                f"Bằng tổng điểm với {len(peers) - 1} đơn vị khác; theo thứ tự phân định hạng, "
                f"xếp trên {above} và xếp dưới {below} đơn vị trong số đó."
            )
            continue
        for other in peers:
            if other.code == u.code:
                continue
            a, b = key_of[u.code], key_of[other.code]
            if a == b:
                continue
            i = next(i for i in range(1, len(a)) if a[i] != b[i])
            step = book.tiebreak[i - 1]
            better = a < b
            ot = totals[other.code]
            notes.setdefault(u.code, []).append(
                f"Bằng tổng điểm với {other.name}; xếp {'trên' if better else 'dưới'} vì "
                f"{_describe_step(step, better)}"
                f" ({_step_value(book, t, step)} so với {_step_value(book, ot, step)})."
            )
    for code in sorted(tied):
        mates = [u.name for u in same_key[key_of[code]] if u.code != code]
        if len(mates) > NOTE_MAX_PEERS:
            mates = [f"{len(mates)} đơn vị khác ({', '.join(mates[:NOTE_MAX_PEERS])}, …)"]
        notes.setdefault(code, []).append(
            f"Đồng hạng với {', '.join(mates)} sau mọi tiêu chí phân định — cần Hội nghị bỏ phiếu."
        )

    # Acclaim (Nhất, Nhì, Ba) among ranked units without a disqualifier.
    eligible = [u for u in rankable if not totals[u.code].disqualified]
    eranks = dict(zip((u.code for u in eligible), _competition_ranks([key_of[u.code] for u in eligible]), strict=True))
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
    order = {Status.VALID: 0, Status.INVALID: 1, Status.MISSING: 2}
    book_pos = {u.code: i for i, u in enumerate(book.units)}

    def sort_key(r: UnitResult):
        if r.rank is not None:
            return (0, r.rank, key_of[r.unit.code], book_pos[r.unit.code])
        return (1 + order[r.status], 0, (), book_pos[r.unit.code])

    return tuple(sorted(results, key=sort_key))


def _join(parts: Iterable[str] | None) -> str:
    return " ".join(parts) if parts else ""
