"""gate_weights and lstm_layers: which columns are which gate."""

import keras
import numpy as np
import pytest

import lstm_widget as lw


def test_gate_slices_are_the_keras_get_weights_blocks():
    model = keras.Sequential([keras.Input((4, 5)), keras.layers.LSTM(120, activation="relu")])
    kernel, recurrent, bias = model.layers[0].get_weights()
    assert kernel.shape == (5, 480)
    gw = lw.gate_weights(model)
    assert list(gw) == ["input", "forget", "cell", "output"]
    for k, name in enumerate(lw.GATES):
        cols = slice(120 * k, 120 * (k + 1))
        np.testing.assert_array_equal(gw[name].kernel, kernel[:, cols])
        np.testing.assert_array_equal(gw[name].recurrent_kernel, recurrent[:, cols])
        np.testing.assert_array_equal(gw[name].bias, bias[cols])
        assert gw[name].kernel.shape == (5, 120)
        assert gw[name].recurrent_kernel.shape == (120, 120)


def test_forget_block_is_the_one_unit_forget_bias_sets_to_one():
    # Keras's unit_forget_bias initializes the forget gate's bias block to 1, the rest to 0:
    # an independent check that "forget" is the second block.
    layer = keras.layers.LSTM(3, unit_forget_bias=True)
    keras.Sequential([keras.Input((2, 2)), layer])
    gw = lw.gate_weights(layer)
    np.testing.assert_array_equal(gw["forget"].bias, np.ones(3))
    for name in ("input", "cell", "output"):
        np.testing.assert_array_equal(gw[name].bias, np.zeros(3))


def test_describe_explains_shapes_slices_and_time():
    model = keras.Sequential([keras.Input((None, 1)), keras.layers.LSTM(2, name="rnn")])
    text = lw.gate_weights(model).describe()
    assert "kernel (1, 8), recurrent_kernel (2, 8), bias (8,)" in text
    assert "columns     2:4     forget gate f" in text
    assert "same W, U and b are applied at every" in text
    assert "c = f * c + i * g" in text


def test_describe_states_no_step_counts_the_model_does_not_have():
    """The time-axis sentence is about any length, not a 5 -> 500 example: describe() of a
    7-step model once said it was "trained on 5 steps"."""
    model = keras.Sequential([keras.Input((7, 3)), keras.layers.LSTM(2)])
    text = lw.gate_weights(model).describe()
    assert "sequences of any length" in text
    assert not any(n in text.split() for n in ("5", "500"))


def test_no_bias_and_unknown_gate():
    model = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2, use_bias=False)])
    gw = lw.gate_weights(model)
    assert gw["output"].bias is None
    assert "no bias" in gw.describe()
    with pytest.raises(KeyError, match="gates are input, forget, cell, output"):
        gw["update"]


def test_bidirectional_weights_have_both_directions():
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3), name="bi")
    model = keras.Sequential([keras.Input((4, 2)), bi])
    gw = lw.gate_weights(model, "bi")
    assert isinstance(gw, lw.BidirectionalGateWeights)
    np.testing.assert_array_equal(
        gw.backward["cell"].kernel, bi.backward_layer.get_weights()[0][:, 6:9]
    )
    assert "reads the sequence from the end" in gw.describe()


def test_lstm_layers_lists_nested_and_wrapped_layers_in_order():
    inner = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2, name="deep")], name="sub")
    inp = keras.Input((4, 3))
    a = keras.layers.LSTM(3, return_sequences=True, name="a")(inp)
    b = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True), name="b")(inp)
    out = keras.layers.Concatenate()([inner(keras.layers.Dense(3)(a)), keras.layers.GRU(2)(b)])
    model = keras.Model(inp, out)
    assert lw.lstm_layers(model) == ["a", "b", "sub/deep"]
    assert lw.lstm_layers(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])) == []
