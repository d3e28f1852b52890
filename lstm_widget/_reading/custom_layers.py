"""Layers of a saved model that Keras cannot build (add-on packages' CRF, a user's own class).

Everything lstm-widget shows is computed up to the last recurrent layer. When every layer
Keras cannot build comes after the last recurrent layer, the model is opened up to the layers
it can build: in a Sequential model the layers from the first unknown one on are cut; in a
functional model the unknown layers and everything fed by them, and the cut layers' inputs
become the model's outputs. An unknown layer on the way to a recurrent layer cannot be cut:
the error names it and how to pass its class (``custom_objects``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras

_RECURRENT = {"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D"}
_MODELS = {"Sequential", "Model", "Functional"}


def cut_unknown(
    config: dict[str, Any], custom_objects: dict[str, Any], path: str, notes: list[str]
) -> dict[str, Any]:
    """``config`` without the layers Keras cannot build, or unchanged if it builds.

    ``config`` is a model config in Keras 2.3's form (:func:`.old_configs.upgrade`).

    Raises
    ------
    ValueError
        If an unknown layer feeds a recurrent layer, or the model has no recurrent layer.
    """
    layers = config.get("config", {}).get("layers")
    if not isinstance(layers, list):
        return config
    unknown = [lyr for lyr in layers if not _buildable(lyr, custom_objects)]
    if not unknown:
        return config
    if config["class_name"] == "Sequential":
        first = layers.index(unknown[0])
        cut, kept = layers[first:], layers[:first]
    else:
        cut_names = _downstream(layers, {_name(lyr) for lyr in unknown})
        cut = [lyr for lyr in layers if _name(lyr) in cut_names]
        kept = [lyr for lyr in layers if _name(lyr) not in cut_names]
    blocked = [lyr for lyr in cut if _holds_recurrent(lyr)]
    if blocked or not any(_holds_recurrent(lyr) for lyr in kept):
        raise ValueError(_unknown_message(path, unknown, blocked))
    out = {**config, "config": {**config["config"], "layers": kept}}
    if config["class_name"] != "Sequential":
        out["config"]["output_layers"] = _new_outputs(config["config"], kept, cut)
    notes.append(
        "cut "
        + ", ".join(f"{_name(lyr)!r} ({lyr['class_name']})" for lyr in cut)
        + f": Keras cannot build {_listing(unknown)} (pass custom_objects= to keep "
        "them); the model now ends at " + ", ".join(repr(ref[0]) for ref in _output_refs(out))
    )
    return out


def _name(layer: dict[str, Any]) -> str:
    return str(layer.get("name") or layer.get("config", {}).get("name"))


def _listing(layers: list[dict[str, Any]]) -> str:
    return ", ".join(f"{_name(lyr)!r} ({lyr['class_name']})" for lyr in layers)


def _buildable(layer: dict[str, Any], custom_objects: dict[str, Any]) -> bool:
    kind = layer.get("class_name")
    if kind in custom_objects or kind in _MODELS:
        if kind in _MODELS:  # a nested model: all its layers must build
            inner = layer.get("config", {}).get("layers", [])
            return all(_buildable(lyr, custom_objects) for lyr in inner)
        return True
    if isinstance(kind, str) and hasattr(keras.layers, kind):
        inner = layer.get("config", {}).get("layer")
        return not isinstance(inner, dict) or _buildable(inner, custom_objects)
    return keras.saving.get_registered_object(str(kind)) is not None


def _holds_recurrent(node: object) -> bool:
    if isinstance(node, list):
        return any(_holds_recurrent(item) for item in node)
    if not isinstance(node, dict):
        return False
    return node.get("class_name") in _RECURRENT or any(_holds_recurrent(v) for v in node.values())


def _refs(value: object) -> Iterator[list[Any]]:
    """Every tensor reference ``[layer name, node, tensor, ...]`` in nested lists."""
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        yield list(value[:3])
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _inbound(layer: dict[str, Any]) -> set[str]:
    return {ref[0] for ref in _refs(layer.get("inbound_nodes", []))}


def _downstream(layers: list[dict[str, Any]], start: set[str]) -> set[str]:
    """``start`` and every layer fed, directly or not, by one of them (config order)."""
    cut = set(start)
    for layer in layers:  # Keras writes a functional config's layers in topological order
        if _inbound(layer) & cut:
            cut.add(_name(layer))
    return cut


def _new_outputs(
    config: dict[str, Any], kept: list[dict[str, Any]], cut: list[dict[str, Any]]
) -> list[list[Any]]:
    """The kept model's outputs: the old ones it keeps, and every kept tensor a cut layer read."""
    kept_names = {_name(lyr) for lyr in kept}
    outputs = [ref for ref in _refs(config.get("output_layers", [])) if ref[0] in kept_names]
    for layer in cut:
        for ref in _refs(layer.get("inbound_nodes", [])):
            if ref[0] in kept_names and ref not in outputs:
                outputs.append(ref)
    return outputs


def _output_refs(config: dict[str, Any]) -> list[list[Any]]:
    if config["class_name"] == "Sequential":
        return [[_name(config["config"]["layers"][-1]), 0, 0]]
    return list(_refs(config["config"]["output_layers"]))


def _unknown_message(
    path: str, unknown: list[dict[str, Any]], blocked: list[dict[str, Any]]
) -> str:
    classes = sorted({str(lyr["class_name"]) for lyr in unknown})
    where = (
        f"on the way to the recurrent layer(s) {_listing(blocked)}"
        if blocked
        else "and the layers it can build hold no recurrent layer"
    )
    objects = ", ".join(f"{c!r}: {c}" for c in classes)
    return (
        f"{path!r}: Keras cannot build {_listing(unknown)} {where}. Pass the classes, "
        f"imported from the package that defined them: "
        f"lw.load_model(path, custom_objects={{{objects}}})."
    )
