"""Split an LSTM's three weight tensors into its four gates.

Keras stores one ``kernel`` (features, 4*units), one ``recurrent_kernel`` (units, 4*units)
and one ``bias`` (4*units,). Their columns are four equal blocks in the order
input, forget, cell candidate, output.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .._reading.legacy import is_tf_keras, layer_from_tf_keras
from .._reading.model import (
    LayerRef,
    find_recurrent,
    is_gru,
    is_lstm,
    is_recurrent,
    require_model,
)
from .gru_weights import BidirectionalGRUGateWeights, GRUGateWeights
from .split import BidirectionalSplit, SplitWeights

GATES: tuple[str, ...] = ("input", "forget", "cell", "output")
"""Gate names in Keras's column order."""

_GATE_TITLES = {
    "input": "input gate i",
    "forget": "forget gate f",
    "cell": "cell candidate g",
    "output": "output gate o",
}


@dataclass(frozen=True)
class Gate:
    """The weights of one gate, copied out of the layer.

    Attributes
    ----------
    name : str
        One of ``"input"``, ``"forget"``, ``"cell"``, ``"output"``.
    kernel : numpy.ndarray
        (features, units): applied to the layer input x_t.
    recurrent_kernel : numpy.ndarray
        (units, units): applied to the previous hidden state h_{t-1}.
    bias : numpy.ndarray or None
        (units,), or None when the layer has ``use_bias=False``.
    columns : slice
        Which columns of the full kernel, recurrent kernel and bias this gate is.
    """

    name: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None
    columns: slice


class GateWeights(SplitWeights):
    """Mapping ``"input" | "forget" | "cell" | "output"`` → :class:`Gate` for one LSTM.

    The arrays are copies: changing them never changes the model.
    """

    KIND, CELL, NAMES = "LSTM", "LSTMCell", GATES
    A_KIND = "an LSTM"
    UNKNOWN = "{key!r} is not a gate; gates are {names}."
    IS = staticmethod(is_lstm)

    def __init__(self, layer: keras.layers.Layer, name: str | None = None) -> None:
        super().__init__(layer, name)
        kernel, recurrent, bias = self.full_kernel, self.full_recurrent_kernel, self.full_bias
        for k, gate in enumerate(GATES):
            cols = self.columns(k)
            self._blocks[gate] = Gate(
                name=gate,
                kernel=kernel[:, cols],
                recurrent_kernel=recurrent[:, cols],
                bias=None if bias is None else bias[cols],
                columns=cols,
            )

    def __repr__(self) -> str:
        return (
            f"<GateWeights {self.layer_name!r}: {self.features} features -> {self.units} units, "
            f"gates {', '.join(GATES)}>"
        )

    def describe(self) -> str:
        """Plain-text explanation of the shapes, the column slices and the equations."""
        u, f = self.units, self.features
        act, rec = self.activation, self.recurrent_activation
        bias = f"bias ({4 * u},)" if self.full_bias is not None else "no bias (use_bias=False)"
        lines = [
            f"LSTM layer {self.layer_name!r}: {f} input features -> {u} units.",
            f"get_weights() gives kernel ({f}, {4 * u}), recurrent_kernel ({u}, {4 * u}), {bias}.",
            f"Their columns are four blocks of {u}, one per gate, in Keras's order:",
        ]
        for gate in GATES:
            c = self._blocks[gate].columns
            lines.append(f"  columns {c.start:>5}:{c.stop:<5} {_GATE_TITLES[gate]}")
        has_bias = self.full_bias is not None

        def pre(k: str) -> str:
            return f"x_t @ W_{k} + h @ U_{k}" + (f" + b_{k}" if has_bias else "")

        lines += [
            "At every time step t, with x_t the input and (h, c) the state before the step:",
            f"  i = {rec}({pre('i')})",
            f"  f = {rec}({pre('f')})",
            f"  g = {act}({pre('c')})",
            f"  o = {rec}({pre('o')})",
            "  c = f * c + i * g",
            f"  h = o * {act}(c)",
            "There is no time axis in the weights: the same W, U and b are applied at every",
            "step, so the layer runs on sequences of any length, whatever length it was trained",
            "on. What differs from step to step is only the input x_t and the carried state",
            "(h, c).",
        ]
        return "\n".join(lines + self.footnotes())


class BidirectionalGateWeights(BidirectionalSplit):
    """Gate weights of a ``Bidirectional`` LSTM: ``.forward`` and ``.backward``."""

    SINGLE = GateWeights


def gate_weights(
    model_or_layer: keras.Model | keras.layers.Layer, layer: str | None = None
) -> GateWeights | BidirectionalGateWeights | GRUGateWeights | BidirectionalGRUGateWeights:
    """Split an LSTM's (or GRU's) weights into its gates.

    Parameters
    ----------
    model_or_layer : keras.Model or keras.layers.Layer
        A model containing an LSTM or GRU, or such a layer (plain or Bidirectional) itself.
    layer : str, optional
        Which layer of the model (see :func:`lstm_widget.recurrent_layers`); the first LSTM
        or GRU if omitted.

    Returns
    -------
    GateWeights, BidirectionalGateWeights, GRUGateWeights or BidirectionalGRUGateWeights
        ``gw["forget"].kernel`` etc. (a GRU: ``gw["update"]``, ``gw["reset"]``,
        ``gw["candidate"]``); ``gw.describe()`` explains them. For a Bidirectional layer,
        ``.forward`` and ``.backward`` hold one direction each.

    Raises
    ------
    TypeError
        If the argument is neither a Keras model nor an LSTM / GRU layer.
    ValueError
        If the model has no such layer, or it is not built.
    """
    if isinstance(model_or_layer, keras.Model) or (
        is_tf_keras(model_or_layer) and hasattr(model_or_layer, "to_json")
    ):
        return weights_of(find_recurrent(require_model(model_or_layer), layer))
    if layer is not None:
        raise TypeError("layer= is only used with a model; pass the layer object alone.")
    if is_tf_keras(model_or_layer) and hasattr(model_or_layer, "get_weights"):
        model_or_layer = layer_from_tf_keras(model_or_layer)
    if is_recurrent(model_or_layer):
        return weights_of(LayerRef(model_or_layer.name, model_or_layer, ()))
    kind = type(model_or_layer).__name__
    raise TypeError(f"expected a Keras model or an LSTM or GRU layer, got {kind}.")


def weights_of(
    ref: LayerRef,
) -> GateWeights | BidirectionalGateWeights | GRUGateWeights | BidirectionalGRUGateWeights:
    """Gate weights of a located layer (LSTM or GRU, plain or Bidirectional)."""
    gru = is_gru(ref.layer.forward_layer if ref.bidirectional else ref.layer)
    if ref.bidirectional:
        return (BidirectionalGRUGateWeights if gru else BidirectionalGateWeights)(
            ref.layer, ref.path
        )
    return (GRUGateWeights if gru else GateWeights)(ref.layer, ref.path)
