"""page_model: what a page without a kernel can compute after a recurrent layer."""

import keras
import numpy as np

from lstm_widget._view.page_model import page_model


def test_layers_the_page_cannot_compute_are_named():
    model = keras.Sequential(
        [
            keras.Input((6, 2)),
            keras.layers.LSTM(3, return_sequences=True, name="rnn"),
            keras.layers.Conv1D(2, 3, name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation=lambda v: v * 2.0),
        ]
    )
    description, arrays = page_model(model)
    ops = description["after"]
    assert ops[0] == {"op": "unsupported", "name": "conv", "class": "Conv1D"}
    assert ops[1]["op"] == "flatten" and ops[2]["activation"].startswith("custom:")
    assert description["layer"]["cell"]["returnSequences"] is True
    kernel = arrays[description["layer"]["cell"]["kernel"]]
    np.testing.assert_array_equal(kernel, model.layers[0].get_weights()[0])
    assert all(a.dtype == np.float32 and a.flags.c_contiguous for a in arrays)


def test_a_functional_model_gets_a_note_instead_of_layers():
    seq = keras.Input((6, 2))
    scalar = keras.Input((1,))
    h = keras.layers.Bidirectional(keras.layers.GRU(2), name="bi")(seq)
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([h, scalar]))
    description, _ = page_model(keras.Model([seq, scalar], out))
    assert description["layer"]["op"] == "bidirectional"
    assert description["layer"]["forward"]["kind"] == "GRU"
    assert description["after"][0]["op"] == "unsupported" and "Sequential" in description["note"]
