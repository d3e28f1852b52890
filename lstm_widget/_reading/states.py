"""The state variables of stateful recurrent layers, Keras 3 and tf.keras 2 alike."""

from __future__ import annotations

from typing import Any


def state_variables(layer: Any) -> list[Any]:  # noqa: ANN401 - Keras 3 or tf.keras
    """The state variables of a stateful RNN layer (both halves of a Bidirectional); else [].

    Duck-typed, so that tf.keras 2 layers are read the same way as Keras 3 ones.
    """
    parts = (
        [layer.forward_layer, layer.backward_layer] if hasattr(layer, "forward_layer") else [layer]
    )
    return [
        var
        for rnn in parts
        if getattr(rnn, "stateful", False) and getattr(rnn, "states", None) is not None
        for var in rnn.states
        if var is not None and hasattr(var, "assign")
    ]


__all__ = ["state_variables"]
