"""``trace``: every gate and state of an LSTM layer at every step of a given input."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .._base.activations import in_place
from .._base.progress import Tick, progress_bar
from .._base.validate import model_inputs, state_arrays
from .._reading.feed import Feed, layer_feed
from .._reading.model import (
    LayerRef,
    find_lstm,
    find_recurrent,
    is_gru,
    require_model,
    require_model_x,
)
from .gru_trace import GRU_TRACE_ARRAYS, GRUTrace, trace_gru
from .recurrence import RECORDABLE, CellParams, run
from .steps import BidirectionalTrace, Clamp, StepArrays, check_budget, start_state

TRACE_ARRAYS: tuple[str, ...] = (
    "input_gate",
    "forget_gate",
    "cell_candidate",
    "output_gate",
    "cell_state",
    "hidden_state",
)
"""The per-step arrays of a :class:`Trace`, in display order."""

SHORT_NAMES: dict[str, str] = {
    "i": "input_gate",
    "f": "forget_gate",
    "g": "cell_candidate",
    "o": "output_gate",
    "c": "cell_state",
    "h": "hidden_state",
}
"""One-letter names of the trace arrays, as in the LSTM equations."""

DEFAULT_MEMORY_BUDGET = 2 * 2**30
"""Largest trace (bytes, all arrays) computed without being asked for more: 2 GiB."""


@dataclass(frozen=True, eq=False, repr=False)
class Trace(StepArrays):
    """Gates and states of one LSTM (one direction) at every step.

    Every array is (batch, time, units) and index ``t`` always means the step that read
    input position ``x[:, t]``, also when the layer reads backwards. ``cell_state`` and
    ``hidden_state`` are the state *after* that step. At a masked step (``mask`` False)
    Keras skips the update and carries the state over: the states repeat the previous
    value and the gates are NaN (they had no effect). The four gate arrays are views of one
    (batch, time, 4, units) block, in Keras's gate order; arrays are stored time-major
    (each step's values are contiguous), so they are views, not C-contiguous.

    Attributes
    ----------
    input_gate, forget_gate, cell_candidate, output_gate, cell_state, hidden_state : ndarray
        (batch, time, units).
    mask : ndarray or None
        (batch, time) bool, True where the step was processed.
    final_state : tuple of ndarray
        ``(h, c)``, each (batch, all units): the state after the last processed step,
        what ``return_state=True`` returns.
    layer : str
        Path of the layer in the model.
    units : ndarray
        Indices of the units recorded (all of them unless ``units=`` was given).
    go_backwards : bool
        Whether the layer read the sequence from the end.
    inputs : ndarray or None
        (batch, time, features): what the layer received (computed by Keras), x_t.
    """

    input_gate: np.ndarray
    forget_gate: np.ndarray
    cell_candidate: np.ndarray
    output_gate: np.ndarray
    cell_state: np.ndarray
    hidden_state: np.ndarray
    mask: np.ndarray | None
    final_state: tuple[np.ndarray, np.ndarray]
    layer: str
    units: np.ndarray
    go_backwards: bool = False
    inputs: np.ndarray | None = None

    ARRAYS = TRACE_ARRAYS
    SHORT = SHORT_NAMES
    WHAT = "trace array"


def _unit_indices(units: object, n: int) -> np.ndarray | None:
    if units is None:
        return None
    idx = np.asarray(units)
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
        raise TypeError(f"units must be a non-empty list of unit indices (ints), got {units!r}.")
    if idx.min() < -n or idx.max() >= n:
        raise ValueError(f"units must be indices in 0..{n - 1}, got {units!r}.")
    return np.unique(idx % n)


def cell_params(rnn: keras.layers.RNN) -> CellParams:
    """An LSTM layer's weights and activation functions as the recurrence takes them."""
    cell = rnn.cell
    return CellParams(
        kernel=np.asarray(cell.kernel.numpy(), np.float32),
        recurrent_kernel=np.asarray(cell.recurrent_kernel.numpy(), np.float32),
        bias=np.asarray(cell.bias.numpy(), np.float32) if cell.use_bias else None,
        activation=in_place(cell.activation),
        recurrent_activation=in_place(cell.recurrent_activation),
        go_backwards=bool(rnn.go_backwards),
    )


def _one(
    rnn: keras.layers.RNN,
    name: str,
    inputs: np.ndarray,
    mask: np.ndarray | None,
    state: list[np.ndarray],
    units: np.ndarray | None,
    dtype: np.dtype,
    params: CellParams | None = None,
    tick: Tick | None = None,
    record: frozenset[str] = RECORDABLE,
    clamps: tuple[Clamp, ...] = (),
) -> Trace:
    p = params or cell_params(rnn)
    rec = run(p, inputs, state[0], state[1], mask, units, dtype, tick, record, clamps)
    n = int(rnn.cell.units)
    gates = "gates" in record
    return Trace(  # an array not recorded is None (only inside dataset passes)
        input_gate=rec.input_gate if gates else None,  # type: ignore[arg-type]
        forget_gate=rec.forget_gate if gates else None,  # type: ignore[arg-type]
        cell_candidate=rec.cell_candidate if gates else None,  # type: ignore[arg-type]
        output_gate=rec.output_gate if gates else None,  # type: ignore[arg-type]
        cell_state=rec.cell_state if "cell_state" in record else None,  # type: ignore[arg-type]
        hidden_state=rec.hidden_state if "hidden_state" in record else None,  # type: ignore[arg-type]
        mask=None if mask is None else mask.copy(),
        final_state=(rec.final_h, rec.final_c),
        layer=name,
        units=np.arange(n) if units is None else units,
        go_backwards=bool(rnn.go_backwards),
        inputs=inputs,
    )


def trace(
    model: keras.Model,
    x: object,
    layer: str | None = None,
    initial_state: object = None,
    *,
    units: object = None,
    dtype: str = "float32",
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: bool = False,
) -> Trace | GRUTrace | BidirectionalTrace:
    """Recompute every gate and state of an LSTM (or GRU) layer, step by step, for ``x``.

    Parameters
    ----------
    model : keras.Model
        The model; it is never modified (stateful layers keep their state).
    x : array-like
        What you would pass to ``model.predict``: (batch, time, features), or token ids
        for an Embedding model. The layer's own input is computed by Keras.
    layer : str, optional
        Which LSTM or GRU (see :func:`lstm_widget.recurrent_layers`); the first if omitted.
    initial_state : sequence of array-like, optional
        ``(h, c)``, each (batch, units) or (units,); four arrays for a Bidirectional layer.
        A GRU: ``(h,)``, two arrays for a Bidirectional one.
        Default: what the model gives the layer, else a stateful layer's current state,
        else zeros.
    units : sequence of int, optional
        Record only these units (all are computed): for big layers.
    dtype : {"float32", "float16"}
        Storage type of the recorded arrays.
    memory_budget : int
        Refuse traces bigger than this many bytes (default 2 GiB).
    progress : bool
        Show a progress bar of the recurrence (tqdm; a notebook bar in Jupyter).

    Returns
    -------
    Trace, GRUTrace or BidirectionalTrace
        A GRU gives a :class:`GRUTrace` (update_gate, reset_gate, candidate, hidden_state).

    Raises
    ------
    TypeError, ValueError
        For a bad model, layer name, input, initial state, or a trace over the budget.
    """
    model, x = require_model_x(model, x)
    ref = find_recurrent(model, layer)
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    if is_gru(rnn):
        keep = _unit_indices(units, int(rnn.cell.units))
        return trace_gru(ref, model, x, initial_state, keep, _store(dtype), memory_budget, progress)
    plan = plan_trace(model, x, ref.path, initial_state, units, dtype, memory_budget)
    return run_plan(plan, progress=progress)


def recorded(rnn: keras.layers.RNN, names: tuple[str, ...]) -> tuple[frozenset[str], int]:
    """What a trace of ``rnn`` must record to give the arrays ``names``, and its size.

    The size counts (batch, time, units) arrays: an LSTM's gates are one block of four.

    Raises
    ------
    ValueError
        For a name that is not one of the layer's trace arrays.
    """
    gru = is_gru(rnn)
    kind = GRUTrace if gru else Trace
    full = set()
    for name in names:
        key = kind.field_of(name)
        full.add(key if gru or key in ("cell_state", "hidden_state") else "gates")
    return frozenset(full), sum(4 if k == "gates" else 1 for k in full)


def trace_only(
    model: keras.Model, x: object, layer: str | None, names: tuple[str, ...]
) -> Trace | GRUTrace | BidirectionalTrace:
    """:func:`trace` recording only the arrays ``names``: the others are None.

    For dataset passes (:mod:`lstm_widget._analyses.stream`), which read just these: less
    memory, so bigger blocks, and no time spent writing arrays nobody reads.
    """
    model = require_model(model)
    ref = find_recurrent(model, layer)
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    record, _ = recorded(rnn, names)
    if is_gru(rnn):
        wanted = tuple(k for k in GRU_TRACE_ARRAYS if k in record)
        store = np.dtype(np.float32)
        return trace_gru(ref, model, x, None, None, store, DEFAULT_MEMORY_BUDGET, False, wanted)
    plan = plan_trace(model, x, ref.path, record=record)
    return run_plan(plan)


def _store(dtype: object) -> np.dtype:
    if dtype not in ("float32", "float16", np.float32, np.float16):
        raise ValueError(f"dtype must be 'float32' or 'float16', got {dtype!r}.")
    return np.dtype(dtype)


@dataclass
class Plan:
    """Everything a trace needs except the cell weights: lets what-if reuse one feed."""

    ref: LayerRef
    rnns: list[keras.layers.RNN]
    feed: Feed
    states: list[list[np.ndarray]]
    keep: np.ndarray | None
    store: np.dtype
    record: frozenset[str] = RECORDABLE


def plan_trace(
    model: keras.Model,
    x: object,
    layer: str | None = None,
    initial_state: object = None,
    units: object = None,
    dtype: str = "float32",
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    record: frozenset[str] = RECORDABLE,
) -> Plan:
    """Validate the arguments of :func:`trace` and compute the layer's input with Keras.

    ``record`` names what the run records (see :func:`.recurrence.run`); the budget
    counts only that.
    """
    model = require_model(model)
    ref = find_lstm(model, layer)
    store = _store(dtype)
    arrays = model_inputs(model, x)
    rnns = [ref.layer.forward_layer, ref.layer.backward_layer] if ref.bidirectional else [ref.layer]
    n = int(rnns[0].cell.units)
    keep = _unit_indices(units, n)
    feed = layer_feed(ref, arrays)
    batch, steps, _ = feed.inputs.shape
    kept = n if keep is None else len(keep)
    count = 4 * ("gates" in record) + ("cell_state" in record) + ("hidden_state" in record)
    check_budget(count, (batch, steps, kept), store, len(rnns), memory_budget)
    given = feed.initial_state and [np.asarray(s, np.float32) for s in feed.initial_state]
    if initial_state is not None:
        given = state_arrays(initial_state, 2 * len(rnns), batch, n)
    states = []
    for k, rnn in enumerate(rnns):
        own = None if given is None else list(given[2 * k : 2 * k + 2])
        states.append(start_state(rnn, own, batch, "(h, c)"))
    return Plan(ref, rnns, feed, states, keep, store, record)


def run_plan(
    plan: Plan,
    params: list[CellParams] | None = None,
    progress: bool = False,
    desc: str = "trace",
    clamps: list[tuple[Clamp, ...]] | None = None,
) -> Trace | BidirectionalTrace:
    """Run the recurrence of a planned trace, with the layer's weights or ``params``.

    ``clamps``: per direction, interventions inside the loop (:class:`.steps.Clamp`).
    """
    ref, feed = plan.ref, plan.feed
    batch, steps, _ = feed.inputs.shape
    traces = []
    total = batch * steps * len(plan.rnns)
    with progress_bar(progress, total, f"{desc} {ref.path}", "step") as tick:
        for k, rnn in enumerate(plan.rnns):
            name = ref.path if len(plan.rnns) == 1 else f"{ref.path}/{('forward', 'backward')[k]}"
            own = None if params is None else params[k]
            state = plan.states[k]
            traces.append(
                _one(
                    rnn,
                    name,
                    feed.inputs,
                    feed.mask,
                    state,
                    plan.keep,
                    plan.store,
                    own,
                    tick,
                    plan.record,
                    () if clamps is None else clamps[k],
                )
            )
    if ref.bidirectional:
        return BidirectionalTrace(forward=traces[0], backward=traces[1], layer=ref.path)
    return traces[0]
