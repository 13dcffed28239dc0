"""Dates for people: dd/mm/yyyy HH:MM in local time, one format everywhere (ISO stays in JSON)."""

from __future__ import annotations

import time

import pytest

from ttdk_xl.core.text import people_time


@pytest.fixture
def hanoi(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_zoned_times_are_shown_in_local_time(hanoi):
    assert people_time("2026-12-05T17:50:58Z") == "06/12/2026 00:50"
    assert people_time("2026-12-05T17:50:58+00:00") == "06/12/2026 00:50"
    assert people_time("2025-11-01T08:00:00") == "01/11/2025 08:00"  # no zone: as written (the issue time)
    assert people_time("2025-12-31") == "31/12/2025"
    assert people_time("không rõ") == "không rõ" and people_time("") == ""


def test_sources_sheet_uses_it(book, tmp_path):
    import openpyxl

    import ttdk_xl
    from tests.conftest import fill, full_entries

    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "a.xlsx", full_entries(book))
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / "tong_hop.xlsx")["Nguồn"]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "01/11/2025 08:00" in texts  # the issue time of tests/conftest.py's workbooks
    assert not [t for t in texts if len(t) > 18 and t[4] == "-" and t[10] in "T "]  # no ISO time left
