"""Mutants of a real workbook for the reader's fuzz test (tests/test_fuzz.py, benchmarks/fuzz.py).

Each operator takes a random.Random and the bytes of a good .xlsx and gives damaged bytes: the kinds of
damage a broken download, a bad USB stick, a careless edit or a hostile sender produce.
"""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

NUMBERS = ["1e308", "-1e308", "-5", "-0", "99999999999999999999", "0.000001", "1E+15", "1e-300", "123456789.123456789",
           "4.9999999999", "0.1"]  # fmt: skip
BAD_NUMBERS = ["1e309", "NaN", "inf", "", "8,5", "0x10", "12abc"]  # not numbers XML-wise: damage
ODD_TEXT = [
    "\u202eUBND huyện\u202c",  # right-to-left override
    "Tho\u0302\u0300 Xua\u0302n",  # NFD Vietnamese
    "e\u0301\u0301\u0301\u0301\u0301",  # stacked combining marks
    "\u200b\u200d\ufeff",  # zero-width characters and a BOM
    "🏆🇻🇳" * 50,
    "x" * 40_000,
    "<b>&amp;</b>",  # markup as text
    "=1+1",
    "'8,5",
    "9",
    "Σ" * 3 + "\U0010fffd",
    "\ufffe\uffff",  # non-characters
    "",
]
BAD_TEXT = ["&#0;", "\x01\x02\x1f", "\ud800"]  # what XML forbids: damage


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(parts: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is one of the mutations
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, body in parts:
                name = info.filename if isinstance(info, zipfile.ZipInfo) else info
                zf.writestr(name, body)
    return buffer.getvalue()


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def shuffle_entries(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    rng.shuffle(parts)
    return _zip(parts)


def delete_entry(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    del parts[rng.randrange(len(parts))]
    return _zip(parts)


def duplicate_entry(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    info, _body = rng.choice(parts)
    parts.append((info, flip_bytes(rng, _body) if _body else b"<x/>"))
    return _zip(parts)


def _xml_parts(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> list[int]:
    return [i for i, (info, _) in enumerate(parts) if info.filename.endswith((".xml", ".rels"))]


def break_xml(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    i = rng.choice(_xml_parts(parts))
    info, body = parts[i]
    text = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(text) + 1)
        kind = rng.randrange(4)
        if kind == 0 and text:
            del text[pos : pos + rng.randint(1, 20)]  # a cut tag
        elif kind == 1:
            junk = [b"<", b">", b"</c>", b"<c r=", b'"', b"<!DOCTYPE x [<!ENTITY a 'b'>]>"]
            junk += [t.encode("utf-8", "surrogatepass") for t in BAD_TEXT]
            text[pos:pos] = rng.choice(junk)
        elif kind == 2:
            text = text[:pos]  # the part ends early
        else:
            ref = b' r="' + rng.choice([b"A0", b"ZZZZ9", b"XFE1048577"]) + b'"'  # cell names off the sheet
            text = bytearray(re.sub(rb' r="[A-Z]+[0-9]+"', ref, bytes(text), count=rng.randint(1, 5)))
    parts[i] = (info, bytes(text))
    return _zip(parts)


def odd_numbers(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    rate = rng.choice([0.03, 0.1, 0.3])  # the share of values replaced
    sheets = [i for i, (info, _) in enumerate(parts) if info.filename.startswith("xl/worksheets/")]
    for i in sheets:
        info, body = parts[i]

        def swap(m: re.Match) -> bytes:
            if rng.random() > rate:
                return m.group(0)
            return b"<v>" + rng.choice(NUMBERS if rng.random() < 0.9 else BAD_NUMBERS).encode() + b"</v>"

        body = re.sub(rb"<v>([^<]*)</v>", swap, body)
        parts[i] = (info, body)
    return _zip(parts)


def odd_unicode(rng: random.Random, data: bytes) -> bytes:
    parts = _parts(data)
    rate = rng.choice([0.03, 0.1, 0.5])  # the share of texts replaced
    for i, (info, body) in enumerate(parts):
        if info.filename.endswith(("sharedStrings.xml",)) or info.filename.startswith("xl/worksheets/"):

            def swap(m: re.Match) -> bytes:
                if rng.random() > rate:
                    return m.group(0)
                text = escape(rng.choice(ODD_TEXT)).encode("utf-8")
                return m.group(1) + text + b"</t>"

            parts[i] = (info, re.sub(rb"(<t(?: [^>]*)?>)[^<]*</t>", swap, body))
    return _zip(parts)


def twice(rng: random.Random, data: bytes) -> bytes:
    first = rng.choice([odd_numbers, odd_unicode, break_xml, shuffle_entries])
    return flip_bytes(rng, first(rng, data))


OPERATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    f.__name__: f
    for f in (
        flip_bytes,
        truncate,
        shuffle_entries,
        delete_entry,
        duplicate_entry,
        break_xml,
        odd_numbers,
        odd_unicode,
        twice,
    )
}


def mutate(operator: str, seed: int, data: bytes) -> bytes:
    """`operator` applied to `data`; on a file that is not a zip (.xls), the zip operators flip bytes."""
    rng = random.Random(seed)
    try:
        return OPERATORS[operator](rng, data)
    except zipfile.BadZipFile:
        return flip_bytes(rng, data)


def kind_of(data: bytes) -> str:
    """The extension a file with these bytes would have in an inbox."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "ods" if b"application/vnd.oasis.opendocument.spreadsheet" in data[:100] else "xlsx"


def run_case(mutant: bytes, good: bytes, book, folder, write_outputs: bool = False) -> dict:
    """Check and consolidate one mutant (beside a good workbook of another unit) as a user would.

    Gives what happened: `error` (an exception that escaped: the fuzz test's failure), `internal` (internal
    error findings: a bug of ours caught by the guard), `changed` (the input file was modified), `seconds`
    and `readable` (the mutant still read as a submission)."""
    import time
    import traceback

    import ttdk_xl

    inbox = folder / "hop_thu"
    inbox.mkdir(parents=True, exist_ok=True)
    target, other = inbox / f"mutant.{kind_of(mutant)}", inbox / "other.xlsx"
    target.write_bytes(mutant)
    other.write_bytes(good)
    before = (target.stat().st_mtime_ns, target.read_bytes())
    outcome = {"error": "", "internal": [], "changed": False, "seconds": 0.0, "readable": False}
    start = time.perf_counter()
    try:
        findings = ttdk_xl.check([target], book) + ttdk_xl.check([target])  # against the book, then alone
        result = ttdk_xl.consolidate(inbox, book=book, out=folder / "ket_qua" if write_outputs else None)
        findings += list(result.findings)
        outcome["internal"] = [f.message for f in findings if f.code == "internal-error"]
        outcome["readable"] = any(s.file == target.name and s.state.value == "Đã dùng" for s in result.sources)
    except BaseException:
        outcome["error"] = traceback.format_exc()
    outcome["seconds"] = time.perf_counter() - start
    outcome["changed"] = (target.stat().st_mtime_ns, target.read_bytes()) != before
    return outcome
