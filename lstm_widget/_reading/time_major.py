"""tf.keras 2 models with ``time_major=True`` recurrent layers, as batch-major Keras 3 twins.

Keras 3 has no ``time_major``: such a layer reads its input as (time, batch, features), so
a model built around it takes its inputs with time first. Its Keras 3 twin is the same
model with every tensor on the way to (and out of) those layers laid out (batch, time, ...)
instead: the layers the data passes through on the way act on each (time, batch) position
alone (Dense, Masking, Embedding, ...), so they compute the same numbers in either layout,
and the recurrent layers compute the same numbers on batch-major input.

What that asks of the model (else a ValueError names the layer in the way): every tensor
laid out time-major reaches only such position-wise layers and time-major recurrent layers,
and every time-major recurrent layer reads a time-major sequence. The twin's time-major
inputs take ``x.swapaxes(0, 1)``; its time-major outputs come out swapped the same way.
Functions given the tf.keras model itself swap ``x`` for you (:func:`twin_inputs`).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .nodes import call_tensors

_POSITIONWISE = frozenset(
    {
        "InputLayer",
        "Dense",
        "Masking",
        "Dropout",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "Activation",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "Embedding",
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Rescaling",
        "Identity",
    }
)
"""Layers that act on each position of a (time, batch, ...) tensor alone."""
_ELEMENTWISE_OPS = frozenset(
    {
        "NotEqual",
        "Equal",
        "Greater",
        "GreaterEqual",
        "Less",
        "LessEqual",
        "LogicalAnd",
        "LogicalOr",
        "LogicalNot",
        "Cast",
        "Divide",
        "TrueDivide",
        "Negative",
        "Absolute",
        "Where",
    }
)
"""Keras ops in a functional graph (e.g. a Masking layer's mask) that work per element."""
_LAST_AXIS = frozenset(
    {"Softmax", "LayerNormalization", "BatchNormalization", "Concatenate", "Any", "All", "Sum"}
)
"""Position-wise when their ``axis`` is the last one (they work along features)."""


@dataclass(frozen=True)
class Layout:
    """Which inputs and outputs of a twin are time-major in the tf.keras model (indices)."""

    layers: tuple[str, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


_LAYOUTS: weakref.WeakKeyDictionary[keras.Model, Layout] = weakref.WeakKeyDictionary()


def time_major_layers(config: dict[str, Any]) -> list[str]:
    """Names of the layers of a Keras 2 model config that are (or wrap) time-major RNNs.

    Raises
    ------
    ValueError
        For a time-major layer inside a nested model.
    """
    names = []
    for entry in config.get("config", {}).get("layers", []):
        cfg = entry.get("config", {})
        if not _any_true(cfg, "time_major"):
            continue
        if "layers" in cfg:
            raise ValueError(
                f"model {cfg.get('name')!r} nested in the model holds a time_major=True layer; "
                "lstm-widget reads time-major layers of the outer model only."
            )
        names.append(cfg.get("name", entry.get("class_name")))
    return names


def _any_true(node: object, key: str) -> bool:
    """Whether a (nested) config sets ``key`` to True anywhere."""
    if isinstance(node, dict):
        return node.get(key) is True or any(_any_true(v, key) for v in node.values())
    if isinstance(node, list):
        return any(_any_true(v, key) for v in node)
    return False


def batch_major(
    config: dict[str, Any], names: list[str], build: Callable[[dict[str, Any]], keras.Model]
) -> tuple[dict[str, Any], Layout]:
    """The config of the batch-major twin (inputs reshaped) and which tensors were swapped.

    ``config`` is the rewritten Keras 3 config (``time_major`` dropped); ``build`` makes a
    model of a config (no weights needed).

    Raises
    ------
    ValueError
        When a layer in the way would compute other numbers on batch-major data.
    """
    out = copy.deepcopy(config)
    model = build(copy.deepcopy(config))  # Keras's reader consumes the dict it reads
    layout = plan(model, names)
    wanted = {model.inputs[i]._keras_history.operation.name for i in layout.inputs}
    stateful = _any_true(config, "stateful")  # keep the batch size its states have
    for entry in out["config"].get("layers", []):
        entry.pop("build_config", None)  # input shapes of the time-major layout
        cfg = entry.get("config", {})
        for key in ("batch_input_shape", "batch_shape"):
            shape = cfg.get(key)
            if cfg.get("name") in wanted and shape is not None and len(shape) >= 2:
                # (time, batch, ...) -> (batch, time, ...)
                cfg[key] = [shape[1] if stateful else None, shape[0], *shape[2:]]
    return out, layout


def plan(model: keras.Model, names: list[str]) -> Layout:
    """Check that ``model`` can run batch-major and find its time-major inputs and outputs.

    First every tensor a time-major layer's sequence is computed from is marked, back to
    the model's inputs; then, in graph order, every layer that reads a marked tensor must
    be position-wise (its outputs are marked) or time-major (its sequence output is).
    """
    graph = getattr(model, "_functional", None) or model
    by_depth = getattr(graph, "_nodes_by_depth", None)
    if by_depth is None:
        raise ValueError(f"model {model.name!r} has no graph of layers to check its layout in.")
    nodes = [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]]
    inputs = {id(t): i for i, t in enumerate(model.inputs)}
    tagged: set[int] = set()  # KerasTensors laid out (time, batch, ...) in the tf.keras model
    sources: set[int] = set()
    for node in nodes:
        if node.operation.name in names:
            seq, mask, _state = call_tensors(node)
            for tensor in (seq, mask):  # the mask is (time, batch) too
                if tensor is not None:
                    _trace_back(tensor, inputs, names, sources, tagged)
    for node in nodes:
        layer = node.operation
        ins = list(node.arguments.keras_tensors)
        if layer.name in names:
            _seq, _mask, state = call_tensors(node)
            if any(id(s) in tagged for s in state or []):
                raise ValueError(f"layer {layer.name!r} gets a time-major initial state.")
            if getattr(layer, "return_sequences", False):
                tagged.add(id(node.outputs[0]))
            continue
        hit = [t for t in ins if id(t) in tagged]
        if not hit or type(layer).__name__ == "InputLayer":
            continue
        if not _positionwise(layer, len(hit[0].shape)):
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) reads time-major data (from "
                f"{_origin(hit[0])!r}); lstm-widget reproduces time_major=True models only "
                "where every layer on time-major data works per time step and sample (Dense, "
                "Masking, Embedding, ...) or is itself time-major."
            )
        if len(hit) != len(ins):
            raise ValueError(f"layer {layer.name!r} mixes time-major and batch-major inputs.")
        tagged.update(id(t) for t in node.outputs)
    outputs = tuple(i for i, t in enumerate(model.outputs) if id(t) in tagged)
    return Layout(tuple(names), tuple(sorted(inputs[s] for s in sources)), outputs)


def _trace_back(
    tensor: Any, inputs: dict[int, int], names: list[str], sources: set[int], tagged: set[int]
) -> None:
    """Mark ``tensor`` and what it was computed from as time-major, back to model inputs."""
    if id(tensor) in tagged:
        return
    tagged.add(id(tensor))
    if id(tensor) in inputs:
        sources.add(id(tensor))
        return
    layer = tensor._keras_history.operation
    if layer.name in names:
        return  # a time-major layer's sequence output
    if not _positionwise(layer, len(tensor.shape)):
        raise ValueError(
            f"layer {layer.name!r} ({type(layer).__name__}) computes the input of a "
            "time_major=True layer; lstm-widget reproduces time_major=True models only where "
            "the layers before work per time step and sample (Dense, Masking, Embedding, ...)."
        )
    node = layer._inbound_nodes[tensor._keras_history.node_index]
    for t in node.arguments.keras_tensors:
        _trace_back(t, inputs, names, sources, tagged)


def _origin(tensor: Any) -> str:
    return str(tensor._keras_history.operation.name)


def _positionwise(layer: keras.layers.Layer, ndim: int) -> bool:
    kind = type(layer).__name__
    if kind in _POSITIONWISE or kind in _ELEMENTWISE_OPS:
        return True
    if kind in _LAST_AXIS:
        axis = getattr(layer, "axis", None)
        axes = list(axis) if isinstance(axis, list | tuple) else [axis]
        return len(axes) == 1 and axes[0] in (-1, ndim - 1)
    if kind == "TimeDistributed":
        return _positionwise(layer.layer, ndim - 1)
    return False


def register(twin: keras.Model, layout: Layout) -> None:
    """Remember that ``twin`` is the batch-major twin of a time-major tf.keras model."""
    _LAYOUTS[twin] = layout


def layout_of(twin: keras.Model) -> Layout | None:
    """The layout registered for ``twin`` (None for every other model)."""
    return _LAYOUTS.get(twin)


def twin_inputs(twin: keras.Model, x: object) -> object:
    """``x`` as the tf.keras model takes it, laid out as its twin takes it (axes 0, 1 swapped).

    Only the time-major inputs are swapped; anything that is not an array of 2 or more
    dimensions is passed on for the usual checks to name.
    """
    layout = layout_of(twin)
    if layout is None or x is None:
        return x

    def swap(value: object) -> object:
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        return arr.swapaxes(0, 1) if arr.ndim >= 2 else value

    if len(twin.inputs) == 1:
        return swap(x) if 0 in layout.inputs else x
    if isinstance(x, dict):
        names = [t.name for t in twin.inputs]
        return {
            k: swap(v) if k in names and names.index(k) in layout.inputs else v
            for k, v in x.items()
        }
    if isinstance(x, list | tuple):
        return [swap(v) if i in layout.inputs else v for i, v in enumerate(x)]
    return x


def note(layout: Layout) -> str:
    """What the twin of a time-major model takes and gives, in a sentence."""
    outs = (
        f"; output(s) {list(layout.outputs)} come out (batch, time, ...)" if layout.outputs else ""
    )
    return (
        f"{', '.join(map(repr, layout.layers))}: time_major=True, read as the batch-major twin: "
        f"input(s) {list(layout.inputs)} take x.swapaxes(0, 1), (batch, time, ...){outs}"
    )
