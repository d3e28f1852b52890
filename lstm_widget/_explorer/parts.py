"""Helpers of the explorer: probe input, layer choices, window replies, differences."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._cells.gru_trace import GRUTrace
from .._cells.trace import Trace
from .._reading.model import DIRECTIONS, recurrent_refs
from .._view.labels import masked_runs
from .._view.overview import OVERVIEW_BINS, downsample
from .._view.serialization import to_wire

VIEWS = {"lstm": ("i", "f", "g", "o", "c", "h"), "gru": ("z", "r", "hh", "h")}
"""The arrays the explorer shows per layer kind, in window-reply order (trace short names)."""
WINDOW_ORDER = VIEWS["lstm"]
"""Order of an LSTM's six arrays in a window reply."""
DEFAULT_VIEW = {"lstm": "c", "gru": "h"}
"""What the timeline shows first: the state that carries memory."""


def kind_of(tr: object) -> str:
    """``"gru"`` for a GRU trace (or a difference of them), else ``"lstm"``."""
    base = tr.base if isinstance(tr, Difference) else tr
    return "gru" if isinstance(base, GRUTrace) else "lstm"


class Difference:
    """Edited minus baseline, array by array (the layer input is the same for both)."""

    def __init__(self, base: Trace | GRUTrace, edited: Trace | GRUTrace) -> None:
        self.base, self.edited = base, edited
        self.inputs = base.inputs
        self.layer = base.layer
        self.shape = base.shape

    def array(self, name: str) -> np.ndarray:
        """Edited minus baseline of array ``name``."""
        return self.edited.array(name) - self.base.array(name)


def layer_names(model: keras.Model) -> list[str]:
    """The explorer's layer choices: LSTM and GRU paths, Bidirectional ones per direction."""
    names = []
    for ref in recurrent_refs(model):
        both = [f"{ref.path}/{d}" for d in DIRECTIONS]
        names += both if ref.bidirectional else [ref.path]
    return names


def initial_layer(layer: str | None, names: list[str]) -> str:
    """The layer choice for ``layer=`` (a path, a plain name or a Bidirectional's name)."""
    if layer is None:
        return names[0]
    matches = [n for n in names if n == layer or n.rsplit("/", 1)[-1] == layer]
    matches += [n for n in names if n.startswith(f"{layer}/") and n not in matches]
    return matches[0] if matches else names[0]


def input_names(
    model: keras.Model, layer: str, tr: Trace | GRUTrace | Difference, given: list[str] | None
) -> list[str]:
    """Names of the layer-input features: the user's for the first layer, else x0, in0, ..."""
    first = recurrent_refs(model)[0].path
    is_first = layer == first or layer.startswith(f"{first}/")
    feats = tr.inputs.shape[2] if tr.inputs is not None else 0
    names = given if is_first else None
    if names is None or len(names) != feats:
        names = [f"{'x' if is_first else 'in'}{k}" for k in range(feats)]
    return names


def overview_of(tr: Trace | GRUTrace | Difference, view: str) -> dict[str, Any]:
    """The ``overview`` trait for a one-sample trace: the timeline's data.

    ``{"view", "bins", "exact", "data": wire (units, bins), "input": wire (features, bins),
    "range": [min, max] of the array over every step (the legend's), "masked": [[start,
    stop), ...] runs of masked steps}``.
    """
    values = tr.array(view)[0]
    steps = values.shape[0]
    finite = values[np.isfinite(values)]
    mask = tr.base.mask if isinstance(tr, Difference) else tr.mask
    overview: dict[str, Any] = {
        "view": view,
        "bins": min(steps, OVERVIEW_BINS),
        "exact": steps <= OVERVIEW_BINS,
        "data": to_wire(downsample(values)),
        "range": [float(finite.min()), float(finite.max())] if finite.size else [],
        "masked": masked_runs(None if mask is None else mask[0]),
    }
    if tr.inputs is not None:
        overview["input"] = to_wire(downsample(tr.inputs[0]))
    return overview


def first_values(outputs: np.ndarray) -> list[float]:
    """The first output values of a batch of one, flattened, at most 64."""
    row = np.asarray(outputs[0], dtype=np.float64).reshape(-1)
    return [float(v) for v in row[:64]]


def window_reply(
    tr: Trace | GRUTrace | Difference, layer: str, sample: int, start: int, stop: int
) -> tuple[dict[str, Any], list[bytes]]:
    """The reply to a window request: steps [start, stop) of a one-sample trace.

    Returns
    -------
    tuple
        The reply content (without id) and its two buffers: (arrays, steps, units) float32
        in :data:`VIEWS` order of the layer's kind (``"views"`` in the content) and the
        layer input (steps, features) float32.
    """
    _, steps, _ = tr.shape
    start, stop = max(0, start), min(steps, stop)
    if start >= stop:
        raise ValueError(f"empty window [{start}, {stop}) for {steps} steps.")
    views = VIEWS[kind_of(tr)]
    block = np.stack([tr.array(k)[0, start:stop] for k in views])
    block = np.ascontiguousarray(block, dtype=np.float32)
    inputs = tr.inputs[0, start:stop] if tr.inputs is not None else np.zeros((stop - start, 0))
    inputs = np.ascontiguousarray(inputs, dtype=np.float32)
    content = {
        "type": "window",
        "layer": layer,
        "sample": sample,
        "start": start,
        "stop": stop,
        "views": list(views),
        "shape": list(block.shape),
        "input_shape": list(inputs.shape),
    }
    return content, [block.tobytes(), inputs.tobytes()]
