"""Scoring, ranking, tie-breaks, classification and awards — pure functions, with property tests."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import D, make_book
from ttdk_xl.core.models import Status, Submission, TieBreak
from ttdk_xl.rules.score import classify, compute_totals, rank_units

BOOK = make_book(units=6)


def sub(code: str, **scores) -> Submission:
    s = {"I.1": D(20), "I.2": D(40), "II.1": D(25), "II.2": D(15)}
    disq = {}
    for k, v in scores.items():
        k = k.replace("_", ".")
        if k == "IV.2":
            disq[k] = bool(v)
        else:
            s[k] = D(v)
    return Submission(file=f"{code}.xlsx", unit_code=code, unit_name=code, scores=s, disqualified=disq, explanations={})


def rank(subs, book=BOOK, statuses=None, **kw):
    by = {s.unit_code: s for s in subs}
    statuses = statuses or {u.code: (Status.VALID if u.code in by else Status.MISSING) for u in book.units}
    return {r.unit.code: r for r in rank_units(book, by, statuses, **kw)}, rank_units(book, by, statuses, **kw)


def test_total_caps_bonus_and_subtracts_penalty():
    t = compute_totals(BOOK, sub("U1", III_1=5, III_2=3, IV_1=2).scores, {})
    assert (t.scored, t.bonus, t.bonus_claimed, t.penalty, t.total) == (100, 5, 8, 2, 103)
    assert t.groups == {"I": 60, "II": 40, "III": 8, "IV": 2}


def test_decimal_arithmetic_has_no_float_noise():
    t = compute_totals(BOOK, {"I.1": D("0.1"), "I.2": D("0.2")}, {})
    assert t.total == Decimal("0.3") and str(t.total) == "0.3"


def test_classification_thresholds_inclusive():
    assert classify(BOOK, D(90)) == "Xuất sắc"
    assert classify(BOOK, D("89.75")) == "Tốt"
    assert classify(BOOK, D(50)) == "Trung bình"
    assert classify(BOOK, D(-3)) == "Yếu"


def test_tie_broken_by_group_ii_and_explained():
    by, _ = rank([sub("U1", I_1=19, II_1=25), sub("U2", I_1=20, II_1=24)])
    assert by["U1"].total == by["U2"].total == 99
    assert (by["U1"].rank, by["U2"].rank) == (1, 2)
    assert not by["U1"].tied and "nhóm II cao hơn" in by["U1"].note
    assert "nhóm II thấp hơn" in by["U2"].note


def test_tie_broken_by_penalty_then_bonus_then_full_marks():
    # Same total 100 and same group II: U1 has a penalty (and a bonus to compensate).
    by, _ = rank([sub("U1", III_1=2, IV_1=2), sub("U2")])
    assert by["U2"].rank == 1 and by["U1"].rank == 2 and "điểm trừ" in by["U1"].note


def test_a_book_pickled_after_ranking_breaks_ties_the_same():
    """The tie-break steps are derived once and kept on the book; a copy of the book pickled (to a spawned
    worker process, or by a caller) must still tell the penalty, bonus and full-marks steps apart."""
    import pickle

    subs = [sub("U1", III_1=2, IV_1=2), sub("U2")]
    by, _ = rank(subs)
    copy = pickle.loads(pickle.dumps(BOOK))
    again, _ = rank(subs, book=copy)
    assert (again["U2"].rank, again["U1"].rank) == (by["U2"].rank, by["U1"].rank) == (1, 2)
    assert again["U1"].note == by["U1"].note and not again["U1"].tied


def test_equal_after_every_tiebreak_share_rank_and_need_a_vote():
    by, ordered = rank([sub("U1", I_1=19), sub("U2", I_1=19), sub("U3", I_1=18)])
    assert [r.rank for r in ordered[:3]] == [1, 1, 3]
    assert by["U1"].tied and by["U2"].tied and not by["U3"].tied
    assert "cần Hội nghị bỏ phiếu" in by["U1"].note
    assert by["U1"].acclaim == by["U2"].acclaim == "Nhất"
    assert by["U3"].acclaim == "Ba"


def test_disqualified_keeps_total_and_level_but_no_acclaim_or_award():
    by, _ = rank([sub("U1", IV_2=1), sub("U2", I_1=19), sub("U3", I_1=18)])
    assert by["U1"].rank == 1 and by["U1"].total == 100 and by["U1"].level == "Xuất sắc"
    assert by["U1"].acclaim == "" and by["U1"].award == "" and by["U1"].disqualified
    assert "điểm liệt" in by["U1"].note
    assert by["U2"].acclaim == "Nhất" and by["U2"].award == "Đề nghị tặng Cờ thi đua của UBND tỉnh"
    assert by["U3"].acclaim == "Nhì"


def test_award_needs_minimum_level():
    by, _ = rank([sub("U1", I_2=20)])  # total 80 → Tốt, below Xuất sắc needed for the flag
    assert by["U1"].acclaim == "Nhất" and by["U1"].award == ""
    assert "cần tối thiểu Xuất sắc" in by["U1"].note


def test_invalid_units_not_ranked_unless_asked():
    subs = [sub("U1"), sub("U2", I_1=10)]
    statuses = {"U1": Status.VALID, "U2": Status.INVALID, "U3": Status.MISSING, "U4": Status.MISSING,
                "U5": Status.MISSING, "U6": Status.MISSING}  # fmt: skip
    by, ordered = rank(subs, statuses=statuses)
    assert by["U2"].rank is None and "chưa xếp hạng" in by["U2"].note
    assert by["U2"].level == "" and by["U2"].total == 90  # partial total shown, no level from it
    assert [r.status for r in ordered] == [Status.VALID, Status.INVALID] + [Status.MISSING] * 4
    by, _ = rank(subs, statuses=statuses, rank_invalid=True)
    assert by["U2"].rank == 2 and "theo yêu cầu" in by["U2"].note


def test_book_tiebreak_order_is_followed():
    book = make_book(units=6, tiebreak=(TieBreak.MORE_BONUS.value, "II"))
    by, _ = rank([sub("U1", II_1=23, III_1=1), sub("U2", I_1=19, II_1=25)], book=book)
    assert by["U1"].total == by["U2"].total
    assert by["U1"].rank == 1  # more bonus wins before group II


units = st.lists(
    st.tuples(st.integers(0, 80), st.integers(0, 60), st.integers(0, 12), st.integers(0, 16)), min_size=1, max_size=6
)


@settings(max_examples=80, deadline=None)
@given(units, st.randoms(use_true_random=False))
def test_ranks_agree_with_totals_and_order_never_matters(values, rnd):
    subs = [
        sub(f"U{i + 1}", I_2=D(a) / 2, II_1=D(b) / 4, III_1=D(min(c, 20)) / 4, IV_1=D(d) / 4)
        for i, (a, b, c, d) in enumerate(values)
    ]
    _, ordered = rank(subs)
    shuffled = list(subs)
    rnd.shuffle(shuffled)
    _, again = rank(shuffled)
    assert [(r.unit.code, r.rank, r.total, r.note) for r in ordered] == [
        (r.unit.code, r.rank, r.total, r.note) for r in again
    ]
    ranked = [r for r in ordered if r.rank is not None]
    for a in ranked:
        for b in ranked:
            if a.total > b.total:
                assert a.rank < b.rank
            if a.rank == b.rank:
                # Sharing a rank only when every tie-break measure is equal.
                def key(r):
                    return (r.total, r.group_scores["II"], r.penalty, r.bonus, r.full_marks)

                assert key(a) == key(b)
                assert a.tied == b.tied == (a.unit != b.unit) or a.unit == b.unit


def test_totals_from_reading_count_only_for_the_very_scores_they_came_from():
    """Reading workers compute each unit's totals; ranking uses them (also after pickling, as they come
    back from a worker process) but never for a copy with other scores, e.g. agreed ones."""
    import pickle
    from dataclasses import replace

    plain = sub("U1", III_1=5)
    real = compute_totals(BOOK, plain.scores, plain.disqualified)
    marked = replace(real, total=D(999))  # tells whether the stored totals were used
    stored = replace(plain, totals=(plain.scores, plain.disqualified, marked))
    assert rank([stored])[0]["U1"].total == 999
    assert rank([pickle.loads(pickle.dumps(stored))])[0]["U1"].total == 999
    agreed = replace(stored, scores={**plain.scores, "I.1": D(10)})
    assert rank([agreed])[0]["U1"].total == compute_totals(BOOK, agreed.scores, {}).total == real.total - 10
    assert rank([stored], extra_penalty={"U1": D(1)})[0]["U1"].total == real.total - 1
    assert stored == plain  # the stored totals are not part of what a submission is


def test_one_sort_gives_the_ranks_and_runs_of_a_brute_force_count():
    import random

    from ttdk_xl.rules.score import _sorted_keys

    rng = random.Random(7)
    for n in (0, 1, 2, 9, 200):
        keys = [(D(-rng.choice([90, 95, 100])), D(rng.choice([0, 1, 2]))) for _ in range(n)]
        got = _sorted_keys(keys)
        assert sorted(got.order) == list(range(n))
        for i, k in enumerate(keys):
            assert got.rank[i] == 1 + sum(other < k for other in keys)
            assert got.run_end[i] == sum(other <= k for other in keys)
            assert got.total_start[i] == sum(other[0] < k[0] for other in keys)
            assert got.total_end[i] == sum(other[0] <= k[0] for other in keys)
        assert [keys[i] for i in got.order] == sorted(keys)
