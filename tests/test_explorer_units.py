"""Units set inside the recurrence from the explorer: edits["interventions"]."""

import keras
import numpy as np
import pytest

import lstm_widget as lw


def lstm_model(layers=None):  # noqa: ANN001, ANN201
    keras.utils.set_random_seed(0)
    layers = layers or [keras.layers.LSTM(6, name="rnn")]
    return keras.Sequential([keras.Input((10, 3)), *layers, keras.layers.Dense(1)])


X = np.random.default_rng(0).normal(size=(5, 10, 3)).astype("float32")


def test_interventions_beside_weight_edits_equal_intervene_on_the_edited_model():
    model = lstm_model()
    w = lw.LSTMExplorer(model, X, sample=2, view="c", compare="edited")
    units = [{"units": [1, 4], "array": "c", "value": 0.0}]
    w.edits = {"interventions": units}
    ref = lw.intervene(model, X[[2]], units)
    assert w.error == ""
    np.testing.assert_allclose(w.edited_prediction, ref.edited_output[0], rtol=1e-6)
    np.testing.assert_array_equal(w.edited_trace().cell_state[..., [1, 4]], 0.0)
    w.edits = {"forget": {"bias_shift": -1.0}, "interventions": [{"units": 1, "array": "h"}]}
    clone = lw.edited_model(model, {"forget": {"bias_shift": -1.0}})
    ref = lw.intervene(clone, X[[2]], {"units": 1, "array": "h"})
    np.testing.assert_allclose(w.edited_prediction, ref.edited_output[0], rtol=1e-6)
    assert "edits: forget: bias -1; h[1] = 0" in w.figure().axes[0].get_title()
    with pytest.warns(UserWarning, match="weight edits only"):
        edited = w.edited_model()
    np.testing.assert_allclose(edited.predict_on_batch(X), clone.predict_on_batch(X), rtol=1e-6)


def test_a_backward_direction_sets_its_own_units():
    model = lstm_model([keras.layers.Bidirectional(keras.layers.LSTM(3), name="bi")])
    w = lw.LSTMExplorer(model, X, layer="bi/backward", view="h", compare="edited")
    w.edits = {"interventions": [{"units": [2], "array": "h", "value": 0.5}]}
    ref = lw.intervene(model, X[[0]], {"units": [5], "array": "h", "value": 0.5})
    np.testing.assert_allclose(w.edited_prediction, ref.edited_output[0], rtol=1e-6)
    np.testing.assert_array_equal(w.edited_trace().hidden_state[..., 2], np.float32(0.5))


def test_bad_settings_are_shown_not_raised():
    w = lw.LSTMExplorer(lstm_model(), X, compare="edited")
    w.edits = {"interventions": [{"units": [9]}]}
    assert "units must be in 0..5" in w.error
    w.edits = {"interventions": "zero 3"}
    assert "must be a list of dicts" in w.error
    w.edits = {}
    assert w.error == ""


def test_switching_to_another_kind_of_layer_drops_even_malformed_settings():
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((10, 3)),
            keras.layers.LSTM(4, return_sequences=True, name="l"),
            keras.layers.GRU(3, name="g"),
            keras.layers.Dense(1),
        ]
    )
    w = lw.LSTMExplorer(model, X, layer="l", compare="edited")
    w.edits = {"interventions": "zero 3"}
    assert "must be a list of dicts" in w.error
    w.layer = "g"
    assert w.edits == {} and w.error == ""
    w.edits = {"interventions": [{"units": [2]}]}  # a GRU's h
    ref = lw.intervene(model, X[[0]], {"units": [2]}, layer="g")
    np.testing.assert_allclose(w.edited_prediction, ref.edited_output[0], rtol=1e-6)


def test_order_by_effect_is_unit_effects_of_the_shown_sample():
    model = lstm_model([keras.layers.Bidirectional(keras.layers.LSTM(3), name="bi")])
    w = lw.LSTMExplorer(model, X, sample=1, layer="bi/forward")
    assert w.unit_effect == []
    w.order = "effect"
    whole = lw.unit_effects(model, X[[1]]).mean_abs  # forward units, then backward
    np.testing.assert_allclose(w.unit_effect, whole[:3], rtol=1e-6)
    w.layer = "bi/backward"
    np.testing.assert_allclose(w.unit_effect, whole[3:], rtol=1e-6)
    w.sample = 3
    np.testing.assert_allclose(
        w.unit_effect, lw.unit_effects(model, X[[3]]).mean_abs[3:], rtol=1e-6
    )
    w.order = "index"
    assert w.unit_effect == []
