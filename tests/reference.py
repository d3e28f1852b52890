"""Keras-computed reference values for parity tests.

Everything here is computed by Keras's own code: the real ``LSTMCell`` and ``RNN`` loop
(with its masking and go_backwards handling) and Keras ``Dense`` layers with the LSTM's
own activation functions. Nothing re-implements the LSTM equations.
"""

import keras
import numpy as np


class CellAndCarry(keras.layers.Layer):
    """Wrap a real LSTMCell so the RNN's output per step is ``concat(h, c)``.

    Keras only returns h per step; with this wrapper Keras's own RNN loop returns the
    cell state too. The wrapped cell (and its weights) are shared, not copied.
    """

    def __init__(self, cell: keras.layers.LSTMCell, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.state_size = cell.state_size
        self.output_size = 2 * cell.units

    def build(self, input_shape: tuple) -> None:
        self.built = True

    def call(self, inputs, states, training=False):  # noqa: ANN001, ANN201
        h, new_states = self.cell(inputs, states, training=training)
        return keras.ops.concatenate([h, new_states[1]], axis=-1), new_states


def keras_states(
    lstm: keras.layers.RNN,
    inputs: np.ndarray,
    mask: np.ndarray | None = None,
    initial_state: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) after every step, (batch, time, units), indexed by input position.

    Runs Keras's RNN loop over the layer's own cell (same go_backwards).
    """
    rnn = keras.layers.RNN(
        CellAndCarry(lstm.cell), return_sequences=True, go_backwards=lstm.go_backwards
    )
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = mask
    if initial_state is not None:
        kwargs["initial_state"] = [keras.ops.convert_to_tensor(s) for s in initial_state]
    out = keras.ops.convert_to_numpy(rnn(inputs, **kwargs))
    if lstm.go_backwards:  # Keras returns backward sequences in processing order
        out = out[:, ::-1]
    units = lstm.cell.units
    return out[..., :units], out[..., units:]


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
