"""The conference's vote, as the documents after it tell it: pure, a consolidation Result and a count → strings.

`vote_context(result, count)` is what the final report, the Tờ trình, the meeting minutes and the list annex
add to the report's context (outputs.report.build_context(result, count)). The award of a unit acclaimed in
place i is the book's `Khen thưởng` row of rank i, when the unit's level reaches the row's minimum and the book's
award screens let it (history.eligibility.screen_proposals).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ttdk_xl.core.models import Book, Result, UnitResult
from ttdk_xl.core.text import day_words, nfc, parse_day, vn_number
from ttdk_xl.outputs.ballots import PLACES, CountResult, VoteCount, quorum_text

_PLACE_LABEL = {"Nhất": "dẫn đầu (Nhất)", "Nhì": "xếp thứ Nhì", "Ba": "xếp thứ Ba"}
NOT_ELECTED = "[chưa bầu được: Hội nghị bầu lại]"


@dataclass(frozen=True)
class Proposal:
    """A unit the conference acclaimed, and the award the cluster proposes for it ('' when none)."""

    place: str  # "Nhất", "Nhì", "Ba"
    unit: UnitResult
    votes: int
    valid: int
    percent: Decimal
    award: str  # "Cờ thi đua của UBND tỉnh", '' when the book has none for the place or the level is too low
    note: str = ""  # why no award


def _vote(count: CountResult, key: str) -> VoteCount | None:
    return next((c for c in count.counts if c.vote.key == key), None)


def _level_ok(book: Book, level: str, minimum: str | None) -> bool:
    if not minimum:
        return True
    order = {lv.name: i for i, lv in enumerate(book.levels)}  # highest first
    return order.get(level, 99) <= order.get(minimum, 99)


def proposals(result: Result, count: CountResult) -> list[Proposal]:
    """The acclaimed units in place order, each with its award proposal."""
    c = _vote(count, "suy_ton")
    if c is None:
        return []
    by_code = {u.unit.code: u for u in result.units}
    votes = {line.unit.code: line for line in c.lines}
    out = []
    for i, unit in enumerate(c.chosen):
        u = by_code.get(unit.code)
        if u is None:
            continue
        place = PLACES[i]
        rule = next((a for a in result.book.awards if a.rank == i + 1), None)
        award, note = "", ""
        if u.disqualified:
            note = "đơn vị vi phạm tiêu chí điểm liệt, không đủ điều kiện đề nghị khen thưởng"
        elif u.rank is None:
            note = "đơn vị chưa được xếp hạng theo kết quả chấm điểm hiện tại (còn lỗi hoặc chưa nộp)"
        elif rule is None:
            note = f"bộ tiêu chí không có hình thức khen thưởng cho vị trí thứ {place}"
        elif not _level_ok(result.book, u.level, rule.min_level):
            note = f"chưa đủ điều kiện đề nghị {nfc(rule.award)} (xếp loại {u.level}, cần tối thiểu {rule.min_level})"
        else:
            award = nfc(rule.award)
        line = votes[unit.code]
        out.append(Proposal(place, u, line.votes, c.valid, line.percent, award, note))
    return _screened(result, out)


def _screened(result: Result, out: list[Proposal]) -> list[Proposal]:
    """The book's award screens (blocked units, conditions over the years, quotas in place order), when the
    result has a history or the book declares any (history.eligibility); else the proposals as they are."""
    if result.history is None and not result.book.screens:
        return out
    from ttdk_xl.history.eligibility import screen_proposals

    verdicts = screen_proposals(result.book, result.history, [(p.unit.unit, p.award) for p in out])
    return [
        p if ok or not why else replace(p, award="", note=why[0].lower() + why[1:].rstrip("."))
        for p, (ok, why) in zip(out, verdicts, strict=True)
    ]


def achievement(result: Result, p: Proposal) -> str:
    """One sentence for the list annex: the score, the rank and the vote."""
    u = p.unit
    ranked = sum(1 for x in result.units if x.rank is not None)
    return (
        f"Tổng điểm thi đua năm {result.book.year}: {vn_number(u.total)} điểm"
        + (f", xếp thứ {u.rank}/{ranked} đơn vị" if u.rank else "")
        + f", xếp loại {u.level}; được Hội nghị {nfc(result.book.cluster_name)} suy tôn là đơn vị "
        f"{_PLACE_LABEL.get(p.place, 'xếp thứ ' + p.place)} với {p.votes:02d}/{p.valid:02d} phiếu hợp lệ "
        f"({vn_number(p.percent)}%)."
    )


def _election(c: VoteCount | None) -> dict[str, str]:
    if c is None or not c.chosen:
        tied = ", ".join(u.name for u in c.tied) if c is not None and c.tied else ""
        return {"name": NOT_ELECTED, "votes": "", "valid": "", "percent": "", "tied": tied}
    unit = c.chosen[0]
    line = next(x for x in c.lines if x.unit.code == unit.code)
    return {
        "name": unit.name,
        "votes": f"{line.votes:02d}",
        "valid": f"{c.valid:02d}",
        "percent": vn_number(line.percent),
        "tied": "",
    }


def _section(c: VoteCount) -> dict[str, Any]:
    return {
        "title": c.vote.title,
        "issued": f"{c.issued:02d}",
        "collected": f"{c.collected:02d}",
        "valid": f"{c.valid:02d}",
        "invalid": f"{len(c.invalid):02d}",
        "lines": [
            {
                "stt": str(i),
                "name": x.unit.name,
                "votes": f"{x.votes:02d}",
                "percent": vn_number(x.percent),
                "outcome": x.outcome,
            }
            for i, x in enumerate(c.lines, 1)
        ],
    }


def vote_context(result: Result, count: CountResult) -> dict[str, Any]:
    """The vote's keys of a template's context (all strings, or lists of dicts of strings):

    final ("1"), vote_file (the tally workbook), vote_date_words ('ngày 18 tháng 12 năm 2025' or the
    placeholder), vote_place, convened, present (two digits), present_percent, quorum ('2/3'),
    counting_chief, counting_members,
    acclaim_valid, acclaim_collected, acclaim_invalid (two digits),
    voted (list: stt, place, label, name, votes, valid, percent, total, rank, level, award, award_note),
    proposed (the voted with an award: same keys), not_proposed (the voted without: same keys),
    vote_sections (list: title, issued, collected, valid, invalid, lines (stt, name, votes, percent, outcome)),
    elected_head, elected_head_votes, elected_head_percent, elected_deputy, elected_deputy_votes,
    elected_deputy_percent, vote_valid_head, vote_valid_deputy,
    vote_notes (list of str: places left open, ties).
    """
    t = count.tally
    day = parse_day(t.count_date)
    acclaim = _vote(count, "suy_ton")
    voted = []
    for i, p in enumerate(proposals(result, count), 1):
        u = p.unit
        voted.append(
            {
                "stt": str(i),
                "place": p.place,
                "label": _PLACE_LABEL.get(p.place, f"xếp thứ {p.place}"),
                "name": u.unit.name,
                "code": u.unit.code,
                "votes": f"{p.votes:02d}",
                "valid": f"{p.valid:02d}",
                "percent": vn_number(p.percent),
                "total": vn_number(u.total),
                "rank": str(u.rank or ""),
                "level": u.level,
                "award": p.award,
                "award_note": p.note,
                "summary": achievement(result, p),
            }
        )
    head, deputy = _election(_vote(count, "cum_truong")), _election(_vote(count, "cum_pho"))
    notes = []
    if acclaim is not None:
        if acclaim.tied:
            notes.append(
                f"Các đơn vị {', '.join(u.name for u in acclaim.tied)} bằng số phiếu cho vị trí tiếp theo: "
                "Hội nghị cần bỏ phiếu lại giữa các đơn vị này."
            )
        elif len(acclaim.chosen) < acclaim.vote.seats:
            notes.append(
                f"Còn {acclaim.vote.seats - len(acclaim.chosen):02d} vị trí suy tôn chưa có đơn vị đạt quá nửa số "
                "phiếu hợp lệ."
            )
    for role, e in (("Cụm trưởng", head), ("Cụm phó", deputy)):
        if e["tied"]:
            notes.append(f"Bầu {role}: các đơn vị {e['tied']} bằng số phiếu, Hội nghị cần bầu lại.")
        elif e["name"] == NOT_ELECTED:
            notes.append(f"Bầu {role}: chưa có đơn vị đạt quá nửa số phiếu hợp lệ, Hội nghị cần bầu lại.")
    percent = (Decimal(t.present) * 100 / t.convened).quantize(Decimal("0.1")) if t.convened else Decimal(0)
    return {
        "final": "1",
        "vote_file": t.file,
        "vote_date_words": day_words(day) if day else "ngày … tháng … năm …",
        "vote_place": nfc(t.place),
        "convened": f"{t.convened:02d}",
        "present": f"{t.present:02d}",
        "present_percent": vn_number(percent),
        "quorum": quorum_text(t.quorum),
        "counting_chief": nfc(t.chief),
        "counting_members": ", ".join(t.members),
        "acclaim_valid": f"{acclaim.valid:02d}" if acclaim else "00",
        "acclaim_collected": f"{acclaim.collected:02d}" if acclaim else "00",
        "acclaim_invalid": f"{len(acclaim.invalid):02d}" if acclaim else "00",
        "voted": voted,
        "proposed": [v for v in voted if v["award"]],
        "not_proposed": [v for v in voted if not v["award"]],
        "vote_sections": [_section(c) for c in count.counts],
        "elected_head": head["name"],
        "elected_head_votes": head["votes"],
        "elected_head_percent": head["percent"],
        "vote_valid_head": head["valid"],
        "elected_deputy": deputy["name"],
        "elected_deputy_votes": deputy["votes"],
        "elected_deputy_percent": deputy["percent"],
        "vote_valid_deputy": deputy["valid"],
        "vote_notes": notes,
    }
