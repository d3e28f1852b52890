"""The gradient of one model output with respect to the input, through our own recurrence.

Integrated gradients needs d(output)/d(input) at many path points. TensorFlow's backward
pass through an LSTM is a while-loop that costs about a millisecond per time step,
whatever the batch; this module computes the same gradient by backpropagation through
time in numpy (:mod:`.bptt`), one matrix product and a few ufuncs per step. For the
widget's one sample (32 path points, 2,000 steps, two LSTMs) that is about 3x faster.

It covers models that are a chain of layers (``keras.Sequential``, or a functional model
whose layers each take the previous layer's output) in which every recurrent layer is a
top-level ``LSTM`` or ``Bidirectional(LSTM)`` with zero initial state, no mask, no
state kept between calls, float32 weights and activations whose derivative we know.
The other layers (before, between and after the LSTMs) are differentiated in numpy
when they are Dense, Dropout or Flatten, else by the backend (a compiled
vector-Jacobian product per run of layers). For anything else, :func:`gradient_plan`
returns None and the caller uses the backend's gradient of the whole model.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from .._base.activations import in_place
from .._reading.grad import SUPPORTED, layers_vjp
from .._reading.model import is_bidirectional_lstm, is_lstm
from .._reading.nodes import call_tensors, node_in
from .bptt import LSTMGrad, derivative

_CHUNK_BYTES = 512 * 2**20
"""Upper bound of the arrays kept for the backward pass of one call (path points x steps)."""


@dataclass
class _LSTM:
    layer: keras.layers.RNN


@dataclass
class _Bidirectional:
    layer: keras.layers.Bidirectional


@dataclass
class _Layers:
    """A run of non-recurrent layers: ``run(x) -> (output, saved)``, ``vjp(saved, grad)``."""

    layers: list[keras.layers.Layer]
    run: Callable[[np.ndarray], tuple[np.ndarray, object]]
    vjp: Callable[[object, np.ndarray], np.ndarray]


Stage = _LSTM | _Bidirectional | _Layers


def _chain(model: keras.Model) -> list[keras.layers.Layer] | None:
    """The model's layers in order if each takes the previous one's output alone, else None."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    layers = [la for la in model.layers if not isinstance(la, keras.layers.InputLayer)]
    previous = model.inputs[0]
    try:
        for layer in layers:
            node = node_in(model, layer)
            sequence, mask, state = call_tensors(node)
            tensors = node.arguments.keras_tensors
            if sequence is not previous or mask is not None or state or len(tensors) != 1:
                return None
            if len(node.outputs) != 1:
                return None
            previous = node.outputs[0]
    except (AttributeError, ValueError, IndexError):
        return None
    return layers if previous is model.outputs[0] else None


def _supported_lstm(rnn: keras.layers.RNN) -> bool:
    cell = rnn.cell
    return (
        not rnn.stateful
        and not rnn.return_state
        and cell.compute_dtype == "float32"
        and derivative(cell.activation) is not None
        and derivative(cell.recurrent_activation) is not None
    )


def _recurrent_inside(layer: keras.layers.Layer) -> bool:
    inner = layer._flatten_layers(include_self=True, recursive=True)
    return any(isinstance(la, keras.layers.RNN | keras.layers.Bidirectional) for la in inner)


def _backend_segment(layers: list[keras.layers.Layer]) -> _Layers:
    """Layers differentiated by the backend: a compiled forward and vector-Jacobian product."""
    forward, vjp = layers_vjp(layers)
    return _Layers(layers, lambda x: (forward(x), x), vjp)


def _numpy_layer(layer: keras.layers.Layer) -> bool:
    """Whether :func:`_numpy_segment` does ``layer`` itself (no tracing, no backend call)."""
    if isinstance(layer, keras.layers.Dropout | keras.layers.Flatten):
        return True
    return (
        type(layer) is keras.layers.Dense
        and layer.compute_dtype == "float32"
        and getattr(layer, "quantization_mode", None) is None
        and derivative(layer.activation) is not None
    )


def _numpy_segment(layers: list[keras.layers.Layer]) -> _Layers:
    """Dense, Dropout (identity at inference) and Flatten, forward and backward in numpy."""

    def run(x: np.ndarray) -> tuple[np.ndarray, object]:
        saved = []
        for layer in layers:
            if isinstance(layer, keras.layers.Dense):
                kernel = keras.ops.convert_to_numpy(layer.kernel)
                y = x @ kernel
                if layer.use_bias:
                    y += keras.ops.convert_to_numpy(layer.bias)
                y = in_place(layer.activation)(y)
                saved.append((layer, kernel, y))
            elif isinstance(layer, keras.layers.Flatten):
                saved.append((layer, x.shape, None))
                y = x.reshape(x.shape[0], -1)
            else:
                saved.append((layer, None, None))
                y = x
            x = y
        return x, saved

    def backward(saved: object, grad: np.ndarray) -> np.ndarray:
        for layer, kept, y in reversed(saved):  # type: ignore[call-overload]
            if isinstance(layer, keras.layers.Dense):
                grad = (grad * derivative(layer.activation)(y)) @ kept.T
            elif isinstance(layer, keras.layers.Flatten):
                grad = grad.reshape(kept)
        return grad

    return _Layers(layers, run, backward)


def _segment(layers: list[keras.layers.Layer]) -> _Layers:
    if all(_numpy_layer(layer) for layer in layers):
        return _numpy_segment(layers)
    return _backend_segment(layers)


def _plan(model: keras.Model) -> list[Stage] | None:
    if keras.backend.backend() not in SUPPORTED:
        return None
    layers = _chain(model)
    if not layers:
        return None
    stages: list[Stage] = []
    run_: list[keras.layers.Layer] = []
    for layer in layers:
        if is_lstm(layer) and _supported_lstm(layer):
            stage: Stage = _LSTM(layer)
        elif (
            is_bidirectional_lstm(layer)
            and layer.merge_mode in ("concat", "sum", "ave", "mul")
            and _supported_lstm(layer.forward_layer)
            and _supported_lstm(layer.backward_layer)
        ):
            stage = _Bidirectional(layer)
        elif _recurrent_inside(layer) or isinstance(layer, keras.layers.Masking):
            return None
        else:
            run_.append(layer)
            continue
        if run_:
            stages.append(_segment(run_))
            run_ = []
        stages.append(stage)
    if run_:
        stages.append(_segment(run_))
    if not any(isinstance(s, _LSTM | _Bidirectional) for s in stages):
        return None
    return stages


_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def gradient_plan(model: keras.Model) -> GradientPlan | None:
    """The structure for :meth:`GradientPlan.gradient`, or None when the model is not covered.

    Cached per model; weights are read at every call, so the gradient is never stale.
    """
    if model not in _PLANS:
        stages = _plan(model)
        _PLANS[model] = None if stages is None else GradientPlan(stages)
    return _PLANS[model]


def _merge_backward(mode: str, grad: np.ndarray, fwd: np.ndarray, bwd: np.ndarray) -> tuple:
    if mode == "concat":
        n = fwd.shape[-1]
        return grad[..., :n], grad[..., n:]
    if mode == "sum":
        return grad, grad
    if mode == "ave":
        return grad * 0.5, grad * 0.5
    return grad * bwd, grad * fwd  # mul


def _merge(mode: str, fwd: np.ndarray, bwd: np.ndarray) -> np.ndarray:
    if mode == "concat":
        return np.concatenate([fwd, bwd], axis=-1)
    if mode == "sum":
        return fwd + bwd
    if mode == "ave":
        return (fwd + bwd) * 0.5
    return fwd * bwd


class GradientPlan:
    """Exact d(output[k])/d(input) for a covered model (see the module description)."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages

    def bytes_per_row(self, steps: int) -> int:
        """Memory kept for the backward pass per path point of ``steps`` steps."""
        units = 0
        for stage in self.stages:
            if isinstance(stage, _LSTM):
                units += stage.layer.cell.units
            elif isinstance(stage, _Bidirectional):
                units += stage.layer.forward_layer.cell.units * 2
        # float32: gates (4n), prev, oa and hidden (7n) kept, plus room for transients
        return steps * units * 4 * 10

    def rows_per_call(self, steps: int) -> int:
        """Path points per call within the memory bound."""
        return max(1, _CHUNK_BYTES // max(1, self.bytes_per_row(steps)))

    def gradient(self, x: np.ndarray, output_index: int) -> tuple[np.ndarray, np.ndarray]:
        """d(flattened output[output_index])/d(x) for every row of ``x``, and that output.

        Returns
        -------
        tuple of numpy.ndarray
            The gradient (batch, time, features) and the output value (batch,), from the
            same forward pass.
        """
        value = np.ascontiguousarray(x, np.float32)
        tape: list[tuple[Stage, object]] = []
        for stage in self.stages:
            if isinstance(stage, _Layers):
                value, saved = stage.run(value)
                tape.append((stage, saved))
            elif isinstance(stage, _LSTM):
                back = LSTMGrad(stage.layer, value)
                tape.append((stage, back))
                value = back.output
            else:
                fwd = LSTMGrad(stage.layer.forward_layer, value)
                bwd = LSTMGrad(stage.layer.backward_layer, value)
                tape.append((stage, (fwd, bwd)))
                rev = bwd.output[:, ::-1] if bwd.return_sequences else bwd.output
                value = _merge(stage.layer.merge_mode, fwd.output, rev)
        flat = value.reshape(value.shape[0], -1)
        output = flat[:, output_index].astype(np.float64)
        grad = np.zeros(flat.shape, np.float32)
        grad[:, output_index] = 1.0
        grad = grad.reshape(value.shape)
        for stage, saved in reversed(tape):
            if isinstance(stage, _Layers):
                grad = stage.vjp(saved, grad)
            elif isinstance(stage, _LSTM):
                grad = saved.backward(grad)
            else:
                fwd, bwd = saved
                rev = bwd.output[:, ::-1] if bwd.return_sequences else bwd.output
                g_fwd, g_rev = _merge_backward(stage.layer.merge_mode, grad, fwd.output, rev)
                if bwd.return_sequences:
                    g_rev = g_rev[:, ::-1]  # back to the backward layer's processing order
                grad = fwd.backward(g_fwd) + bwd.backward(g_rev)
        return grad, output
