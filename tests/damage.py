"""Damage a good .xlsx the way a broken download or a bad USB stick does: a few bytes changed."""

from __future__ import annotations

import struct

_EOCD = b"PK\x05\x06"


def entries(data: bytes) -> dict[str, tuple[int, int]]:
    """Each part's name → (position of its central directory header, offset of its local header)."""
    end = data.rfind(_EOCD)
    count, _size, pos = struct.unpack_from("<HLL", data, end + 10)
    out = {}
    for _ in range(count):
        nlen, xlen, clen = struct.unpack_from("<3H", data, pos + 28)
        name = data[pos + 46 : pos + 46 + nlen].decode("utf-8")
        out[name] = (pos, struct.unpack_from("<L", data, pos + 42)[0])
        pos += 46 + nlen + xlen + clen
    return out


def flag_bit_5(data: bytes) -> bytes:
    """Flag bits 0 and 5 set in the first entry's central header (one byte): zipfile raises
    NotImplementedError("compressed patched data (flag bit 5)")."""
    out = bytearray(data)
    pos, _ = next(iter(entries(data).values()))
    out[pos + 8] |= 0x21
    return bytes(out)


def directory_offset(data: bytes) -> bytes:
    """The end record's offset of the central directory moved 1 MB on: zipfile raises
    ValueError("negative seek value …")."""
    out = bytearray(data)
    end = data.rfind(_EOCD)
    offset = struct.unpack_from("<L", data, end + 16)[0]
    struct.pack_into("<L", out, end + 16, offset + 0x100000)
    return bytes(out)


def bad_deflate(data: bytes, part: str = "xl/workbook.xml") -> bytes:
    """A few bytes of one part's deflated data scrambled, and a flag that sends the zip to Python's zipfile
    (the last part marked encrypted): zlib raises "Error -3 while decompressing data"."""
    out = bytearray(data)
    parts = entries(data)
    last_pos, _ = list(parts.values())[-1]
    out[last_pos + 8] |= 0x01
    _, offset = parts[part]
    nlen, xlen = struct.unpack_from("<2H", data, offset + 26)
    start = offset + 30 + nlen + xlen
    for i in range(3, 12):
        out[start + i] ^= 0x5A
    return bytes(out)


def encrypted_flag(data: bytes) -> bytes:
    """An entry flagged as encrypted in the central directory (one bit): zipfile raises RuntimeError
    ("… is encrypted, password required") — found by the long fuzz run."""
    out = bytearray(data)
    pos, _ = entries(data)["docProps/core.xml"]
    out[pos + 8] |= 0x01
    return bytes(out)


DAMAGES = {"flag_bit_5": flag_bit_5, "directory_offset": directory_offset, "bad_deflate": bad_deflate}
