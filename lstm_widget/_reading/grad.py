"""Gradients with respect to the input, computed by the backend Keras runs on.

Integrated gradients needs d(model output k)/d(input); our own backward pass
(:mod:`lstm_widget._analyses.backprop`) needs vector-Jacobian products through the layers it
does not do itself. Both are compiled once per model (or run of layers) with the backend's own
machinery: ``tf.GradientTape`` in a ``tf.function`` on TensorFlow, ``jax.grad`` /
``jax.vjp`` of ``stateless_call`` under ``jax.jit`` on JAX. The weights are arguments
of the JAX functions (never constants baked into the compiled code), and TensorFlow
reads its variables at every call, so edited weights are always the ones used.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Sequence

import keras
import numpy as np

from .feed import first_output

SUPPORTED = ("tensorflow", "jax")


def backend() -> str:
    """The backend Keras runs on, checked to be one whose gradients we can take."""
    name = keras.backend.backend()
    if name not in SUPPORTED:
        raise ValueError(
            f"gradients (integrated gradients) need Keras's tensorflow or jax backend; Keras "
            f"runs on {name!r}. Set KERAS_BACKEND=tensorflow or jax before importing keras, "
            "or use method='occlusion'."
        )
    return name


_INPUT_GRADIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def input_gradient(model: keras.Model) -> Callable[[np.ndarray, int], np.ndarray]:
    """``fn(x, k)``: d(sum over the batch of output k)/dx for a batch ``x``, cached per model.

    The output is the model's first output flattened per sample; ``k`` indexes it.
    """
    fn = _INPUT_GRADIENTS.get(model)
    if fn is None:
        fn = _tf_input_gradient(model) if backend() == "tensorflow" else _jax_input_gradient(model)
        _INPUT_GRADIENTS[model] = fn
    return fn


def _tf_input_gradient(model: keras.Model) -> Callable[[np.ndarray, int], np.ndarray]:
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def grad(inp, k):  # noqa: ANN001, ANN202
        with tf.GradientTape() as tape:
            tape.watch(inp)
            out = first_output(model(inp, training=False))
            out = tf.reshape(out, (tf.shape(inp)[0], -1))
            target = tf.reduce_sum(tf.gather(out, k, axis=1))
        return tape.gradient(target, inp)

    return lambda x, k: grad(tf.convert_to_tensor(x), tf.constant(k)).numpy()


def _values(variables: Sequence[keras.Variable]) -> list[object]:
    return [v.value for v in variables]


def _jax_input_gradient(model: keras.Model) -> Callable[[np.ndarray, int], np.ndarray]:
    import jax

    mode = _inference(model)

    def target(trainable, other, inp, k):  # noqa: ANN001, ANN202
        out, _ = model.stateless_call(trainable, other, inp, **mode)
        out = first_output(out).reshape(inp.shape[0], -1)
        return out[:, k].sum()

    grad = jax.jit(jax.grad(target, argnums=2))

    def run(x: np.ndarray, k: int) -> np.ndarray:
        trainable = _values(model.trainable_variables)
        other = _values(model.non_trainable_variables)
        return np.asarray(grad(trainable, other, x, np.int32(k)))

    return run


def layers_vjp(
    layers: Sequence[keras.layers.Layer],
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """``(forward, vjp)`` of a run of layers applied in order (inference mode).

    ``forward(x)`` is the run's output; ``vjp(x, g)`` is gᵀ · d(output)/dx.
    """
    if backend() == "tensorflow":
        return _tf_layers_vjp(layers)
    return _jax_layers_vjp(layers)


def _tf_layers_vjp(layers: Sequence[keras.layers.Layer]) -> tuple[Callable, Callable]:
    import tensorflow as tf

    def apply(x):  # noqa: ANN001, ANN202
        for layer in layers:
            x = layer(x, training=False)
        return x

    forward = tf.function(apply, reduce_retracing=True)

    @tf.function(reduce_retracing=True)
    def vjp(x, grad):  # noqa: ANN001, ANN202
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = apply(x)
        return tape.gradient(out, x, output_gradients=grad)

    return (
        lambda x: np.asarray(forward(tf.convert_to_tensor(x))),
        lambda x, g: np.asarray(vjp(tf.convert_to_tensor(x), tf.convert_to_tensor(g))),
    )


def _inference(layer: keras.layers.Layer) -> dict[str, bool]:
    """``training=False`` for layers whose ``call`` takes it (``stateless_call`` passes all)."""
    return {"training": False} if "training" in inspect.signature(layer.call).parameters else {}


def _jax_layers_vjp(layers: Sequence[keras.layers.Layer]) -> tuple[Callable, Callable]:
    import jax

    modes = [_inference(layer) for layer in layers]

    def apply(weights, x):  # noqa: ANN001, ANN202
        for layer, (trainable, other), mode in zip(layers, weights, modes, strict=True):
            x, _ = layer.stateless_call(trainable, other, x, **mode)
        return x

    forward = jax.jit(apply)
    vjp = jax.jit(lambda weights, x, g: jax.vjp(lambda v: apply(weights, v), x)[1](g)[0])

    def weights() -> list[tuple[list[object], list[object]]]:
        return [
            (_values(la.trainable_variables), _values(la.non_trainable_variables)) for la in layers
        ]

    return (
        lambda x: np.asarray(forward(weights(), x)),
        lambda x, g: np.asarray(vjp(weights(), x, g)),
    )
