"""Arguments a callee changed in place, sent back to the caller and written into its objects.

In a kernel, a function that fills an output array or draws from a generator it was given
changes the caller's object. Across the grader's two processes an argument crosses by value,
so each call snapshots its array, tensor and generator arguments, and the reply carries the
ones that changed; the caller copies them back into its own objects. This works both ways: a
test calling a student's function, and a student's function calling an object the test lent it
(the scripted ``sample_next`` that draws from the generator it is given).
"""

from __future__ import annotations

from typing import Any

from course_tools.grader.protocol.limits import MAX_CHANGED, MAX_NESTED
from course_tools.grader.protocol.wire import Codec


class _Items(list):  # type: ignore[type-arg]
    """Snapshots of the items of a list or tuple argument (``None`` where an item is not array-like)."""


class _Entries(dict):  # type: ignore[type-arg]
    """Snapshots of the values of a dict argument, by key."""


def snapshot(value: Any, depth: int = 0) -> Any:
    """A copy of an array-like argument, to see afterwards whether the callee changed it; for a
    list, tuple or dict, the snapshots of its items (a list of gradient arrays scaled in place)."""
    if type(value) in (list, tuple) and depth < MAX_NESTED:
        items = _Items(snapshot(v, depth + 1) for v in value)
        return items if any(i is not None for i in items) else None
    if type(value) is dict and depth < MAX_NESTED:
        entries = _Entries((k, snapshot(v, depth + 1)) for k, v in value.items())
        return entries if any(e is not None for e in entries.values()) else None
    module = type(value).__module__ or ""
    if module.startswith("numpy") and type(value).__name__ == "ndarray":
        return value.copy()
    if module.startswith("torch") and type(value).__name__ == "Tensor":
        return value.detach().clone()
    if module.startswith("torch") and type(value).__name__ == "Generator":
        return value.get_state().clone()
    if module.startswith("numpy") and type(value).__name__ == "Generator":
        return repr(value.bit_generator.state)
    return None


def _same(before: Any, after: Any) -> bool:
    import numpy as np

    if isinstance(before, _Items):
        return (
            type(after) in (list, tuple)
            and len(after) == len(before)
            and all(b is None or _same(b, a) for b, a in zip(before, after, strict=True))
        )
    if isinstance(before, _Entries):
        return type(after) is dict and all(
            b is None or (k in after and _same(b, after[k])) for k, b in before.items()
        )
    if isinstance(before, np.ndarray) and not isinstance(after, np.ndarray):
        return False  # an item of a list was replaced by something else
    if isinstance(before, str):  # a NumPy generator's state
        return type(after).__name__ == "Generator" and repr(after.bit_generator.state) == before
    if isinstance(after, np.ndarray):
        return (
            isinstance(before, np.ndarray)
            and before.shape == after.shape
            and before.dtype == after.dtype
            and before.tobytes() == after.tobytes()
        )
    if type(after).__name__ == "Generator":  # a torch generator: compare states
        after = after.get_state()
    return tuple(before.shape) == tuple(after.shape) and bool(
        before.detach().cpu().numpy().tobytes() == after.detach().cpu().numpy().tobytes()
    )


def snapshots(args: list[Any], kwargs: dict[str, Any]) -> dict[tuple[str, int | str], Any]:
    """A snapshot of each argument: ``("a", position)`` and ``("k", keyword)``."""
    before: dict[tuple[str, int | str], Any] = {("a", i): snapshot(v) for i, v in enumerate(args)}
    before.update({("k", k): snapshot(v) for k, v in kwargs.items()})
    return before


def changed(
    before: dict[tuple[str, int | str], Any],
    args: list[Any],
    kwargs: dict[str, Any],
    codec: Codec,
    blobs: list[bytes],
) -> dict[str, Any]:
    """The reply field listing the arguments whose contents differ from their snapshot."""
    out = []
    for (kind, key), old in before.items():
        new = args[key] if isinstance(key, int) else kwargs[key]
        if old is None or _same(old, new):
            continue
        out.append([kind, key, codec.encode(new, blobs)])
    return {"mutated": out}


def write_back(reply: dict[str, Any], codec: Codec, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Copy the changed arguments listed in ``reply`` into the caller's own objects."""
    for kind, key, encoded in (reply.get("mutated") or [])[:MAX_CHANGED]:
        original = (
            args[key]
            if kind == "a" and isinstance(key, int) and 0 <= key < len(args)
            else kwargs.get(key)
            if kind == "k" and isinstance(key, str)
            else None
        )
        if original is not None:
            restore(original, codec.decode(encoded, reply["_blobs"]))


def restore(original: Any, new: Any) -> None:
    """Write a callee's in-place change of an argument into the caller's object, shape included
    (``lengths.unsqueeze_(1)`` in the callee reshapes the caller's tensor, as in a kernel)."""
    import numpy as np

    if type(original) in (list, tuple) and type(new) in (list, tuple):
        # arrays inside a list are written back in place; items the callee appended are not ours
        for item, new_item in zip(original, new, strict=False):
            restore(item, new_item)
        return
    if type(original) is dict and type(new) is dict:
        for key, new_item in new.items():
            if key in original:
                restore(original[key], new_item)
        return
    if isinstance(original, np.ndarray) and isinstance(new, (bool, int, float, np.generic)):
        new = np.asarray(new)  # a 0-d item of a list replaced by a scalar (g = g * 0.5)
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if not original.flags.writeable:
            return
        if original.shape != new.shape:
            try:  # a = a.reshape(...) rebinds; only `a.shape = ...` or `a.resize(...)` reach here
                if original.size == new.size:
                    original.shape = new.shape
                else:
                    original.resize(new.shape, refcheck=False)
            except (ValueError, AttributeError):
                return
        np.copyto(original, new.astype(original.dtype, copy=False))
        return
    module = type(original).__module__ or ""
    if module.startswith("torch"):
        import torch

        if isinstance(original, torch.Generator) and isinstance(new, torch.Generator):
            original.set_state(new.get_state())
        elif isinstance(original, torch.Tensor) and isinstance(new, torch.Tensor):
            with torch.no_grad():
                if original.shape == new.shape:
                    original.copy_(new.to(original.dtype))
                else:  # unsqueeze_, t_, resize_...: take the new shape and contents
                    original.set_(new.to(original.dtype).contiguous())  # type: ignore[call-overload]
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        original.bit_generator.state = new.bit_generator.state
