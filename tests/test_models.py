"""Trace on real model structures: the layer input, mask and state come from Keras."""

import keras
import numpy as np
import pytest
from conftest import weights_snapshot
from reference import keras_states

import lstm_widget as lw

ATOL = 1e-5


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(0, 1, shape).astype("float32")


def predict(model, x):
    return keras.ops.convert_to_numpy(model(x, training=False))


def test_embedding_mask_zero_matches_model_output():
    model = keras.Sequential(
        [
            keras.Input((7,), dtype="int32"),
            keras.layers.Embedding(20, 5, mask_zero=True),
            keras.layers.LSTM(4, name="lstm"),
        ]
    )
    x = np.array([[3, 4, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7], [9, 0, 0, 0, 0, 0, 0]])
    tr = lw.trace(model, x)
    np.testing.assert_array_equal(tr.mask, x != 0)
    np.testing.assert_allclose(tr.final_state[0], predict(model, x), atol=ATOL)
    # state carried over padding: the last hidden state equals the one at the last token
    np.testing.assert_allclose(tr.hidden_state[0, -1], tr.hidden_state[0, 2], atol=0)


def test_stacked_lstm_second_layer_gets_first_layer_output():
    model = keras.Sequential(
        [
            keras.Input((6, 3)),
            keras.layers.LSTM(5, return_sequences=True, name="first"),
            keras.layers.LSTM(4, name="second"),
            keras.layers.Dense(1),
        ]
    )
    x = rand(2, 6, 3)
    first, second = lw.trace(model, x, "first"), lw.trace(model, x, "second")
    layer_out = predict(model.layers[1], first.hidden_state)
    np.testing.assert_allclose(second.final_state[0], layer_out, atol=ATOL)
    sub = keras.Model(model.inputs[0], model.get_layer("second").output)
    np.testing.assert_allclose(second.final_state[0], predict(sub, x), atol=ATOL)


def test_conv1d_before_lstm_changes_time_axis():
    model = keras.Sequential(
        [keras.Input((10, 2)), keras.layers.Conv1D(3, 3), keras.layers.LSTM(4)]
    )
    x = rand(2, 10, 2)
    tr = lw.trace(model, x)
    assert tr.shape == (2, 8, 4)
    np.testing.assert_allclose(tr.final_state[0], predict(model, x), atol=ATOL)


def test_bidirectional_both_directions_match_keras():
    inp = keras.Input((6, 3))
    bi = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True), name="bi")
    model = keras.Model(inp, bi(inp))
    x = rand(3, 6, 3)
    tr = lw.trace(model, x)
    assert isinstance(tr, lw.BidirectionalTrace)
    assert lw.lstm_layers(model) == ["bi"]
    out = predict(model, x)  # concat(forward, backward), both in input order
    np.testing.assert_allclose(tr.forward.hidden_state, out[..., :4], atol=ATOL)
    np.testing.assert_allclose(tr.backward.hidden_state, out[..., 4:], atol=ATOL)
    # index t means x[:, t] for the backward direction too: its last step reads x[:, 0]
    np.testing.assert_allclose(tr.backward.final_state[0], out[:, 0, 4:], atol=ATOL)


def test_bidirectional_with_mask_from_embedding():
    model = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(10, 3, mask_zero=True),
            keras.layers.Bidirectional(keras.layers.LSTM(2), merge_mode="concat"),
        ]
    )
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    tr = lw.trace(model, x)
    out = predict(model, x)
    np.testing.assert_allclose(tr.forward.final_state[0], out[:, :2], atol=ATOL)
    np.testing.assert_allclose(tr.backward.final_state[0], out[:, 2:], atol=ATOL)


def test_nested_model_layer_path():
    inner = keras.Sequential([keras.Input((5, 4)), keras.layers.LSTM(3, name="deep")], name="inner")
    inp = keras.Input((5, 2))
    h = keras.layers.Dense(4, activation="tanh")(inp)
    model = keras.Model(inp, inner(h))
    assert lw.lstm_layers(model) == ["inner/deep"]
    x = rand(2, 5, 2)
    tr = lw.trace(model, x, "deep")
    np.testing.assert_allclose(tr.final_state[0], predict(model, x), atol=ATOL)
    assert tr.layer == "inner/deep"


def test_encoder_decoder_initial_state_comes_from_the_graph():
    enc_in, dec_in = keras.Input((5, 3)), keras.Input((4, 2))
    _, h, c = keras.layers.LSTM(6, return_state=True, name="enc")(enc_in)
    dec = keras.layers.LSTM(6, return_sequences=True, name="dec")(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], dec)
    xe, xd = rand(2, 5, 3, seed=1), rand(2, 4, 2, seed=2)
    enc, dec_tr = lw.trace(model, [xe, xd], "enc"), lw.trace(model, [xe, xd], "dec")
    np.testing.assert_allclose(dec_tr.hidden_state, predict(model, [xe, xd]), atol=ATOL)
    # the decoder starts where the encoder ended
    np.testing.assert_allclose(
        dec_tr.hidden_state,
        keras_states(model.get_layer("dec"), xd, None, enc.final_state)[0],
        atol=ATOL,
    )


def test_stateful_starts_from_current_state_and_leaves_it():
    layer = keras.layers.LSTM(4, stateful=True, return_sequences=True)
    model = keras.Sequential([keras.Input((3, 2), batch_size=2), layer])
    x1, x2 = rand(2, 3, 2, seed=1), rand(2, 3, 2, seed=2)
    model(x1)  # the state now holds the end of x1
    before = weights_snapshot(model)
    tr = lw.trace(model, x2)
    after = weights_snapshot(model)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(tr.hidden_state, predict(model, x2), atol=ATOL)
    with pytest.raises(ValueError, match="batch size 2"):
        lw.trace(model, rand(3, 3, 2))


def test_stacked_stateful_layers_are_restored():
    model = keras.Sequential(
        [
            keras.Input((4, 2), batch_size=1),
            keras.layers.LSTM(3, stateful=True, return_sequences=True),
            keras.layers.LSTM(2, stateful=True, name="top"),
        ]
    )
    x = rand(1, 4, 2)
    model(x)
    before = weights_snapshot(model)
    tr = lw.trace(model, x, "top")
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(tr.final_state[0], predict(model, x), atol=ATOL)


def test_rnn_of_lstm_cell_is_an_lstm():
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.RNN(keras.layers.LSTMCell(3))])
    x = rand(2, 5, 2)
    np.testing.assert_allclose(lw.trace(model, x).final_state[0], predict(model, x), atol=ATOL)


def test_long_sequence_stays_exact():
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(16)])
    x = rand(2, 600, 3)
    np.testing.assert_allclose(lw.trace(model, x).final_state[0], predict(model, x), atol=ATOL)


def test_unit_subset_and_float16_storage():
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(6)])
    x = rand(2, 5, 2)
    full = lw.trace(model, x)
    part = lw.trace(model, x, units=[4, 1], dtype="float16")
    assert part.hidden_state.dtype == np.float16
    np.testing.assert_array_equal(part.units, [1, 4])
    np.testing.assert_allclose(part.forget_gate, full.forget_gate[..., [1, 4]], atol=1e-3)
    np.testing.assert_allclose(part.final_state[0], full.final_state[0], atol=0)


def test_memory_budget_error_says_how_to_ask_for_less():
    model = keras.Sequential([keras.Input((50, 2)), keras.layers.LSTM(8)])
    with pytest.raises(ValueError, match=r"fewer samples.*units=.*float16"):
        lw.trace(model, rand(10, 50, 2), memory_budget=1000)
    gru = keras.Sequential([keras.Input((50, 2)), keras.layers.Bidirectional(keras.layers.GRU(8))])
    with pytest.raises(ValueError, match=r"4 arrays of \(10, 50, 8\) float32 per direction"):
        lw.trace(gru, rand(10, 50, 2), memory_budget=1000)


def test_trace_does_not_modify_the_model():
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(3)])
    before = weights_snapshot(model)
    lw.trace(model, rand(2, 5, 2))
    gw = lw.gate_weights(model)
    gw["input"].kernel[...] = 99.0
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_long_stacked_input_is_computed_compiled_and_exact():
    # 2,500 steps: the first LSTM's output (the second's input) runs through predict_on_batch
    model = keras.Sequential(
        [
            keras.Input((None, 2)),
            keras.layers.LSTM(3, return_sequences=True),
            keras.layers.LSTM(2, name="top"),
        ]
    )
    x = rand(1, 2500, 2)
    tr = lw.trace(model, x, "top")
    np.testing.assert_allclose(tr.final_state[0], model.predict_on_batch(x), atol=ATOL)
    first = lw.trace(model, x, model.layers[0].name)
    np.testing.assert_allclose(tr.inputs, first.hidden_state, atol=ATOL)


def test_mask_reaches_a_layer_called_with_initial_state_none():
    """Keras records no mask for lstm(seq, initial_state=None) but still applies it."""
    inp = keras.Input((3, 1))
    model = keras.Model(
        inp, keras.layers.LSTM(2)(keras.layers.Masking(-7.0)(inp), initial_state=None)
    )
    x = np.array([[[1.0], [-7.0], [2.0]]], "float32")
    tr = lw.trace(model, x)
    np.testing.assert_array_equal(tr.mask, [[True, False, True]])
    np.testing.assert_allclose(tr.final_state[0], model.predict_on_batch(x), atol=1e-6)
