"""Each bad input gives its exact finding: code, severity, sheet and cell (files built by the tests)."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import D, fill, full_entries
from ttdk_xl.core.layout import META_SHEET, SCORE_SHEET
from ttdk_xl.core.models import Severity
from ttdk_xl.inbox.read import read_file
from ttdk_xl.rules.checks import check_submission, legacy_encoding, match_unit, parse_score, unit_key

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def findings_of(path, book):
    outcome = read_file(path, path.parent)
    found = list(outcome.findings)
    sub = None
    if outcome.raw is not None:
        sub = check_submission(outcome.raw, book)
        found += sub.findings
    return found, sub


def codes(found):
    return {(f.code, f.severity, f.cell) for f in found}


# Row of criterion code in the template: header on row 8, criteria from row 9 in book order; the score in
# column E, the explanation in F.
# I=9, I.1=10, I.2=11, II=12, II.1=13, II.2=14, III=15, III.1=16, III.2=17, IV=18, IV.1=19, IV.2=20
CASES = {
    "score-missing": ({"I.2": (None, "")}, ("score-missing", E, "E11")),
    "comma": ({"I.2": ("37,5", "ok")}, ("score-as-text-comma", W, "E11")),
    "with-unit": ({"II.2": ("8 điểm", "")}, ("score-as-text-unit", W, "E14")),
    "text-number": ({"II.2": (" 9 ", "")}, ("score-as-text", W, "E14")),
    "not-number": ({"I.2": ("đạt", "x")}, ("score-not-number", E, "E11")),
    "negative": ({"IV.1": (D(-2), "chậm")}, ("score-negative", E, "E19")),
    "above-max": ({"I.1": (D(25), "")}, ("score-above-max", E, "E10")),
    "off-step": ({"I.1": (D("19.3"), "thiếu")}, ("score-off-step", E, "E10")),
    "explanation-missing": ({"I.1": (D(18), "")}, ("explanation-missing", E, "F10")),
    "bonus-without-explanation": ({"III.1": (D(5), "")}, ("explanation-missing", E, "F16")),
    "disqualifier-bad": ({"IV.2": ("Hình như có", "")}, ("disqualifier-invalid", E, "E20")),
    "disqualifier-no-expl": ({"IV.2": ("Có", "")}, ("explanation-missing", E, "F20")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cell_level_case(book, tmp_path, name):
    overrides, expected = CASES[name]
    entries = full_entries(book)
    entries.update(overrides)
    path = fill(book, 0, tmp_path / f"{name}.xlsx", entries)
    found, _ = findings_of(path, book)
    assert (expected[0], expected[1], expected[2]) in codes(found), found
    f = next(f for f in found if f.code == expected[0])
    assert f.sheet == SCORE_SHEET and f.file == f"{name}.xlsx" and f.unit_code == "U1"
    assert f.message and f.fix


def test_clean_workbook_has_no_findings(book, tmp_path):
    found, sub = findings_of(fill(book, 1, tmp_path / "ok.xlsx"), book)
    assert found == []
    assert sub.unit_code == "U2" and sub.scores["I.1"] == Decimal(20)


def _edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def test_row_removed_added_reworded_and_max_changed(book, tmp_path):
    path = fill(book, 0, tmp_path / "edited.xlsx")

    def mutate(wb):
        ws = wb[SCORE_SHEET]
        ws["B13"] = "Thu ngân sách (đã sửa)"
        ws["D14"] = 20
        ws["A17"] = "III.9"

    found, _ = findings_of(_edit(path, mutate), book)
    got = codes(found)
    assert ("row-reworded", W, "B13") in got
    assert ("max-changed", E, "D14") in got
    assert ("row-added", E, "A17") in got
    assert any(f.code == "row-removed" and "III.2" in f.message for f in found)


def test_rows_reordered_is_a_warning_and_scores_still_read(book, tmp_path):
    path = fill(book, 0, tmp_path / "swap.xlsx", full_entries(book, I_1=(D(18), "thiếu")))

    def swap(wb):
        ws = wb[SCORE_SHEET]
        for col in "ABCDEF":
            ws[f"{col}10"].value, ws[f"{col}11"].value = ws[f"{col}11"].value, ws[f"{col}10"].value

    found, sub = findings_of(_edit(path, swap), book)
    assert "row-reordered" in {f.code for f in found}
    assert sub.scores["I.1"] == 18 and sub.scores["I.2"] == 40


def test_formula_without_cached_value_is_named(book, tmp_path):
    path = fill(book, 0, tmp_path / "f.xlsx")
    found, _ = findings_of(_edit(path, lambda wb: wb[SCORE_SHEET].__setitem__("E13", "=20+5")), book)
    assert ("formula-no-value", E, "E13") in codes(found)


def test_protection_removed_and_sheet_renamed(book, tmp_path):
    path = fill(book, 0, tmp_path / "p.xlsx")

    def mutate(wb):
        ws = wb[SCORE_SHEET]
        ws.protection.sheet = False
        ws.title = "Bang diem"

    found, sub = findings_of(_edit(path, mutate), book)
    got = {f.code for f in found}
    assert {"protection-removed", "sheet-renamed"} <= got
    assert not sub.blocking


def test_meta_lost_recognised_by_unit_name(book, tmp_path):
    path = fill(book, 2, tmp_path / "copy.xlsx")
    found, sub = findings_of(_edit(path, lambda wb: wb.remove(wb[META_SHEET])), book)
    assert "meta-missing" in {f.code for f in found}
    assert sub.unit_code == "U3"


def test_other_year_cluster_and_fingerprint(book, tmp_path):
    def set_meta(key, value):
        def mutate(wb):
            ws = wb[META_SHEET]
            for row in ws.iter_rows():
                if row[0].value == key:
                    row[1].value = value

        return mutate

    for key, value, code in (("year", "2024", "wrong-year"), ("cluster", "Cụm thi đua số 5", "wrong-cluster"),
                             ("fingerprint", "0000", "wrong-fingerprint")):  # fmt: skip
        path = fill(book, 0, tmp_path / f"{code}.xlsx")
        found, _ = findings_of(_edit(path, set_meta(key, value)), book)
        assert code in {f.code for f in found if f.severity is E}


def test_unknown_unit(book, tmp_path):
    path = fill(book, 0, tmp_path / "u.xlsx")

    def mutate(wb):
        wb.remove(wb[META_SHEET])
        wb[SCORE_SHEET]["B4"] = "UBND xã Không Có"

    found, sub = findings_of(_edit(path, mutate), book)
    assert ("unknown-unit", E, "B4") in codes(found)
    assert sub.unit_code == ""


@pytest.mark.parametrize(
    "name,content,code,severity",
    [
        ("~$lock.xlsx", b"x" * 165, "lock-file", INFO),
        ("ghi chu.docx", b"PK\x03\x04", "not-spreadsheet", INFO),
        ("empty.xlsx", b"", "file-empty", E),
        ("renamed.xlsx", b"%PDF-1.4 not a workbook", "file-corrupt", E),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file-password", E),
        ("broken.xlsx", b"PK\x03\x04garbage", "file-corrupt", E),
        ("old.xls", b"<html>not xls</html>", "file-corrupt", E),
    ],
)
def test_file_level_problems(book, tmp_path, name, content, code, severity):
    path = tmp_path / name
    path.write_bytes(content)
    outcome = read_file(path, tmp_path)
    assert outcome.raw is None
    assert [(f.code, f.severity) for f in outcome.findings] == [(code, severity)]
    assert outcome.findings[0].file == name


def test_zip_bomb_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    outcome = read_file(path, tmp_path)
    assert [f.code for f in outcome.findings] == ["file-too-large"]


def test_parse_score_variants():
    assert parse_score(8.5) == (Decimal("8.5"), "")
    assert parse_score("8,5") == (Decimal("8.5"), "comma")
    assert parse_score("8 điểm") == (Decimal(8), "unit")
    assert parse_score(" 9 ") == (Decimal(9), "text")
    assert parse_score("") == (None, "blank")
    assert parse_score("tám") == (None, "not-number")
    assert parse_score(0.1 + 0.2) == (Decimal("0.3"), "")


def test_a_refused_score_keeps_its_value_for_the_message(book):
    from ttdk_xl.rules.values import round_to_step, validate_score

    assert validate_score(book.criterion("I.1"), "21,5", book.step) == (Decimal("21.5"), "comma", "above-max")
    assert validate_score(book.criterion("I.1"), None, book.step) == (None, "", "missing")
    assert validate_score(book.criterion("III.1"), None, book.step) == (Decimal(0), "", "")  # no bonus claimed
    assert round_to_step(Decimal("19.3"), book.step) == Decimal("19.25")


def test_unit_names_match_after_normalising(book):
    assert unit_key("UBND  Huyện TRIỆU SƠN") == "triệu sơn"
    assert match_unit(book, "huyện Nông Cống").code == "U2"
    assert match_unit(book, "Ủy ban nhân dân huyện Tho Xuan").code == "U3"
    assert match_unit(book, "Huyện Không Có") is None


def test_a_name_typed_in_full_finds_its_unit_when_another_shares_the_place_name(book):
    from dataclasses import replace

    from ttdk_xl.core.models import Unit
    from ttdk_xl.core.units import UnitNames

    pair = (Unit("KAH", "UBND huyện Kỳ Anh"), Unit("KAX", "UBND thị xã Kỳ Anh"))
    two = replace(book, units=book.units + pair)
    assert match_unit(two, "UBND thị xã  KỲ ANH").code == "KAX"
    assert match_unit(two, "ubnd huyện kỳ anh").code == "KAH"
    assert match_unit(two, "Kỳ Anh") is None  # the place name alone could be either
    assert match_unit(two, "huyện Triệu Sơn").code == "U1"  # the others as before
    assert UnitNames(pair).match("thị xã Ky Anh") is None and UnitNames(pair[:1]).match("Ky Anh") == pair[0]


def test_headers_and_labels_match_whatever_the_case_spaces_or_trailing_colon():
    from ttdk_xl.core.text import header_key, text_key

    assert header_key(" ĐƠN  VỊ: ") == header_key("Đơn vị") == "đơn vị"
    assert header_key("Điểm tự chấm*") == "điểm tự chấm" and header_key(8.0) == "8.0" and header_key(None) == ""
    assert text_key("Nguyễn  Văn AN:") == "nguyễn văn an:"  # a name keeps its punctuation


def test_legacy_encodings_detected():
    assert legacy_encoding("TriÖu S¬n ®· hoµn thµnh") == "TCVN3"
    assert legacy_encoding("Trieäu Sôn ñaõ hoaøn thaønh") == "VNI"
    assert legacy_encoding("Triệu Sơn đã hoàn thành") == ""


def test_checking_a_value_once_gives_what_checking_it_each_time_gives(book, tmp_path, monkeypatch):
    """A (criterion, typed value) is judged once and remembered; files must come out exactly as if each
    value were checked afresh, whatever the order, for good and bad values alike."""
    import random

    from ttdk_xl.rules import checks

    rng = random.Random(7)
    values = [D(0), D("0.5"), D(5), D(20), D(40), D(-1), D(41), D("12.3"), None, "8,5"]
    leaves = [c for c in book.leaves if c.kind.value != "điểm liệt"]
    paths = []
    for i in range(12):
        entries = full_entries(book)
        for c in rng.sample(leaves, 4 if i >= 3 else 0):  # the first three as issued, filled in full
            entries[c.code] = (rng.choice(values), rng.choice(["", "Có minh chứng"]))
        paths.append(fill(book, i % len(book.units), tmp_path / f"{i}.xlsx", entries))
    raws = [read_file(p, tmp_path).raw for p in paths]

    def run(order):
        book._derived.pop("score_verdicts", None)
        return {i: check_submission(raws[i], book) for i in order}

    remembered = run(range(12))
    again = run(reversed(range(12)))
    monkeypatch.setattr(checks, "_verdict", lambda *a: checks._SLOW)
    afresh = run(range(12))
    assert remembered == again == afresh
    assert any(s.findings for s in afresh.values()) and any(not s.findings for s in afresh.values())


def test_a_book_pickled_after_checking_judges_a_remembered_value_the_same(book, tmp_path):
    """The judged values are remembered on the book; a copy of the book pickled (to a spawned worker
    process, or by a caller) must still check in full a value remembered as needing it (a score above
    the max), not take the mark for a score."""
    import pickle

    path = fill(book, 0, tmp_path / "above.xlsx", full_entries(book, I_1=(D(25), "")))
    raw = read_file(path, tmp_path).raw
    first = check_submission(raw, book)
    assert ("score-above-max", E, "E10") in codes(first.findings)
    copy = pickle.loads(pickle.dumps(book))
    assert check_submission(raw, copy) == first


def test_what_the_unit_typed_is_kept_only_for_files_that_get_a_return(book, tmp_path):
    clean, warned = tmp_path / "clean.xlsx", tmp_path / "warned.xlsx"
    fill(book, 0, clean, full_entries(book))
    fill(book, 1, warned, full_entries(book, **{"I.2": ("37,5", "ok")}))
    _, sub = findings_of(clean, book)
    assert sub.findings == () and sub.entries == {} and sub.row_codes == {}
    found, sub = findings_of(warned, book)
    assert any(f.severity is W for f in found)
    assert set(sub.entries) == {c.code for c in book.criteria}  # every row, to pre-fill the return
    assert sub.entries["I.2"] == ("37,5", "ok") and sub.row_codes[11] == "I.2"
