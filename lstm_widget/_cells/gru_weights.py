"""Split a GRU's weight tensors into its update gate, reset gate and candidate.

Keras stores one ``kernel`` (features, 3*units) and one ``recurrent_kernel``
(units, 3*units), whose columns are three equal blocks in the order update z, reset r,
candidate h~. The bias is (3*units,) for ``reset_after=False``; for ``reset_after=True``
(the default, cuDNN-compatible) it is (2, 3*units): row 0 is added to the input
projection, row 1 to the recurrent one.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .._reading.model import is_gru
from .split import BidirectionalSplit, SplitWeights

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


class GRUGateWeights(SplitWeights):
    """Mapping ``"update" | "reset" | "candidate"`` → :class:`GRUGate` for one GRU.

    The arrays are copies: changing them never changes the model.
    """

    KIND, CELL, NAMES = "GRU", "GRUCell", GRU_GATES
    A_KIND = "a GRU"
    UNKNOWN = "{key!r} is not a GRU block; blocks are {names}."
    IS = staticmethod(is_gru)

    def __init__(self, layer: keras.layers.Layer, name: str | None = None) -> None:
        super().__init__(layer, name)
        self.reset_after = bool(layer.cell.reset_after)
        kernel, recurrent, bias = self.full_kernel, self.full_recurrent_kernel, self.full_bias
        input_bias = bias if bias is None or bias.ndim == 1 else bias[0]
        recurrent_bias = None if bias is None or bias.ndim == 1 else bias[1]
        for k, gate in enumerate(GRU_GATES):
            cols = self.columns(k)
            self._blocks[gate] = GRUGate(
                name=gate,
                kernel=kernel[:, cols],
                recurrent_kernel=recurrent[:, cols],
                bias=None if input_bias is None else input_bias[cols],
                recurrent_bias=None if recurrent_bias is None else recurrent_bias[cols],
                columns=cols,
            )

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
            c = self._blocks[gate].columns
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
        return "\n".join(lines + self.footnotes())


class BidirectionalGRUGateWeights(BidirectionalSplit):
    """Gate weights of a ``Bidirectional`` GRU: ``.forward`` and ``.backward``."""

    SINGLE = GRUGateWeights
