"""GRU gate weights: Keras's blocks (update z, reset r, candidate), checked by Keras itself.

Each block is checked by what Keras computes from it: one step of the real GRU layer
from a given state, against the step rebuilt from our blocks with Keras's own activation
functions (keras.ops), for both reset_after conventions.
"""

import keras
import numpy as np
import pytest

import lstm_widget as lw

OPS = keras.ops


def gru_model(reset_after: bool, use_bias: bool = True, units: int = 5, features: int = 3):
    inp = keras.Input((1, features))
    h0 = keras.Input((units,))
    gru = keras.layers.GRU(
        units, reset_after=reset_after, use_bias=use_bias, name="gru", return_sequences=False
    )
    model = keras.Model([inp, h0], gru(inp, initial_state=h0))
    rng = np.random.default_rng(7)
    gru.set_weights([rng.normal(0, 0.7, w.shape).astype("float32") for w in gru.get_weights()])
    return model, gru


def step_from_blocks(gw, x, h):
    """One GRU step built from the blocks (Keras's GRUCell equations, Keras's activations)."""
    rec = keras.activations.get(gw.recurrent_activation)
    act = keras.activations.get(gw.activation)

    def inp(name):
        g = gw[name]
        return x @ g.kernel + (0 if g.bias is None else g.bias)

    def recur(name, state):
        g = gw[name]
        return state @ g.recurrent_kernel + (0 if g.recurrent_bias is None else g.recurrent_bias)

    z = OPS.convert_to_numpy(rec(inp("update") + recur("update", h)))
    r = OPS.convert_to_numpy(rec(inp("reset") + recur("reset", h)))
    if gw.reset_after:
        hh = act(inp("candidate") + r * recur("candidate", h))
    else:
        hh = act(inp("candidate") + recur("candidate", r * h))
    return z * h + (1 - z) * OPS.convert_to_numpy(hh)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("use_bias", [True, False])
def test_blocks_reproduce_a_keras_step(reset_after, use_bias):
    model, gru = gru_model(reset_after, use_bias)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 1, 3)).astype("float32")
    h = rng.normal(0, 0.5, size=(4, 5)).astype("float32")
    keras_h = OPS.convert_to_numpy(model([x, h]))
    gw = lw.gate_weights(model)
    assert isinstance(gw, lw.GRUGateWeights) and list(gw) == ["update", "reset", "candidate"]
    np.testing.assert_allclose(step_from_blocks(gw, x[:, 0], h), keras_h, atol=1e-6)
    # a wrong order (reset and update swapped) would not reproduce it
    swapped = dict(gw.items())
    swapped["update"], swapped["reset"] = gw["reset"], gw["update"]

    class Swapped(dict):
        reset_after, activation, recurrent_activation = (
            gw.reset_after,
            gw.activation,
            gw.recurrent_activation,
        )

    assert not np.allclose(step_from_blocks(Swapped(swapped), x[:, 0], h), keras_h, atol=1e-3)
    if reset_after and use_bias:
        assert gw.full_bias.shape == (2, 15)
        np.testing.assert_array_equal(gw["reset"].recurrent_bias, gw.full_bias[1, 5:10])
    elif use_bias:
        assert gw["candidate"].recurrent_bias is None
        np.testing.assert_array_equal(gw["candidate"].bias, gw.full_bias[10:])
    else:
        assert gw["update"].bias is None and gw["update"].recurrent_bias is None


def test_describe_names_the_blocks_shapes_and_convention():
    model, _ = gru_model(reset_after=True)
    text = lw.gate_weights(model).describe()
    assert "kernel (3, 15), recurrent_kernel (5, 15), bias (2, 15)" in text
    assert "columns     0:5     update gate z" in text
    assert "columns    10:15    candidate h~" in text
    assert "r * (h @ U_h + b'_h)" in text and "h = z * h + (1 - z) * h~" in text
    old, _ = gru_model(reset_after=False)
    assert "(r * h) @ U_h" in lw.gate_weights(old).describe()


def test_bidirectional_gru_layers_and_listing():
    inp = keras.Input((6, 2))
    seq = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True), name="bi")(inp)
    out = keras.layers.LSTM(4, name="lstm")(
        keras.layers.GRU(5, return_sequences=True, name="gru")(seq)
    )
    model = keras.Model(inp, out)
    assert lw.recurrent_layers(model) == ["bi", "gru", "lstm"]
    with pytest.raises(ValueError, match="'d' is a Dense, not an LSTM or GRU"):
        lw.gate_weights(keras.Model(inp, keras.layers.Dense(2, name="d")(out)), "d")
    assert lw.lstm_layers(model) == ["lstm"]  # unchanged: the layers trace takes
    both = lw.gate_weights(model, "bi")
    assert isinstance(both, lw.BidirectionalGRUGateWeights)
    fwd = model.get_layer("bi").forward_layer.cell.kernel.numpy()
    np.testing.assert_array_equal(both.forward["reset"].kernel, fwd[:, 3:6])
    assert "two independent GRUs" in both.describe()
    assert isinstance(lw.gate_weights(model, "lstm"), lw.GateWeights)
    assert isinstance(lw.gate_weights(model.get_layer("gru")), lw.GRUGateWeights)
    with pytest.raises(KeyError, match="blocks are update, reset, candidate"):
        lw.gate_weights(model, "gru")["forget"]


def test_a_gru_only_model_works_and_a_model_without_one_says_so():
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.GRU(3, name="g")])
    x = np.zeros((1, 4, 2), "float32")
    assert isinstance(lw.trace(model, x), lw.GRUTrace)
    att = lw.step_attribution(model, x, method="cell_decomposition", output_index=2)
    assert att.shape == (1, 4) and "final hidden state" in att.note
    with pytest.raises(ValueError, match="has no LSTM or GRU layer; its layers are: d"):
        lw.gate_weights(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")]), "d")
