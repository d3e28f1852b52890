"""Helpers of the explorer: probe input, layer choices, window replies, differences."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from ._model import lstm_refs
from ._trace import Trace

WINDOW_ORDER = ("i", "f", "g", "o", "c", "h")
"""Order of the six arrays in a window reply."""

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


class Difference:
    """Edited minus baseline, array by array (the layer input is the same for both)."""

    def __init__(self, base: Trace, edited: Trace) -> None:
        self.base, self.edited = base, edited
        self.inputs = base.inputs
        self.layer = base.layer
        self.shape = base.shape

    def array(self, name: str) -> np.ndarray:
        return self.edited.array(name) - self.base.array(name)


def layer_names(model: keras.Model) -> list[str]:
    """The explorer's layer choices: LSTM paths, Bidirectional ones once per direction."""
    names = []
    for ref in lstm_refs(model):
        both = [f"{ref.path}/forward", f"{ref.path}/backward"]
        names += both if ref.bidirectional else [ref.path]
    return names


def first_values(outputs: np.ndarray) -> list[float]:
    """The first output values of a batch of one, flattened, at most 64."""
    row = np.asarray(outputs[0], dtype=np.float64).reshape(-1)
    return [float(v) for v in row[:64]]


def window_reply(
    tr: Trace | Difference, layer: str, sample: int, start: int, stop: int
) -> tuple[dict[str, Any], list[bytes]]:
    """The reply to a window request: steps [start, stop) of a one-sample trace.

    Returns
    -------
    tuple
        The reply content (without id) and its two buffers: (6, steps, units) float32 in
        :data:`WINDOW_ORDER` and the layer input (steps, features) float32.
    """
    _, steps, _ = tr.shape
    start, stop = max(0, start), min(steps, stop)
    if start >= stop:
        raise ValueError(f"empty window [{start}, {stop}) for {steps} steps.")
    block = np.stack([tr.array(k)[0, start:stop] for k in WINDOW_ORDER])
    block = np.ascontiguousarray(block, dtype=np.float32)
    inputs = tr.inputs[0, start:stop] if tr.inputs is not None else np.zeros((stop - start, 0))
    inputs = np.ascontiguousarray(inputs, dtype=np.float32)
    content = {
        "type": "window",
        "layer": layer,
        "sample": sample,
        "start": start,
        "stop": stop,
        "shape": list(block.shape),
        "input_shape": list(inputs.shape),
    }
    return content, [block.tobytes(), inputs.tobytes()]
