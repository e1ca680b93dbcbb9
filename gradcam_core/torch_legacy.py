"""Read a legacy-format (non-zip) PyTorch state dict into numpy arrays, without torch.

The legacy format written by ``torch.save(..., _use_new_zipfile_serialization=False)`` is:

1. pickle(magic number), pickle(protocol version 1001), pickle(sys info dict);
2. pickle(the object), where each storage is a persistent id
   ``('storage', storage_type, key, location, numel, view_metadata)`` and each tensor is a
   call ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``;
3. pickle(list of storage keys, in the order their data follows);
4. for each key: int64 element count, then ``count * itemsize`` raw bytes.

Only a handful of globals are allowed by the unpickler; every other one is refused, so a
malicious file cannot run code. Storages and tensors become small stand-in objects that are
turned into numpy arrays once the raw data has been read.
"""

from __future__ import annotations

import collections
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from gradcam_core.errors import ModelUnavailableError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001

STORAGE_DTYPES: dict[str, np.dtype] = {
    "DoubleStorage": np.dtype("<f8"),
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


@dataclass(frozen=True)
class StorageType:
    """Stand-in for a ``torch.XxxStorage`` class: only its numpy dtype matters."""

    name: str
    dtype: np.dtype


@dataclass(frozen=True)
class StorageRef:
    """A storage named in the pickle; its data is read after the pickle ends."""

    key: str
    dtype: np.dtype
    numel: int
    view_offset: int = 0
    view_numel: int | None = None


@dataclass(frozen=True)
class TensorRef:
    """A strided view into a storage: element i is data[offset + Σ_k i_k·stride_k]."""

    storage: StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(
    storage: StorageRef, offset: int, size: tuple, stride: tuple, *_rest: Any
) -> TensorRef:
    """Stand-in for ``torch._utils._rebuild_tensor_v2``: remember where the tensor lives."""
    if not isinstance(storage, StorageRef):
        raise pickle.UnpicklingError("tensor built from something that is not a storage")
    return TensorRef(
        storage, int(offset), tuple(int(n) for n in size), tuple(int(s) for s in stride)
    )


def _rebuild_parameter(data: TensorRef, *_rest: Any) -> TensorRef:
    """Stand-in for ``torch._utils._rebuild_parameter``: a parameter is just its tensor."""
    return data


ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): StorageType(name, dtype) for name, dtype in STORAGE_DTYPES.items()},
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only ``ALLOWED_GLOBALS`` and legacy storage persistent ids."""

    def __init__(self, file: IO[bytes], byteorder: str = "<") -> None:
        super().__init__(file)
        self.byteorder = byteorder
        self.storages: dict[str, StorageRef] = {}

    def find_class(self, module: str, name: str) -> Any:
        """Return the stand-in for an allowed global; refuse every other one."""
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"forbidden global {module}.{name}") from None

    def persistent_load(self, pid: Any) -> StorageRef:
        """Turn ``('storage', type, key, location, numel[, view])`` into a StorageRef."""
        if not isinstance(pid, tuple) or len(pid) not in (5, 6) or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")
        storage_type, key, _location, numel = pid[1:5]
        view = pid[5] if len(pid) == 6 else None
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError("persistent id without a known storage type")
        dtype = storage_type.dtype.newbyteorder(self.byteorder)
        root = self.storages.setdefault(str(key), StorageRef(str(key), dtype, int(numel)))
        if view is None:
            return root
        _view_key, view_offset, view_numel = view
        return StorageRef(root.key, root.dtype, root.numel, int(view_offset), int(view_numel))


def _read_storage(f: IO[bytes], ref: StorageRef) -> np.ndarray:
    """Read one storage: int64 element count, then count·itemsize raw bytes."""
    header = f.read(8)
    if len(header) != 8:
        raise ModelUnavailableError("weights file is truncated (storage header missing)")
    count = int(np.frombuffer(header, dtype=np.dtype("<i8").newbyteorder(ref.dtype.byteorder))[0])
    if count != ref.numel:
        raise ModelUnavailableError(
            f"weights file is corrupt (storage {ref.key}: {count} elements)"
        )
    nbytes = count * ref.dtype.itemsize
    raw = f.read(nbytes)
    if len(raw) != nbytes:
        raise ModelUnavailableError("weights file is truncated (storage data missing)")
    return np.frombuffer(raw, dtype=ref.dtype)


def _materialize(tensor: TensorRef, data: dict[str, np.ndarray]) -> np.ndarray:
    """Copy a strided view out of its storage into a new native-endian contiguous array."""
    ref = tensor.storage
    base = data[ref.key][ref.view_offset :]
    if ref.view_numel is not None:
        base = base[: ref.view_numel]
    if len(tensor.size) != len(tensor.stride) or min((*tensor.size, 0)) < 0:
        raise ModelUnavailableError("weights file is corrupt (bad tensor shape)")
    numel = int(np.prod(tensor.size, dtype=np.int64))
    last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride, strict=True))
    if numel and (tensor.offset < 0 or min((*tensor.stride, 0)) < 0 or last >= base.size):
        raise ModelUnavailableError("weights file is corrupt (tensor outside its storage)")
    if numel == 0:
        out = np.zeros(tensor.size, dtype=base.dtype)
    else:
        item = base.itemsize
        out = np.lib.stride_tricks.as_strided(
            base[tensor.offset :],
            shape=tensor.size,
            strides=tuple(s * item for s in tensor.stride),
            writeable=False,
        )
    return np.array(out, dtype=base.dtype.newbyteorder("="), order="C", copy=True)


def _tensor_mapping(obj: Any) -> dict[str, TensorRef]:
    """Return the state dict's name → tensor items (also inside a ``{'state_dict': ...}``)."""
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not obj:
        raise ModelUnavailableError("weights file does not hold a state dict")
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, TensorRef)]
    if bad:
        raise ModelUnavailableError(f"weights file has non-tensor entries, e.g. {bad[0]!r:.60}")
    return obj


def _safe_load(f: IO[bytes]) -> Any:
    """Unpickle one small object with the restricted unpickler (never plain ``pickle.load``)."""
    return RestrictedUnpickler(f).load()


def _read_header(f: IO[bytes]) -> str:
    """Check magic number and protocol version; return the byte order ('<' or '>')."""
    magic = _safe_load(f)
    if magic != LEGACY_MAGIC:
        raise ModelUnavailableError("not a legacy PyTorch file (zip format or other data)")
    if _safe_load(f) != LEGACY_PROTOCOL:
        raise ModelUnavailableError("unsupported legacy PyTorch protocol version")
    sys_info = _safe_load(f)
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    return "<" if little else ">"


def _load(f: IO[bytes]) -> dict[str, np.ndarray]:
    """Parse an open legacy file (see module docstring for the layout)."""
    byteorder = _read_header(f)
    unpickler = RestrictedUnpickler(f, byteorder)
    tensors = _tensor_mapping(unpickler.load())
    keys = _safe_load(f)
    if not isinstance(keys, list) or set(map(str, keys)) != set(unpickler.storages):
        raise ModelUnavailableError("weights file is corrupt (storage key list mismatch)")
    data = {str(k): _read_storage(f, unpickler.storages[str(k)]) for k in keys}
    return {name: _materialize(t, data) for name, t in tensors.items()}


def read_legacy_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Read a legacy (non-zip) ``torch.save`` state dict as name → numpy array, torch-free."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return _load(f)
    except ModelUnavailableError:
        raise
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot read weights file {path.name}: {exc.strerror}"
        ) from exc
    except Exception as exc:  # any parse failure of untrusted bytes is "unreadable file"
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelUnavailableError(
            f"unsupported or corrupt weights file {path.name}: {msg}"
        ) from exc
