"""Keras 2 models as Keras 3 models that compute the same numbers.

Two ways in: a tf.keras 2 object (the ``tf_keras`` package, what ``TF_USE_LEGACY_KERAS=1``
and TensorFlow <= 2.15 give) passed to any function, and a Keras 2 ``.h5`` file opened with
:func:`load_model`. Both go through the model's Keras 2 config, rewritten where Keras 3
would read it differently (:func:`keras3_config`), and the same weights.

What the rewrite changes, and why:

- ``"hard_sigmoid"`` (any layer's ``activation`` or ``recurrent_activation``) becomes
  :func:`lstm_widget.legacy_hard_sigmoid`, Keras 2's clip(0.2 x + 0.5, 0, 1). Keras 3 would
  read the name as its own clip(x / 6 + 0.5, 0, 1) and change the numbers.
- ``time_major=False`` is dropped (Keras 3 has no such argument and is batch-major);
  a model with ``time_major=True`` layers becomes its batch-major twin (``_time_major``:
  its time-major inputs take ``x.swapaxes(0, 1)``). Other arguments
  of a recurrent layer that Keras 3 does not take are dropped with a note; a GRU config
  without ``reset_after`` (Keras <= 2.1, which had only that convention) gets ``False``.
- A Sequential model nested in a functional one is referred to by Keras 2 with one node
  more than Keras 3 counts (Keras 2's Sequential is a functional model with a built-in
  node): the references are shifted.

``unroll``, ``implementation``, masking, stateful and Bidirectional layers mean the same in
both and are kept as they are.
"""

from __future__ import annotations

import copy
import inspect
import json
import weakref
from typing import Any

import keras
import numpy as np

from .states import state_variables
from .time_major import batch_major, register, time_major_layers

_TF_KERAS_MODULES = ("tf_keras", "tensorflow.python.keras", "keras.api._v2")
_HARD_SIGMOID = "hard_sigmoid"
_NESTED_MODELS = {"Sequential"}
_KERAS3_MODULES = {"Functional": "keras.src.models.functional"}
_RECURRENT = {
    name: getattr(keras.layers, name)
    for name in ("LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell")
}


def is_tf_keras(obj: object) -> bool:
    """Whether ``obj`` is a tf.keras 2 (``tf_keras``) object."""
    return any(c.__module__.startswith(_TF_KERAS_MODULES) for c in type(obj).__mro__)


def keras3_config(
    config: dict[str, Any], notes: list[str], legacy_activations: bool = True
) -> dict[str, Any]:
    """A copy of a Keras 2 model or layer config that Keras 3 builds with the same numbers.

    Parameters
    ----------
    config : dict
        ``{"class_name": ..., "config": ...}`` as Keras 2 writes it (``model.to_json()``,
        the ``model_config`` attribute of an .h5 file).
    notes : list of str
        What was changed is appended, one line per layer and change.
    legacy_activations : bool
        False leaves ``"hard_sigmoid"`` to mean Keras 3's, as ``keras.models.load_model``
        reads it (to measure what that would change).

    A ``time_major=True`` layer loses the argument: build the model with
    :func:`.time_major.batch_major`, which lays its inputs out batch-major.
    """
    out = copy.deepcopy(config)
    _rewrite(out, notes, legacy_activations)
    return out


def _rewrite(node: object, notes: list[str], legacy: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite(item, notes, legacy)
        return
    if not isinstance(node, dict):
        return
    cfg = node.get("config")
    if str(node.get("module", "")).startswith("tf_keras"):  # .keras files of tf_keras 2
        node["module"] = _KERAS3_MODULES.get(node.get("class_name"), "keras")
    if isinstance(node.get("class_name"), str) and isinstance(cfg, dict):
        name = cfg.get("name", node["class_name"])
        if "time_major" in cfg:
            if cfg.pop("time_major"):  # the model becomes batch-major: _time_major.batch_major
                notes.append(f"{name!r}: time_major=True, run batch-major")
            else:
                notes.append(f"{name!r}: dropped time_major=False (Keras 3 is always batch-major)")
        _recurrent_arguments(node["class_name"], cfg, name, notes)
        for key in ("activation", "recurrent_activation"):
            if legacy and cfg.get(key) == _HARD_SIGMOID:
                cfg[key] = _legacy_hard_sigmoid_config()
                notes.append(
                    f"{name!r}: {key} 'hard_sigmoid' kept as Keras 2's clip(0.2 x + 0.5, 0, 1) "
                    "(Keras 3's hard_sigmoid is clip(x / 6 + 0.5, 0, 1))"
                )
        _shift_nested_nodes(cfg)
        _sequential_input(node["class_name"], cfg)
    for value in node.values():
        _rewrite(value, notes, legacy)


def _sequential_input(kind: str, cfg: dict[str, Any]) -> None:
    """A Keras 2 Sequential's input shape as Keras 3 reads it: an InputLayer entry.

    Keras 2 writes ``LSTM(..., input_shape=...)`` as ``batch_input_shape`` in the layer's
    config, which Keras 3 layers do not take: it becomes an InputLayer before the first
    layer (if there is none yet) and is dropped from the layers.
    """
    layers = cfg.get("layers")
    if kind != "Sequential" or not isinstance(layers, list) or not layers:
        return
    first = layers[0]
    shape = first.get("config", {}).get("batch_input_shape")
    if first.get("class_name") != "InputLayer" and shape is not None:
        name = f"{first['config'].get('name', 'layer')}_input"  # Keras 2's name for it
        entry = {"batch_input_shape": shape, "dtype": first["config"].get("dtype"), "name": name}
        layers.insert(0, {"class_name": "InputLayer", "config": entry})
    for layer in layers:
        if layer.get("class_name") != "InputLayer":
            layer.get("config", {}).pop("batch_input_shape", None)


def _recurrent_arguments(kind: str, cfg: dict[str, Any], name: str, notes: list[str]) -> None:
    """Arguments of a Keras 2 recurrent layer that Keras 3 lacks or defaults otherwise."""
    cls = _RECURRENT.get(kind)
    if cls is None:
        return
    if kind in ("GRU", "GRUCell") and "reset_after" not in cfg:
        cfg["reset_after"] = False  # Keras <= 2.1 had only this convention; Keras 3's is True
        notes.append(f"{name!r}: reset_after=False, the only GRU of Keras <= 2.1")
    accepted = _accepted(cls)
    for key in sorted(set(cfg) - accepted):
        notes.append(f"{name!r}: dropped {key}={cfg.pop(key)!r} (not a Keras 3 argument)")


def _accepted(cls: type) -> set[str]:
    """Keyword arguments a Keras 3 layer class takes (its own, its bases', Layer's)."""
    names = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "implementation"}
    named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            params = inspect.signature(init).parameters.values()
            names |= {p.name for p in params if p.kind in named}
    return names - {"self"}


def _legacy_hard_sigmoid_config() -> dict[str, Any]:
    """How Keras 3 serializes :func:`legacy_hard_sigmoid` (a registered function)."""
    from .._base.activations import legacy_hard_sigmoid

    return keras.activations.serialize(legacy_hard_sigmoid)


def _shift_nested_nodes(cfg: dict[str, Any]) -> None:
    """In a functional config, count nested Sequential models' nodes as Keras 3 does."""
    layers = cfg.get("layers")
    if not isinstance(layers, list) or "output_layers" not in cfg:
        return
    nested = {
        lyr["config"]["name"]
        for lyr in layers
        if isinstance(lyr, dict) and lyr.get("class_name") in _NESTED_MODELS
    }
    if not nested:
        return

    def shift(ref: object) -> None:
        if isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str):
            if ref[0] in nested and isinstance(ref[1], int) and ref[1] > 0:
                ref[1] -= 1
            return
        if isinstance(ref, list):
            for item in ref:
                shift(item)

    for lyr in layers:
        shift(lyr.get("inbound_nodes", []))
    shift(cfg.get("input_layers", []))
    shift(cfg.get("output_layers", []))


def build(config: dict[str, Any]) -> keras.Model:
    """Build a Keras 3 model from a rewritten Keras 2 config (Keras's legacy reader)."""
    from keras.src.legacy.saving import saving_options, saving_utils

    with saving_options.keras_option_scope(use_legacy_config=True):
        model = saving_utils.model_from_config(config)
    if not isinstance(model, keras.Model):
        raise ValueError(f"the config describes a {type(model).__name__}, not a model.")
    return model


def layer_from_tf_keras(old: Any) -> keras.layers.Layer:
    """A Keras 3 copy of a built tf.keras 2 recurrent layer (plain or Bidirectional).

    Raises
    ------
    ValueError
        If the layer is not built (it has no weights to read yet).
    """
    values = old.get_weights()
    if not values:
        raise ValueError(f"tf.keras layer {old.name!r} is not built yet: it has no weights.")
    features = int(values[0].shape[0])
    states = state_variables(old)
    batch = int(states[0].shape[0]) if states else None  # a stateful layer's batch size
    layer = {"class_name": type(old).__name__, "config": old.get_config()}
    inp = {"class_name": "InputLayer", "config": {"batch_input_shape": [batch, None, features]}}
    config = {"class_name": "Sequential", "config": {"name": "t", "layers": [inp, layer]}}
    new = build(keras3_config(config, [])).layers[-1]
    new.set_weights(values)
    for a, b in zip(states, state_variables(new), strict=True):
        b.assign(np.asarray(a.numpy()))
    return new


def _leaf_pairs(old: Any, new: keras.Model) -> list[tuple[Any, keras.layers.Layer]]:
    """Layers of a tf.keras model and its Keras 3 rebuild, matched by name, nested included."""
    pairs = []
    by_name = {layer.name: layer for layer in new.layers}
    for layer in old.layers:
        twin = by_name.get(layer.name)
        if twin is None and layer.weights:
            raise ValueError(f"the Keras 3 rebuild has no layer {layer.name!r} to copy into.")
        if twin is None:
            continue  # e.g. an InputLayer that one side lists and the other does not
        if hasattr(layer, "layers") and isinstance(twin, keras.Model):
            pairs.extend(_leaf_pairs(layer, twin))
        else:
            pairs.append((layer, twin))
    return pairs


def _all_layers(model: Any) -> list[Any]:
    """A model's layers, nested models' layers included."""
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out


def old_variables(model: Any) -> list[Any]:
    """Every weight and stateful state of a tf.keras model: what its numbers depend on."""
    return [*model.weights, *(v for layer in _all_layers(model) for v in state_variables(layer))]


def copy_values(old: Any, new: keras.Model) -> None:
    """Put a tf.keras model's weights and stateful states into its Keras 3 rebuild."""
    for src, dst in _leaf_pairs(old, new):
        values = src.get_weights()
        if values:
            dst.set_weights(values)
        for a, b in zip(state_variables(src), state_variables(dst), strict=True):
            b.assign(np.asarray(a.numpy()))


class _Mirror:
    """A tf.keras model's Keras 3 twin, brought up to date when the original changes."""

    def __init__(self, old: Any) -> None:
        if not getattr(old, "_is_graph_network", False):  # Sequential and functional are
            raise TypeError(
                f"tf.keras model {old.name!r} is a subclassed model without a config of its "
                "layers; lstm-widget reads Sequential and functional tf.keras models. Rebuild "
                "it in Keras 3 and copy the weights (new.set_weights(old.get_weights()))."
            )
        config = json.loads(old.to_json())
        names = time_major_layers(config)
        rewritten = keras3_config(config, [])
        if names:  # the batch-major twin of a time-major model; functions swap x for it
            rewritten, layout = batch_major(rewritten, names, build)
        self.model = build(rewritten)
        if names:
            register(self.model, layout)
        self.layout = _layout(old)
        self._seen: list[tuple[Any, np.ndarray]] = []
        self.refresh(old)

    def refresh(self, old: Any) -> None:
        """Copy the original's weights and states again if any changed since the last copy."""
        live = old_variables(old)
        if len(live) == len(self._seen) and all(
            v is w and np.array_equal(np.asarray(v.numpy()), seen, equal_nan=True)
            for v, (w, seen) in zip(live, self._seen, strict=True)
        ):
            return
        copy_values(old, self.model)
        self._seen = [(v, np.array(v.numpy(), copy=True)) for v in live]


def _layout(old: Any) -> tuple:
    """Layer names and variable shapes: if these change, the twin is rebuilt."""
    names = tuple(layer.name for layer in old.layers)
    return names, tuple(tuple(v.shape) for v in old_variables(old))


_MIRRORS: weakref.WeakKeyDictionary[Any, _Mirror] = weakref.WeakKeyDictionary()


def from_tf_keras(old: Any) -> keras.Model:
    """The Keras 3 model that computes what the tf.keras 2 model ``old`` computes.

    The same Keras 3 object is returned for the same ``old`` as long as its layers are the
    same; its weights and stateful states are copied again whenever ``old``'s changed (an
    exact comparison per call), so nothing shown is stale. ``old`` is only read.

    Raises
    ------
    TypeError
        For a subclassed tf.keras model (no config to rebuild from).
    ValueError
        For a time-major model whose layers would compute other numbers batch-major.
    """
    mirror = _MIRRORS.get(old)
    if mirror is not None and mirror.layout == _layout(old):
        mirror.refresh(old)
    else:
        mirror = _Mirror(old)
        _MIRRORS[old] = mirror
    return mirror.model
