"""What-if: scale a gate's weights or shift its bias, on a copy, and see what changes.

``edits`` maps a gate (an LSTM's ``"input"``, ``"forget"``, ``"cell"``, ``"output"``; a
GRU's ``"update"``, ``"reset"``, ``"candidate"``) to fields ``kernel_scale`` (multiplies W),
``recurrent_scale`` (multiplies U), ``bias_shift`` (adds to b) and ``units`` (limit the edit
to these units; None means all). The user's model is never touched: for an LSTM the
recurrence runs on edited copies of the weights, and the layers after the LSTM run for real
in Keras on the edited output (or, where that is not possible, a clone of the model with the
edited weights runs); for a GRU or a Bidirectional layer, an edited clone runs. What an
edit is and how it applies to weights: :mod:`.edits`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .._base.validate import model_inputs
from .._cells.gru_trace import GRUTrace
from .._cells.recurrence import CellParams
from .._cells.trace import BidirectionalTrace, Plan, Trace, cell_params, plan_trace, run_plan, trace
from .._reading.feed import first_output, predict
from .._reading.model import (
    StateSnapshot,
    all_layers,
    is_gru,
    require_model,
    require_model_x,
    state_variables,
)
from .edits import Target, check_target_edits, edit_arrays, edit_params, edit_target, gates_of


def edited_model(model: keras.Model, edits: object, layer: str | None = None) -> keras.Model:
    """A new model with the edited LSTM or GRU weights (and the same stateful states).

    ``edits`` name the layer's gates (``"input"``, ``"forget"``, ``"cell"``, ``"output"``
    for an LSTM; ``"update"``, ``"reset"``, ``"candidate"`` for a GRU). The original model
    is left bit-identical; a tf.keras 2 model gives an edited Keras 3 model (for one with
    ``time_major=True`` layers, its batch-major twin: it takes ``x.swapaxes(0, 1)``).

    Raises
    ------
    ValueError
        For a gate or field the layer does not have, a value that is not a finite number,
        or unit indices out of range.
    """
    model = require_model(model)
    target = edit_target(model, layer)
    checked = check_target_edits(target, edits)
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    for (_, src), (_, dst) in zip(all_layers(model), all_layers(clone), strict=True):
        for a, b in zip(state_variables(src), state_variables(dst), strict=True):
            b.assign(a.numpy())
    for rnn in target.rnns(dict(all_layers(clone))[target.ref.path]):
        weights = rnn.get_weights()
        kernel, recurrent, bias = edit_arrays(
            weights[0], weights[1], weights[2] if len(weights) > 2 else None, checked, gates_of(rnn)
        )
        rnn.set_weights([kernel, recurrent] + ([bias] if bias is not None else []))
    return clone


def model_output(model: keras.Model, x: list[np.ndarray]) -> np.ndarray:
    """The model's first output on ``x`` (inference mode, states restored).

    Runs compiled (``predict_on_batch``): Keras caches the compiled function per model, so
    repeated calls on the user's model are fast; an eager LSTM costs a round trip per step.
    """
    feed = x[0] if len(x) == 1 else x
    with StateSnapshot(model):
        out = predict(model, feed)
    return keras.ops.convert_to_numpy(first_output(out))


def head_output(model: keras.Model, plan: Plan, tr: Trace, xla: bool = False) -> np.ndarray | None:
    """Run the layers after the LSTM on its (edited) output, when that is exact.

    Exact for a Sequential model whose LSTM sits at top level without a mask or
    ``return_state``; None otherwise (the caller then runs an edited clone). With ``xla``,
    layers after the LSTM that include a recurrent one run XLA-compiled (about 7x faster
    per call, 0.5 s to compile once; equal to float rounding, about 1e-7): for repeated
    calls such as slider moves.
    """
    lstm = plan.ref.layer
    if (
        not isinstance(model, keras.Sequential)
        or len(plan.ref.containers) != 1
        or plan.feed.mask is not None
        or getattr(lstm, "return_state", False)
        or tr.hidden_state.shape[2] != lstm.cell.units
    ):
        return None
    out: Any = tr.hidden_state if lstm.return_sequences else tr.final_state[0]
    if lstm.return_sequences and lstm.go_backwards:
        out = out[:, ::-1]  # Keras returns backward sequences in processing order
    after = model.layers[model.layers.index(lstm) + 1 :]
    with StateSnapshot(model):
        if any(isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional) for layer in after):
            out = run_head(model, plan.ref.path, after, out, xla)
        else:  # a few eager calls beat a compiled call's overhead
            for layer in after:
                out = layer(out, training=False)
    return keras.ops.convert_to_numpy(out)


class _Head(keras.Model):
    """The user's layers after an LSTM, as one model that ``predict_on_batch`` compiles.

    Eager recurrent layers cost a Python round trip per step (seconds for 2,000 steps).
    Subclassing adds no graph nodes to the user's layers (a new Sequential would, and
    ``layer.output`` would then fail); the layers and their weights are shared.
    """

    def __init__(self, layers: list[keras.layers.Layer]) -> None:
        super().__init__(name="lstm_widget_head")  # "_head" is no valid TF scope name
        self.after = layers
        # The layers are built; left unbuilt, Keras would build this wrapper by calling it
        # eagerly on the first predict (seconds per 1,000 recurrent steps).
        self.built = True

    def call(self, inputs: object, training: bool = False) -> object:
        out = inputs
        for layer in self.after:
            out = layer(out, training=False)
        return out


_HEADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""model -> {(LSTM path, xla): _Head}; an XLA head that XLA could not compile is
recompiled without it (its ``jit_compile`` is then False)."""


def _head(model: keras.Model, path: str, after: list[keras.layers.Layer], xla: bool) -> _Head:
    """The cached :class:`_Head` of ``model`` after the LSTM at ``path``."""
    heads = _HEADS.setdefault(model, {})
    head = heads.get((path, xla))
    if head is None or head.after != after:
        head = heads[(path, xla)] = _Head(after)
        if xla:
            head.compile(jit_compile=True)
    return head


def run_head(
    model: keras.Model, path: str, after: list[keras.layers.Layer], out: object, xla: bool = False
) -> object:
    """The layers ``after`` the recurrent layer at ``path`` on ``out``, as one compiled call."""
    head = _head(model, path, after, xla)
    if head.jit_compile:
        try:
            return head.predict_on_batch(out)
        except Exception:  # noqa: BLE001 - XLA cannot compile every layer: compile it plainly
            head.compile(jit_compile=False)
    return predict(head, out)


def edited_output(
    model: keras.Model,
    plan: Plan,
    edited: Trace,
    edits: dict[str, dict],
    x: list[np.ndarray],
    xla: bool = False,
) -> np.ndarray:
    """The model's output when ``edits`` (checked) give the LSTM of ``plan`` the trace ``edited``.

    The layers after the LSTM run in Keras on the edited trace where that is exact
    (:func:`head_output`, ``xla`` as there), else a clone of the model with the edited
    weights runs on ``x``.
    """
    out = head_output(model, plan, edited, xla)
    if out is None:
        out = model_output(edited_model(model, edits, plan.ref.path), x)
    return out


@dataclass(frozen=True, eq=False)
class WhatIf:
    """Baseline and edited traces of one LSTM or GRU, and the model's output for both."""

    baseline: Trace | GRUTrace | BidirectionalTrace
    edited: Trace | GRUTrace | BidirectionalTrace
    baseline_output: np.ndarray
    edited_output: np.ndarray
    edits: dict[str, dict[str, Any]]


def edited_trace(plan: Plan, edits: dict[str, dict], progress: bool = False) -> Trace:
    """The trace of ``plan`` with edited weights (``edits`` checked)."""
    params = edit_params(_base_params(plan), edits)
    tr = run_plan(plan, [params], progress=progress, desc="edited")
    assert not isinstance(tr, BidirectionalTrace)
    return tr


def _base_params(plan: Plan) -> CellParams:
    return cell_params(plan.rnns[0])


def what_if(
    model: keras.Model,
    x: object,
    edits: object,
    layer: str | None = None,
    *,
    progress: bool = False,
) -> WhatIf:
    """Trace an LSTM or GRU and the model's output with and without weight edits.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like
        Input as for ``model.predict``.
    edits : dict
        ``{gate: {"kernel_scale", "recurrent_scale", "bias_shift", "units"}}``; omitted
        fields change nothing. Gates are the layer's (``lw.GATES`` or ``lw.GRU_GATES``).
    layer : str, optional
        Which LSTM or GRU; the first of them if omitted. A Bidirectional layer's path edits
        both directions alike, ``"path/forward"`` or ``"path/backward"`` one of them.
    progress : bool
        Show progress bars of the baseline and edited recurrences (tqdm).

    Returns
    -------
    WhatIf
        ``.baseline`` and ``.edited`` traces (both directions for a Bidirectional layer),
        ``.baseline_output`` and ``.edited_output``.
        Both outputs come from one path (Keras's layers after the LSTM run on each
        trace, or whole models where that is not exact), so without an edit they are
        equal and with one they differ by the edit alone.

    Raises
    ------
    ValueError
        For a gate or field the layer does not have, a value that is not a finite number,
        unit indices out of range, or ``x`` that does not fit the model.
    """
    model, x = require_model_x(model, x)
    target = edit_target(model, layer)
    ref = target.ref
    checked = check_target_edits(target, edits)
    arrays = model_inputs(model, x)
    if is_gru(target.rnns()[0]) or ref.bidirectional:
        return _clone_what_if(model, arrays, target, layer, checked, progress)
    plan = plan_trace(model, arrays[0] if len(arrays) == 1 else arrays, ref.path)
    baseline = run_plan(plan, progress=progress, desc="baseline")
    assert not isinstance(baseline, BidirectionalTrace)
    # Both outputs come from the same path, so they differ by the edit and nothing else:
    # the layers after the LSTM on each trace where that is exact, else whole models.
    base_out = head_output(model, plan, baseline)
    if base_out is None:
        base_out = model_output(model, arrays)
    if not checked:  # nothing to edit: no second trace, no clone
        return WhatIf(baseline, baseline, base_out, base_out, checked)
    edited = edited_trace(plan, checked, progress)
    edited_out = edited_output(model, plan, edited, checked, arrays)
    return WhatIf(baseline, edited, base_out, edited_out, checked)


def _clone_what_if(
    model: keras.Model,
    arrays: list[np.ndarray],
    target: Target,
    layer: str | None,
    edits: dict,
    progress: bool,
) -> WhatIf:
    """What-if of a GRU or a Bidirectional layer: the edited clone runs in Keras.

    Both traces are :func:`trace`'s.
    """
    feed = arrays[0] if len(arrays) == 1 else arrays
    path = target.ref.path
    baseline = trace(model, feed, path, progress=progress)
    base_out = model_output(model, arrays)
    if not edits:
        return WhatIf(baseline, baseline, base_out, base_out, edits)
    clone = edited_model(model, edits, layer if layer is not None else path)
    edited = trace(clone, feed, path, progress=progress)
    return WhatIf(baseline, edited, base_out, model_output(clone, arrays), edits)
