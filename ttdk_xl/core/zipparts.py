"""A minimal read-only view of a workbook's zip held in memory: its parts and their first bytes.

Reading thousands of returned workbooks, zipfile.ZipFile costs more than python-calamine's own reading
of the sheet: it builds a ZipInfo object per part and opens a stream per read. A workbook is a plain zip
(no encryption, no Zip64, deflated or stored parts), so its central directory is read here with a few
struct calls. Anything unusual raises Unusual, and the caller uses zipfile instead.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import NamedTuple

_EOCD = b"PK\x05\x06"
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory header, 46 bytes
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes


class Unusual(zipfile.BadZipFile):
    """The zip uses a feature this reader leaves to zipfile (or is broken)."""


def open_parts(data: bytes) -> ZipParts | ZipfileParts:
    """The parts of the zip in `data`; zipfile.BadZipFile when it is not a usable zip."""
    try:
        return ZipParts(data)
    except Unusual:
        return ZipfileParts(zipfile.ZipFile(io.BytesIO(data)))


class Part(NamedTuple):
    name: str
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int


class ZipParts:
    """The parts of a zip in `data`, by name, in the central directory's order."""

    def __init__(self, data: bytes):
        self.data = data
        end = data.rfind(_EOCD, max(0, len(data) - 65_557))
        if end < 0 or len(data) < end + 22:
            raise Unusual("no end of central directory")
        count, cd_size, cd_offset = struct.unpack_from("<HLL", data, end + 10)
        if count == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_offset + cd_size > end:
            raise Unusual("Zip64 or a broken directory")
        parts: dict[str, Part] = {}
        pos = cd_offset
        for _ in range(count):
            if pos + 46 > end:
                raise Unusual("truncated central directory")
            sig, _made, _need, flags, method, _t, _d, crc, csize, usize, nlen, xlen, clen, _disk, _ia, _ea, offset = (
                _CENTRAL.unpack_from(data, pos)
            )
            if sig != b"PK\x01\x02" or flags & 0x1 or method not in (0, 8) or 0xFFFFFFFF in (csize, usize, offset):
                raise Unusual("encrypted, Zip64 or an unknown compression")
            raw = data[pos + 46 : pos + 46 + nlen]
            # ASCII reads the same in both encodings, and its decoder is far quicker than cp437's
            name = raw.decode("ascii" if raw.isascii() else "utf-8" if flags & 0x800 else "cp437")
            if name in parts:
                raise Unusual("a part named twice")
            parts[name] = Part(name, flags, method, crc, csize, usize, offset)
            pos += 46 + nlen + xlen + clen
        self.parts = parts

    def names(self) -> list[str]:
        return list(self.parts)

    def crc(self, name: str) -> tuple[int, int]:
        """(CRC, size) of a part: identifies its content without inflating it."""
        part = self.parts[name]
        return part.crc, part.size

    def unpacked_size(self) -> int:
        return sum(p.size for p in self.parts.values())

    def head(self, name: str, size: int) -> bytes:
        """The first `size` bytes of a part, inflating no more than needed."""
        return self._read(self.parts[name], size)

    def raw(self, name: str) -> bytes | None:
        """A part as stored (compressed), with its compression method: equal values, equal contents."""
        part = self.parts[name]
        start = self._start(part)
        return bytes((part.method,)) + self.data[start : start + part.compressed]

    def stored_key(self, name: str) -> tuple[int, int, int, int] | None:
        """(method, CRC, size, stored size): equal for parts that may be byte-for-byte the same."""
        part = self.parts[name]
        return part.method, part.crc, part.size, part.compressed

    def stored_equals(self, name: str, stored: bytes) -> bool:
        """True when the part's stored bytes are exactly `stored` (compared in place, without a copy)."""
        part = self.parts[name]
        return part.compressed == len(stored) and self.data.startswith(stored, self._start(part))

    def read(self, name: str) -> bytes:
        """A whole part, checked against its CRC like zipfile does."""
        part = self.parts[name]
        out = self._read(part, None)
        if len(out) != part.size or zlib.crc32(out) != part.crc:
            raise Unusual(f"bad CRC or size for {name}")
        return out

    def _start(self, part: Part) -> int:
        """Where the part's stored bytes begin, after its local header."""
        data = self.data
        if part.offset + 30 > len(data):
            raise Unusual("truncated part")
        sig, _need, _flags, _method, _t, _d, _crc, _cs, _us, nlen, xlen = _LOCAL.unpack_from(data, part.offset)
        if sig != b"PK\x03\x04":
            raise Unusual(f"bad local header for {part.name}")
        return part.offset + 30 + nlen + xlen

    def _read(self, part: Part, size: int | None) -> bytes:
        data = self.data
        start = self._start(part)
        if part.method == 0:
            stored = data[start : start + part.compressed]
            return stored if size is None else stored[:size]
        if size is None:
            chunk = data[start : start + part.compressed]
        else:
            chunk = data[start : start + min(part.compressed, size + 1024)]  # enough input for `size` bytes
        try:
            return zlib.decompressobj(-15).decompress(chunk, size or 0)
        except zlib.error as exc:
            raise Unusual(str(exc)) from exc


class ZipfileParts:
    """The same view over zipfile, for the zips ZipParts leaves alone."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf

    def names(self) -> list[str]:
        return self.zf.namelist()

    def crc(self, name: str) -> tuple[int, int]:
        info = self.zf.getinfo(name)
        return info.CRC, info.file_size

    def unpacked_size(self) -> int:
        return sum(i.file_size for i in self.zf.infolist())

    def head(self, name: str, size: int) -> bytes:
        with self.zf.open(name) as fh:
            return fh.read(size)

    def raw(self, name: str) -> bytes | None:
        return None  # zipfile does not hand out stored bytes; such zips are rare

    def stored_key(self, name: str) -> None:
        return None

    def stored_equals(self, name: str, stored: bytes) -> bool:
        return False

    def read(self, name: str) -> bytes:
        return self.zf.read(name)


_DOS_1980 = struct.pack("<HH", 0, (1 << 5) | 1)  # 00:00:00, 1980-01-01 (as xlsxwriter writes its parts)


def with_fixed_times(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01 00:00, in its local and central headers.

    python-docx stamps the clock into each entry of a .docx; fixed dates make the same inputs give the
    same bytes. A zip this reader leaves alone is returned unchanged."""
    try:
        parts = ZipParts(data)
    except Unusual:
        return data
    out = bytearray(data)
    end = data.rfind(_EOCD, max(0, len(data) - 65_557))
    count, _size, pos = struct.unpack_from("<HLL", data, end + 10)
    for _ in range(count):
        nlen, xlen, clen = struct.unpack_from("<3H", data, pos + 28)
        out[pos + 12 : pos + 16] = _DOS_1980
        pos += 46 + nlen + xlen + clen
    for part in parts.parts.values():
        out[part.offset + 10 : part.offset + 14] = _DOS_1980
    return bytes(out)
