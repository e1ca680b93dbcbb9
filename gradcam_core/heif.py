"""The image sizes a HEIF/HEIC file declares, read from its boxes before any decoder sees it.

libheif (through pillow-heif) allocates each image at the size the file declares: a coded image at
its ``ispe`` property (it compares the decoded picture with ``ispe`` only afterwards), a grid or
overlay at the canvas size written in the item's own data. ``declared_sizes`` returns all of them,
so the loader can hold each one against its pixel cap before libheif parses the file.
"""

from __future__ import annotations

from collections.abc import Iterator

# The major brands pillow-heif's Pillow plugin opens (others are left to other plugins).
BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
# Derived items whose canvas size is in their data, not only in an ispe property.
CANVAS_ITEMS = frozenset({b"grid", b"iovl"})
# Bytes of a grid or overlay item needed to read its canvas size (overlay, 32-bit fields).
_CANVAS_HEAD = 20

Size = tuple[int, int]
Box = tuple[bytes, int, int]  # type, payload start, end


class HeifStructureError(ValueError):
    """A box that overruns its container, or a table longer than its box."""


def is_heif(data: bytes) -> bool:
    """True if the file starts with an ftyp box naming a brand pillow-heif opens."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in BRANDS


def declared_sizes(data: bytes) -> list[Size]:
    """Every (width, height) the file declares: each ispe, each grid or overlay canvas."""
    sizes: list[Size] = []
    for kind, start, end in boxes(data, 0, len(data)):
        if kind == b"meta":
            sizes += _meta_sizes(data, start + 4, end)  # meta is a full box: skip version, flags
    return sizes


def boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    """Each box in data[start:end] as (type, payload start, end); an overrun raises."""
    pos = start
    while pos + 8 <= end:
        size, kind = _uint(data, pos, 4, end), data[pos + 4 : pos + 8]
        header = 8
        if size == 1:  # a 64-bit size follows the type
            size, header = _uint(data, pos + 8, 8, end), 16
        elif size == 0:  # the box runs to the end of its container
            size = end - pos
        if size < header or pos + size > end:
            raise HeifStructureError(f"the {_name(kind)} box overruns its container")
        yield kind, pos + header, pos + size
        pos += size


def _meta_sizes(data: bytes, start: int, end: int) -> list[Size]:
    """The ispe sizes in a meta box's item properties and the canvas of its grid/overlay items."""
    children: dict[bytes, list[tuple[int, int]]] = {}
    for kind, child_start, child_end in boxes(data, start, end):
        children.setdefault(kind, []).append((child_start, child_end))
    sizes = [size for span in children.get(b"iprp", []) for size in _ispe_sizes(data, *span)]
    canvases = {i: t for span in children.get(b"iinf", []) for i, t in _canvas_items(data, *span)}
    if canvases:
        idat = children.get(b"idat", [(end, end)])[0]
        for span in children.get(b"iloc", []):
            for item, head in _item_heads(data, span, idat, set(canvases)):
                sizes.append(canvas_size(canvases[item], head))
    return sizes


def _ispe_sizes(data: bytes, start: int, end: int) -> Iterator[Size]:
    """(width, height) of every ispe property in an iprp box's property containers."""
    for kind, ipco_start, ipco_end in boxes(data, start, end):
        if kind != b"ipco":
            continue
        for prop, prop_start, prop_end in boxes(data, ipco_start, ipco_end):
            if prop == b"ispe":  # full box: version and flags, then two 32-bit sides
                width = _uint(data, prop_start + 4, 4, prop_end)
                yield width, _uint(data, prop_start + 8, 4, prop_end)


def _canvas_items(data: bytes, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(item id, type) of each grid or overlay item in an iinf box."""
    count_size = 2 if _uint(data, start, 1, end) == 0 else 4
    for kind, infe_start, infe_end in boxes(data, start + 4 + count_size, end):
        version = data[infe_start] if kind == b"infe" and infe_start < infe_end else 0
        if version < 2:  # before version 2, an item entry names no item type
            continue
        id_size = 2 if version == 2 else 4
        item = _uint(data, infe_start + 4, id_size, infe_end)
        at = infe_start + 4 + id_size + 2  # after the protection index
        item_type = data[at : at + 4]
        if len(item_type) == 4 and at + 4 <= infe_end and item_type in CANVAS_ITEMS:
            yield item, item_type


def _item_heads(
    data: bytes, iloc: tuple[int, int], idat: tuple[int, int], wanted: set[int]
) -> Iterator[tuple[int, bytes]]:
    """(item id, first bytes of its data) for the wanted items an iloc box locates."""
    start, end = iloc
    version = _uint(data, start, 1, end)
    sizes = _uint(data, start + 4, 2, end)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 15
    base_size, index_size = (sizes >> 4) & 15, (sizes & 15 if version in (1, 2) else 0)
    extent_size = index_size + offset_size + length_size
    wide = 4 if version == 2 else 2
    count, pos = _uint(data, start + 6, wide, end), start + 6 + wide
    for _ in range(count):
        item, pos = _uint(data, pos, wide, end), pos + wide
        method = 0
        if version in (1, 2):
            method, pos = _uint(data, pos, 2, end) & 15, pos + 2
        base, pos = _uint(data, pos + 2, base_size, end), pos + 2 + base_size
        extents, pos = _uint(data, pos, 2, end), pos + 2
        if item in wanted:  # a canvas needs a few bytes: read at most that many extents
            fields = (index_size, offset_size, length_size)
            spans = [
                (base + offset, length)
                for offset, length in _extents(data, pos, min(extents, _CANVAS_HEAD), fields, end)
            ]
            yield item, _gather(data, _source(method, idat, len(data)), spans)
        pos += extents * extent_size
        if pos > end:
            raise HeifStructureError("the 'iloc' table runs past the end of its box")


def _extents(
    data: bytes, pos: int, count: int, fields: tuple[int, int, int], end: int
) -> list[tuple[int, int]]:
    """(offset, length) of count iloc extents at pos; fields: index, offset, length sizes."""
    index_size, offset_size, length_size = fields
    step = index_size + offset_size + length_size
    spans = []
    for at in range(pos, pos + count * step, step) if step else [pos] * min(count, 1):
        offset = _uint(data, at + index_size, offset_size, end)
        spans.append((offset, _uint(data, at + index_size + offset_size, length_size, end)))
    return spans


def _source(method: int, idat: tuple[int, int], file_end: int) -> tuple[int, int]:
    """Where an item's extents point: the file (method 0) or the idat box (method 1)."""
    if method == 0:
        return 0, file_end
    if method == 1:
        return idat
    raise HeifStructureError(f"item data by reference (construction method {method})")


def _gather(data: bytes, source: tuple[int, int], spans: list[tuple[int, int]]) -> bytes:
    """The first bytes of an item's data, joined from its extents (length 0: to the end)."""
    head = b""
    for offset, length in spans:
        start = source[0] + offset
        stop = source[1] if length == 0 else min(start + length, source[1])
        head += data[start : min(stop, start + _CANVAS_HEAD)]
        if len(head) >= _CANVAS_HEAD:
            break
    return head[:_CANVAS_HEAD]


def canvas_size(kind: bytes, head: bytes) -> Size:
    """The output (width, height) in the data of a grid or overlay item."""
    wide = 4 if len(head) > 1 and head[1] & 1 else 2  # flags bit 0: 32-bit sides
    at = 4 if kind == b"grid" else 10  # after version, flags, rows, columns / 4 fill values
    if len(head) < at + 2 * wide:
        raise HeifStructureError(f"the {_name(kind)} item's data is too short")
    return _uint(head, at, wide, len(head)), _uint(head, at + wide, wide, len(head))


def _uint(data: bytes, pos: int, size: int, end: int) -> int:
    """A big-endian unsigned integer of size bytes (0 gives 0) that must end by `end`."""
    if pos + size > min(end, len(data)):
        raise HeifStructureError("a table runs past the end of its box")
    return int.from_bytes(data[pos : pos + size], "big")


def _name(kind: bytes) -> str:
    """A box type for a message: printable ASCII, else hex."""
    text = kind.decode("latin-1")
    return f"'{text}'" if text.isascii() and text.isprintable() else kind.hex()
