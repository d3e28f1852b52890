"""A recurrent layer and the layers after it, as a page computes them without a kernel.

For an exported explorer (#28): the page gets the layer's input per sample and this
description, and runs the recurrence (``js/src/core/recurrence.ts``) and the layers after
it (``js/src/core/head.ts``). Weights travel as float32 arrays referenced by index (``arrays``)
so that the caller can ship them as binary. A layer the page cannot compute becomes
``{"op": "unsupported", ...}``: the page then shows the traces but says the output needs
the kernel, never a wrong number.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._base.activations import activation_name, has_twin
from .._reading.model import find_recurrent, is_gru, require_model

IDENTITY = (
    "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "ActivityRegularization",
)  # fmt: skip
"""Layers that are the identity at inference."""
ACTIVATIONS = ("softmax", "log_softmax")
"""Activations over the last axis the page computes besides the element-wise ones."""


def _activation(fn: object) -> str:
    """Keras's name of an activation the page knows, else ``"custom:<name>"``."""
    name = activation_name(fn)  # type: ignore[arg-type]
    known = has_twin(fn) or fn in (getattr(keras.activations, a, None) for a in ACTIVATIONS)  # type: ignore[arg-type]
    return name if known else f"custom:{name}"


class _Arrays:
    def __init__(self) -> None:
        self.items: list[np.ndarray] = []

    def add(self, value: np.ndarray) -> int:
        self.items.append(np.ascontiguousarray(value, dtype=np.float32))
        return len(self.items) - 1


def _cell(rnn: keras.layers.RNN, arrays: _Arrays) -> dict[str, Any]:
    cell = rnn.cell
    weights = rnn.get_weights()
    gru = is_gru(rnn)
    return {
        "kind": "GRU" if gru else "LSTM",
        "units": int(cell.units),
        "features": int(weights[0].shape[0]),
        "activation": _activation(cell.activation),
        "recurrentActivation": _activation(cell.recurrent_activation),
        "goBackwards": bool(rnn.go_backwards),
        "resetAfter": bool(getattr(cell, "reset_after", False)),
        "returnSequences": bool(rnn.return_sequences),
        "zeroOutputForMask": bool(getattr(rnn, "zero_output_for_mask", False)),
        "kernel": arrays.add(weights[0]),
        "recurrentKernel": arrays.add(weights[1]),
        "bias": arrays.add(weights[2].ravel()) if len(weights) > 2 else None,
    }


def _recurrent(layer: keras.layers.Layer, arrays: _Arrays) -> dict[str, Any]:
    if isinstance(layer, keras.layers.Bidirectional):
        return {
            "op": "bidirectional",
            "merge": layer.merge_mode,
            "forward": _cell(layer.forward_layer, arrays),
            "backward": _cell(layer.backward_layer, arrays),
        }
    return {"op": "rnn", "cell": _cell(layer, arrays)}


def _op(layer: keras.layers.Layer, arrays: _Arrays) -> dict[str, Any]:
    """One layer after the recurrent one."""
    kind = type(layer).__name__
    if kind in IDENTITY:
        return {"op": "identity", "name": layer.name}
    if kind == "Flatten":
        return {"op": "flatten", "name": layer.name}
    if kind == "Activation":
        return {"op": "activation", "name": layer.name, "activation": _activation(layer.activation)}
    if kind == "Dense" or (kind == "TimeDistributed" and type(layer.layer).__name__ == "Dense"):
        dense = layer if kind == "Dense" else layer.layer
        weights = dense.get_weights()
        return {
            "op": "dense",
            "name": layer.name,
            "kernel": arrays.add(weights[0]),
            "units": int(weights[0].shape[1]),
            "bias": arrays.add(weights[1]) if len(weights) > 1 else None,
            "activation": _activation(dense.activation),
        }
    if kind in ("LSTM", "GRU", "Bidirectional") and not getattr(layer, "return_state", False):
        inner = layer.forward_layer if kind == "Bidirectional" else layer
        if kind != "Bidirectional" or layer.merge_mode in ("concat", "sum", "ave", "mul"):
            if is_gru(inner) or type(inner).__name__ == "LSTM":
                return {**_recurrent(layer, arrays), "name": layer.name}
    return {"op": "unsupported", "name": layer.name, "class": kind}


def page_model(
    model: keras.Model, layer: str | None = None
) -> tuple[dict[str, Any], list[np.ndarray]]:
    """The recurrent layer at ``layer`` and the layers after it, and their weight arrays.

    Returns
    -------
    tuple
        ``(description, arrays)``: ``{"layer": {...}, "after": [{...}, ...], "note": str}``
        where weights are indices into ``arrays`` (float32, C order). ``"after"`` is empty
        and ``note`` says why when the layers after are not a Sequential chain.
    """
    model = require_model(model)
    ref = find_recurrent(model, layer)
    arrays = _Arrays()
    description: dict[str, Any] = {"layer": {**_recurrent(ref.layer, arrays), "name": ref.path}}
    if not isinstance(model, keras.Sequential) or len(ref.containers) != 1:
        description["after"] = [{"op": "unsupported", "name": model.name, "class": "graph"}]
        description["note"] = "the model is not a Sequential chain after this layer"
        return description, arrays.items
    later = model.layers[model.layers.index(ref.layer) + 1 :]
    description["after"] = [_op(step, arrays) for step in later]
    description["note"] = ""
    return description, arrays.items
