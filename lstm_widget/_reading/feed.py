"""What the model feeds an LSTM layer: its input sequence, mask and initial state.

All three are computed by Keras itself: a sub-model from the model's inputs to the
tensors the layer was called with (the sequence, the ``mask`` Keras passed along, the
``initial_state`` tensors of an encoder-decoder). Layers inside nested models are
reached level by level. Stateful layers that run on the way are restored afterwards.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import keras
import numpy as np

from .model import LayerRef, StateSnapshot
from .nodes import call_tensors, node_in


@dataclass
class Feed:
    """The arrays an LSTM layer receives when the model runs on ``x``.

    Attributes
    ----------
    inputs : numpy.ndarray
        (batch, time, features) float32.
    mask : numpy.ndarray or None
        (batch, time) bool, or None when no mask reaches the layer.
    initial_state : list of numpy.ndarray or None
        States given to the layer by the graph (``initial_state=`` in the model), else None.
    """

    inputs: np.ndarray
    mask: np.ndarray | None
    initial_state: list[np.ndarray] | None


def _evaluate(
    container: keras.Model,
    inputs: list[np.ndarray],
    outputs: list[object],
    mask: np.ndarray | None,
) -> list[np.ndarray]:
    """Run ``container`` from its inputs to ``outputs`` (KerasTensors) on arrays."""
    if all(any(o is t for t in container.inputs) for o in outputs):
        return [inputs[[id(t) for t in container.inputs].index(id(o))] for o in outputs]
    sub = _sub_model(container, outputs)
    feed = inputs[0] if len(inputs) == 1 else inputs
    result = run_model(sub, feed, mask)
    if not isinstance(result, list | tuple):  # Keras unwraps single outputs
        result = [result]
    return [keras.ops.convert_to_numpy(r) for r in result]


_SUB_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sub_model(container: keras.Model, outputs: list[object]) -> keras.Model:
    """A model from ``container``'s inputs to ``outputs``, built once per container.

    It shares the container's layers (and so its current weights); keeping it lets Keras
    keep its compiled predict function, so per-sample calls do not trace again.
    """
    built = _SUB_MODELS.setdefault(container, {})
    key = tuple(id(o) for o in outputs)
    if key not in built:
        sources = container.inputs[0] if len(container.inputs) == 1 else container.inputs
        built[key] = keras.Model(sources, outputs)
    return built[key]


COMPILED_FROM_STEPS = 500
"""From this many time steps on, models run compiled (predict_on_batch) instead of eagerly:
an eager recurrent layer costs a Python round trip per step."""


def run_model(model: keras.Model, feed: object, mask: np.ndarray | None = None) -> object:
    """Call ``model`` in inference mode: eagerly for short inputs, compiled for long ones."""
    first = feed[0] if isinstance(feed, list) else feed
    long = getattr(first, "ndim", 0) >= 2 and first.shape[1] >= COMPILED_FROM_STEPS
    if mask is not None:
        return model(feed, training=False, mask=mask)
    if long:
        return predict(model, feed)
    return model(feed, training=False)


def first_output(out: object) -> object:
    """The first output of a multi-output model's result (list, tuple or dict); else ``out``."""
    if isinstance(out, list | tuple):
        return out[0]
    if isinstance(out, dict):
        return next(iter(out.values()))
    return out


def predict(model: keras.Model, feed: object) -> object:
    """``predict_on_batch``, or an eager call where TensorFlow cannot compile the model.

    Graph mode rejects some layer names that eager mode accepts (e.g. names with spaces
    or ``<``), so such models run eagerly: slower, same numbers.
    """
    try:
        return model.predict_on_batch(feed)
    except ValueError as err:
        if "scope name" not in str(err):
            raise
        return model(feed, training=False)


def layer_feed(ref: LayerRef, inputs: list[np.ndarray]) -> Feed:
    """Compute with Keras what ``ref.layer`` receives when the model runs on ``inputs``.

    Parameters
    ----------
    ref : LayerRef
        The located layer.
    inputs : list of numpy.ndarray
        One validated array per model input.

    Returns
    -------
    Feed
        The layer's input sequence, mask and graph-given initial state.
    """
    chain = [*ref.containers[1:], ref.layer]
    arrays, mask = inputs, None
    with StateSnapshot(ref.containers[0]):
        for container, child in zip(ref.containers, chain, strict=True):
            node = node_in(container, child)
            seq, mask_t, state_t = call_tensors(node)
            parts = list(seq) if isinstance(seq, list | tuple) else [seq]
            wanted = list(parts)
            if mask_t is not None:
                wanted.append(mask_t)
            if state_t:
                wanted.extend(state_t)
            values = _evaluate(container, arrays, wanted, mask)
            seq_v = [values.pop(0) for _ in parts]
            mask = values.pop(0).astype(bool) if mask_t is not None else None
            state = values if state_t else None
            if child is not ref.layer:
                arrays = seq_v
                if not getattr(child, "supports_masking", False):
                    mask = None
    return Feed(
        inputs=np.ascontiguousarray(seq_v[0], dtype=np.float32),
        mask=mask,
        initial_state=state,
    )
