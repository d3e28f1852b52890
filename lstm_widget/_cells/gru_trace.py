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

from .._base.activations import SIGMOID, TANH, in_place, sigmoid_of_negated, tanh_of_minus_twice
from .._base.progress import progress_bar
from .._base.validate import model_inputs, state_arrays
from .._reading.feed import layer_feed
from .._reading.model import LayerRef
from .recurrence import _blas, _row_blocks
from .steps import (
    BidirectionalTrace,
    Clamp,
    StepArrays,
    check_budget,
    start_state,
    step_major,
)

GRU_TRACE_ARRAYS: tuple[str, ...] = ("update_gate", "reset_gate", "candidate", "hidden_state")
"""The per-step arrays of a :class:`GRUTrace`, in display order."""

_CHUNK_STEPS = 64
"""Steps whose candidate input products (x_t @ W_h + b_h) are one matrix product."""

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


def _outputs(
    steps: int, batch: int, kept: int, store: np.dtype, record: tuple[str, ...]
) -> tuple[np.ndarray | None, ...]:
    """Step-major (time, batch, kept) arrays z, r, h~, h, after the block holding z and r.

    z and r are views of one (time, batch, 2, kept) block, so that one call finishes
    both gates, unless only one of them is recorded (the block is then None).
    """
    want = [name in record for name in GRU_TRACE_ARRAYS]
    if want[0] == want[1]:
        zr = step_major(steps, (batch, 2, kept), store, want[0])
        z_r = [zr[:, :, 0], zr[:, :, 1]]
    else:
        zr, z_r = None, [step_major(steps, (batch, kept), store, w) for w in want[:2]]
    return zr, *z_r, *(step_major(steps, (batch, kept), store, w) for w in want[2:])


def _stack(
    kernel: np.ndarray,
    rk: np.ndarray,
    b_in: np.ndarray | None,
    b_rec: np.ndarray | None,
    reset_after: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights for one product per step, and the candidate's input weights.

    ``[x_t, 1, h] @ stacked`` gives the z and r pre-activations whole (every bias in), and
    with ``reset_after`` also u_h = h @ U_h + b'_h, the part r multiplies;
    ``[x_t, 1] @ x_cand`` gives x_h = x_t @ W_h + b_h.
    """
    nf, n = kernel.shape[0], rk.shape[0]
    cols = 3 * n if reset_after else 2 * n
    stacked = np.zeros((nf + 1 + n, cols), np.float32)
    stacked[:nf, : 2 * n] = kernel[:, : 2 * n]
    stacked[nf + 1 :] = rk[:, :cols]
    x_cand = np.zeros((nf + 1, n), np.float32)
    x_cand[:nf] = kernel[:, 2 * n :]
    if b_in is not None:
        stacked[nf, : 2 * n] = b_in[: 2 * n]
        x_cand[nf] = b_in[2 * n :]
    if b_rec is not None:  # only with reset_after: b'_z, b'_r and b'_h
        stacked[nf] += b_rec
    return stacked, x_cand


def run_gru(
    rnn: keras.layers.RNN,
    inputs: np.ndarray,
    mask: np.ndarray | None,
    h0: np.ndarray,
    keep: np.ndarray | None,
    store: np.dtype,
    tick: object = None,
    record: tuple[str, ...] = GRU_TRACE_ARRAYS,
    clamps: tuple[Clamp, ...] = (),
) -> tuple[list[np.ndarray], np.ndarray]:
    """z, r, h~, h for every step (batch, time, kept units) and the final h (all units).

    Arrays not named in ``record`` are one step's scratch (:func:`.steps.step_major`),
    their values meaningless. ``clamps`` set units of h inside the loop
    (:class:`.steps.Clamp`).
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
    stacked, x_cand = _stack(kernel, rk, b_in, b_rec, cell.reset_after)
    # without reset_after, h~ needs (r * h) @ U_h: a second product
    u_h = None if cell.reset_after else np.ascontiguousarray(rk[:, 2 * n :])
    nf = kernel.shape[0]
    batch, steps, _ = inputs.shape
    kept = n if keep is None else len(keep)
    zr_all, z_out, r_out, hh_out, h_out = _outputs(steps, batch, kept, store, record)
    final = np.array(h0, np.float32, copy=True)
    order = np.arange(steps)[::-1] if rnn.go_backwards else np.arange(steps)

    # no mask, every unit, float32: each step writes straight into the output
    direct = mask is None and keep is None and store == np.float32
    # z and r side by side in one recorded (or scratch) block: one gate call for both
    zr_direct = direct and zr_all is not None
    cols = slice(None) if keep is None else keep
    candidate = tanh_of_minus_twice if fused else act

    def gate(src: np.ndarray, dst: np.ndarray) -> None:
        if fused:
            sigmoid_of_negated(src, out=dst)
        else:
            if src is not dst:
                dst[...] = src
            rec(dst)

    def rows_job(rows: slice) -> None:
        """All steps of a block of batch rows (rows are independent), in reused buffers."""
        nb = rows.stop - rows.start
        xh = np.empty((nb, nf + 1 + n), np.float32)  # [x_t | 1 | h]
        xh[:, nf] = 1.0
        h = xh[:, nf + 1 :]
        h[...] = final[rows]
        up = np.empty((nb, 3 * n), np.float32) if cell.reset_after else None  # z | r | u_h
        zr_s = np.empty((nb, 2 * n), np.float32)
        hh_s, new_s, tmp = (np.empty((nb, n), np.float32) for _ in range(3))
        x1 = np.empty((steps, nb, nf + 1), np.float32)  # [x_t, 1] in processing order
        x1[..., :nf] = inputs[rows].transpose(1, 0, 2)[order]
        x1[..., nf] = 1.0
        x_h = np.empty((min(_CHUNK_STEPS, steps), nb, n), np.float32)
        for k, t in enumerate(order):
            if k % _CHUNK_STEPS == 0:  # x_t @ W_h + b_h for the next steps, in one product
                part = x1[k : k + _CHUNK_STEPS]
                np.matmul(part, x_cand, out=x_h[: len(part)])
            xh[:, :nf] = x1[k, :, :nf]
            zr = zr_all[t, rows].reshape(nb, 2 * n) if zr_direct else zr_s  # a view
            hh, new = (hh_out[t, rows], h_out[t, rows]) if direct else (hh_s, new_s)
            if up is not None:
                np.matmul(xh, stacked, out=up)
                gate(up[:, : 2 * n], zr)
            else:
                np.matmul(xh, stacked, out=zr)
                gate(zr, zr)
            z, r = zr[:, :n], zr[:, n:]
            if up is not None:
                np.multiply(r, up[:, 2 * n :], out=hh)
            else:
                np.multiply(r, h, out=tmp)
                np.matmul(tmp, u_h, out=hh)
            hh += x_h[k % _CHUNK_STEPS]
            candidate(hh)
            # h' = z * h + (1 - z) * h~, in Keras's order of operations
            np.multiply(z, h, out=new)
            np.subtract(np.float32(1.0), z, out=tmp)
            tmp *= hh
            new += tmp
            for clamp in clamps:
                clamp.apply(new, rows, t)
            if direct:
                h[...] = new
                if not zr_direct:
                    z_out[t, rows] = z
                    r_out[t, rows] = r
            elif mask is None:
                h[...] = new
                for arr, val in zip((z_out, r_out, hh_out, h_out), (z, r, hh, h), strict=True):
                    arr[t, rows] = val[:, cols]
            else:
                m = mask[rows, t]
                h[m] = new[m]
                for arr, val in zip((z_out, r_out, hh_out), (z, r, hh), strict=True):
                    kept_val = val[:, cols]
                    kept_val[~m] = np.nan
                    arr[t, rows] = kept_val
                h_out[t, rows] = h[:, cols]
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
    return [a.transpose(1, 0, 2) for a in (z_out, r_out, hh_out, h_out)], final


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
    clamps: list[tuple[Clamp, ...]] | None = None,
) -> object:
    """:func:`lstm_widget.trace` for a GRU layer (plain or Bidirectional).

    Arrays not named in ``record`` are not recorded: None in the traces (dataset passes).
    ``clamps``: per direction, interventions inside the loop (:class:`.steps.Clamp`).
    """
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
            own_clamps = () if clamps is None else clamps[k]
            got, final = run_gru(
                rnn, feed.inputs, feed.mask, h0, keep, store, tick, record, own_clamps
            )
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
