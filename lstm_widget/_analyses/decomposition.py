"""The cell decomposition: the final state split exactly into per-step writes.

c_T = sum_k (prod_{j>k} f_j) i_k g_k + (prod_j f_j) c_0, carried to the output through
h_T = o_T tanh(c_T) in proportion and through the head when it is linear (said otherwise).
For a GRU the final hidden state itself splits exactly:
h_T = sum_k (prod_{j>k} z_j) (1 - z_k) h~_k + (prod_j z_j) h_0. Also the memory horizon
(how long a write survives), which reads the same forget (or update) gates.

It says *when* the final state was written, which need not be when the input arrived:
information can travel through h for a few steps before it is written.
"""

from __future__ import annotations

import numpy as np

from .._cells.gru_trace import GRUTrace
from .._cells.trace import BidirectionalTrace, Trace, trace
from .._reading.model import find_recurrent, require_model
from .after import MERGES


def forget_after(tr: Trace | GRUTrace) -> np.ndarray:
    """prod_{j after k} f_j for every step k, (batch, time, units), in processing order.

    The share of a write at step k that survives to the end. Masked steps forget nothing
    (f = 1); for go_backwards the steps are reversed into processing order. For a GRU the
    update gate z plays f's part (h = z h + (1 - z) h~).
    """
    keep = tr.update_gate if isinstance(tr, GRUTrace) else tr.forget_gate
    f = np.nan_to_num(keep.astype(np.float64), nan=1.0)
    if tr.go_backwards:
        f = f[:, ::-1]
    after = np.ones_like(f)
    after[:, :-1] = np.cumprod(f[:, :0:-1], axis=1)[:, ::-1]  # reverse cumprod, shifted
    return after


def write_events(tr: Trace | GRUTrace) -> tuple[np.ndarray, np.ndarray]:
    """Per-step writes to the final cell state: (batch, time, units), and the c_0 part.

    ``writes[:, k] = (prod_{j after k} f_j) * i_k * g_k`` in processing order (so reversed
    for go_backwards) and ``carry = (prod_j f_j) * c_0``; their sum over k plus carry is the
    final cell state. Masked steps write nothing and forget nothing. For a GRU the writes
    are ``(prod_{j after k} z_j) * (1 - z_k) * h~_k`` and they sum (with the h_0 part) to the
    final hidden state.
    """
    if isinstance(tr, GRUTrace):
        new = (1.0 - tr.update_gate.astype(np.float64)) * tr.candidate
        state = tr.hidden_state
    else:
        new, state = tr.input_gate * tr.cell_candidate, tr.cell_state
    ig = np.nan_to_num(new.astype(np.float64), nan=0.0)
    if tr.go_backwards:  # processing order runs from the end
        ig = ig[:, ::-1]
    writes = forget_after(tr) * ig
    c_last = state[:, -1 if not tr.go_backwards else 0].astype(np.float64)
    carry = c_last - writes.sum(axis=1)  # = (prod f) c_0, up to rounding
    if tr.go_backwards:
        writes = writes[:, ::-1]
    return writes, carry


def memory_horizon(model, x: object, layer: str | None = None) -> np.ndarray:  # noqa: ANN001
    """Per unit, how many steps back a write still holds more than 1/e of itself at the end.

    For an LSTM the forget gates decide (prod_{j>k} f_j); for a GRU the update gates
    (prod_{j>k} z_j: what of h_k is carried, not replaced).

    Returns
    -------
    numpy.ndarray
        (batch, units) integers: the count of the last steps whose product exceeds 1/e.
        A Bidirectional layer's units are forward then backward (the backward direction's
        last steps are the first ones of x).

    Raises
    ------
    ValueError
        If the model has no LSTM or GRU (or not ``layer``), or ``x`` does not fit it.
    """
    tr = trace(model, x, find_recurrent(require_model(model), layer).path)
    parts = [tr.forward, tr.backward] if isinstance(tr, BidirectionalTrace) else [tr]
    return np.concatenate([(forget_after(p) > np.exp(-1.0)).sum(axis=1) for p in parts], axis=1)


_MERGES = {mode: MERGES[mode] for mode in ("concat", "sum", "ave")}
"""The merge modes whose output splits into the directions' per-step parts (not "mul")."""


def _final_state_parts(tr: Trace | GRUTrace) -> np.ndarray:
    """(batch, time, units): the final hidden state split into per-step parts.

    A GRU's h_T is the sum of its writes and the h_0 part; an LSTM's h_T = o_T tanh(c_T)
    is split in proportion to c_T's writes. The initial state's part is left out.
    """
    writes, carry = write_events(tr)
    if isinstance(tr, GRUTrace):
        return writes
    h = tr.final_state[0].astype(np.float64)
    c = writes.sum(axis=1) + carry
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.abs(c) > 1e-12, h / c, 0.0)  # h_T split in proportion to c_T
    return writes * share[:, None, :]


def cell_decomposition(model, x, layer, output_index, progress=False):  # noqa: ANN001, ANN202
    import keras

    ref = find_recurrent(model, layer)
    tr = trace(model, x, ref.path, progress=progress)
    if isinstance(tr, BidirectionalTrace):
        merge = ref.layer.merge_mode
        if merge not in _MERGES:
            raise ValueError(
                f"cell_decomposition of Bidirectional layer {ref.path!r} needs its directions "
                f"summed, concatenated or averaged (merge_mode 'concat', 'sum' or 'ave'), "
                f"got merge_mode={merge!r}."
            )
        h_parts = _MERGES[merge](_final_state_parts(tr.forward), _final_state_parts(tr.backward))
        gru = isinstance(tr.forward, GRUTrace)
    else:
        h_parts = _final_state_parts(tr)
        gru = isinstance(tr, GRUTrace)
    kind = "GRU" if gru else "LSTM"
    lstm = ref.layer
    layers = model.layers if isinstance(model, keras.Sequential) else []
    after = layers[layers.index(lstm) + 1 :] if lstm in layers else None
    linear = (
        after is not None
        and not lstm.return_sequences
        and all(
            isinstance(a, keras.layers.Dense)
            and a.activation is keras.activations.linear
            or isinstance(a, keras.layers.Dropout)
            for a in after
        )
    )
    if not linear:
        note = (
            f"the layers after the {kind} are not a linear map, so this is the split of the "
            f"{kind}'s final hidden state h_T (summed over units), not of the model output"
        )
        return h_parts.sum(axis=2), note
    w = np.eye(h_parts.shape[2])
    for a in after:
        if isinstance(a, keras.layers.Dense):
            w = w @ a.get_weights()[0].astype(np.float64)
    k = 0 if output_index is None else output_index
    if output_index is None and w.shape[1] != 1:
        raise ValueError(f"the model gives {w.shape[1]} outputs; pick one with output_index.")
    note = (
        "exact: the final cell state split into per-step writes, carried to the output "
        "through h_T = o_T tanh(c_T) in proportion and through the linear head; biases and "
        "the initial state's share are not attributed to any step. It shows when c_T was "
        "written, not when the input arrived (information can travel through h first)"
    )
    if gru:
        note = (
            "exact: the final hidden state split into per-step writes (1 - z_k) h~_k kept by "
            "the later update gates, through the linear head; biases and the initial "
            "state's share are not attributed to any step. It shows when h_T was written, "
            "not when the input arrived"
        )
    return h_parts @ w[:, k], note
