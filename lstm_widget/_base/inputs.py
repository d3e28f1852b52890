"""What users pass as input: arrays or streams of batches; a probe input when they pass none."""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np


def is_stream(x: object) -> bool:
    """Whether ``x`` yields batches (a generator, iterator or tf.data.Dataset)."""
    if hasattr(x, "as_numpy_iterator"):
        return True
    if isinstance(x, np.ndarray | list | tuple | dict) or hasattr(x, "shape"):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def batches(x: object) -> Iterator[object]:
    """The batches of a stream: ``x`` of each item (an ``(x, y)`` tuple gives ``x``)."""
    source = x.as_numpy_iterator() if hasattr(x, "as_numpy_iterator") else x
    for item in source:  # type: ignore[attr-defined]
        yield item[0] if isinstance(item, tuple) else item


PROBE_SEED = 0
PROBE_STEPS = 50


def probe_input(model: keras.Model) -> tuple[list[np.ndarray], str]:
    """A seeded stand-in input matching the model's inputs, and a note saying what it is.

    Float inputs get standard normal values; integer inputs (token ids for an
    Embedding) get ids drawn from 1..9. Unknown time lengths use 50 steps.
    """
    rng = np.random.default_rng(PROBE_SEED)
    arrays, shapes = [], []
    for spec in model.inputs:
        shape = tuple(PROBE_STEPS if d is None else int(d) for d in spec.shape[1:])
        if np.dtype(spec.dtype).kind in "iu":
            arrays.append(rng.integers(1, 10, (1, *shape)).astype(spec.dtype))
        else:
            arrays.append(rng.standard_normal((1, *shape)).astype(np.float32))
        shapes.append(str((1, *shape)))
    note = (
        f"Showing a probe input, not your data: seeded random values (seed {PROBE_SEED}), "
        f"shape {', '.join(shapes)}. Pass real data with LSTMExplorer(model, x) or "
        "explorer.x = x."
    )
    return arrays, note
