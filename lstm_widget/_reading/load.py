"""Open Keras 2 model files (.h5, and .keras where Keras 3 fails) with their original numbers.

``keras.models.load_model`` either cannot read a tf.keras 2 file (``time_major``) or, for
an older one it can read, silently turns a ``hard_sigmoid`` into Keras 3's different
function. :func:`load_model` rewrites the stored config (:mod:`.legacy`),
loads the stored weights with Keras's own readers, and warns when the plain Keras 3 reading
would give other numbers, measured on a probe input.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import warnings
import zipfile
from typing import Any

import keras
import numpy as np

from .._base.inputs import probe_input
from .custom_layers import cut_unknown
from .feed import first_output, predict
from .h5_weights import load_weights, text
from .legacy import build, keras3_config
from .model import StateSnapshot, recurrent_layers
from .old_configs import upgrade
from .time_major import batch_major, note, time_major_layers

_H5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"


def load_model(
    path: str | os.PathLike[str],
    warn: bool = True,
    custom_objects: dict[str, Any] | None = None,
) -> keras.Model:
    """Open a Keras 2 (or Keras 3) model file as a Keras 3 model with its original numbers.

    Keras 2 ``hard_sigmoid`` activations stay Keras 2's (:func:`legacy_hard_sigmoid`), and
    arguments Keras 3 does not know but that change nothing (``time_major=False``) are
    dropped. A model with ``time_major=True`` layers opens as its batch-major twin: the
    warning names the inputs that take ``x.swapaxes(0, 1)`` and the outputs that come out
    (batch, time, ...) (:mod:`.time_major`). A file that Keras 3 wrote (its
    ``keras_version``) is opened as ``keras.models.load_model`` opens it: its names already
    mean Keras 3's functions. The file is only read; the model is not compiled.

    Every config form Keras 2.0-2.3 wrote opens (:mod:`.old_configs`): list-style
    Sequential configs, wrapped layers, ``CuDNNLSTM``/``CuDNNGRU`` (run as the LSTM/GRU
    Keras 2 converted them to, weights converted as Keras 2 did), GRUs from before
    ``reset_after``. Layers Keras cannot build (a CRF from keras_contrib) are cut off if
    they all come after the last recurrent layer, with a warning naming them and the new
    output; pass their classes in ``custom_objects`` to keep them.

    Parameters
    ----------
    path : str or path-like
        A ``.h5`` file written by ``model.save`` (Keras 2 or 3), or a ``.keras`` file.
    warn : bool
        Issue the warnings below (default True).
    custom_objects : dict, optional
        ``{"ClassName": cls}`` for layers and functions the file needs that are not
        Keras's own, as for ``keras.models.load_model``.

    Returns
    -------
    keras.Model

    Warns
    -----
    UserWarning
        Listing what was rewritten or cut, layer by layer; and, when ``keras.models.load_model``
        would read the file with other numbers (Keras 3's ``hard_sigmoid``), the layers and
        the largest difference of the model's output on a seeded probe input.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not a Keras model file, is truncated or corrupt, holds weights only,
        was written by Keras 1, has no LSTM or GRU layer, or has a layer Keras 3 cannot
        reproduce (the message names it, and for an unknown class how to pass it).
    TypeError
        If ``path`` is not a path or ``custom_objects`` not a dict.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or path-like, got {type(path).__name__}.")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(
            "custom_objects must be a dict {'ClassName': cls}, got "
            f"{type(custom_objects).__name__}."
        )
    custom_objects = dict(custom_objects or {})
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no file {path!r}.")
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic.startswith(_H5_MAGIC):
        reader = _H5(path)
    elif magic.startswith(_ZIP_MAGIC):
        reader = _Zip(path)
    else:
        raise ValueError(
            f"{path!r} is not a Keras model file: expected an HDF5 (.h5) or zip (.keras) file, "
            f"it starts with {magic!r}."
        )
    if _major(reader.version) >= 3:  # written by Keras 3: its names mean Keras 3's functions
        try:
            model = keras.models.load_model(path, compile=False, custom_objects=custom_objects)
        except Exception as err:
            raise ValueError(f"Keras 3 cannot open {path!r}: {err}") from err
        return _require_recurrent(path, model)
    notes: list[str] = []
    base = copy.deepcopy(reader.config)
    upgrade(base, notes)
    base = cut_unknown(base, custom_objects, path, notes)
    with keras.saving.custom_object_scope(custom_objects):
        model = reader.load(_twin_config(reader, base, keras3_config(base, notes), notes))
        _require_recurrent(path, model)
        plain = None
        if warn and any("hard_sigmoid" in n for n in notes):
            plain_config = keras3_config(base, [], legacy_activations=False)
            plain = reader.load(_twin_config(reader, base, plain_config, []))
    outputs = ", ".join(str(tuple(t.shape)) for t in model.outputs)
    notes = [f"{n} (output shape {outputs})" if n.startswith("cut ") else n for n in notes]
    if warn and notes:
        warnings.warn(
            f"lstm_widget.load_model({os.path.basename(path)!r}) rewrote the Keras 2 config: "
            + "; ".join(notes)
            + ".",
            UserWarning,
            stacklevel=2,
        )
    if plain is not None:
        _warn_difference(path, model, plain, [n for n in notes if "hard_sigmoid" in n])
    return model


def _require_recurrent(path: str, model: keras.Model) -> keras.Model:
    """``model``, or a clear error if it has no LSTM or GRU layer."""
    if not recurrent_layers(model):
        raise ValueError(
            f"{path!r} holds no LSTM or GRU layer (its layers: "
            f"{', '.join(repr(layer.name) for layer in model.layers)}): lstm-widget "
            "explains LSTM and GRU layers."
        )
    return model


class _H5:
    """A legacy HDF5 model file: config attribute plus ``model_weights`` group."""

    def __init__(self, path: str) -> None:
        import h5py

        self.path = path
        try:
            with h5py.File(path, "r") as f:
                raw = f.attrs.get("model_config")
                weights = f.get("model_weights")
                self.version = text(f.attrs.get("keras_version", ""))
                weights_version = None if weights is None else weights.attrs.get("keras_version")
        except OSError as err:  # h5py's reading of a truncated or damaged file
            raise ValueError(
                f"{path!r} cannot be read as HDF5 (truncated or corrupt?): {err}"
            ) from err
        if raw is None or weights is None:
            raise ValueError(
                f"{path!r} holds no model config (a weights-only file?); build the model in "
                "code and call model.load_weights(path)."
            )
        if weights_version is None or text(weights_version).startswith("1"):
            said = "none" if weights_version is None else repr(text(weights_version))
            raise ValueError(
                f"{path!r} was written by Keras 1 (the keras_version of its weights: {said}"
                "), whose layers store their weights in another layout; lstm-widget opens "
                "files of Keras 2 and 3. Open it with Keras 2 and save it again."
            )
        self.config = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)

    def build(self, config: dict[str, Any]) -> keras.Model:
        """The model of ``config``, without weights."""
        return _build(self.path, config)

    def load(self, config: dict[str, Any]) -> keras.Model:
        import h5py

        model = self.build(config)
        with h5py.File(self.path, "r") as f:
            load_weights(f["model_weights"], model, self.path)
        return model


class _Zip:
    """A ``.keras`` zip: ``config.json`` plus weights, read by Keras 3 after the rewrite."""

    def __init__(self, path: str) -> None:
        self.path = path
        with zipfile.ZipFile(path) as z:
            if "config.json" not in z.namelist():
                raise ValueError(f"{path!r} is a zip file without config.json: not a .keras model.")
            self.config = json.loads(z.read("config.json"))
            meta = json.loads(z.read("metadata.json")) if "metadata.json" in z.namelist() else {}
            self.version = str(meta.get("keras_version", ""))

    def build(self, config: dict[str, Any]) -> keras.Model:
        """The model of ``config``, without weights."""
        try:
            return keras.saving.deserialize_keras_object(config)
        except Exception as err:
            raise ValueError(f"Keras 3 cannot rebuild {self.path!r}: {err}") from err

    def load(self, config: dict[str, Any]) -> keras.Model:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "model.keras")
            with zipfile.ZipFile(self.path) as src, zipfile.ZipFile(copy, "w") as dst:
                for name in src.namelist():
                    data = json.dumps(config) if name == "config.json" else src.read(name)
                    dst.writestr(name, data)
            try:
                return keras.models.load_model(copy, compile=False)
            except Exception as err:
                raise ValueError(f"Keras 3 cannot rebuild {self.path!r}: {err}") from err


def _twin_config(
    reader: _H5 | _Zip, base: dict[str, Any], config: dict[str, Any], notes: list[str]
) -> dict[str, Any]:
    """``config`` (rewritten from ``base``), made the batch-major twin's if need be.

    That is when ``base`` has time-major layers.
    """
    names = time_major_layers(base)
    if not names:
        return config
    config, layout = batch_major(config, names, reader.build)
    notes.append(note(layout))
    return config


def _major(version: str) -> int:
    """The major Keras version that wrote a file; 2 when it does not say (old files)."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 2


def _build(path: str, config: dict[str, Any]) -> keras.Model:
    try:
        return build(config)
    except Exception as err:
        raise ValueError(f"Keras 3 cannot rebuild {path!r}: {err}") from err


def _warn_difference(path: str, model: keras.Model, plain: keras.Model, notes: list[str]) -> None:
    """Warn with the output difference Keras 3's own hard_sigmoid would make."""
    arrays, _ = probe_input(model)
    batch = model.inputs[0].shape[0]
    if batch is not None:
        arrays = [np.repeat(a, int(batch), axis=0) for a in arrays]
    feed = arrays[0] if len(arrays) == 1 else arrays
    outs = []
    for m in (model, plain):
        with StateSnapshot(m):
            outs.append(keras.ops.convert_to_numpy(first_output(predict(m, feed))))
    diff = float(np.max(np.abs(outs[0] - outs[1])))
    layers = ", ".join(n.split(":", 1)[0] for n in notes)
    warnings.warn(
        f"Keras 3 itself (keras.models.load_model where it opens {os.path.basename(path)!r}, "
        f"or a port with set_weights) would read hard_sigmoid in {layers} as Keras 3's "
        "clip(x / 6 + 0.5, 0, 1), not the Keras 2 clip(0.2 x + 0.5, 0, 1) the model was "
        f"trained with: on a seeded probe input the model's output differs by up to {diff:.3g}. "
        "lstm_widget.load_model keeps Keras 2's.",
        UserWarning,
        stacklevel=3,
    )
