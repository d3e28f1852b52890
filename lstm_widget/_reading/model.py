"""Find LSTM layers in a Keras model, however deeply they are nested.

A layer is addressed by its *path*: the layer's name, prefixed by the names of the
nested models that contain it (``"encoder/lstm"``). A plain name is accepted too when
it is unambiguous.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import keras
import numpy as np

from .._base.inputs import batches, is_stream
from .legacy import from_tf_keras, is_tf_keras
from .states import state_variables
from .time_major import layout_of, twin_inputs


def is_lstm(layer: object) -> bool:
    """Return True for ``keras.layers.LSTM`` and ``keras.layers.RNN(LSTMCell(...))``."""
    return isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, keras.layers.LSTMCell)


def is_bidirectional_lstm(layer: object) -> bool:
    """Return True for a ``Bidirectional`` wrapper around an LSTM."""
    return isinstance(layer, keras.layers.Bidirectional) and is_lstm(layer.forward_layer)


def is_gru(layer: object) -> bool:
    """Return True for ``keras.layers.GRU`` and ``keras.layers.RNN(GRUCell(...))``."""
    return isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, keras.layers.GRUCell)


def is_bidirectional_gru(layer: object) -> bool:
    """Return True for a ``Bidirectional`` wrapper around a GRU."""
    return isinstance(layer, keras.layers.Bidirectional) and is_gru(layer.forward_layer)


def is_recurrent(layer: object) -> bool:
    """An LSTM or GRU, plain or in a ``Bidirectional`` wrapper."""
    return any(f(layer) for f in (is_lstm, is_bidirectional_lstm, is_gru, is_bidirectional_gru))


@dataclass(frozen=True)
class LayerRef:
    """Where an LSTM (or Bidirectional LSTM) layer sits in a model.

    Attributes
    ----------
    path : str
        ``"outer/inner/name"`` without the top-level model's name.
    layer : keras.layers.Layer
        The LSTM layer or the Bidirectional wrapper.
    containers : tuple of keras.Model
        The models from the outermost (the user's model) to the one that directly holds
        ``layer``.
    """

    path: str
    layer: keras.layers.Layer
    containers: tuple[keras.Model, ...]

    @property
    def bidirectional(self) -> bool:
        """Whether the layer is a Bidirectional wrapper."""
        return isinstance(self.layer, keras.layers.Bidirectional)


def require_model(model: object, what: str = "model") -> keras.Model:
    """Return ``model`` as a Keras 3 model, else raise a TypeError that says what it is.

    A tf.keras 2 (``tf_keras``) model gives its Keras 3 twin (:func:`from_tf_keras`: same
    numbers, Keras 2's hard_sigmoid kept, refreshed when the original's weights change).
    """
    if isinstance(model, keras.Model):
        return model
    if is_tf_keras(model) and hasattr(model, "to_json") and hasattr(model, "layers"):
        return from_tf_keras(model)
    kind = type(model).__module__ + "." + type(model).__qualname__
    hint = ""
    if isinstance(model, str | os.PathLike):
        hint = f" ({model!r}: open a file with lstm_widget.load_model(path))"
    raise TypeError(f"{what} must be a Keras model (Keras 3 or tf.keras 2), got {kind}{hint}.")


def require_model_x(model: object, x: object) -> tuple[keras.Model, object]:
    """:func:`require_model`, and ``x`` laid out as the returned Keras 3 model takes it.

    That is ``x`` itself, except for a tf.keras model with ``time_major=True`` layers: its
    twin runs batch-major, so the time-major inputs are swapped (each batch of a stream).
    """
    twin = require_model(model)
    return twin, twin_x(model, twin, x)


def twin_x(given: object, twin: keras.Model, x: object) -> object:
    """``x`` laid out for the model ``given`` (as the user passed it), as ``twin`` takes it.

    ``twin`` is ``require_model(given)``: ``x`` is swapped only when that is the batch-major
    twin of a time-major tf.keras model (a stream batch by batch).
    """
    if twin is given or layout_of(twin) is None:
        return x
    if is_stream(x):
        return (twin_inputs(twin, batch) for batch in batches(x))
    return twin_inputs(twin, x)


def _walk(
    model: keras.Model, prefix: str, containers: tuple[keras.Model, ...]
) -> Iterator[tuple[str, keras.layers.Layer, tuple[keras.Model, ...]]]:
    inner = (*containers, model)
    for layer in model.layers:
        path = f"{prefix}{layer.name}"
        yield path, layer, inner
        if isinstance(layer, keras.Model):
            yield from _walk(layer, path + "/", inner)


def all_layers(model: keras.Model) -> list[tuple[str, keras.layers.Layer]]:
    """Every layer of ``model`` with its path, nested models included, in model order."""
    return [(path, layer) for path, layer, _ in _walk(require_model(model), "", ())]


def lstm_refs(model: keras.Model) -> list[LayerRef]:
    """All LSTM and Bidirectional-LSTM layers of ``model``, in model order."""
    return [
        LayerRef(path, layer, containers)
        for path, layer, containers in _walk(require_model(model), "", ())
        if is_lstm(layer) or is_bidirectional_lstm(layer)
    ]


def recurrent_refs(model: keras.Model) -> list[LayerRef]:
    """All LSTM and GRU layers (plain or Bidirectional) of ``model``, in model order."""
    return [
        LayerRef(path, layer, containers)
        for path, layer, containers in _walk(require_model(model), "", ())
        if is_recurrent(layer)
    ]


def recurrent_layers(model: keras.Model) -> list[str]:
    """Names (paths) of every LSTM and GRU layer in ``model`` (see :func:`lstm_layers`).

    GRUs are listed beside the LSTMs; every function of lstm_widget takes either.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    """
    return [ref.path for ref in recurrent_refs(model)]


def lstm_layers(model: keras.Model) -> list[str]:
    """Names (paths) of every LSTM layer in ``model``.

    Layers inside nested models are given as ``"submodel/layer"``; a ``Bidirectional``
    LSTM is listed once, under the wrapper's name (its trace has ``.forward`` and
    ``.backward``).

    Parameters
    ----------
    model : keras.Model
        Any built Keras 3 model (Sequential, functional or subclassed with ``.layers``).

    Returns
    -------
    list of str
        In the order the model lists its layers; empty if there is no LSTM.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    """
    return [ref.path for ref in lstm_refs(model)]


def find_lstm(model: keras.Model, layer: str | None = None) -> LayerRef:
    """Look up an LSTM layer by path or unambiguous name; the first LSTM if ``layer`` is None.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``layer`` is not a string.
    ValueError
        If the model has no LSTM, or no LSTM of that name (the message lists the choices).
    """
    return _find(model, layer, lstm_refs(model), "LSTM")


DIRECTIONS = ("forward", "backward")
"""A Bidirectional layer's halves, as ``"path/forward"`` and ``"path/backward"`` name them."""


def split_direction(model: keras.Model, name: str) -> tuple[LayerRef, str] | None:
    """The Bidirectional layer and direction a name like ``"path/backward"`` gives, else None."""
    path, _, direction = name.rpartition("/")
    if direction not in DIRECTIONS:
        return None
    for ref in recurrent_refs(model):
        if ref.path == path and ref.bidirectional:
            return ref, direction
    return None


def find_recurrent(model: keras.Model, layer: str | None = None) -> LayerRef:
    """As :func:`find_lstm`, for LSTM and GRU layers alike."""
    return _find(model, layer, recurrent_refs(model), "LSTM or GRU")


def _gru_note(model: keras.Model, refs: list[LayerRef]) -> str:
    """For an error message: the GRUs a lookup of LSTMs passed over, and who reads them."""
    grus = [r.path for r in recurrent_refs(model) if r not in refs]
    reads = "gate_weights, trace, what_if, edited_model and memory_horizon"
    return f" (GRU layers {grus} are read by {reads} only so far)" if grus else ""


def _find(model: keras.Model, layer: str | None, refs: list[LayerRef], kind: str) -> LayerRef:
    if not refs:
        names = [f"{p} ({type(lyr).__name__})" for p, lyr in all_layers(model)]
        listed = ", ".join(names) if names else "none"
        note = _gru_note(model, refs)
        raise ValueError(
            f"model {model.name!r} has no {kind} layer{note}; its layers are: {listed}."
        )
    if layer is None:
        return refs[0]
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a layer name (str) or None, got {type(layer).__name__}.")
    exact = [r for r in refs if r.path == layer]
    if exact:
        return exact[0]
    by_name = [r for r in refs if r.path.rsplit("/", 1)[-1] == layer]
    if len(by_name) == 1:
        return by_name[0]
    choices = ", ".join(repr(r.path) for r in refs)
    if len(by_name) > 1:
        raise ValueError(f"layer name {layer!r} is ambiguous; give its path, one of: {choices}.")
    others = [p for p, lyr in all_layers(model) if p == layer or lyr.name == layer]
    if others:
        found = type(dict(all_layers(model))[others[0]]).__name__
        note = _gru_note(model, refs)
        raise ValueError(
            f"layer {layer!r} is a {found}, not an {kind}{note}; {kind} layers: {choices}."
        )
    raise ValueError(f"no layer named {layer!r}; {kind} layers in this model: {choices}.")


class StateSnapshot:
    """Save the states of every stateful RNN in a model and put them back on exit.

    Computing a layer's input runs the layers before it; a stateful LSTM among them
    would advance its state. This context manager makes that invisible to the user.
    """

    def __init__(self, model: keras.Model) -> None:
        self._saved = [
            (var, np.array(var.numpy(), copy=True))
            for _, layer in all_layers(model)
            for var in state_variables(layer)
        ]

    def __enter__(self) -> StateSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        for var, value in self._saved:
            var.assign(value)
