"""The LSTM recurrence in numpy, keeping every gate and state at every step.

This is Keras's ``LSTMCell.call`` plus the masking rule of ``keras.ops.rnn``:

    z = x_t @ kernel + h @ recurrent_kernel + bias      (columns: i | f | g | o)
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_g)
    c' = f * c + i * g;  h' = o * activation(c')
    at a masked step (mask False) the state is carried over: (h, c) unchanged.

The input projection ``x_t @ kernel`` is done for many steps in one matrix product
(chunked, to bound memory); only ``h @ recurrent_kernel`` runs step by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._activations import InPlace

_CHUNK_BYTES = 32 * 2**20
"""Size of one block of precomputed input projections."""


@dataclass
class CellParams:
    """What the recurrence needs from one LSTM cell."""

    kernel: np.ndarray  # (features, 4 * units) float32
    recurrent_kernel: np.ndarray  # (units, 4 * units) float32
    bias: np.ndarray | None  # (4 * units,) float32
    activation: InPlace
    recurrent_activation: InPlace
    go_backwards: bool


@dataclass
class Recorded:
    """Arrays indexed by input position t: (batch, time, kept units) each."""

    input_gate: np.ndarray
    forget_gate: np.ndarray
    cell_candidate: np.ndarray
    output_gate: np.ndarray
    cell_state: np.ndarray
    hidden_state: np.ndarray
    final_h: np.ndarray  # (batch, units), all units
    final_c: np.ndarray


def run(
    params: CellParams,
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    mask: np.ndarray | None = None,
    units: np.ndarray | None = None,
    dtype: npt.DTypeLike = np.float32,
) -> Recorded:
    """Run the recurrence over ``x`` and record all gates and states.

    Parameters
    ----------
    params : CellParams
        Weights and activations of the cell.
    x : numpy.ndarray
        (batch, time, features) float32 layer input.
    h0, c0 : numpy.ndarray
        (batch, units) float32 initial state.
    mask : numpy.ndarray, optional
        (batch, time) bool; False marks a skipped step. Gates recorded there are NaN.
    units : numpy.ndarray, optional
        Indices of the units to record (all units are always computed).
    dtype : numpy.dtype
        Storage dtype of the recorded arrays (float32 or float16).

    Returns
    -------
    Recorded
        The six recorded arrays and the final state.
    """
    batch, steps, _ = x.shape
    n = params.recurrent_kernel.shape[0]
    keep = slice(None) if units is None else units
    kept = n if units is None else len(units)
    shape = (batch, steps, kept)
    rec = Recorded(*(np.empty(shape, dtype) for _ in range(6)), h0.copy(), c0.copy())
    outs = (rec.input_gate, rec.forget_gate, rec.cell_candidate, rec.output_gate)
    h, c = rec.final_h, rec.final_c
    kernel, recurrent, bias = params.kernel, params.recurrent_kernel, params.bias
    act, rec_act = params.activation, params.recurrent_activation

    z = np.empty((batch, 4 * n), np.float32)
    i, f, g, o = (z[:, k * n : (k + 1) * n] for k in range(4))
    c_new = np.empty((batch, n), np.float32)
    h_new = np.empty((batch, n), np.float32)
    tanh_c = np.empty((batch, n), np.float32)

    chunk = max(1, min(steps, _CHUNK_BYTES // max(1, batch * 4 * n * 4)))
    starts = range(0, steps, chunk)
    if params.go_backwards:
        starts = reversed(starts)
    with np.errstate(over="ignore", under="ignore"):
        for lo in starts:
            hi = min(lo + chunk, steps)
            zx = np.matmul(x[:, lo:hi], kernel)
            if bias is not None:
                zx += bias
            positions = range(hi - 1, lo - 1, -1) if params.go_backwards else range(lo, hi)
            for t in positions:
                np.matmul(h, recurrent, out=z)
                z += zx[:, t - lo]
                act(g)
                rec_act(i)
                rec_act(f)
                rec_act(o)
                np.multiply(f, c, out=c_new)
                np.multiply(i, g, out=tanh_c)
                c_new += tanh_c
                tanh_c[...] = c_new
                act(tanh_c)
                np.multiply(o, tanh_c, out=h_new)
                if mask is None:
                    c[...] = c_new
                    h[...] = h_new
                    for out, gate in zip(outs, (i, f, g, o), strict=True):
                        out[:, t] = gate[:, keep]
                else:
                    m = mask[:, t]
                    c[m] = c_new[m]
                    h[m] = h_new[m]
                    for out, gate in zip(outs, (i, f, g, o), strict=True):
                        out[:, t] = np.where(m[:, None], gate[:, keep], np.nan)
                rec.cell_state[:, t] = c[:, keep]
                rec.hidden_state[:, t] = h[:, keep]
    return rec
