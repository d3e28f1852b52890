"""Turn user input into checked numpy arrays, or explain clearly what is wrong with it."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np


def _describe_shape(shape: Sequence[int | None]) -> str:
    dims = ["batch"] + ["any" if d is None else str(d) for d in list(shape)[1:]]
    return "(" + ", ".join(dims) + ")"


def as_array(value: object, name: str) -> np.ndarray:
    """Convert array-likes (lists, tensors, DataFrames) to a numeric numpy array.

    Raises
    ------
    TypeError
        For non-numeric data (strings, objects, None).
    ValueError
        For ragged nested sequences.
    """
    if value is None:
        raise TypeError(f"{name} is None; expected a numeric array.")
    if not isinstance(value, np.ndarray) and hasattr(value, "shape") and hasattr(value, "dtype"):
        try:
            value = keras.ops.convert_to_numpy(value)
        except Exception:  # not a tensor of the active backend: let numpy try
            pass
    try:
        arr = np.asarray(value)
    except ValueError as err:
        raise ValueError(
            f"{name} is ragged (its sequences have different lengths: {err}). Pad them to one "
            "length, e.g. keras.utils.pad_sequences, and let a Masking layer skip the padding."
        ) from None
    if arr.dtype == object or arr.dtype.kind in "USVOMm":
        raise TypeError(
            f"{name} must be numeric (float or int), got dtype {arr.dtype}"
            + (" (mixed or ragged Python objects)" if arr.dtype == object else "")
            + "."
        )
    if arr.dtype.kind == "b":
        arr = arr.astype(np.float32)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError naming the first NaN or infinite entry of ``arr``."""
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at index "
            f"{first} ({arr[first]}). Replace or drop them before tracing."
        )


def model_inputs(model: keras.Model, x: object) -> list[np.ndarray]:
    """Check ``x`` against the model's input signature and return one array per input.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : array-like or list of array-like
        What you would give ``model.predict``.

    Returns
    -------
    list of numpy.ndarray
        Cast to each input's dtype.

    Raises
    ------
    TypeError, ValueError
        Naming the problem and the expected shape or dtype.
    """
    try:
        specs = list(model.inputs)
    except (AttributeError, ValueError):
        raise ValueError(
            f"model {model.name!r} is not built, so its input shape is unknown; call it on data "
            "once or start it with keras.Input(shape=(time, features))."
        ) from None
    if len(specs) == 1:
        values = [x]
    else:
        if isinstance(x, dict):
            names = [t.name for t in specs]
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"x is missing model input(s) {missing}; expected keys {names}.")
            values = [x[n] for n in names]
        elif isinstance(x, list | tuple) and len(x) == len(specs):
            values = list(x)
        else:
            raise ValueError(
                f"model {model.name!r} has {len(specs)} inputs; pass x as a list of "
                f"{len(specs)} arrays (or a dict keyed by input name)."
            )
    arrays = []
    batch: int | None = None
    for k, (spec, value) in enumerate(zip(specs, values, strict=True)):
        name = "x" if len(specs) == 1 else f"x[{k}]"
        arr = as_array(value, name)
        shape = tuple(spec.shape)
        expected = _describe_shape(shape)
        if arr.ndim != len(shape):
            hint = ""
            if arr.ndim == len(shape) - 1:
                hint = f" For a single sequence add the batch axis: {name}[None]."
            raise ValueError(
                f"{name} has {arr.ndim} dimensions, shape {arr.shape}; the model expects "
                f"{len(shape)}: {expected}.{hint}"
            )
        for axis, want in enumerate(shape[1:], start=1):
            if want is not None and arr.shape[axis] != want:
                what = "features (last axis)" if axis == len(shape) - 1 else f"axis {axis}"
                raise ValueError(
                    f"{name} has {arr.shape[axis]} {what} but the model expects {want}: "
                    f"expected shape {expected}, got {arr.shape}."
                )
        if arr.shape[0] == 0 or (arr.ndim > 1 and arr.shape[1] == 0):
            raise ValueError(f"{name} is empty (shape {arr.shape}); expected {expected}.")
        if batch is not None and arr.shape[0] != batch:
            raise ValueError(
                f"model inputs have different batch sizes: {batch} and {arr.shape[0]}."
            )
        batch = arr.shape[0]
        check_finite(arr, name)
        dtype = np.dtype(spec.dtype)
        if dtype.kind in "iu" and arr.dtype.kind == "f":
            if not np.array_equal(arr, np.round(arr)):
                raise ValueError(f"{name} feeds integer ids ({dtype}) but holds fractions.")
        arrays.append(np.ascontiguousarray(arr, dtype=dtype))
    return arrays


def state_arrays(
    initial_state: object, count: int, batch: int, units: int, layout: str | None = None
) -> list[np.ndarray]:
    """Check a user-given initial state: ``count`` arrays of shape (batch, units).

    Raises
    ------
    TypeError, ValueError
        Naming the expected ``layout``, by default an LSTM's ``(h, c)`` (or
        ``(h_fw, c_fw, h_bw, c_bw)``).
    """
    if layout is None:
        layout = "(h, c)" if count == 2 else "(h_forward, c_forward, h_backward, c_backward)"
    if not isinstance(initial_state, list | tuple) or len(initial_state) != count:
        raise ValueError(
            f"initial_state must be a list or tuple {layout} of {count} arrays of shape "
            f"({batch}, {units}); got {initial_state!r:.60}."
        )
    states = []
    for k, value in enumerate(initial_state):
        arr = as_array(value, f"initial_state[{k}]").astype(np.float32)
        if arr.ndim == 1 and arr.shape[0] == units:
            arr = np.broadcast_to(arr, (batch, units))
        if arr.shape != (batch, units):
            raise ValueError(
                f"initial_state[{k}] has shape {arr.shape}; expected ({batch}, {units}) "
                "(batch, units)."
            )
        check_finite(arr, f"initial_state[{k}]")
        states.append(np.array(arr, dtype=np.float32, copy=True))
    return states
