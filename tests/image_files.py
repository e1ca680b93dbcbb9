"""Image files assembled byte by byte, for the loader's hostile-input tests.

Pillow cannot write some of the shapes an attacker can (a header claiming 20000 x 20000, a
run-length BMP), so the tests build them here, one definition each.
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# BGRX entries of an 8-bit BMP's 4-colour palette: 0 black, 1 pure red, 2 and 3 black.
RLE8_PALETTE = bytes([0, 0, 0, 0, 0, 0, 255, 0]) + bytes(8)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, type, payload and a valid CRC-32 of type + payload."""
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """[(type, payload)] of a well-formed PNG."""
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def rle8_bmp(width: int, height: int, rows: bytes, palette: bytes = RLE8_PALETTE) -> bytes:
    """An 8-bit run-length BMP (BI_RLE8) with the given compressed rows and a 4-colour palette."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(rows), 2835, 2835, 4, 0)
    offset = 14 + len(info) + len(palette)
    header = struct.pack("<IHHI", offset + len(rows), 0, 0, offset)
    return b"BM" + header + info + palette + rows
