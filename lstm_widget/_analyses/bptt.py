"""Backpropagation through time for one LSTM layer, in numpy.

:class:`LSTMGrad` runs the layer forward on a batch (zero initial state, no mask) and
keeps, per step, what the backward pass needs; :meth:`LSTMGrad.backward` maps the
gradient of the layer's output to the gradient of its input. With gates (i, f, g, o),
a = act(c_t), ra the recurrent activation, the backward step in processing order is::

    dc  = dc_next + dh * o * act'(c_t)
    dz  = [dc * g * ra'(i), dc * c_{t-1} * ra'(f), dc * i * act'(g), dh * a * ra'(o)]
    dc_next = dc * f;   dh_previous = dz @ recurrent_kernel^T

and d(input) = dz @ kernel^T, one product over all steps at the end. Every factor that
does not depend on dh is computed in the forward loop, while the step's gates are in
cache, and written over the step's gates (so the slots end in the order g, f, i, o, and
the backward products use the weights' columns in that order). Derivatives are written
in terms of the activation's output and match the backend's gradients, kinks included
(relu: y > 0; Keras 3's hard_sigmoid, relu6(x + 3) / 6: 0 < y < 1).

How it is made fast: arrays are unit-major, (units, batch) per step, so each gate is a
contiguous block; for Keras's default activations (sigmoid, tanh) the weights are
pre-scaled so that one ``exp`` (twice as fast as ``tanh`` in numpy) gives every gate;
a step is one matrix product and about twenty in-place ufuncs. The forward values equal
Keras's to float32 rounding, which is all a gradient needs; the gradients equal
TensorFlow's to 1e-6 relative (tests/test_backprop.py).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from .._base.activations import SIGMOID, TANH
from .._cells.trace import cell_params

Derivative = Callable[[np.ndarray], np.ndarray]
"""Derivative of an activation, written in terms of its output y = act(z)."""


def _derivatives() -> dict[Callable[..., object], Derivative]:
    acts = keras.activations
    return {
        acts.sigmoid: lambda y: y * (1.0 - y),
        acts.tanh: lambda y: (1.0 - y) * (1.0 + y),
        acts.linear: np.ones_like,
        acts.relu: lambda y: (y > 0).astype(y.dtype),
        acts.hard_sigmoid: lambda y: ((y > 0) & (y < 1)).astype(y.dtype) / np.float32(6.0),
    }


_DERIVATIVES = _derivatives()


def derivative(fn: Callable[..., object]) -> Derivative | None:
    """The derivative of a built-in activation in terms of its output, else None."""
    try:
        return _DERIVATIVES.get(fn)
    except TypeError:  # unhashable callable
        return None


class LSTMGrad:
    """One LSTM run forward on ``x`` (batch, time, features), ready for :meth:`backward`.

    Every per-step array is kept unit-major, (units, batch), so that each gate is one
    contiguous block of the step's (4 * units, batch) pre-activations.

    Attributes
    ----------
    output : numpy.ndarray
        The layer's output as Keras gives it: (batch, time, units) in processing order
        (reversed for go_backwards) with return_sequences, else the final h.
    """

    def __init__(self, rnn: keras.layers.RNN, x: np.ndarray) -> None:
        params = cell_params(rnn)
        act, rec_act = derivative(rnn.cell.activation), derivative(rnn.cell.recurrent_activation)
        if act is None or rec_act is None:
            raise ValueError(f"no derivative known for the activations of {rnn.name!r}")
        self.act, self.rec_act = act, rec_act
        self.apply_act, self.apply_rec = params.activation, params.recurrent_activation
        self.kernel, self.recurrent = params.kernel, params.recurrent_kernel
        self.go_backwards = bool(rnn.go_backwards)
        self.return_sequences = bool(rnn.return_sequences)
        batch, steps, features = x.shape
        n = self.recurrent.shape[0]
        self.fused = self.apply_rec is SIGMOID and self.apply_act is TANH
        # fused: columns pre-scaled so that one exp gives every gate (see _activate)
        scale = np.ones(4 * n, np.float32)
        if self.fused:
            scale[:] = -1.0
            scale[2 * n : 3 * n] = -2.0
        seq = x[:, ::-1] if self.go_backwards else x
        inputs = np.ascontiguousarray(seq.transpose(1, 2, 0), np.float32)  # (time, f, batch)
        # (time, 4n, batch), processing order: the input projections of every step, then
        # per step [act'(g) i, f, ra'(i) g, ra'(o) a], then dz (gate order g, f, i, o).
        self.gates = np.matmul((self.kernel * scale).T, inputs)
        if params.bias is not None:
            self.gates += (params.bias * scale)[:, None]
        self._recurrent_t = np.ascontiguousarray((self.recurrent * scale).T)  # (4n, n)
        # The forward loop leaves dz's factors in the gate order g, f, i, o (no copies),
        # and for the fused gates without the factor 4 of tanh's derivative: the
        # backward products use the weights' columns in that order, with that factor.
        blocks = [self.kernel[:, k * n : (k + 1) * n] for k in (2, 1, 0, 3)]
        rec_blocks = [self.recurrent[:, k * n : (k + 1) * n] for k in (2, 1, 0, 3)]
        if self.fused:
            blocks[0], rec_blocks[0] = blocks[0] * 4.0, rec_blocks[0] * 4.0
        self._kernel_back = np.concatenate(blocks, axis=1)  # (features, 4n)
        self._recurrent_back = np.concatenate(rec_blocks, axis=1)  # (n, 4n)
        self.prev = np.empty((steps, n, batch), np.float32)  # c_{t-1} * ra'(f)
        self.oa = np.empty((steps, n, batch), np.float32)  # o * act'(c_t)
        self.hidden = np.empty((steps, n, batch), np.float32) if self.return_sequences else None
        final_h = self._forward()
        if self.hidden is not None:
            self.output = self.hidden.transpose(2, 0, 1)
        else:
            self.output = np.ascontiguousarray(final_h.T)

    def _activate(self, z: np.ndarray, d: np.ndarray) -> None:
        """Gates from pre-activations in ``z`` (in place) and their derivatives into ``d``.

        Fused (sigmoid and tanh): z holds -z for i, f, o and -2z for g, so one exp gives
        every gate: sigmoid(z) = 1 / (1 + e^-z), tanh(z) = 2 sigmoid(2z) - 1. ``d`` gets
        y (1 - y) of the sigmoid y for all four; for g, tanh' = 4 y (1 - y), and the
        factor 4 is in the backward weights.
        """
        n = z.shape[0] // 4
        if self.fused:
            np.exp(z, out=z)
            z += 1.0
            np.reciprocal(z, out=z)
            np.multiply(z, z, out=d)
            np.subtract(z, d, out=d)
            g = z[2 * n : 3 * n]
            g *= 2.0
            g -= 1.0
            return
        self.apply_rec(z[: 2 * n])
        self.apply_act(z[2 * n : 3 * n])
        self.apply_rec(z[3 * n :])
        d[: 2 * n] = self.rec_act(z[: 2 * n])
        d[2 * n : 3 * n] = self.act(z[2 * n : 3 * n])
        d[3 * n :] = self.rec_act(z[3 * n :])

    def _forward(self) -> np.ndarray:
        gates, prev, oa, hidden = self.gates, self.prev, self.oa, self.hidden
        steps, width, batch = gates.shape
        n = width // 4
        h = np.zeros((n, batch), np.float32)
        c = np.zeros((n, batch), np.float32)
        product = np.empty((width, batch), np.float32)
        d = np.empty((width, batch), np.float32)
        a = np.empty((n, batch), np.float32)
        tmp = np.empty((n, batch), np.float32)
        d_i, d_f, d_g, d_o = d[:n], d[n : 2 * n], d[2 * n : 3 * n], d[3 * n :]
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for s in range(steps):
                z = gates[s]
                np.matmul(self._recurrent_t, h, out=product)
                z += product
                self._activate(z, d)
                i, f, g, o = z[:n], z[n : 2 * n], z[2 * n : 3 * n], z[3 * n :]
                np.multiply(c, d_f, out=prev[s])
                c *= f
                np.multiply(i, g, out=tmp)
                c += tmp  # c_t
                np.multiply(d_g, i, out=i)  # the i slot now holds g's factor ...
                np.multiply(d_i, g, out=g)  # ... and the g slot i's
                if self.fused:
                    np.tanh(c, out=a)
                else:
                    a[...] = c
                    self.apply_act(a)
                h = hidden[s] if hidden is not None else h
                np.multiply(o, a, out=h)
                if self.fused:
                    np.multiply(a, a, out=tmp)
                    np.subtract(1.0, tmp, out=tmp)
                else:
                    tmp[...] = self.act(a)
                np.multiply(o, tmp, out=oa[s])
                np.multiply(d_o, a, out=o)
        return h

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """d/d(layer input) from d/d(layer output), (batch, time, features) in input order.

        Call once: the kept arrays are overwritten.
        """
        gates, prev, oa = self.gates, self.prev, self.oa
        steps, width, batch = gates.shape
        n = width // 4
        grad = np.asarray(grad, np.float32)
        seq = np.ascontiguousarray(grad.transpose(1, 2, 0)) if self.return_sequences else None
        dh = np.zeros((n, batch), np.float32) if seq is not None else grad.T.copy()
        dc = np.zeros((n, batch), np.float32)
        carry = np.empty((n, batch), np.float32)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for s in range(steps - 1, -1, -1):
                if seq is not None:
                    dh += seq[s]
                z = gates[s]  # becomes dz, in place
                np.multiply(dh, oa[s], out=carry)
                dc += carry
                np.multiply(z[:n], dc, out=z[:n])
                np.multiply(z[2 * n : 3 * n], dc, out=z[2 * n : 3 * n])
                np.multiply(dc, z[n : 2 * n], out=carry)  # dc * f: f is still here
                np.multiply(prev[s], dc, out=z[n : 2 * n])
                np.multiply(z[3 * n :], dh, out=z[3 * n :])
                dc, carry = carry, dc
                np.matmul(self._recurrent_back, z, out=dh)
        dx = np.matmul(self._kernel_back, gates).transpose(2, 0, 1)  # (batch, time, features)
        return dx[:, ::-1] if self.go_backwards else dx
