"""Helpers of the explorer: the probe input and edited-minus-baseline traces."""

from __future__ import annotations

import keras
import numpy as np

from ._trace import Trace

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
