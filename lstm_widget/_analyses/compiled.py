"""The batched ablation of :func:`lstm_widget.unit_effects`, run compiled by the Keras backend.

Row (sample, r) runs an LSTM or GRU with the units where ``keep[r]`` is False set to their
fill value at every step: an LSTM's c before h is computed from it (h follows), or h (as
:class:`lstm_widget._cells.steps.Clamp` does; a masked step carries the state, so a setting
there has no effect). The cell's own activation functions run in ``keras.ops`` inside one
loop over time, compiled with XLA (TensorFlow) or ``jax.jit``: the element-wise work fuses
and the products run over all rows at once. It gives the final states, which is what a
layer that returns its last h passes on; layers returning sequences, stateful layers and
graph-given initial states run in our numpy recurrence instead (``None`` here).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .._cells.steps import BidirectionalTrace
from .._reading.feed import layer_feed
from .._reading.model import LayerRef, is_gru

ROWS = 1024
"""Rows (samples x ablations) per compiled call: their states stay in the CPU's caches."""

_RUNNERS: weakref.WeakKeyDictionary[Any, dict[tuple, Callable]] = weakref.WeakKeyDictionary()


@dataclass
class Final:
    """The last hidden state of a run, as :func:`.after.layer_output` reads a trace."""

    final_state: tuple[np.ndarray]
    mask: np.ndarray | None = None


COMPILERS = ("tensorflow", "jax")
"""The backends whose compiler runs the ablation (others take the numpy recurrence)."""


def _jit(fn: Callable) -> Callable:
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    import jax

    return jax.jit(fn)


def _lstm_step(cell: Any, array: str) -> Callable:  # noqa: ANN401
    act, rec = cell.activation, cell.recurrent_activation
    ops = keras.ops

    def step(xw_t, h, c, weights, keep, fill):  # noqa: ANN001, ANN202
        z = xw_t[:, None, :] + ops.einsum("brn,nk->brk", h, weights[1])
        zi, zf, zg, zo = ops.split(z, 4, axis=-1)
        c_new = rec(zf) * c + rec(zi) * act(zg)
        if array == "c":
            c_new = ops.where(keep, c_new, fill)
        h_new = rec(zo) * act(c_new)
        if array == "h":
            h_new = ops.where(keep, h_new, fill)
        return h_new, c_new

    return step


def _gru_step(cell: Any) -> Callable:  # noqa: ANN401
    act, rec = cell.activation, cell.recurrent_activation
    ops = keras.ops
    n = int(cell.units)

    def step(xw_t, h, c, weights, keep, fill):  # noqa: ANN001, ANN202
        u = weights[1]
        xz, xr, xh = ops.split(xw_t[:, None, :], 3, axis=-1)
        if cell.reset_after:
            hz, hr, hh = ops.split(ops.einsum("brn,nk->brk", h, u) + weights[3], 3, axis=-1)
            z, r = rec(xz + hz), rec(xr + hr)
            cand = act(xh + r * hh)
        else:
            hz, hr = ops.split(ops.einsum("brn,nk->brk", h, u[:, : 2 * n]), 2, axis=-1)
            z, r = rec(xz + hz), rec(xr + hr)
            cand = act(xh + ops.einsum("brn,nk->brk", r * h, u[:, 2 * n :]))
        h_new = ops.where(keep, z * h + (1 - z) * cand, fill)
        return h_new, c

    return step


def _runner(rnn: keras.layers.RNN, array: str, masked: bool) -> Callable:
    """The compiled run of ``rnn`` (cached per layer; weights are arguments, never stale)."""
    key = (array, masked, keras.backend.backend())
    held = _RUNNERS.setdefault(rnn, {})
    if key in held:
        return held[key]
    step = _gru_step(rnn.cell) if is_gru(rnn) else _lstm_step(rnn.cell, array)
    backwards = bool(rnn.go_backwards)
    ops = keras.ops

    def run(x, mask, weights, keep, fill):  # noqa: ANN001, ANN202
        steps = x.shape[1]
        xw = ops.einsum("btf,fk->tbk", x, weights[0]) + weights[2]
        shape = (x.shape[0], keep.shape[0], weights[1].shape[0])
        h0 = ops.zeros(shape, x.dtype)

        def body(i, state):  # noqa: ANN001, ANN202
            h, c = state
            t = steps - 1 - i if backwards else i
            h_new, c_new = step(xw[t], h, c, weights, keep, fill)
            if masked:
                on = mask[:, t][:, None, None]
                h_new, c_new = ops.where(on, h_new, h), ops.where(on, c_new, c)
            return h_new, c_new

        return ops.fori_loop(0, steps, body, (h0, h0))[0]

    held[key] = _jit(run)
    return held[key]


def _weights(rnn: keras.layers.RNN) -> list[np.ndarray]:
    """Kernel, recurrent kernel, input bias (zeros without one) and a GRU's recurrent bias."""
    cell = rnn.cell
    kernel, recurrent = (
        np.asarray(w.numpy(), np.float32) for w in (cell.kernel, cell.recurrent_kernel)
    )
    width = recurrent.shape[1]
    bias = (
        np.asarray(cell.bias.numpy(), np.float32) if cell.use_bias else np.zeros(width, np.float32)
    )
    if bias.ndim == 2:  # a reset_after GRU: input and recurrent biases
        return [kernel, recurrent, bias[0], bias[1]]
    return [kernel, recurrent, bias, np.zeros(width, np.float32)]


def _final(run: Callable, rnn: keras.layers.RNN, x: np.ndarray, mask: np.ndarray | None,
           keep: np.ndarray, fill: np.ndarray) -> np.ndarray:  # fmt: skip
    """(samples, rows, units): each sample's last h per row of ``keep``, in padded blocks."""
    weights = _weights(rnn)
    per = max(1, ROWS // keep.shape[0])
    block = min(per, x.shape[0])
    out = []
    on = np.ones(x.shape[:2], bool) if mask is None else mask
    for k in range(0, x.shape[0], block):
        part, m = x[k : k + block], on[k : k + block]
        pad = block - part.shape[0]
        if pad:  # one shape per call: no second compilation for the last block
            part = np.concatenate([part, np.zeros((pad, *part.shape[1:]), part.dtype)])
            m = np.concatenate([m, np.ones((pad, m.shape[1]), bool)])
        h = run(part, m, weights, keep, fill)
        out.append(np.asarray(keras.ops.convert_to_numpy(h))[: block - pad])
    return np.concatenate(out)


def ablated_finals(
    arrays: list[np.ndarray], ref: LayerRef, array: str, fill: np.ndarray
) -> tuple[Final | BidirectionalTrace, Final | BidirectionalTrace] | None:
    """The layer's last states for every (sample, unit) row, that unit set to its ``fill``.

    Returns
    -------
    tuple or None
        The ablated run, rows ``sample * total + unit`` (a Bidirectional layer's forward
        units, then its backward ones, the other direction unablated), and the unablated
        run, one row per sample, both as :func:`.after.model_after` reads them; None where
        the numpy recurrence must run (see the module docstring).
    """
    rnns = [ref.layer.forward_layer, ref.layer.backward_layer] if ref.bidirectional else [ref.layer]
    if keras.backend.backend() not in COMPILERS or any(
        r.return_sequences or r.stateful for r in rnns
    ):
        return None  # before the layer's input is computed: the numpy path computes it again
    feed = layer_feed(ref, arrays)
    if feed.initial_state is not None:
        return None
    runs = [_runner(r, array, feed.mask is not None) for r in rnns]
    n = int(rnns[0].cell.units)
    ablate = ~np.eye(n, dtype=bool)  # row u sets unit u
    keep_all = np.ones((1, n), bool)
    finals = []
    for d, (run, rnn) in enumerate(zip(runs, rnns, strict=True)):
        f = fill[d * n : (d + 1) * n].astype(np.float32)
        finals.append((_final(run, rnn, feed.inputs, feed.mask, ablate, f),
                       _final(run, rnn, feed.inputs, feed.mask, keep_all, f)))  # fmt: skip
    b = feed.inputs.shape[0]
    if not ref.bidirectional:
        ((ablated, base),) = finals
        return Final((ablated.reshape(b * n, n),)), Final((base.reshape(b, n),))
    (fa, fb), (ba, bb) = finals
    # forward units' rows: forward ablated, backward as it is; then the backward units'
    fwd = np.concatenate([fa, np.repeat(fb, n, axis=1)], axis=1).reshape(b * 2 * n, n)
    bwd = np.concatenate([np.repeat(bb, n, axis=1), ba], axis=1).reshape(b * 2 * n, n)
    unablated = BidirectionalTrace(Final((fb.reshape(b, n),)), Final((bb.reshape(b, n),)), ref.path)
    return BidirectionalTrace(Final((fwd,)), Final((bwd,)), ref.path), unablated
