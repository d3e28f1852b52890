"""Interventions on states: set units of c or h inside the recurrence, and patch them.

``intervene`` runs an LSTM's or GRU's recurrence with chosen units of c or h set to a value
at chosen steps (:class:`lstm_widget._cells.steps.Clamp`: the next step reads the set
value; an LSTM's h follows a set c), then the layers after it in Keras. ``patch`` sets
them to another input's values. What a specification is and how it is checked:
:func:`clamps_of`. The user's model is never touched: the recurrence is ours, on copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._base.validate import model_inputs
from .._cells.gru_trace import GRU_TRACE_ARRAYS, GRUTrace, trace_gru
from .._cells.recurrence import RECORDABLE
from .._cells.steps import BidirectionalTrace, Clamp
from .._cells.trace import Trace, plan_trace, run_plan
from .._reading.model import LayerRef, find_recurrent, is_gru, require_model_x
from .after import model_after

KEYS = ("units", "array", "value", "steps")


@dataclass(frozen=True, eq=False)
class Intervened:
    """Baseline and intervened traces of one LSTM or GRU, and the model's output for both.

    Both outputs come from one path (Keras's layers after the recurrent layer, on each
    trace), so they differ by the intervention alone.
    """

    baseline: Trace | GRUTrace | BidirectionalTrace
    edited: Trace | GRUTrace | BidirectionalTrace
    baseline_output: np.ndarray
    edited_output: np.ndarray
    interventions: list[dict[str, Any]]


def _directions(tr: Any) -> list[Trace | GRUTrace]:  # noqa: ANN401
    return [tr.forward, tr.backward] if isinstance(tr, BidirectionalTrace) else [tr]


def _indices(value: object, size: int, what: str, allowed: str) -> np.ndarray:
    """Integer indices (an int or a list of them) in -size..size-1, as non-negative ints."""
    idx = np.atleast_1d(np.asarray(value))
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
        raise TypeError(f"{what} must be an int or a non-empty list of ints, got {value!r}.")
    if idx.min() < -size or idx.max() >= size:
        raise ValueError(f"{what} must be in {allowed}, got {value!r}.")
    return np.unique(idx % size)


def clamps_of(
    spec: object,
    baseline: Any,  # noqa: ANN401 - any kind of trace
) -> tuple[list[tuple[Clamp, ...]], list[dict[str, Any]]]:
    """Per direction, the clamps an intervention ``spec`` asks for, and the spec checked.

    ``spec`` is a dict (or a list of them) with ``units`` (indices; a Bidirectional layer's
    forward units come first, then its backward ones), ``array`` (``"c"`` or ``"h"`` for
    an LSTM, default ``"c"``; ``"h"`` for a GRU), ``value`` (a number, ``"mean"``: the
    unit's mean over the baseline's unmasked steps of all samples, or an array over steps:
    (time,), (time, units) or (batch, time, units)) and ``steps`` (input positions; all
    steps if omitted or None).
    """
    specs = [spec] if isinstance(spec, dict) else spec
    if not isinstance(specs, list | tuple) or not all(isinstance(s, dict) for s in specs):
        raise TypeError(
            f"an intervention is a dict with keys {', '.join(KEYS)} (or a list of them), "
            f"got {type(spec).__name__}."
        )
    parts = _directions(baseline)
    gru = isinstance(parts[0], GRUTrace)
    n = parts[0].final_state[0].shape[1]
    batch, steps = parts[0].hidden_state.shape[:2]
    per_direction: list[list[Clamp]] = [[] for _ in parts]
    checked = []
    for s in specs:
        unknown = set(s) - set(KEYS)
        if unknown:
            raise ValueError(
                f"unknown intervention key(s) {sorted(unknown)}; use {', '.join(KEYS)}."
            )
        if "units" not in s:
            raise ValueError("an intervention needs 'units': the unit indices to set.")
        total = n * len(parts)
        side = " (forward units, then backward)" if len(parts) == 2 else ""
        units = _indices(s["units"], total, "units", f"0..{total - 1}{side}")
        array = state_array(gru, s.get("array"))
        at = np.zeros(steps, bool)
        chosen = s.get("steps")
        at[
            slice(None) if chosen is None else _indices(chosen, steps, "steps", f"0..{steps - 1}")
        ] = True
        for d, part in enumerate(parts):
            cols = (units >= d * n) & (units < (d + 1) * n)
            if cols.any():
                values = _values(s.get("value", 0.0), part, array, units, cols, d * n, batch)
                per_direction[d].append(Clamp(array, units[cols] - d * n, values, at))
        checked.append({"units": units.tolist(), "array": array, "value": s.get("value", 0.0),
                        "steps": chosen})  # fmt: skip
    return [tuple(c) for c in per_direction], checked


def _values(
    value: object,
    part: Trace | GRUTrace,
    array: str,
    units: np.ndarray,
    cols: np.ndarray,
    first: int,
    batch: int,
) -> np.ndarray:
    """(batch, time, k) float32 values for the ``cols`` of ``units``.

    Those are one direction's units, which start at ``first``.
    """
    steps, k_all, mine = part.hidden_state.shape[1], units.size, units[cols] - first
    if isinstance(value, str):
        if value != "mean":
            raise ValueError(f"value must be a number, 'mean' or an array, got {value!r}.")
        state = part.cell_state if array == "c" else part.hidden_state
        mean = np.nanmean(_unmasked(state[..., mine], part.mask), axis=(0, 1))
        return np.broadcast_to(mean.astype(np.float32), (batch, steps, mine.size))
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        if not np.isfinite(arr):
            raise ValueError(f"value must be finite, got {value!r}.")
        return np.full((batch, steps, mine.size), arr, np.float32)
    shapes = [(steps,), (steps, k_all), (batch, steps, k_all)]
    if arr.shape not in shapes:
        raise ValueError(
            f"a value array must have shape (time,) = ({steps},), (time, units) = "
            f"({steps}, {k_all}) or (batch, time, units) = ({batch}, {steps}, {k_all}); "
            f"got {arr.shape}."
        )
    if not np.isfinite(arr).all():
        raise ValueError("the value array holds NaN or infinite numbers.")
    if arr.ndim == 1:
        arr = np.repeat(arr[:, None], k_all, axis=1)
    return np.broadcast_to(arr[..., cols], (batch, steps, mine.size)).astype(np.float32)


def _unmasked(state: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``state`` (batch, time, k) with masked steps as NaN."""
    if mask is None:
        return state.astype(np.float64)
    return np.where(mask[..., None], state, np.nan)


def state_array(gru: bool, array: str | None) -> str:
    """``array`` checked for the layer: an LSTM's ``"c"`` (default) or ``"h"``, a GRU's ``"h"``."""
    allowed = ("h",) if gru else ("c", "h")
    chosen = allowed[0] if array is None else array
    if chosen not in allowed:
        kind = "a GRU" if gru else "an LSTM"
        raise ValueError(f"array must be one of {allowed} for {kind}, got {array!r}.")
    return chosen


def run_clamped(  # noqa: ANN201
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    ref: LayerRef,
    clamps=None,  # noqa: ANN001
    only_h: bool | None = None,
):
    """The layer's trace for ``arrays`` with ``clamps`` per direction.

    Every array is recorded, unless ``only_h`` is given: then h alone (True) or nothing
    (False: the final states only), for batched runs whose traces nobody reads.
    """
    feed = arrays[0] if len(arrays) == 1 else arrays
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    if is_gru(rnn):
        names = GRU_TRACE_ARRAYS if only_h is None else ("hidden_state",) * only_h
        f32 = np.dtype(np.float32)
        return trace_gru(ref, model, feed, None, None, f32, 2**62, False, names, clamps)
    record = RECORDABLE if only_h is None else frozenset({"hidden_state"} if only_h else ())
    plan = plan_trace(model, feed, ref.path, memory_budget=2**62, record=record)
    return run_plan(plan, clamps=clamps)


def intervene(model, x: object, interventions: object, layer: str | None = None) -> Intervened:  # noqa: ANN001
    """Run the model with units of an LSTM's c or h (a GRU's h) set to values inside the loop.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like
        Input as for ``model.predict``.
    interventions : dict or list of dict
        ``{"units": [12, 40], "array": "c", "value": 0.0, "steps": None}``: ``units`` (a
        Bidirectional layer's forward units, then its backward ones), ``array`` (``"c"``
        or ``"h"`` for an LSTM, default ``"c"``; ``"h"`` for a GRU), ``value`` (a number,
        ``"mean"``: the unit's mean over x's unmasked steps, or an array over steps:
        (time,), (time, units) or (batch, time, units); default 0) and ``steps`` (input
        positions; default all). At a step the units are set right after the cell
        computes its new state, so the next step reads the set value and an LSTM's h
        follows a set c. At a masked step Keras carries the old state, so a setting
        there has no effect.
    layer : str, optional
        Which LSTM or GRU; the first if omitted.

    Returns
    -------
    Intervened
        ``.baseline`` and ``.edited`` traces, ``.baseline_output``, ``.edited_output``.

    Raises
    ------
    ValueError
        For unit indices or steps out of range, an array the layer does not have, a value
        array of the wrong shape, or a model whose layers after the recurrent one are not
        a Sequential chain (the output cannot be computed from the trace).
    """
    model, x = require_model_x(model, x)
    ref = find_recurrent(model, layer)
    arrays = model_inputs(model, x)
    after = model_after(model, ref)
    baseline = run_clamped(model, arrays, ref)
    clamps, checked = clamps_of(interventions, baseline)
    edited = run_clamped(model, arrays, ref, clamps)
    return Intervened(baseline, edited, after(baseline), after(edited), checked)


@dataclass(frozen=True, eq=False)
class Patched:
    """The target input run with some units' states taken from the source input's run.

    Attributes
    ----------
    output : numpy.ndarray
        The model's output for the target with the patched units.
    target_output, source_output : numpy.ndarray
        The model's outputs for the target and the source, unpatched.
    restored : numpy.ndarray
        (output - target_output) / (source_output - target_output) per output value: 1 when
        the patched units carry all of the difference, 0 when none; NaN where the source
        and target outputs are equal.
    edited : Trace, GRUTrace or BidirectionalTrace
        The patched run's trace.
    """

    output: np.ndarray
    target_output: np.ndarray
    source_output: np.ndarray
    restored: np.ndarray
    edited: Trace | GRUTrace | BidirectionalTrace


def patch(
    model,  # noqa: ANN001
    x_source: object,
    x_target: object,
    units: object,
    steps: object = None,
    array: str | None = None,
    layer: str | None = None,
) -> Patched:
    """Run ``x_target`` with ``units`` of c or h set to their values in ``x_source``'s run.

    ``x_source`` is shaped like ``x_target`` (or one sample for all); ``steps`` are the
    input positions set (default all). ``array`` is ``"h"`` by default (the only one a
    GRU has); ``units`` and ``steps`` as for :func:`intervene`. The user's model is never
    touched.

    Raises
    ------
    ValueError
        For inputs of different shapes, or as :func:`intervene`.
    """
    model, x_target = require_model_x(model, x_target)
    _, x_source = require_model_x(model, x_source)
    ref = find_recurrent(model, layer)
    target_arrays = model_inputs(model, x_target)
    source_arrays = model_inputs(model, x_source)
    for s, t in zip(source_arrays, target_arrays, strict=True):
        if s.shape[1:] != t.shape[1:] or s.shape[0] not in (1, t.shape[0]):
            raise ValueError(
                f"x_source must be shaped like x_target {t.shape} (or one sample), got {s.shape}."
            )
    after = model_after(model, ref)
    source = run_clamped(model, source_arrays, ref)
    target = run_clamped(model, target_arrays, ref)
    array = array or "h"
    spec = {"units": units, "array": array, "steps": steps}
    clamps, _ = clamps_of(spec, target)  # checks units, steps and array
    picked = []
    n = _directions(source)[0].final_state[0].shape[1]
    for d, part in enumerate(_directions(source)):
        state = part.cell_state if array == "c" else part.hidden_state
        for clamp in clamps[d]:
            picked.append((d * n + clamp.units, state[..., clamp.units]))
    order = np.argsort(np.concatenate([u for u, _ in picked]))
    values = np.concatenate([v for _, v in picked], axis=2)[..., order]
    batch = target_arrays[0].shape[0]
    values = np.broadcast_to(values, (batch, *values.shape[1:]))
    clamps, _ = clamps_of({**spec, "value": values}, target)
    edited = run_clamped(model, target_arrays, ref, clamps)
    out, t_out, s_out = after(edited), after(target), after(source)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = s_out - t_out
        restored = np.where(gap != 0, (out - t_out) / gap, np.nan)
    return Patched(out, t_out, np.broadcast_to(s_out, t_out.shape), restored, edited)
