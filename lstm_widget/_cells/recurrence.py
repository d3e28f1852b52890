"""The LSTM recurrence in numpy, keeping every gate and state at every step.

This is Keras's ``LSTMCell.call`` plus the masking rule of ``keras.ops.rnn``:

    z = x_t @ kernel + h @ recurrent_kernel + bias      (columns: i | f | g | o)
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_g)
    c' = f * c + i * g;  h' = o * activation(c')
    at a masked step (mask False) the state is carried over: (h, c) unchanged.

How it is made fast (each step is one matrix product plus a few in-place ufuncs):

- ``[x_t, 1, h] @ [kernel; bias; recurrent_kernel]``: one product per step gives z.
- For the default activations (Keras's sigmoid and tanh) the i, f, o columns are
  negated and the g columns scaled by -2 (exact in binary floating point), so one ``exp``
  over z gives all four gates: sigmoid(z) = 1 / (1 + e^-z), tanh(z) = 2 sigmoid(2z) - 1
  (numpy's float32 ``exp`` is vectorized, its ``tanh`` is not: the gates cost 40% less).
- Without a mask or a subset of units, gates and states are finished where they are
  recorded (each step's slab of the result arrays), with no copy; otherwise in a scratch
  row that is copied out (masked steps NaN). The numerator is a full-size operand:
  numpy's loop for a broadcast one is slower.
- Results are stored time-major and returned as (batch, time, ...) views, so every step
  writes one contiguous slab per block of rows and fresh pages are touched in order.
- Batch rows are independent: they run in blocks, one thread per core, with one BLAS
  thread each (numpy releases the GIL in products and ufuncs).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

from .._base.activations import SIGMOID, TANH, InPlace, tanh_by_exp
from .._base.progress import Tick
from .steps import Clamp, step_major

_TICK_STEPS = 256
"""A progress callback hears from each block of rows once per this many steps."""
RECORDABLE = frozenset({"gates", "cell_state", "hidden_state"})
"""What :func:`run` can record: the four gates (one block), c and h."""
_MAX_BLOCK_BYTES = 1 * 2**20
"""Upper bound of one block's pre-activations (rows x 4 units x float32)."""


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
    """Arrays indexed by input position t.

    ``gates`` is (batch, time, 4, kept units) in Keras's gate order; the per-gate
    properties are views of it. ``cell_state`` and ``hidden_state`` are (batch, time,
    kept units); ``final_h`` and ``final_c`` are (batch, all units). The three recorded
    blocks are time-major in memory (views, not C-contiguous).
    """

    gates: np.ndarray
    cell_state: np.ndarray
    hidden_state: np.ndarray
    final_h: np.ndarray
    final_c: np.ndarray

    @property
    def input_gate(self) -> np.ndarray:
        """(batch, time, units) view."""
        return self.gates[:, :, 0]

    @property
    def forget_gate(self) -> np.ndarray:
        """(batch, time, units) view."""
        return self.gates[:, :, 1]

    @property
    def cell_candidate(self) -> np.ndarray:
        """(batch, time, units) view."""
        return self.gates[:, :, 2]

    @property
    def output_gate(self) -> np.ndarray:
        """(batch, time, units) view."""
        return self.gates[:, :, 3]


@dataclass
class _Stacked:
    """Weights stacked for one product per step: rows are [x features | bias | h units]."""

    weights: np.ndarray  # (features + has_bias + units, 4 * units)
    features: int
    has_bias: bool
    fused: bool  # columns pre-scaled by -1 (i, f, o) and -2 (g); one exp gives every gate
    numerator: np.ndarray  # gates = numerator / (1 + e^z), minus 1 for g, when fused
    params: CellParams


def _stack(params: CellParams) -> _Stacked:
    fused = params.recurrent_activation is SIGMOID and params.activation is TANH
    parts = [params.kernel]
    if params.bias is not None:
        parts.append(params.bias[None, :])
    parts.append(params.recurrent_kernel)
    weights = np.concatenate(parts, axis=0).astype(np.float32)
    n = params.recurrent_kernel.shape[0]
    numerator = np.ones(4 * n, np.float32)
    numerator[2 * n : 3 * n] = 2.0  # g = 2 sigmoid(2 z_g) - 1
    if fused:
        weights *= -numerator
    has_bias = params.bias is not None
    return _Stacked(weights, params.kernel.shape[0], has_bias, fused, numerator, params)


@cache
def _blas() -> ThreadpoolController:
    """One controller: finding the BLAS libraries costs milliseconds, so it is done once."""
    return ThreadpoolController()


def _row_blocks(batch: int, units: int, workers: int) -> list[slice]:
    """Split the batch evenly over the workers, in blocks no bigger than the cap."""
    cap = max(1, _MAX_BLOCK_BYTES // (16 * units))
    per_worker = -(-batch // workers)
    count = workers * -(-per_worker // cap)
    bounds = np.linspace(0, batch, min(count, batch) + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def run(
    params: CellParams,
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    mask: np.ndarray | None = None,
    units: np.ndarray | None = None,
    dtype: npt.DTypeLike = np.float32,
    tick: Tick | None = None,
    record: frozenset[str] = RECORDABLE,
    clamps: tuple[Clamp, ...] = (),
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
    dtype : numpy dtype
        Storage dtype of the recorded arrays (float32 or float16).
    tick : callable, optional
        Progress: called with the number of (row, step) pairs done since its last call;
        they add up to batch * time.
    record : frozenset of str
        Which of ``"gates"``, ``"cell_state"``, ``"hidden_state"`` to record; the others
        are one step's scratch (:func:`.steps.step_major`) with meaningless values.
    clamps : tuple of Clamp
        Interventions: units of c or h set inside the loop (:class:`.steps.Clamp`).

    Returns
    -------
    Recorded
        The six recorded arrays and the final state.
    """
    batch, steps, _ = x.shape
    n = params.recurrent_kernel.shape[0]
    kept = n if units is None else len(units)
    # Stored time-major, returned as (batch, time, ...) views: each step then writes one
    # contiguous slab per block of rows, and fresh pages are first touched in order.
    rec = Recorded(
        gates=step_major(steps, (batch, 4, kept), dtype, "gates" in record).transpose(1, 0, 2, 3),
        cell_state=step_major(steps, (batch, kept), dtype, "cell_state" in record).transpose(
            1, 0, 2
        ),
        hidden_state=step_major(steps, (batch, kept), dtype, "hidden_state" in record).transpose(
            1, 0, 2
        ),
        final_h=h0.copy(),
        final_c=c0.copy(),
    )
    stacked = _stack(params)
    workers = min(batch, os.cpu_count() or 1)
    if batch * n < 4096:  # too little work per step to pay for threads
        workers = 1
    blocks = _row_blocks(batch, n, workers)
    if workers == 1:
        for rows in blocks:
            _run_rows(stacked, x, rec, mask, units, rows, tick, clamps)
        return rec
    with _blas().limit(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        jobs = [
            pool.submit(_run_rows, stacked, x, rec, mask, units, rows, tick, clamps)
            for rows in blocks
        ]
        for job in jobs:
            job.result()
    return rec


def _run_rows(
    st: _Stacked,
    x_all: np.ndarray,
    rec: Recorded,
    mask_all: np.ndarray | None,
    units: np.ndarray | None,
    rows: slice,
    tick: Tick | None = None,
    clamps: tuple[Clamp, ...] = (),
) -> None:
    """Run the recurrence for a block of batch rows, writing into ``rec[rows]``."""
    x = x_all[rows]
    mask = None if mask_all is None else mask_all[rows]
    batch, steps, nf = x.shape
    n = st.params.recurrent_kernel.shape[0]
    gates_out = rec.gates[rows]  # (batch, time, 4, kept); [:, t] is contiguous
    flat_out = gates_out.reshape(batch, steps, -1)  # a view: the last two axes are contiguous
    assert np.may_share_memory(flat_out, gates_out)  # a copy would lose the writes
    cell_out, hidden_out = rec.cell_state[rows], rec.hidden_state[rows]
    direct = units is None and mask is None and cell_out.dtype == np.float32
    keep = slice(None) if units is None else units
    act = st.params.activation
    rec_act = st.params.recurrent_activation
    c_clamps = [clamp for clamp in clamps if clamp.array == "c"]
    h_clamps = [clamp for clamp in clamps if clamp.array == "h"]

    xh = np.empty((batch, st.weights.shape[0]), np.float32)  # [x_t | 1 | h]
    if st.has_bias:
        xh[:, nf] = 1.0
    h = xh[:, nf + st.has_bias :]
    h[...] = rec.final_h[rows]
    c = rec.final_c[rows].copy()
    z = np.empty((batch, 4 * n), np.float32)  # pre-activations, then gates (scratch)
    gates = z.reshape(batch, 4, n)
    tmp = np.empty((batch, n), np.float32)
    c_new = np.empty((batch, n), np.float32)
    h_new = np.empty((batch, n), np.float32)
    # a full-size operand: a broadcast (4n,) one makes numpy take a slower loop
    numerator = np.tile(st.numerator, (batch, 1))

    order = range(steps - 1, -1, -1) if st.params.go_backwards else range(steps)
    with np.errstate(over="ignore", under="ignore"):
        for done, t in enumerate(order, start=1):
            if tick is not None and done % _TICK_STEPS == 0:
                tick(_TICK_STEPS * batch)
            if direct:  # the step's gates are finished where they are recorded
                z = flat_out[:, t]  # (rows, 4n), contiguous
                gates = z.reshape(batch, 4, n)
            xh[:, :nf] = x[:, t]
            np.matmul(xh, st.weights, out=z)
            if st.fused:
                np.exp(z, out=z)
                z += np.float32(1.0)
                np.divide(numerator, z, out=z)
                gates[:, 2] -= np.float32(1.0)  # g = 2 / (1 + e^(-2 z_g)) - 1
            else:
                act(z[:, 2 * n : 3 * n])
                rec_act(z[:, : 2 * n])
                rec_act(z[:, 3 * n :])
            gi, gf, gg, go = gates[:, 0], gates[:, 1], gates[:, 2], gates[:, 3]
            c_dst, h_dst = (cell_out[:, t], hidden_out[:, t]) if direct else (c_new, h_new)
            np.multiply(gf, c, out=c_dst)
            np.multiply(gi, gg, out=tmp)
            c_dst += tmp
            for clamp in c_clamps:
                clamp.apply(c_dst, rows, t)
            if st.fused:
                tanh_by_exp(c_dst, tmp)
            else:
                tmp[...] = c_dst
                act(tmp)
            np.multiply(go, tmp, out=h_dst)
            for clamp in h_clamps:
                clamp.apply(h_dst, rows, t)
            if direct:
                c = c_dst
                h[...] = h_dst
                continue
            m = slice(None) if mask is None else mask[:, t]
            c[m] = c_new[m]
            h[m] = h_new[m]
            kept = gates[:, :, keep]
            if mask is None:
                gates_out[:, t] = kept
            else:
                gates_out[:, t] = np.where(m[:, None, None], kept, np.nan)
            cell_out[:, t] = c[:, keep]
            hidden_out[:, t] = h[:, keep]
    rec.final_c[rows] = c
    rec.final_h[rows] = h
    if tick is not None:
        tick(steps % _TICK_STEPS * batch)
