"""Every finding code the package can raise has a Vietnamese label."""

from __future__ import annotations

import re
from pathlib import Path

from ttdk_xl.core.finding_labels import LABELS, label

PACKAGE = Path(__file__).resolve().parent.parent / "ttdk_xl"
# The code is the first argument of Finding(…), of a module's add(…)/problem(…)/fail(…) helpers, or a
# (code, message, fix) tuple.
_CALL = re.compile(r'(?:Finding|add|problem|fail|only)\(\s*"([a-z]+(?:-[a-z]+)+)"')
_TUPLE = re.compile(r'\(\s*"([a-z]+(?:-[a-z]+)+)",\s*\n\s*f?"')
_CONSTANT = re.compile(r'^[A-Z_]+ = "([a-z]+(?:-[a-z]+)+)"  # the finding', re.M)


def test_every_code_has_a_label():
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(_CALL.findall(text)) | set(_TUPLE.findall(text)) | set(_CONSTANT.findall(text))
    assert len(codes) > 60  # the scan finds them
    assert sorted(codes - LABELS.keys()) == []
    assert label("score-above-max") == "Điểm vượt tối đa" and label("some-new-code") == "some-new-code"
