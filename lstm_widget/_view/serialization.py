"""Arrays on the widget comm: ``{buffer, dtype, shape}``, float32, C-contiguous.

Mirrors ``js/src/codec.ts``. ipywidgets lifts the memoryview out of the JSON state into a
binary message part, so numbers never travel as JSON float lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_wire(arr: np.ndarray) -> dict[str, Any]:
    """Encode an array for the front end (cast to float32, C order)."""
    data = np.ascontiguousarray(arr, dtype=np.float32)
    return {
        "buffer": memoryview(data.reshape(-1)).cast("B"),
        "dtype": "float32",
        "shape": list(data.shape),
    }


def from_wire(wire: dict[str, Any]) -> np.ndarray:
    """Decode what :func:`to_wire` produced (or the front end sent)."""
    if wire.get("dtype") != "float32":
        raise ValueError(f"expected dtype float32, got {wire.get('dtype')!r}.")
    shape = tuple(int(d) for d in wire["shape"])
    data = np.frombuffer(bytes(wire["buffer"]), dtype="<f4")
    if data.size != int(np.prod(shape)):
        raise ValueError(f"shape {shape} needs {int(np.prod(shape))} values, got {data.size}.")
    return data.reshape(shape)
