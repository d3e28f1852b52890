"""The layers after a recurrent layer, run in Keras on a trace of it (ours, maybe intervened).

For a Sequential model whose LSTM or GRU (plain or Bidirectional) sits at top level: the
layer's output is rebuilt from the trace as Keras returns it (the last h, or the h
sequence: in processing order for go_backwards; zeros at masked steps where the layer
sets ``zero_output_for_mask``, as Bidirectional does when it returns sequences; a
Bidirectional layer's directions merged by its ``merge_mode``), then each later layer is
called on it with the mask Keras would pass along (compiled, once per model, where a later
layer is recurrent and there is no mask).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from .._cells.steps import BidirectionalTrace
from .._reading.model import LayerRef, StateSnapshot
from .whatif import run_head

MERGES = {
    "concat": lambda a, b: np.concatenate([a, b], axis=-1),
    "sum": lambda a, b: a + b,
    "ave": lambda a, b: (a + b) / 2,
    "mul": lambda a, b: a * b,
}
"""How a Bidirectional layer's merge_mode combines its directions' outputs."""


def _direction_output(rnn: keras.layers.RNN, tr: Any, wrapped: bool) -> np.ndarray:  # noqa: ANN401
    if rnn.return_sequences:
        out = tr.hidden_state.astype(np.float32)
        if rnn.go_backwards and not wrapped:
            out = out[:, ::-1]  # Keras returns a backward layer's sequence in processing order
        if tr.mask is not None and rnn.zero_output_for_mask:
            out = np.where(tr.mask[..., None], out, np.float32(0.0))
        return out
    return tr.final_state[0].astype(np.float32)


def layer_output(layer: keras.layers.Layer, tr: Any) -> np.ndarray:  # noqa: ANN401
    """What ``layer`` (an LSTM, a GRU or a Bidirectional one) returns, from its trace."""
    if isinstance(tr, BidirectionalTrace):
        fwd = _direction_output(layer.forward_layer, tr.forward, True)
        bwd = _direction_output(layer.backward_layer, tr.backward, True)
        return MERGES[layer.merge_mode](fwd, bwd)
    return _direction_output(layer, tr, False)


def model_after(model: keras.Model, ref: LayerRef) -> Callable[[Any], np.ndarray]:
    """A function from a trace of ``ref``'s layer to the model's output (first output).

    Raises
    ------
    ValueError
        If the layer is not at the top level of a Sequential model, returns its states,
        or is a Bidirectional layer that does not merge its directions into one array.
    """
    layer = ref.layer
    if not isinstance(model, keras.Sequential) or len(ref.containers) != 1:
        raise ValueError(
            f"the output after an intervention is computed for an LSTM or GRU at the top "
            f"level of a Sequential model; {ref.path!r} in {model.name!r} is not. "
            "lw.trace gives the layer's own states."
        )
    rnns = [layer.forward_layer, layer.backward_layer] if ref.bidirectional else [layer]
    if any(getattr(r, "return_state", False) for r in rnns):
        raise ValueError(f"layer {ref.path!r} returns its states; interventions need it not to.")
    if ref.bidirectional and layer.merge_mode not in MERGES:
        raise ValueError(
            f"Bidirectional layer {ref.path!r} has merge_mode={layer.merge_mode!r}; "
            f"interventions need one of {', '.join(MERGES)}."
        )
    later = model.layers[model.layers.index(layer) + 1 :]

    recurrent = any(isinstance(s, keras.layers.RNN | keras.layers.Bidirectional) for s in later)

    def run(tr: Any) -> np.ndarray:  # noqa: ANN401
        out: Any = layer_output(layer, tr)
        parts = tr.forward if isinstance(tr, BidirectionalTrace) else tr
        mask = parts.mask if rnns[0].return_sequences and parts.mask is not None else None
        with StateSnapshot(model):
            if recurrent and mask is None:  # compiled: an eager LSTM costs a round trip a step
                return np.asarray(keras.ops.convert_to_numpy(run_head(model, ref.path, later, out)))
            for step in later:
                kwargs = {"mask": mask} if mask is not None and step._call_has_mask_arg else {}
                new = step(out, training=False, **kwargs)
                mask = None if mask is None else step.compute_mask(out, mask)
                out = new
        return np.asarray(keras.ops.convert_to_numpy(out))

    return run
