"""Result.to_frame() and Result.scores_frame(): the same numbers as tong_hop.xlsx, in numeric dtypes."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd

import ttdk_xl
from tests.conftest import D, fill, full_entries, make_book
from tests.test_assessed import edit
from ttdk_xl.core.models import Kind, Status

SUMMARY_FIRST_ROW = 5  # 1-based: three title rows and the header row come first


def make_inbox(book, root):
    """U1 full marks; U2 37.25 of 40 on I.2; U3 a bonus and a penalty; U4 a score above the max; U5 missing."""
    inbox = root / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "u1.xlsx")
    fill(book, 1, inbox / "u2.xlsx", full_entries(book, I_2=(D("37.25"), "thiếu một nội dung")))
    fill(book, 2, inbox / "u3.xlsx", full_entries(book, III_1=D(3), IV_1=D("1.5")))
    fill(book, 3, inbox / "u4.xlsx", full_entries(book, II_2=(D(16), "")))
    return inbox


def summary_sheet(path) -> list[tuple]:
    """(code, total, rank) of each unit row of `Tổng hợp` (None for a blank cell)."""
    ws = openpyxl.load_workbook(path, read_only=True)["Tổng hợp"]
    rows = ws.iter_rows(min_row=SUMMARY_FIRST_ROW, min_col=2, max_col=8, values_only=True)
    return [(r[0], r[5], r[6]) for r in rows if r[0]]


def missing_as_none(values) -> list:
    return [None if pd.isna(v) else v for v in values]


def test_to_frame_matches_the_summary_sheet_and_the_units(tmp_path):
    book = make_book(units=5)
    out = tmp_path / "ket_qua"
    result = ttdk_xl.consolidate(make_inbox(book, tmp_path), book=book, out=out)
    frame = result.to_frame()

    assert list(frame.columns) == [
        *("code", "name", "I", "II", "III", "IV"),
        *("bonus", "penalty", "total", "rank", "acclaim", "level", "award", "status"),
    ]
    rows = list(zip(frame["code"], missing_as_none(frame["total"]), missing_as_none(frame["rank"]), strict=True))
    assert rows == summary_sheet(out / "tong_hop.xlsx")
    assert rows == [(u.unit.code, None if u.total is None else float(u.total), u.rank) for u in result.units]
    assert rows == [
        ("U3", 101.5, 1),  # 100 + bonus 3 − penalty 1.5
        ("U1", 100.0, 2),
        ("U2", 97.25, 3),
        ("U4", 85.0, None),  # 16 of 15 on II.2: refused, not ranked
        ("U5", None, None),
    ]
    u3 = frame.iloc[0]
    assert (u3["I"], u3["II"], u3["III"], u3["IV"], u3["bonus"], u3["penalty"]) == (60, 40, 3, 1.5, 3, 1.5)
    assert list(frame["status"]) == [Status.VALID] * 3 + [Status.INVALID, Status.MISSING]
    assert list(frame["acclaim"][:3]) == ["Nhất", "Nhì", "Ba"] and frame["level"][0] == "Xuất sắc"
    assert frame["award"][0] == "Đề nghị tặng Cờ thi đua của UBND tỉnh"

    for column in ("I", "II", "III", "IV", "bonus", "penalty", "total"):
        assert frame[column].dtype == "float64", column
    assert frame["rank"].dtype == "Int64" and frame["rank"].isna().tolist() == [False] * 3 + [True] * 2
    assert frame["total"].sum() == 383.75  # numbers, not Decimal objects


def test_scores_frame_self_scores_then_agreed_scores(tmp_path):
    book = make_book(units=5)
    out = tmp_path / "ket_qua"
    inbox = make_inbox(book, tmp_path)
    scores = ttdk_xl.consolidate(inbox, book=book, out=out).scores_frame()

    leaves = [c.code for c in book.leaves]
    assert list(scores.columns) == [
        "unit_code", "unit_name", "criterion_code", "self_score", "agreed_score", "used_score", "valid"
    ]  # fmt: skip
    assert len(scores) == 4 * len(leaves)  # the four units that sent a workbook × every criterion they fill in
    assert list(scores["criterion_code"][: len(leaves)]) == leaves
    assert scores[["self_score", "agreed_score", "used_score"]].dtypes.tolist() == ["float64"] * 3
    assert scores["valid"].dtype == bool
    assert scores["agreed_score"].isna().all()  # no agreed scores used
    assert scores["self_score"].equals(scores["used_score"])
    u2 = scores[scores["unit_code"] == "U2"].set_index("criterion_code")
    assert u2.loc[["I.2", "III.1", "IV.2"], "self_score"].tolist() == [37.25, 0, 0]  # a disqualifier not violated is 0
    u4 = scores[scores["unit_code"] == "U4"].set_index("criterion_code")
    assert math.isnan(u4.loc["II.2", "used_score"])  # above the max: refused
    assert scores.groupby("unit_code")["valid"].all().to_dict() == {"U1": True, "U2": True, "U3": True, "U4": False}

    agreed_file = edit(out / "tong_hop.xlsx", tmp_path / "tham_dinh.xlsx", {("U1", "II.1"): (15, "Chưa đạt dự toán")})
    result = ttdk_xl.consolidate(inbox, book=book, assessed=agreed_file)
    agreed = result.scores_frame()
    assert len(agreed) == len(scores)
    u1 = agreed[agreed["unit_code"] == "U1"].set_index("criterion_code")
    assert u1.loc["II.1", ["self_score", "agreed_score", "used_score"]].tolist() == [25, 15, 15]
    scored = [c.code for c in book.leaves if c.kind is Kind.SCORED]
    read = agreed[agreed["criterion_code"].isin(scored) & agreed["valid"]]["agreed_score"]
    assert len(read) == 3 * len(scored) and read.notna().all()  # every agreed score of the valid units
    frame = result.to_frame()
    assert frame.loc[frame["code"] == "U1", ["total", "rank"]].values.tolist() == [[90, 3]]
    assert missing_as_none(frame["rank"]) == [u.rank for u in result.units]
