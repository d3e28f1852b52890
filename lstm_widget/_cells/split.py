"""What splitting an LSTM's and a GRU's weights into blocks have in common.

Both cells store one ``kernel`` (features, k*units) and one ``recurrent_kernel``
(units, k*units) whose columns are k equal blocks in Keras's order, plus a bias. The
subclasses say which blocks there are and how the bias splits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import keras
import numpy as np

from .._base.activations import activation_name

_HARD_SIGMOIDS = {
    "legacy_hard_sigmoid": "legacy_hard_sigmoid(v) = clip(0.2 v + 0.5, 0, 1): Keras 2's hard "
    "sigmoid, kept from the model's Keras 2 config (Keras 3's is clip(v / 6 + 0.5, 0, 1)).",
    "hard_sigmoid": "hard_sigmoid(v) = clip(v / 6 + 0.5, 0, 1): Keras 3's (Keras 2's was "
    "clip(0.2 v + 0.5, 0, 1); lstm_widget.load_model keeps that one for Keras 2 files).",
}


class SplitWeights(Mapping[str, Any]):
    """Mapping block name → the block's weights (copies) for one recurrent layer.

    Subclasses set ``KIND`` ("LSTM"), ``A_KIND`` ("an LSTM"), ``CELL`` (the Keras cell
    class name), ``NAMES`` (block names in column order), ``UNKNOWN`` (the message for a
    wrong key, formatted with ``key`` and ``names``) and ``IS`` (the layer test), and fill
    ``_blocks``.
    """

    KIND: ClassVar[str]
    A_KIND: ClassVar[str]
    CELL: ClassVar[str]
    NAMES: ClassVar[tuple[str, ...]]
    UNKNOWN: ClassVar[str]
    IS: ClassVar[Callable[[object], bool]]

    def __init__(self, layer: keras.layers.Layer, name: str | None = None) -> None:
        kind, cell_name = self.KIND, self.CELL
        if not type(self).IS(layer):
            raise TypeError(
                f"expected {self.A_KIND} layer (keras.layers.{kind} or RNN({cell_name})), "
                f"got {type(layer).__name__} {layer.name!r}."
            )
        if not layer.built:
            raise ValueError(
                f"{kind} layer {layer.name!r} is not built yet, so it has no weights; "
                "call the model on data (or give it a keras.Input) first."
            )
        cell = layer.cell
        self.full_kernel = np.array(cell.kernel.numpy(), copy=True)
        self.full_recurrent_kernel = np.array(cell.recurrent_kernel.numpy(), copy=True)
        self.full_bias = np.array(cell.bias.numpy(), copy=True) if cell.use_bias else None
        self.layer_name = name or layer.name
        self.units = int(cell.units)
        self.features = int(self.full_kernel.shape[0])
        self.activation = activation_name(cell.activation)
        self.recurrent_activation = activation_name(cell.recurrent_activation)
        self.go_backwards = bool(layer.go_backwards)
        self._blocks: dict[str, Any] = {}

    def describe(self) -> str:
        """Plain-text explanation of the shapes, the column slices and the equations."""
        raise NotImplementedError

    def footnotes(self) -> list[str]:
        """Lines for :meth:`describe` after the equations: hard sigmoids, direction."""
        used = {self.activation, self.recurrent_activation}
        lines = [text for name, text in _HARD_SIGMOIDS.items() if name in used]
        if self.go_backwards:
            lines.append("This layer has go_backwards=True: it reads the sequence from the end.")
        return lines

    def columns(self, k: int) -> slice:
        """Columns of block ``k`` in the full kernel, recurrent kernel and bias."""
        return slice(k * self.units, (k + 1) * self.units)

    def __getitem__(self, key: str) -> Any:  # noqa: ANN401 - the subclass's block type
        try:
            return self._blocks[key]
        except KeyError:
            message = self.UNKNOWN.format(key=key, names=", ".join(self.NAMES))
            raise KeyError(message) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


class BidirectionalSplit:
    """Block weights of a ``Bidirectional`` layer: ``.forward`` and ``.backward``.

    Subclasses set ``SINGLE`` (the per-direction class).
    """

    SINGLE: ClassVar[type[SplitWeights]]

    def __init__(self, wrapper: keras.layers.Bidirectional, name: str) -> None:
        self.layer_name = name
        self.forward = self.SINGLE(wrapper.forward_layer, f"{name} (forward)")
        self.backward = self.SINGLE(wrapper.backward_layer, f"{name} (backward)")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.layer_name!r}: .forward, .backward>"

    def describe(self) -> str:
        """Both directions' descriptions, forward first."""
        head = (
            f"Bidirectional layer {self.layer_name!r} holds two independent "
            f"{self.SINGLE.KIND}s with their own weights: one reads the sequence forwards, "
            "the other backwards."
        )
        return "\n\n".join([head, self.forward.describe(), self.backward.describe()])
