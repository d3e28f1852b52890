"""Config forms that Keras 2.0-2.3 and tf.keras 1.x wrote, brought to the form Keras 2.3 writes.

:func:`._legacy.keras3_config` then reads that form as Keras 3. What is brought up, and
which Keras wrote it:

- A Sequential model's config as a bare list of layers (Keras <= 2.2.2): becomes
  ``{"name": ..., "layers": [...]}``.
- The inner layer of a ``Bidirectional`` or ``TimeDistributed`` wrapper (every Keras 2):
  Keras 3 deserializes it with its new loader, which finds a built-in class only with its
  ``module``; it gets ``"module": "keras.layers"``.
- ``CuDNNLSTM`` / ``CuDNNGRU`` (Keras 2.0.9-2.3, tf.keras 1.x): become ``LSTM`` and
  ``GRU(reset_after=True)`` with tanh and sigmoid, as Keras 2 converted them when asked;
  their stored weights are converted on loading (:mod:`.h5_weights`).
- Keras 1 argument names that Keras 2's layers still read (``output_dim``,
  ``inner_activation``, ``consume_less``, ``dropout_W``, ``bias``, ``p``, ...; Keras 2's
  ``legacy/interfaces.py``) and ``input_dim`` / ``input_length`` / ``input_dtype`` on a
  first layer: renamed as Keras 2 renamed them.
"""

from __future__ import annotations

from typing import Any

CUDNN = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}
"""cuDNN layer classes of Keras 2 and the plain layer Keras 2 converted their weights to."""

WRAPPERS = ("Bidirectional", "TimeDistributed")

_RECURRENT_RENAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "consume_less": "implementation",
}
_DENSE_RENAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
}
_RENAMES = {
    **{kind: _RECURRENT_RENAMES for kind in ("LSTM", "GRU", "SimpleRNN", *CUDNN)},
    "Dense": _DENSE_RENAMES,
    "Dropout": {"p": "rate"},
    "Embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
}
_CONSUME_LESS = {"cpu": 0, "mem": 1, "gpu": 2}


def upgrade(node: object, notes: list[str]) -> None:
    """Bring every layer config in ``node`` (a model or layer config) to Keras 2.3's form.

    ``node`` is changed in place; changes that could matter to a reader go to ``notes``.
    """
    if isinstance(node, list):
        for item in node:
            upgrade(item, notes)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("class_name")
    if kind == "Sequential" and isinstance(node.get("config"), list):
        node["config"] = {"name": "sequential", "layers": node["config"]}
    cfg = node.get("config")
    if isinstance(kind, str) and isinstance(cfg, dict):
        name = cfg.get("name", kind)
        _keras1_arguments(kind, cfg, name, notes)
        if kind in CUDNN:
            node["class_name"] = _plain_of_cudnn(kind, cfg)
            notes.append(
                f"{name!r}: {kind} runs as {node['class_name']} with tanh and sigmoid, its "
                "weights converted as Keras 2 converted them"
            )
        if kind in WRAPPERS and isinstance(cfg.get("layer"), dict):
            cfg["layer"].setdefault("module", "keras.layers")
            cfg["layer"].setdefault("registered_name", None)
        _first_layer_input(node["class_name"], cfg)
    for value in node.values():
        upgrade(value, notes)


def _plain_of_cudnn(kind: str, cfg: dict[str, Any]) -> str:
    """The config of the plain layer that computes what a cuDNN layer computed."""
    cfg.update(activation="tanh", recurrent_activation="sigmoid", use_bias=True)
    if kind == "CuDNNGRU":
        cfg["reset_after"] = True  # cuDNN's convention: r applied after U_h h (two biases)
    return CUDNN[kind]


def _keras1_arguments(kind: str, cfg: dict[str, Any], name: str, notes: list[str]) -> None:
    """Keras 1 argument names, renamed as Keras 2's layers renamed them when reading."""
    renames = _RENAMES.get(kind, {})
    old = sorted(key for key in cfg if key in renames and renames[key] not in cfg)
    for key in old:
        value = cfg.pop(key)
        if key == "consume_less":
            value = _CONSUME_LESS.get(value, 0)
        cfg[renames[key]] = value
    if kind == "Embedding" and "dropout" in cfg:  # Keras 2 dropped it (inference: no effect)
        cfg.pop("dropout")
        old.append("dropout")
    if "forget_bias_init" in cfg:  # an initializer only: the weights are loaded
        cfg["unit_forget_bias"] = cfg.pop("forget_bias_init") == "one"
        old.append("forget_bias_init")
    if old:
        notes.append(f"{name!r}: Keras 1 argument names {', '.join(old)} read as Keras 2 did")


def _first_layer_input(kind: str, cfg: dict[str, Any]) -> None:
    """Keras 1 input arguments of a first layer in Keras 2's ``batch_input_shape`` form.

    Keras 2 read a recurrent layer's ``input_dim`` and ``input_length`` as the input shape
    (length, dim), and a Dense layer's ``input_dim`` as (dim,).
    """
    if "input_dtype" in cfg:
        cfg.setdefault("dtype", cfg.pop("input_dtype"))
    if "input_dim" not in cfg or "batch_input_shape" in cfg:
        return
    if kind == "Dense":
        cfg["batch_input_shape"] = [None, cfg.pop("input_dim")]
    elif _RENAMES.get(kind) is _RECURRENT_RENAMES:
        cfg["batch_input_shape"] = [None, cfg.pop("input_length", None), cfg.pop("input_dim")]
