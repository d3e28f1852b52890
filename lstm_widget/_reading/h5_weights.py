"""The weights of a Keras 2 ``.h5`` model file, set into its Keras 3 rebuild as Keras 2 read them.

Layers are matched by name (Keras 2 names are unique in a model), so a model whose last
layers were cut off (:mod:`.custom_layers`) takes the weights of the layers it kept. Each
layer's values are in the file's order, which is Keras's legacy order (trainable weights,
then the others), and go through the conversion Keras 2 applied on loading
(``preprocess_weights_for_loading`` / ``_convert_rnn_weights`` in Keras 2.x's
``engine/saving.py``): a ``CuDNNLSTM``'s kernels in cuDNN's layout and its two bias vectors
become an ``LSTM``'s, a ``CuDNNGRU``'s a ``GRU(reset_after=True)``'s. Wrappers and nested
models are converted layer by layer inside.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def load_weights(group: Any, model: keras.Model, path: str) -> None:
    """Set every weighted layer of ``model`` from the ``model_weights`` group of ``path``.

    Raises
    ------
    ValueError
        If a layer's weights are missing from the file or do not fit it (named).
    """
    stored = {text(n) for n in group.attrs.get("layer_names", [])}
    for layer in model.layers:
        variables = _legacy_order(layer)
        if not variables:
            continue
        if layer.name not in stored:
            raise ValueError(f"{path!r} has no weights for layer {layer.name!r}.")
        sub = group[layer.name]
        values = [np.asarray(sub[text(n)]) for n in sub.attrs.get("weight_names", [])]
        values = convert(layer, values)
        if len(values) != len(variables):
            raise ValueError(
                f"{path!r} stores {len(values)} weights for layer {layer.name!r}, which "
                f"takes {len(variables)}."
            )
        for var, value in zip(variables, values, strict=True):
            if tuple(var.shape) != value.shape:
                raise ValueError(
                    f"{path!r}: weight {var.path!r} of layer {layer.name!r} has shape "
                    f"{tuple(var.shape)}, the file stores {value.shape}."
                )
        for var, value in zip(variables, values, strict=True):
            var.assign(value)


def _legacy_order(layer: keras.layers.Layer) -> list[keras.Variable]:
    return [*layer.trainable_weights, *layer.non_trainable_weights]


def text(value: object) -> str:
    """An HDF5 attribute as text (h5py gives bytes or str)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def convert(layer: keras.layers.Layer, values: list[np.ndarray]) -> list[np.ndarray]:
    """A layer's stored values as its Keras 3 variables take them (Keras 2's conversion)."""
    kind = type(layer).__name__
    if kind == "Bidirectional":
        half = len(values) // 2
        return convert(layer.forward_layer, values[:half]) + convert(
            layer.backward_layer, values[half:]
        )
    if kind == "TimeDistributed":
        return convert(layer.layer, values)
    if isinstance(layer, keras.Model):
        return _convert_nested(layer, values)
    if kind in ("LSTM", "GRU") and len(values) == 3:
        return _from_cudnn(layer, kind, values)
    return values


def _convert_nested(model: keras.Model, values: list[np.ndarray]) -> list[np.ndarray]:
    """A nested model's values, converted sublayer by sublayer (legacy order kept)."""
    n_trainable = len(model.trainable_weights)
    trainable, other = values[:n_trainable], values[n_trainable:]
    new_trainable: list[np.ndarray] = []
    new_other: list[np.ndarray] = []
    for sub in model.layers:
        n_t, n_o = len(sub.trainable_weights), len(sub.non_trainable_weights)
        if not n_t + n_o:
            continue
        done = convert(sub, trainable[:n_t] + other[:n_o])
        new_trainable += done[:n_t]
        new_other += done[n_t:]
        trainable, other = trainable[n_t:], other[n_o:]
    return new_trainable + new_other


def _from_cudnn(layer: keras.layers.Layer, kind: str, values: list[np.ndarray]) -> list[np.ndarray]:
    """An LSTM's or GRU's values, converted from cuDNN's layout where the bias says they are.

    cuDNN keeps an input and a recurrent bias per gate (2 x gates x units values); each
    gate's input kernel is stored in Fortran order and its recurrent kernel transposed.
    """
    kernel, recurrent, bias = values
    units = recurrent.shape[0]
    gates = 4 if kind == "LSTM" else 3
    if bias.shape != (2 * gates * units,):
        if kind == "GRU" and not layer.cell.reset_after and bias.shape == (2, gates * units):
            raise ValueError(
                f"layer {layer.name!r}: GRU(reset_after=True) weights (bias {bias.shape}) "
                "stored for a GRU(reset_after=False)."
            )
        return values
    if kind == "GRU" and not layer.cell.reset_after:
        raise ValueError(
            f"layer {layer.name!r}: CuDNNGRU weights fit only GRU(reset_after=True), as in Keras 2."
        )
    kernel = np.hstack([k.T.reshape(k.shape, order="F") for k in np.hsplit(kernel, gates)])
    recurrent = np.hstack([k.T for k in np.hsplit(recurrent, gates)])
    if kind == "LSTM":
        bias = np.sum(np.split(bias, 2), axis=0)  # input and recurrent biases add up
    else:
        bias = bias.reshape(2, -1)  # GRU(reset_after=True): (input, recurrent) rows
    return [kernel, recurrent, bias]
