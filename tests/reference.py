"""Keras-computed reference values for parity tests.

Everything here is computed by Keras's own code: the real ``LSTMCell`` and ``RNN`` loop
(with its masking and go_backwards handling) and Keras ``Dense`` layers with the LSTM's
own activation functions. Nothing re-implements the LSTM equations.
"""

import keras
import numpy as np


class CellState(keras.layers.Layer):
    """Wrap a real LSTMCell so the RNN's output per step is the cell state c.

    Keras only returns h per step; with this wrapper Keras's own RNN loop returns c.
    Its states are (c, h), c first: at a masked step the JAX backend's loop outputs the
    first state carried over (the TensorFlow loop the previous output), so both give the
    carried c. The wrapped cell (and its weights) are shared, not copied.
    """

    def __init__(self, cell: keras.layers.LSTMCell, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.state_size = cell.state_size[::-1]
        self.output_size = cell.units

    def build(self, input_shape: tuple) -> None:
        self.built = True

    def call(self, inputs, states, training=False):  # noqa: ANN001, ANN201
        _, (h, c) = self.cell(inputs, [states[1], states[0]], training=training)
        return c, [c, h]


def keras_states(
    lstm: keras.layers.RNN,
    inputs: np.ndarray,
    mask: np.ndarray | None = None,
    initial_state: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) after every step, (batch, time, units), indexed by input position.

    Runs Keras's RNN loop over the layer's own cell (same go_backwards).
    """
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = mask
    if initial_state is not None:
        kwargs["initial_state"] = [keras.ops.convert_to_tensor(s) for s in initial_state]
    out = []
    for cell in (lstm.cell, CellState(lstm.cell)):  # h, then c
        rnn = keras.layers.RNN(cell, return_sequences=True, go_backwards=lstm.go_backwards)
        if cell is not lstm.cell and initial_state is not None:
            kwargs["initial_state"] = kwargs["initial_state"][::-1]  # (c, h)
        seq = keras.ops.convert_to_numpy(rnn(inputs, **kwargs))
        out.append(seq[:, ::-1] if lstm.go_backwards else seq)  # Keras: processing order
    return out[0], out[1]


def keras_gates(
    lstm: keras.layers.RNN, inputs: np.ndarray, h_before: np.ndarray
) -> dict[str, np.ndarray]:
    """Gate activations from Keras Dense layers fed [x_t, h_{t-1}], all steps at once.

    ``h_before`` is (batch, time, units): the hidden state entering each step (from
    Keras). Each gate is a Dense over the concatenated input with the gate's columns of
    the kernel and recurrent kernel and the layer's own activation function.
    """
    cell = lstm.cell
    n = cell.units
    kernel = cell.kernel.numpy()
    recurrent = cell.recurrent_kernel.numpy()
    bias = cell.bias.numpy() if cell.use_bias else None
    joined = np.concatenate([inputs, h_before], axis=-1).astype(np.float32)
    gates = {}
    for k, (name, act) in enumerate(
        [
            ("input", cell.recurrent_activation),
            ("forget", cell.recurrent_activation),
            ("cell", cell.activation),
            ("output", cell.recurrent_activation),
        ]
    ):
        cols = slice(k * n, (k + 1) * n)
        dense = keras.layers.Dense(n, activation=act, use_bias=bias is not None)
        dense.build(joined.shape)
        w = [np.concatenate([kernel[:, cols], recurrent[:, cols]], axis=0)]
        if bias is not None:
            w.append(bias[cols])
        dense.set_weights(w)
        gates[name] = keras.ops.convert_to_numpy(dense(joined))
    return gates


def backend_gradient(model: keras.Model, x: np.ndarray, index: int) -> np.ndarray:
    """d(sum over the batch of flattened output[index])/d(x), by the backend's own autodiff.

    TensorFlow's ``GradientTape`` or ``jax.grad``, through an ordinary call of the model.
    """
    if keras.backend.backend() == "jax":
        import jax

        def target(inp):  # noqa: ANN001, ANN202
            return model(inp, training=False).reshape(x.shape[0], -1)[:, index].sum()

        return np.asarray(jax.grad(target)(x))
    import tensorflow as tf

    inp = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inp)
        out = model(inp, training=False)
        target = tf.reduce_sum(tf.reshape(out, (x.shape[0], -1))[:, index])
    return tape.gradient(target, inp).numpy()


def _dense(kernel: np.ndarray, bias: np.ndarray | None, activation: object) -> keras.layers.Dense:
    dense = keras.layers.Dense(kernel.shape[1], activation=activation, use_bias=bias is not None)
    dense.build((None, kernel.shape[0]))
    dense.set_weights([kernel] if bias is None else [kernel, bias])
    return dense


def keras_gru_gates(
    gru: keras.layers.RNN, inputs: np.ndarray, h_before: np.ndarray
) -> dict[str, np.ndarray]:
    """z, r, h~ of a GRU from Keras Dense layers and the layer's own activations.

    ``h_before`` (batch, time, units) is the hidden state entering each step (from Keras).
    """
    cell = gru.cell
    n = cell.units
    kernel, recurrent = cell.kernel.numpy(), cell.recurrent_kernel.numpy()
    bias = cell.bias.numpy() if cell.use_bias else None
    b_in = None if bias is None else (bias if bias.ndim == 1 else bias[0])
    b_rec = None if bias is None or bias.ndim == 1 else bias[1]
    joined = np.concatenate([inputs, h_before], axis=-1).astype(np.float32)
    out = {}
    for k, name in enumerate(["update", "reset"]):
        cols = slice(k * n, (k + 1) * n)
        b = None if b_in is None else b_in[cols] + (0 if b_rec is None else b_rec[cols])
        w = np.concatenate([kernel[:, cols], recurrent[:, cols]], axis=0)
        out[name] = keras.ops.convert_to_numpy(_dense(w, b, cell.recurrent_activation)(joined))
    cols = slice(2 * n, 3 * n)
    r = out["reset"]
    if cell.reset_after:
        xh = _dense(kernel[:, cols], None if b_in is None else b_in[cols], None)(inputs)
        uh = _dense(recurrent[:, cols], None if b_rec is None else b_rec[cols], None)(h_before)
        cand = cell.activation(xh + r * uh)
    else:
        w = np.concatenate([kernel[:, cols], recurrent[:, cols]], axis=0)
        reset_h = np.concatenate([inputs, r * h_before], axis=-1).astype(np.float32)
        cand = _dense(w, None if b_in is None else b_in[cols], cell.activation)(reset_h)
    out["candidate"] = keras.ops.convert_to_numpy(cand)
    return out
