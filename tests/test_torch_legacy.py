"""The torch-free legacy reader, on small files written here opcode by opcode."""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from gradcam_core.errors import ModelUnavailableError
from gradcam_core.torch_legacy import read_legacy_state_dict

MAGIC = 0x1950A86A20F9469CFC6C
SYS_INFO = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"long": 8}}


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _str(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _tensor(storage_type: str, key: str, numel: int, offset: int, size, stride) -> bytes:
    """Opcodes of ``_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())``."""
    pid = _tuple(_str("storage"), _global("torch", storage_type), _str(key), _str("cpu"))
    pid = pid[:-1] + _int(numel) + b"N" + b"t"  # ..., numel, None)
    hooks = _global("collections", "OrderedDict") + b")R"
    args = _tuple(
        pid + b"Q",
        _int(offset),
        _tuple(*map(_int, size)),
        _tuple(*map(_int, stride)),
        b"\x89" + hooks,
    )
    return _global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def _state_dict_pickle(entries: dict[str, bytes], rebuild=("torch._utils", "_rebuild_tensor_v2")):
    body = b"".join(_str(k) + v for k, v in entries.items())
    raw = b"\x80\x02" + _global("collections", "OrderedDict") + b")R(" + body + b"u."
    return raw.replace(_global("torch._utils", "_rebuild_tensor_v2"), _global(*rebuild))


def _storage_data(dtype: str, values: list) -> bytes:
    return struct.pack("<q", len(values)) + np.asarray(values, dtype=dtype).tobytes()


# Storage "0": six float32 values; storage "1": five int64; storage "2": two float16.
FLOATS = [0.0, 1.5, 3.0, 4.5, 6.0, 7.5]
LONGS = [10, 20, 30, 40, 50]
HALVES = [1.0, -2.0]

ENTRIES = {
    "conv.weight": _tensor("FloatStorage", "0", 6, 0, (2, 3), (3, 1)),
    "conv.weight_t": _tensor("FloatStorage", "0", 6, 0, (3, 2), (1, 3)),
    "every_other": _tensor("LongStorage", "1", 5, 1, (2,), (2,)),
    "last_scalar": _tensor("LongStorage", "1", 5, 4, (), ()),
    "half": _tensor("HalfStorage", "2", 2, 0, (2,), (1,)),
}


STORAGES = {"0": ("<f4", FLOATS), "1": ("<i8", LONGS), "2": ("<f2", HALVES)}


def _legacy_file(pickled_object: bytes, header: bytes | None = None, storages=None) -> bytes:
    storages = STORAGES if storages is None else storages
    parts = [
        header or pickle.dumps(MAGIC, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps(SYS_INFO, protocol=2),
        pickled_object,
        pickle.dumps(list(storages), protocol=2),
        *(_storage_data(dtype, values) for dtype, values in storages.values()),
    ]
    return b"".join(parts)


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.pth"
    path.write_bytes(_legacy_file(_state_dict_pickle(ENTRIES)))
    return path


def test_reads_known_arrays(good_file: Path) -> None:
    sd = read_legacy_state_dict(good_file)
    assert list(sd) == list(ENTRIES)
    np.testing.assert_array_equal(sd["conv.weight"], [[0.0, 1.5, 3.0], [4.5, 6.0, 7.5]])
    assert sd["conv.weight"].dtype == np.float32


def test_non_contiguous_and_offset_tensors(good_file: Path) -> None:
    sd = read_legacy_state_dict(good_file)
    np.testing.assert_array_equal(sd["conv.weight_t"], [[0.0, 4.5], [1.5, 6.0], [3.0, 7.5]])
    np.testing.assert_array_equal(sd["every_other"], [20, 40])
    assert sd["every_other"].dtype == np.int64
    assert sd["last_scalar"].shape == ()
    assert int(sd["last_scalar"]) == 50
    np.testing.assert_array_equal(sd["half"], np.array([1.0, -2.0], dtype=np.float16))


def test_arrays_are_independent_copies(good_file: Path) -> None:
    sd = read_legacy_state_dict(good_file)
    assert sd["conv.weight_t"].flags.c_contiguous
    sd["conv.weight"][0, 0] = 99.0  # writable, and does not leak into the transposed view
    assert sd["conv.weight_t"][0, 0] == 0.0


def test_forbidden_global_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = _state_dict_pickle(ENTRIES, rebuild=("os", "system"))
    path = tmp_path / "evil.pth"
    path.write_bytes(_legacy_file(evil))
    with pytest.raises(ModelUnavailableError, match=r"forbidden global os\.system"):
        read_legacy_state_dict(path)
    assert not marker.exists()


class _RunsCommand:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_forbidden_global_in_header_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    header = pickle.dumps(_RunsCommand(f"touch {marker}"), protocol=2)
    path = tmp_path / "evil_header.pth"
    path.write_bytes(_legacy_file(_state_dict_pickle(ENTRIES), header=header))
    with pytest.raises(ModelUnavailableError, match="forbidden global"):
        read_legacy_state_dict(path)
    assert not marker.exists()


@pytest.mark.parametrize("cut", [3, 20, 60])
def test_truncated_file_is_unavailable(good_file: Path, tmp_path: Path, cut: int) -> None:
    data = good_file.read_bytes()
    path = tmp_path / "truncated.pth"
    path.write_bytes(data[:-cut])
    with pytest.raises(ModelUnavailableError):
        read_legacy_state_dict(path)


def test_truncated_in_the_pickle(good_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "short.pth"
    path.write_bytes(good_file.read_bytes()[:100])
    with pytest.raises(ModelUnavailableError):
        read_legacy_state_dict(path)


def test_tensor_outside_storage_is_refused(tmp_path: Path) -> None:
    # last element would be at 4 + 1*2 + 1*1 = 7, but the storage has 6 elements
    entries = {"too_big": _tensor("FloatStorage", "0", 6, 4, (2, 2), (2, 1))}
    path = tmp_path / "outside.pth"
    path.write_bytes(_legacy_file(_state_dict_pickle(entries), storages={"0": STORAGES["0"]}))
    with pytest.raises(ModelUnavailableError, match="outside its storage"):
        read_legacy_state_dict(path)


def test_storage_key_list_must_match(tmp_path: Path) -> None:
    entries = {"w": _tensor("FloatStorage", "0", 6, 0, (6,), (1,))}
    path = tmp_path / "extra_keys.pth"
    path.write_bytes(_legacy_file(_state_dict_pickle(entries)))  # lists "1", "2" too
    with pytest.raises(ModelUnavailableError, match="key list"):
        read_legacy_state_dict(path)


def test_single_storage_file(tmp_path: Path) -> None:
    entries = {"w": _tensor("FloatStorage", "0", 6, 2, (2, 2), (1, 2))}
    path = tmp_path / "one.pth"
    path.write_bytes(_legacy_file(_state_dict_pickle(entries), storages={"0": STORAGES["0"]}))
    # element [i, j] = data[2 + i + 2j]
    np.testing.assert_array_equal(read_legacy_state_dict(path)["w"], [[3.0, 6.0], [4.5, 7.5]])


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 zip archive", b"\x80\x02K\x07."])
def test_not_a_legacy_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "other.pth"
    path.write_bytes(content)
    with pytest.raises(ModelUnavailableError):
        read_legacy_state_dict(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="cannot read"):
        read_legacy_state_dict(tmp_path / "nope.pth")
