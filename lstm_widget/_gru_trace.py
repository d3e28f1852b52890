"""``trace`` of a GRU layer: update gate, reset gate, candidate and hidden state per step.

This is Keras's ``GRUCell.call`` plus the masking rule of ``keras.ops.rnn``:

    x_z | x_r | x_h = x_t @ kernel + b                  (columns: z | r | h~)
    reset_after=True:   u = h @ recurrent_kernel + b'
        z = rec(x_z + u_z);  r = rec(x_r + u_r);  h~ = act(x_h + r * u_h)
    reset_after=False:  z = rec(x_z + h @ U_z);  r = rec(x_r + h @ U_r)
        h~ = act(x_h + (r * h) @ U_h)
    h' = z * h + (1 - z) * h~;  at a masked step h is carried over.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import keras
import numpy as np

from ._activations import SIGMOID, TANH, in_place, sigmoid_of_negated, tanh_of_minus_twice
from ._feed import layer_feed
from ._model import LayerRef
from ._progress import progress_bar
from ._recurrence import _blas, _row_blocks
from ._steps import StepArrays, check_budget, start_state, step_major
from ._validate import model_inputs, state_arrays

GRU_TRACE_ARRAYS: tuple[str, ...] = ("update_gate", "reset_gate", "candidate", "hidden_state")
"""The per-step arrays of a :class:`GRUTrace`, in display order."""

GRU_SHORT_NAMES = {"z": "update_gate", "r": "reset_gate", "hh": "candidate", "h": "hidden_state"}


@dataclass(frozen=True, eq=False, repr=False)
class GRUTrace(StepArrays):
    """Gates and state of one GRU (one direction) at every step.

    Arrays are (batch, time, units), indexed by input position ``x[:, t]`` also when the
    layer reads backwards; ``hidden_state`` is the state after that step. At a masked
    step the state repeats and the gates are NaN.

    Attributes
    ----------
    update_gate, reset_gate, candidate, hidden_state : ndarray
        z, r, h~ and h, (batch, time, units).
    mask : ndarray or None
        (batch, time) bool, True where the step was processed.
    final_state : tuple of ndarray
        ``(h,)``, (batch, all units): what ``return_state=True`` returns.
    layer : str
        Path of the layer in the model.
    units : ndarray
        Indices of the units recorded.
    go_backwards : bool
        Whether the layer read the sequence from the end.
    inputs : ndarray or None
        (batch, time, features): what the layer received (computed by Keras).
    """

    update_gate: np.ndarray
    reset_gate: np.ndarray
    candidate: np.ndarray
    hidden_state: np.ndarray
    mask: np.ndarray | None
    final_state: tuple[np.ndarray]
    layer: str
    units: np.ndarray
    go_backwards: bool = False
    inputs: np.ndarray | None = None

    ARRAYS = GRU_TRACE_ARRAYS
    SHORT = GRU_SHORT_NAMES
    WHAT = "GRU trace array"


def run_gru(
    rnn: keras.layers.RNN,
    inputs: np.ndarray,
    mask: np.ndarray | None,
    h0: np.ndarray,
    keep: np.ndarray | None,
    store: np.dtype,
    tick: object = None,
    record: tuple[str, ...] = GRU_TRACE_ARRAYS,
) -> tuple[list[np.ndarray], np.ndarray]:
    """z, r, h~, h for every step (batch, time, kept units) and the final h (all units).

    Arrays not named in ``record`` are one step's scratch (:func:`._steps.step_major`),
    their values meaningless.
    """
    cell = rnn.cell
    n = int(cell.units)
    kernel = np.asarray(cell.kernel.numpy(), np.float32)
    rk = np.asarray(cell.recurrent_kernel.numpy(), np.float32)
    bias = np.asarray(cell.bias.numpy(), np.float32) if cell.use_bias else None
    b_in = None if bias is None else (bias if bias.ndim == 1 else bias[0])
    b_rec = None if bias is None or bias.ndim == 1 else bias[1]
    act, rec = in_place(cell.activation), in_place(cell.recurrent_activation)
    # Keras's defaults (sigmoid, tanh): weight columns pre-scaled, exactly, by -1 for z and r
    # and by -2 for h~, so that each costs one exp, an add and a division:
    # sigmoid(v) = 1 / (1 + e^-v), tanh(v) = 2 / (1 + e^(-2 v)) - 1 (numpy's float32 exp is
    # vectorized, its tanh is not).
    fused = rec is SIGMOID and act is TANH
    if fused:
        scale = np.repeat(np.float32([-1.0, -1.0, -2.0]), n)
        kernel, rk = kernel * scale, rk * scale
        b_in = None if b_in is None else b_in * scale
        b_rec = None if b_rec is None else b_rec * scale
    # One product per step gives x_t @ kernel plus every bias but the one r multiplies
    # (u_h's): [x_t, 1] @ [kernel; b_in + (b'_z, b'_r, 0)].
    x_bias = np.zeros(3 * n, np.float32) if b_in is None else b_in.copy()
    if b_rec is not None:
        x_bias[: 2 * n] += b_rec[: 2 * n]
    kernel_b = np.concatenate([kernel, x_bias[None]])
    h_bias = None if b_rec is None else b_rec[2 * n :]
    batch, steps, _ = inputs.shape
    cols = slice(None) if keep is None else keep
    kept = n if keep is None else len(keep)
    out = [step_major(steps, (batch, kept), store, name in record) for name in GRU_TRACE_ARRAYS]
    u_zr = rk if cell.reset_after else np.ascontiguousarray(rk[:, : 2 * n])
    u_h = np.ascontiguousarray(rk[:, 2 * n :])
    final = np.array(h0, np.float32, copy=True)
    order = range(steps - 1, -1, -1) if rnn.go_backwards else range(steps)

    # no mask, every unit, float32: each step writes z, r, h~ and h straight into the output
    direct = mask is None and keep is None and store == np.float32

    gate = sigmoid_of_negated if fused else rec
    candidate = tanh_of_minus_twice if fused else act

    def rows_job(rows: slice) -> None:
        """All steps of a block of batch rows (rows are independent), in reused buffers."""
        h = final[rows].copy()
        nb = h.shape[0]
        up = np.empty((nb, u_zr.shape[1]), np.float32)
        xp = np.empty((nb, 3 * n), np.float32)
        scratch = [np.empty((nb, n), np.float32) for _ in range(4)]  # z, r, h~, h'
        tmp = np.empty((nb, n), np.float32)
        x1 = np.empty((steps, nb, kernel_b.shape[0]), np.float32)  # [x_t, 1], step-major
        x1[..., :-1] = inputs[rows].transpose(1, 0, 2)
        x1[..., -1] = 1.0
        # a full-size operand: a broadcast one makes numpy take a slower loop
        b_up = None if h_bias is None else np.tile(h_bias, (nb, 1))
        for t in order:
            z, r, hh, new = [o[t, rows] for o in out] if direct else scratch
            np.matmul(x1[t], kernel_b, out=xp)  # the step's input projection and biases
            np.matmul(h, u_zr, out=up)  # (rows, 3n) with reset_after, else (rows, 2n)
            if b_up is not None:
                np.add(up[:, 2 * n :], b_up, out=up[:, 2 * n :])
            np.add(xp[:, :n], up[:, :n], out=z)
            np.add(xp[:, n : 2 * n], up[:, n : 2 * n], out=r)
            gate(z)
            gate(r)
            if cell.reset_after:
                np.multiply(r, up[:, 2 * n :], out=hh)
            else:
                np.multiply(r, h, out=tmp)
                np.matmul(tmp, u_h, out=hh)
            hh += xp[:, 2 * n :]
            candidate(hh)
            # h' = z * h + (1 - z) * h~, in Keras's order of operations
            np.multiply(z, h, out=new)
            np.subtract(1.0, z, out=tmp)
            tmp *= hh
            new += tmp
            if direct:
                h = new  # a view of the output: the next step reads it there
            elif mask is None:
                h[...] = new
                for arr, val in zip(out, (z, r, hh, h), strict=True):
                    arr[t, rows] = val[:, cols]
            else:
                m = mask[rows, t]
                h[m] = new[m]
                for arr, val in zip(out[:3], (z, r, hh), strict=True):
                    kept_val = val[:, cols]
                    kept_val[~m] = np.nan
                    arr[t, rows] = kept_val
                out[3][t, rows] = h[:, cols]
            if tick is not None:
                tick(nb)
        final[rows] = h

    workers = 1 if batch * n < 4096 else min(batch, os.cpu_count() or 1)  # threads pay off
    blocks = _row_blocks(batch, n, workers)
    if workers == 1:
        for rows in blocks:
            rows_job(rows)
    else:  # one BLAS thread per block, one block per core at a time
        with _blas().limit(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
            for job in [pool.submit(rows_job, rows) for rows in blocks]:
                job.result()
    return [a.transpose(1, 0, 2) for a in out], final


def trace_gru(
    ref: LayerRef,
    model: keras.Model,
    x: object,
    initial_state: object,
    keep: np.ndarray | None,
    store: np.dtype,
    memory_budget: int,
    progress: bool,
    record: tuple[str, ...] = GRU_TRACE_ARRAYS,
) -> object:
    """:func:`lstm_widget.trace` for a GRU layer (plain or Bidirectional).

    Arrays not named in ``record`` are not recorded: None in the traces (dataset passes).
    """
    from ._trace import BidirectionalTrace

    arrays = model_inputs(model, x)
    rnns = [ref.layer.forward_layer, ref.layer.backward_layer] if ref.bidirectional else [ref.layer]
    n = int(rnns[0].cell.units)
    feed = layer_feed(ref, arrays)
    batch, steps, _ = feed.inputs.shape
    kept = n if keep is None else len(keep)
    check_budget(len(record), (batch, steps, kept), store, len(rnns), memory_budget)
    given = feed.initial_state and [np.asarray(s, np.float32) for s in feed.initial_state]
    if initial_state is not None:
        layout = "(h,)" if len(rnns) == 1 else "(h_forward, h_backward)"
        given = state_arrays(initial_state, len(rnns), batch, n, layout)
    traces = []
    with progress_bar(progress, batch * steps * len(rnns), f"trace {ref.path}", "step") as tick:
        for k, rnn in enumerate(rnns):
            own = None if given is None else [given[k]]
            (h0,) = start_state(rnn, own, batch, "(h,)")
            got, final = run_gru(rnn, feed.inputs, feed.mask, h0, keep, store, tick, record)
            kept_arrays = zip(GRU_TRACE_ARRAYS, got, strict=True)
            z, r, hh, h = (a if key in record else None for key, a in kept_arrays)
            name = ref.path if len(rnns) == 1 else f"{ref.path}/{('forward', 'backward')[k]}"
            traces.append(
                GRUTrace(
                    update_gate=z,
                    reset_gate=r,
                    candidate=hh,
                    hidden_state=h,
                    mask=None if feed.mask is None else feed.mask.copy(),
                    final_state=(final,),
                    layer=name,
                    units=np.arange(n) if keep is None else keep,
                    go_backwards=bool(rnn.go_backwards),
                    inputs=feed.inputs,
                )
            )
    if ref.bidirectional:
        return BidirectionalTrace(forward=traces[0], backward=traces[1], layer=ref.path)
    return traces[0]
