"""The grader's wire format between the trusted judge and the sandboxed worker.

A message is one frame: an 8-byte length, a JSON header, then binary blobs (each with an
8-byte length). Values cross by *value* when they are plain data and by *reference* otherwise:

- ``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``, ``slice``, ``range``, ``Ellipsis``
  — rebuilt as the builtin type (a student's ``int`` subclass with a lying ``__eq__`` arrives as
  a plain ``int``); ``list``, ``tuple``, ``dict`` and ``OrderedDict`` of exactly that type (a
  namedtuple or another subclass is passed by handle, so it keeps its type and methods);
- NumPy arrays and scalars — ``.npy`` bytes read back with ``allow_pickle=False``;
- torch tensors (not parameters), ``torch.Size``, ``torch.dtype``, ``torch.Generator`` (by state);
- NumPy ``Generator`` (by bit-generator state);
- anything else — a numbered *handle*: the object stays with its owner and the other side gets a
  proxy that forwards calls, attribute reads and item access.

No pickle is ever read, so decoding untrusted bytes can only build the types above.
"""

from __future__ import annotations

import io
import math
import struct
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course_tools.grader.protocol.limits import MAX_DEPTH, MAX_MRO, TYPE_NAME_CHARS

LENGTH = struct.Struct("<Q")  # every length in a frame: 8 bytes, little-endian


class WireError(Exception):
    """A frame that is malformed, too large or truncated (the peer died or misbehaved)."""


@dataclass(frozen=True)
class HandleInfo:
    """What crosses for an object that stays with its owner: its number and enough of its type
    for the other side's proxy (whether it is callable, its MRO to find a trusted base class)."""

    number: int
    type_name: str
    callable: bool
    mro: list[tuple[str, str]]  # (module, qualname) of the first classes of the MRO

    @classmethod
    def of(cls, number: int, value: Any) -> HandleInfo:
        mro = [(c.__module__, c.__qualname__) for c in type(value).__mro__[:MAX_MRO]]
        return cls(number, type(value).__name__, callable(value), mro)

    def to_wire(self) -> dict[str, Any]:
        return {
            "handle": self.number,
            "type": self.type_name,
            "callable": self.callable,
            "mro": [list(entry) for entry in self.mro],
        }

    @classmethod
    def from_wire(cls, value: dict[str, Any]) -> HandleInfo:
        """Read what the other side sent (which may be anything)."""
        mro = value.get("mro")
        entries = [
            (e[0], e[1])
            for e in (mro if isinstance(mro, list) else [])[:MAX_MRO]
            if isinstance(e, list) and len(e) == 2 and all(isinstance(part, str) for part in e)
        ]
        return cls(
            int(value["handle"]),
            str(value.get("type", "object"))[:TYPE_NAME_CHARS],
            bool(value.get("callable")),
            entries,
        )


class HandleTable:
    """Objects this side lends to the other side, by number (same object, same number)."""

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self.ids: dict[int, int] = {}

    def lend(self, obj: Any) -> int:
        key = id(obj)
        if key not in self.ids:
            number = len(self.objects) + 1
            self.objects[number] = obj
            self.ids[key] = number
        return self.ids[key]

    def get(self, number: Any) -> Any:
        if not isinstance(number, int) or number not in self.objects:
            raise WireError(f"unknown handle {number!r}")
        return self.objects[number]


def _npy(array: Any) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.require(array, requirements="C"), allow_pickle=False)  # 0-d stays 0-d
    return buf.getvalue()


def _from_npy(blob: bytes) -> Any:
    import numpy as np

    return np.load(io.BytesIO(blob), allow_pickle=False)


class Codec:
    """Encode and decode values for one side.

    ``lend`` keeps objects that are not data (returns a handle number); ``borrowed`` builds the
    proxy for a handle of the other side; ``own`` resolves a reference to one of ours.
    """

    def __init__(
        self,
        table: HandleTable,
        borrowed: Callable[[HandleInfo], Any],
        is_proxy: Callable[[Any], int | None],
        by_reference: Callable[[Any], bool],
    ) -> None:
        self.table = table
        self.borrowed = borrowed
        self.is_proxy = is_proxy
        self.by_reference = by_reference
        # the judge sends its own nn.Parameters by value (the worker must not change them); the
        # worker lends its parameters by handle (so that a test's in-place copy_ reaches them)
        self.parameters_by_value = False

    def encode(self, value: Any, blobs: list[bytes], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        theirs = self.is_proxy(value)
        if theirs is not None:
            return {"ref": theirs}
        if value is None or type(value) is bool:
            return value
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int) and not self.by_reference(value):
            return {"int": str(int(value))}
        if isinstance(value, float) and not self.by_reference(value):
            v = float(value)
            return {"float": repr(v)} if not math.isfinite(v) else v
        if isinstance(value, str) and not self.by_reference(value):
            return {"str": str(value)}
        if isinstance(value, (bytes, bytearray)):
            blobs.append(bytes(value))
            return {"bytes": len(blobs) - 1}
        if value is Ellipsis:
            return {"ellipsis": True}
        if isinstance(value, slice):
            return {
                "slice": [self.encode(v, blobs, depth + 1) for v in (value.start, value.stop, value.step)]
            }
        if isinstance(value, range):
            return {"range": [value.start, value.stop, value.step]}
        if isinstance(value, complex):
            return {"complex": [value.real, value.imag]}
        encoded = self._encode_array_like(value, blobs)
        if encoded is not None:
            return encoded
        # exact containers only: a namedtuple or a dict subclass keeps its type by staying put
        is_size = type(value).__name__ == "Size" and type(value).__module__.startswith("torch")
        if (type(value) in (list, tuple) or is_size) and not self.by_reference(value):
            items = [self.encode(v, blobs, depth + 1) for v in value]
            if is_size:
                return {"size": items}
            return {"tuple": items} if isinstance(value, tuple) else {"list": items}
        if type(value) in (dict, OrderedDict) and not self.by_reference(value):
            return {
                "dict": [
                    [self.encode(k, blobs, depth + 1), self.encode(v, blobs, depth + 1)]
                    for k, v in value.items()
                ]
            }
        return HandleInfo.of(self.table.lend(value), value).to_wire()

    def _encode_array_like(self, value: Any, blobs: list[bytes]) -> Any:
        np = sys.modules.get("numpy")
        if np is not None:
            if isinstance(value, np.random.Generator):
                return {
                    "npgen": type(value.bit_generator).__name__,
                    "state": self.encode(value.bit_generator.state, blobs),
                }
            if isinstance(value, (np.ndarray, np.generic)):  # subclasses arrive as plain arrays
                array = np.asarray(value)
                if array.dtype.hasobject:
                    return (
                        {"list": [self.encode(v, blobs) for v in array.tolist()]}
                        if array.ndim
                        else self.encode(array.item(), blobs)
                    )
                blobs.append(_npy(array))
                return {"npy": len(blobs) - 1, "scalar": isinstance(value, np.generic)}
        torch = sys.modules.get("torch")
        if torch is not None:
            if isinstance(value, torch.dtype):
                return {"tdtype": str(value).removeprefix("torch.")}
            if isinstance(value, torch.device):
                return {"tdevice": str(value)}
            if isinstance(value, torch.Generator):
                blobs.append(_npy(value.get_state().numpy()))
                return {"tgen": len(blobs) - 1}
            if (
                isinstance(value, torch.Tensor)
                and (self.parameters_by_value or not isinstance(value, torch.nn.Parameter))
                and not self.by_reference(value)
            ):
                tensor = torch.Tensor.detach(value).cpu()
                dtype = str(tensor.dtype).removeprefix("torch.")
                if tensor.dtype == torch.bfloat16:
                    tensor = tensor.float()
                blobs.append(_npy(tensor.resolve_conj().resolve_neg().numpy()))
                return {"tensor": len(blobs) - 1, "dtype": dtype, "grad": bool(value.requires_grad)}
        return None

    def decode(self, value: Any, blobs: list[bytes], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or len(value) == 0:
            raise WireError("bad value")
        kind = next(iter(value))
        body = value[kind]
        if kind == "int":
            return int(body)
        if kind == "float":
            return float(body)
        if kind == "str":
            return str(body)
        if kind == "bytes":
            return bytes(blobs[body])
        if kind == "ellipsis":
            return Ellipsis
        if kind == "complex":
            return complex(float(body[0]), float(body[1]))
        if kind == "slice":
            return slice(*(self.decode(v, blobs, depth + 1) for v in body))
        if kind == "range":
            return range(int(body[0]), int(body[1]), int(body[2]))
        if kind in {"list", "tuple", "size"}:
            items = [self.decode(v, blobs, depth + 1) for v in body]
            if kind == "size":
                import torch

                return torch.Size([int(i) for i in items])
            return tuple(items) if kind == "tuple" else items
        if kind == "dict":
            return {self.decode(k, blobs, depth + 1): self.decode(v, blobs, depth + 1) for k, v in body}
        if kind == "npy":
            array = _from_npy(blobs[body])
            return array[()] if value.get("scalar") else array
        if kind == "npgen":
            import numpy as np

            bit_generator = getattr(np.random, str(body), None)
            if (
                bit_generator is None
                or not isinstance(bit_generator, type)
                or not issubclass(bit_generator, np.random.BitGenerator)
            ):
                raise WireError(f"unknown bit generator {body!r}")
            bits = bit_generator()
            bits.state = self.decode(value["state"], blobs, depth + 1)
            return np.random.Generator(bits)
        if kind in {"tdtype", "tdevice", "tgen", "tensor"}:
            return self._decode_torch(kind, value, blobs)
        if kind == "handle":
            return self.borrowed(HandleInfo.from_wire(value))
        if kind == "ref":
            return self.table.get(body)
        raise WireError(f"unknown value kind {kind!r}")

    def _decode_torch(self, kind: str, value: dict[str, Any], blobs: list[bytes]) -> Any:
        import torch

        body = value[kind]
        if kind == "tdtype":
            dtype = getattr(torch, str(body), None)
            if not isinstance(dtype, torch.dtype):
                raise WireError(f"unknown dtype {body!r}")
            return dtype
        if kind == "tdevice":
            return torch.device("cpu")
        if kind == "tgen":
            generator = torch.Generator()
            generator.set_state(torch.from_numpy(_from_npy(blobs[body])))
            return generator
        array = _from_npy(blobs[body])
        tensor = torch.from_numpy(array.copy()) if array.ndim else torch.tensor(array.item())
        dtype = getattr(torch, str(value.get("dtype")), None)
        if isinstance(dtype, torch.dtype) and tensor.dtype != dtype:
            tensor = tensor.to(dtype)
        if value.get("grad") and tensor.is_floating_point():
            tensor.requires_grad_(True)
        return tensor
