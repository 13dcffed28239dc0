"""The year tables as pandas DataFrames: this year's `Result.to_frame()` beside the earlier years.

pandas is imported inside each function: a consolidation without history never loads it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ttdk_xl.core.models import Book, History, Result
from ttdk_xl.core.year_folder import find_year
from ttdk_xl.history.trend import DOWN, SAME, UP, role_of, trends

if TYPE_CHECKING:
    import pandas as pd

LONG_COLUMNS = ["year", "unit_code", "code", "name", "total", "rank", "level", "award", "role", "source"]


def years_frame(history: History | None, result: Result | None = None) -> pd.DataFrame:
    """Long format: one row per year and unit as it was that year (a merged unit: one row per former unit).

    Columns: `year`, `unit_code` (today's code), `code` (that year's), `name`, `total` (float64, NaN when
    none), `rank` (Int64), `level`, `award`, `role` (Trưởng cụm / Phó cụm / ''), `source`. This year's rows,
    when `result` is given, come from `result.to_frame()`; rows are in year order, then today's book order.
    """
    import pandas as pd

    rows = [
        (r.year, r.unit_code, r.code, r.name, None if r.total is None else float(r.total), r.rank, r.level, r.award,
         r.role, r.source)
        for r in (history.rows if history else ())
    ]  # fmt: skip
    past = pd.DataFrame(rows, columns=LONG_COLUMNS)
    frames = [past]
    if result is not None:
        now = result.to_frame()
        now = now[now["total"].notna()]
        units = {u.unit.code: u.unit for u in result.units}
        now = pd.DataFrame(
            {
                "year": result.book.year,
                "unit_code": now["code"],
                "code": now["code"],
                "name": now["name"],
                "total": now["total"],
                "rank": now["rank"],
                "level": now["level"],
                "award": now["award"],
                "role": [role_of(result.book, units[c]) for c in now["code"]],
                "source": "ket_qua/ket_qua.json",
            }
        )
        frames.append(now)
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else past
    out = out.astype({"year": "int64", "total": "float64", "rank": "Int64"})
    if result is not None:
        order = {u.code: i for i, u in enumerate(result.book.units)}
        out = out.sort_values(["year", "unit_code"], key=lambda s: s.map(order) if s.name == "unit_code" else s)
    return out.reset_index(drop=True)


def trend_frame(result: Result) -> pd.DataFrame:
    """Wide format: one row per unit of `result` (rank order), `total_<year>` and `rank_<year>` for each year
    (NaN / <NA> where the unit has no single result that year: none, or a merged unit's parts), then
    `change_total` (this year − last year), `change_rank` (positive: moved up), `arrow`, `note`."""
    import pandas as pd

    ts = trends(result)
    years = sorted({y for t in ts for y in t.years})
    data: dict[str, list] = {"code": [t.unit.code for t in ts], "name": [t.unit.name for t in ts]}
    for y in years:
        one = [t.years.get(y, ()) for t in ts]
        data[f"total_{y}"] = [float(r[0].total) if len(r) == 1 and r[0].total is not None else None for r in one]
        data[f"rank_{y}"] = [r[0].rank if len(r) == 1 else None for r in one]
    data["change_total"] = [None if t.change_total is None else float(t.change_total) for t in ts]
    data["change_rank"] = [t.change_rank for t in ts]
    data["arrow"] = [t.arrow for t in ts]
    data["note"] = [t.note for t in ts]
    out = pd.DataFrame(data)
    types = {f"total_{y}": "float64" for y in years} | {f"rank_{y}": "Int64" for y in years}
    return out.astype(types | {"change_total": "float64", "change_rank": "Int64"})


def folder_frame(where: str | Path, unit: str | None = None) -> tuple[pd.DataFrame, History | None, Book]:
    """The years of the year folder `where` (or a folder inside it) as `years_frame` gives them: the earlier
    years from `lich_su/` and this year's from `ket_qua/ket_qua.json` when written; only `unit`'s rows (today's
    code, or a former one) when given. Also returns the History (its findings) and the book.
    Raises BookError when the folder has no usable book, ValueError when `where` is no year folder."""
    from ttdk_xl.book.load import load_book
    from ttdk_xl.history.files import load_history, this_year

    year = find_year(where)
    if year is None:
        raise ValueError(str(where))
    book = load_book(year.book)
    history = load_history(year, book)
    rows = (history.rows if history else ()) + tuple(this_year(year, book))
    frame = years_frame(replace(history or History(()), rows=rows))
    order = {u.code: i for i, u in enumerate(book.units)}
    frame = frame.sort_values(["year", "unit_code", "code"], key=lambda s: s.map(order) if s.name == "unit_code" else s)
    if unit is not None:
        codes = {unit} | {r.unit_code for r in rows if r.code == unit}
        frame = frame[frame["unit_code"].isin(codes)]
    return frame.reset_index(drop=True), history, book


def cluster_table(frame: pd.DataFrame, book: Book) -> pd.DataFrame:
    """The years of `folder_frame` as people read them: one row per unit of today's book, one column per year
    ('93 (2)': total and rank; a merged unit's parts joined by '+'), then the change of the last year."""
    import pandas as pd

    from ttdk_xl.core.text import vn_number

    def cell(rows: pd.DataFrame) -> str:
        parts = []
        for r in rows.to_dict("records"):
            total = "—" if pd.isna(r["total"]) else vn_number(Decimal(str(r["total"])))
            rank = "" if pd.isna(r["rank"]) else f" ({r['rank']})"
            who = f"{r['code']} " if r["code"] != r["unit_code"] or len(rows) > 1 else ""
            parts.append(f"{who}{total}{rank}")
        return " + ".join(parts)

    years = sorted(frame["year"].unique().tolist())
    out: dict[str, list[str]] = {"Mã": [], "Đơn vị": []}
    for y in years:
        out[str(y)] = []
    out["So với năm trước"] = []
    for u in book.units:
        mine = frame[frame["unit_code"] == u.code]
        if mine.empty:
            continue
        out["Mã"].append(u.code)
        out["Đơn vị"].append(u.name)
        for y in years:
            out[str(y)].append(cell(mine[mine["year"] == y]))
        change = ""
        if len(years) > 1:
            now, before = mine[mine["year"] == years[-1]], mine[mine["year"] == years[-1] - 1]
            if len(now) == 1 and len(before) == 1:
                a, b = now.iloc[0], before.iloc[0]
                bits = []
                if not pd.isna(a.total) and not pd.isna(b.total):
                    d = Decimal(str(a.total)) - Decimal(str(b.total))
                    bits.append(("+" if d > 0 else "−" if d < 0 else "") + vn_number(abs(d)) + " điểm")
                if not pd.isna(a["rank"]) and not pd.isna(b["rank"]):
                    step = int(b["rank"]) - int(a["rank"])
                    bits.append(f"{UP} {step}" if step > 0 else f"{DOWN} {-step}" if step < 0 else SAME)
                change = ", ".join(bits)
            elif len(before) > 1:
                change = "hợp nhất"
        out["So với năm trước"].append(change)
    return pd.DataFrame(out)
