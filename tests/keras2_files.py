"""Model files in the HDF5 form standalone Keras 2 wrote, and their numbers by tf_keras.

``write_h5`` lays a file out as Keras 2.0-2.3's ``save_model`` did: the JSON config as the
root's ``model_config`` attribute, ``keras_version`` and ``backend`` on the root and on the
``model_weights`` group, one group per layer with its ``weight_names`` in the layer's weight
order. The reference for a file is tf_keras (Keras 2's code) reading it: its own
``model_from_json`` and ``load_weights``, which applies Keras 2's weight conversions
(cuDNN layouts included); where tf_keras cannot read a config, the test repairs it by hand
first, as a user following Keras 2's docs would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "models" / "keras2"


def write_h5(
    path: Path,
    config: dict,
    weights: dict[str, list[np.ndarray]],
    version: str | None = "2.1.2",
) -> Path:
    """Write a Keras 2 model file: ``weights`` maps layer names (in model order) to values.

    ``version=None`` writes no ``keras_version`` (as Keras 1 did).
    """
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        group = f.create_group("model_weights")
        if version is not None:
            f.attrs["keras_version"] = version.encode("utf8")
            group.attrs["keras_version"] = version.encode("utf8")
        group.attrs["backend"] = b"tensorflow"
        group.attrs["layer_names"] = np.array([n.encode("utf8") for n in weights])
        for name, values in weights.items():
            sub = group.create_group(name)
            names = [f"{name}/w{i}:0" for i in range(len(values))]
            sub.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
            for n, v in zip(names, values, strict=True):
                sub.create_dataset(n, data=np.asarray(v, dtype="float32"))
    return path


def read_config(path: Path) -> dict:
    with h5py.File(path, "r") as f:
        raw = f.attrs["model_config"]
    return json.loads(raw.decode("utf8") if isinstance(raw, bytes) else raw)


def tf_keras_model(path: Path, repair: Callable[[dict], None] | None = None, by_name=False):
    """tf_keras's reading of a Keras 2 file (config repaired first by ``repair``)."""
    import tf_keras

    config = copy.deepcopy(read_config(path))
    if repair is not None:
        repair(config)
    model = tf_keras.models.model_from_json(json.dumps(config))
    model.load_weights(str(path), by_name=by_name)
    return model


def layer_configs(config: dict) -> list[dict]:
    """Every layer config in a model config, nested ones included (depth first)."""
    out = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict):
                out.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(config)
    return out


def cudnn_as_plain(config: dict) -> None:
    """The hand repair Keras 2's docs gave: CuDNN layers as LSTM / GRU(reset_after=True)."""
    for node in layer_configs(config):
        kind = node["class_name"]
        if kind in ("CuDNNLSTM", "CuDNNGRU"):
            node["class_name"] = kind[5:]
            node["config"].update(recurrent_activation="sigmoid", activation="tanh")
            if kind == "CuDNNGRU":
                node["config"]["reset_after"] = True


def gru_reset_after_false(config: dict) -> None:
    """The hand repair for a GRU of Keras < 2.1.3: its only convention, written out."""
    for node in layer_configs(config):
        if node["class_name"] == "GRU":
            node["config"].setdefault("reset_after", False)
