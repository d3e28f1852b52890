"""The layer's own activation functions, made fast on numpy arrays.

Exactness rule: the recurrence must apply *the layer's* activation functions. For the
built-in Keras functions we recognise by identity (``layer.activation is
keras.activations.tanh``) a numpy twin computes the same formula, in the same order as
Keras's TensorFlow ops, in place and without a framework call per step; the test
suite checks every twin against the Keras function. Anything else (a custom callable,
a ``functools.partial``, an activation we have no twin for) is called as it is, on a
tensor, and converted back.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

InPlace = Callable[[np.ndarray], np.ndarray]
"""Overwrites its float32 argument with the activation of it and returns it."""


def activation_name(fn: Callable[..., object]) -> str:
    """Readable name of an activation function (built-in or custom)."""
    return getattr(fn, "__name__", None) or type(fn).__name__


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5 * tanh(z / 2) + 0.5: no overflow for large |z|, same values as 1 / (1 + e^-z).
    np.multiply(z, 0.5, out=z)
    np.tanh(z, out=z)
    np.multiply(z, 0.5, out=z)
    np.add(z, 0.5, out=z)
    return z


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=z)


def tanh_by_exp(src: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = tanh(src)`` computed as 2 / (1 + e^(-2 src)) - 1 (``out`` may be ``src``).

    numpy's float32 ``exp`` is vectorized where its ``tanh`` is not: this is about 1.4x
    faster, within 2e-7 of ``np.tanh`` (the recurrences' fused path; e^(-2 src) = inf
    for src < -44 gives -1, as it should).
    """
    np.multiply(src, np.float32(-2.0), out=out)
    return tanh_of_minus_twice(out)


def tanh_of_minus_twice(v: np.ndarray) -> np.ndarray:
    """Overwrite ``v``, holding -2 x, with tanh(x) = 2 / (1 + e^(-2 x)) - 1; returns ``v``.

    For pre-activations whose weight columns were scaled by -2 up front (exact).
    """
    np.exp(v, out=v)
    np.add(v, np.float32(1.0), out=v)
    np.divide(np.float32(2.0), v, out=v)
    return np.subtract(v, np.float32(1.0), out=v)


def sigmoid_of_negated(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid(v) = 1 / (1 + e^-v) of ``z`` holding -v, into ``out`` (default: ``z``).

    The recurrences negate the sigmoid gates' weight columns up front (exact), so the
    gates cost one ``exp``, an add and a division (see :func:`tanh_by_exp`).
    """
    out = z if out is None else out
    np.exp(z, out=out)
    np.add(out, np.float32(1.0), out=out)
    return np.divide(np.float32(1.0), out, out=out)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0, out=z)


def _relu6(z: np.ndarray) -> np.ndarray:
    return np.clip(z, 0, 6, out=z)


def _hard_sigmoid(z: np.ndarray) -> np.ndarray:
    # Keras 3: relu6(x + 3) / 6, i.e. x/6 + 0.5 clipped to [0, 1] (not old Keras's 0.2x + 0.5).
    np.add(z, 3.0, out=z)
    np.clip(z, 0, 6, out=z)
    np.divide(z, 6.0, out=z)
    return z


def _legacy_hard_sigmoid(z: np.ndarray) -> np.ndarray:
    # Keras 2 (tf.keras): 0.2 * x + 0.5 clipped to [0, 1], in that order.
    np.multiply(z, 0.2, out=z)
    np.add(z, 0.5, out=z)
    np.clip(z, 0, 1, out=z)
    return z


@keras.saving.register_keras_serializable(package="lstm_widget", name="legacy_hard_sigmoid")
def legacy_hard_sigmoid(x: object) -> object:
    """Keras 2's hard sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.

    Keras 3's ``hard_sigmoid`` is ``clip(x / 6 + 0.5, 0, 1)``: a model trained with Keras 2's
    keeps this one when :func:`lstm_widget.load_model` opens it (saved as
    ``"lstm_widget>legacy_hard_sigmoid"``).

    Parameters
    ----------
    x : tensor
        Any float tensor.

    Returns
    -------
    tensor
        Same shape and dtype.
    """
    x = keras.ops.convert_to_tensor(x)
    return keras.ops.clip(keras.ops.add(keras.ops.multiply(x, 0.2), 0.5), 0.0, 1.0)


def _hard_silu(z: np.ndarray) -> np.ndarray:
    gate = z + 3.0
    np.clip(gate, 0, 6, out=gate)
    gate /= 6.0
    return np.multiply(z, gate, out=z)


def _linear(z: np.ndarray) -> np.ndarray:
    return z


def _softsign(z: np.ndarray) -> np.ndarray:
    denom = np.abs(z)
    denom += 1.0
    return np.divide(z, denom, out=z)


def _silu(z: np.ndarray) -> np.ndarray:
    gate = z.copy()
    _sigmoid(gate)
    return np.multiply(z, gate, out=z)


def _exponential(z: np.ndarray) -> np.ndarray:
    return np.exp(z, out=z)


def _elu(z: np.ndarray) -> np.ndarray:
    neg = z < 0
    z[neg] = np.expm1(z[neg])
    return z


def _builtin_twins() -> dict[Callable[..., object], InPlace]:
    acts = keras.activations
    table: dict[str, InPlace] = {
        "sigmoid": _sigmoid,
        "tanh": _tanh,
        "relu": _relu,
        "relu6": _relu6,
        "hard_sigmoid": _hard_sigmoid,
        "hard_silu": _hard_silu,
        "hard_swish": _hard_silu,
        "linear": _linear,
        "softsign": _softsign,
        "silu": _silu,
        "swish": _silu,
        "exponential": _exponential,
        "elu": _elu,
    }
    twins = {getattr(acts, name): fn for name, fn in table.items() if hasattr(acts, name)}
    twins[legacy_hard_sigmoid] = _legacy_hard_sigmoid
    return twins


_TWINS = _builtin_twins()

SIGMOID: InPlace = _sigmoid
"""The twin of ``keras.activations.sigmoid``."""
TANH: InPlace = _tanh
"""The twin of ``keras.activations.tanh``."""


def has_twin(fn: Callable[..., object]) -> bool:
    """Whether ``fn`` is a built-in Keras activation with a numpy twin."""
    try:
        return fn in _TWINS
    except TypeError:  # unhashable callable
        return False


def in_place(fn: Callable[..., object]) -> InPlace:
    """Return an in-place numpy version of the activation ``fn``.

    Parameters
    ----------
    fn : callable
        The layer's ``activation`` or ``recurrent_activation`` attribute.

    Returns
    -------
    callable
        ``f(z)`` that overwrites the float32 array ``z`` with ``fn(z)`` and returns it.
    """
    if has_twin(fn):
        return _TWINS[fn]

    def call_layer_function(z: np.ndarray) -> np.ndarray:
        out = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(z)))
        z[...] = out
        return z

    return call_layer_function
