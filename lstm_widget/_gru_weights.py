"""Split a GRU's weight tensors into its update gate, reset gate and candidate.

Keras stores one ``kernel`` (features, 3*units) and one ``recurrent_kernel``
(units, 3*units), whose columns are three equal blocks in the order update z, reset r,
candidate h~. The bias is (3*units,) for ``reset_after=False``; for ``reset_after=True``
(the default, cuDNN-compatible) it is (2, 3*units): row 0 is added to the input
projection, row 1 to the recurrent one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import keras
import numpy as np

from ._activations import activation_name
from ._model import is_gru

GRU_GATES: tuple[str, ...] = ("update", "reset", "candidate")
"""GRU block names in Keras's column order."""

_TITLES = {"update": "update gate z", "reset": "reset gate r", "candidate": "candidate h~"}


@dataclass(frozen=True)
class GRUGate:
    """The weights of one GRU block, copied out of the layer.

    Attributes
    ----------
    name : str
        One of ``"update"``, ``"reset"``, ``"candidate"``.
    kernel : numpy.ndarray
        (features, units): applied to the layer input x_t.
    recurrent_kernel : numpy.ndarray
        (units, units): applied to h_{t-1} (for the candidate: to r * h_{t-1}, or its
        product is multiplied by r when ``reset_after``).
    bias : numpy.ndarray or None
        (units,) added to the input projection, or None when ``use_bias=False``.
    recurrent_bias : numpy.ndarray or None
        (units,) added to the recurrent projection (``reset_after=True`` only), else None.
    columns : slice
        Which columns of the full kernel, recurrent kernel and bias this block is.
    """

    name: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None
    recurrent_bias: np.ndarray | None
    columns: slice


class GRUGateWeights(Mapping[str, GRUGate]):
    """Mapping ``"update" | "reset" | "candidate"`` → :class:`GRUGate` for one GRU.

    The arrays are copies: changing them never changes the model.
    """

    def __init__(self, layer: keras.layers.Layer, name: str | None = None) -> None:
        if not is_gru(layer):
            raise TypeError(
                f"expected a GRU layer (keras.layers.GRU or RNN(GRUCell)), "
                f"got {type(layer).__name__} {layer.name!r}."
            )
        if not layer.built:
            raise ValueError(
                f"GRU layer {layer.name!r} is not built yet, so it has no weights; "
                "call the model on data (or give it a keras.Input) first."
            )
        cell = layer.cell
        kernel = np.array(cell.kernel.numpy(), copy=True)
        recurrent = np.array(cell.recurrent_kernel.numpy(), copy=True)
        bias = np.array(cell.bias.numpy(), copy=True) if cell.use_bias else None
        units = int(cell.units)
        self.layer_name = name or layer.name
        self.units = units
        self.features = int(kernel.shape[0])
        self.reset_after = bool(cell.reset_after)
        self.activation = activation_name(cell.activation)
        self.recurrent_activation = activation_name(cell.recurrent_activation)
        self.go_backwards = bool(layer.go_backwards)
        self.full_kernel = kernel
        self.full_recurrent_kernel = recurrent
        self.full_bias = bias
        input_bias = bias if bias is None or bias.ndim == 1 else bias[0]
        recurrent_bias = None if bias is None or bias.ndim == 1 else bias[1]
        self._gates: dict[str, GRUGate] = {}
        for k, gate in enumerate(GRU_GATES):
            cols = slice(k * units, (k + 1) * units)
            self._gates[gate] = GRUGate(
                name=gate,
                kernel=kernel[:, cols],
                recurrent_kernel=recurrent[:, cols],
                bias=None if input_bias is None else input_bias[cols],
                recurrent_bias=None if recurrent_bias is None else recurrent_bias[cols],
                columns=cols,
            )

    def __getitem__(self, key: str) -> GRUGate:
        try:
            return self._gates[key]
        except KeyError:
            raise KeyError(
                f"{key!r} is not a GRU block; blocks are {', '.join(GRU_GATES)}."
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(GRU_GATES)

    def __len__(self) -> int:
        return len(GRU_GATES)

    def __repr__(self) -> str:
        return (
            f"<GRUGateWeights {self.layer_name!r}: {self.features} features -> {self.units} "
            f"units, blocks {', '.join(GRU_GATES)}, reset_after={self.reset_after}>"
        )

    def describe(self) -> str:
        """Plain-text explanation of the shapes, the column slices and the equations."""
        u, f = self.units, self.features
        act, rec = self.activation, self.recurrent_activation
        if self.full_bias is None:
            bias = "no bias (use_bias=False)"
        elif self.reset_after:
            bias = f"bias (2, {3 * u}) (row 0 input bias b, row 1 recurrent bias b')"
        else:
            bias = f"bias ({3 * u},)"
        lines = [
            f"GRU layer {self.layer_name!r}: {f} input features -> {u} units.",
            f"get_weights() gives kernel ({f}, {3 * u}), recurrent_kernel ({u}, {3 * u}), {bias}.",
            f"Their columns are three blocks of {u} in Keras's order:",
        ]
        for gate in GRU_GATES:
            c = self._gates[gate].columns
            lines.append(f"  columns {c.start:>5}:{c.stop:<5} {_TITLES[gate]}")
        b = self.full_bias is not None
        rb = b and self.reset_after

        def pre(k: str, h: str = "h") -> str:
            rec_part = f"{h} @ U_{k}" + (f" + b'_{k}" if rb else "")
            return f"x_t @ W_{k}" + (f" + b_{k}" if b else ""), rec_part

        xz, hz = pre("z")
        xr, hr = pre("r")
        xh, hh = pre("h")
        if self.reset_after:
            cand = f"  h~ = {act}({xh} + r * ({hh}))"
        else:
            cand = f"  h~ = {act}({xh} + (r * h) @ U_h)"
        lines += [
            "At every time step t, with x_t the input and h the state before the step:",
            f"  z = {rec}({xz} + {hz})",
            f"  r = {rec}({xr} + {hr})",
            cand + f"    (reset_after={self.reset_after})",
            "  h = z * h + (1 - z) * h~",
            "The same W, U and b are applied at every step: there is no time axis in the",
            "weights. z near 1 keeps the old state; z near 0 replaces it with h~.",
        ]
        if self.go_backwards:
            lines.append("This layer has go_backwards=True: it reads the sequence from the end.")
        return "\n".join(lines)


class BidirectionalGRUGateWeights:
    """Gate weights of a ``Bidirectional`` GRU: ``.forward`` and ``.backward``."""

    def __init__(self, wrapper: keras.layers.Bidirectional, name: str) -> None:
        self.layer_name = name
        self.forward = GRUGateWeights(wrapper.forward_layer, f"{name} (forward)")
        self.backward = GRUGateWeights(wrapper.backward_layer, f"{name} (backward)")

    def __repr__(self) -> str:
        return f"<BidirectionalGRUGateWeights {self.layer_name!r}: .forward, .backward>"

    def describe(self) -> str:
        """Both directions' descriptions, forward first."""
        head = (
            f"Bidirectional layer {self.layer_name!r} holds two independent GRUs with their "
            "own weights: one reads the sequence forwards, the other backwards."
        )
        return "\n\n".join([head, self.forward.describe(), self.backward.describe()])
