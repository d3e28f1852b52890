"""What-if edits: the edited numbers are Keras's numbers for edited weights; the model stays."""

import keras
import numpy as np
import pytest
from conftest import weights_snapshot

import lstm_widget as lw

ATOL = 1e-5


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.fixture(scope="module")
def forecaster():
    return keras.Sequential(
        [
            keras.Input((20, 3)),
            keras.layers.LSTM(8, name="lstm"),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.Dense(1),
        ]
    )


def keras_edited(model, layer, edit):
    """Edited weights set by hand on a Keras clone: the reference."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    target = clone.get_layer(layer)
    kernel, recurrent, bias = target.get_weights()
    n = recurrent.shape[0]
    for gate, fields in edit.items():
        k = lw.GATES.index(gate)
        units = fields.get("units") or range(n)
        cols = [k * n + u for u in units]
        kernel[:, cols] *= fields.get("kernel_scale", 1.0)
        recurrent[:, cols] *= fields.get("recurrent_scale", 1.0)
        bias[cols] += fields.get("bias_shift", 0.0)
    target.set_weights([kernel, recurrent, bias])
    return clone


EDIT = {
    "forget": {"kernel_scale": 0.5, "recurrent_scale": 0.2, "bias_shift": -1.0},
    "input": {"bias_shift": 0.7, "units": [1, 5]},
}


def test_what_if_matches_keras_with_edited_weights(forecaster):
    x = rand(3, 20, 3)
    before = weights_snapshot(forecaster)
    res = lw.what_if(forecaster, x, EDIT)
    ref = keras_edited(forecaster, "lstm", EDIT)
    np.testing.assert_allclose(res.edited_output, ref.predict_on_batch(x), atol=ATOL)
    np.testing.assert_allclose(res.baseline_output, forecaster.predict_on_batch(x), atol=ATOL)
    lstm_out = keras.Model(ref.inputs[0], ref.get_layer("lstm").output).predict_on_batch(x)
    np.testing.assert_allclose(res.edited.final_state[0], lstm_out, atol=ATOL)
    assert not np.allclose(res.edited.forget_gate, res.baseline.forget_gate)
    # only units 1 and 5 of the input gate moved when the forget gate is untouched
    only = lw.what_if(forecaster, x, {"input": {"bias_shift": 0.7, "units": [1, 5]}})
    moved = np.abs(only.edited.input_gate[:, 0] - only.baseline.input_gate[:, 0]).max(axis=0)
    assert set(np.flatnonzero(moved > 0)) == {1, 5}
    for a, b in zip(before, weights_snapshot(forecaster), strict=True):
        np.testing.assert_array_equal(a, b)


def test_edit_feeding_a_second_lstm_runs_it_in_keras():
    model = keras.Sequential(
        [
            keras.Input((10, 2)),
            keras.layers.LSTM(5, return_sequences=True, name="low"),
            keras.layers.LSTM(3, name="high"),
            keras.layers.Dense(1),
        ]
    )
    x = rand(2, 10, 2)
    edit = {"output": {"kernel_scale": 1.8}}
    res = lw.what_if(model, x, edit, layer="low")
    np.testing.assert_allclose(
        res.edited_output, keras_edited(model, "low", edit).predict_on_batch(x), atol=ATOL
    )


def test_functional_masked_model_falls_back_to_an_edited_clone():
    inp = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(9, 3, mask_zero=True)(inp)
    h = keras.layers.LSTM(4, name="lstm")(h)
    model = keras.Model(inp, keras.layers.Dense(2)(h))
    x = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 1]])
    edit = {"cell": {"recurrent_scale": 0.0}}
    res = lw.what_if(model, x, edit)
    np.testing.assert_allclose(
        res.edited_output, keras_edited(model, "lstm", edit).predict_on_batch(x), atol=ATOL
    )


def test_edited_model_copies_weights_and_states():
    layer = keras.layers.LSTM(3, stateful=True, name="lstm")
    model = keras.Sequential([keras.Input((4, 2), batch_size=2), layer, keras.layers.Dense(1)])
    x = rand(2, 4, 2)
    model(x)
    before = weights_snapshot(model)
    clone = lw.edited_model(model, {"forget": {"bias_shift": 2.0}})
    np.testing.assert_array_equal(
        clone.get_layer("lstm").states[0].numpy(), layer.states[0].numpy()
    )
    np.testing.assert_allclose(
        clone.get_layer("lstm").get_weights()[2][3:6], layer.get_weights()[2][3:6] + 2.0
    )
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_no_edit_changes_nothing(forecaster):
    x = rand(2, 20, 3)
    res = lw.what_if(forecaster, x, {"forget": {"kernel_scale": 1.0}})
    assert res.edits == {}
    np.testing.assert_array_equal(res.edited.cell_state, res.baseline.cell_state)
    # both outputs come from one path, so without an edit they are the same numbers
    np.testing.assert_array_equal(res.edited_output, res.baseline_output)
    np.testing.assert_allclose(res.baseline_output, forecaster.predict_on_batch(x), atol=ATOL)


@pytest.mark.parametrize(
    ("edits", "error", "match"),
    [
        (
            {"update": {}},
            ValueError,
            "unknown gate 'update'; this layer's gates are input, forget, cell, output",
        ),
        ({"forget": {"scale": 2}}, ValueError, r"unknown field\(s\) \['scale'\].*kernel_scale"),
        ({"forget": {"bias_shift": float("nan")}}, ValueError, "must be finite"),
        ({"forget": {"kernel_scale": "2"}}, TypeError, "must be a number"),
        ({"forget": {"bias_shift": 1, "units": [8]}}, ValueError, r"unit indices in 0..7"),
        ([1, 2], TypeError, "edits must be a dict"),
    ],
)
def test_bad_edits(forecaster, edits, error, match):
    with pytest.raises(error, match=match):
        lw.what_if(forecaster, rand(1, 20, 3), edits)


def gru_model(reset_after):
    model = keras.Sequential(
        [
            keras.Input((9, 3)),
            keras.layers.GRU(5, reset_after=reset_after, return_sequences=True, name="gru"),
            keras.layers.LSTM(4, name="after"),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(2)
    model.set_weights(
        [0.5 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    )
    return model


GRU_EDIT = {
    "update": {"bias_shift": 1.0, "units": [0, 2]},
    "candidate": {"kernel_scale": 0.5, "bias_shift": 0.3},
}


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_what_if_is_keras_with_the_gru_blocks_edited_by_hand(reset_after):
    model, x = gru_model(reset_after), rand(3, 9, 3, seed=4)
    before = weights_snapshot(model)
    res = lw.what_if(model, x, GRU_EDIT, layer="gru")
    # the reference: Keras's GRU column order z, r, h; with reset_after the bias is
    # (input bias, recurrent bias) and the shift goes to the input bias
    ref = keras.models.clone_model(model)
    ref.set_weights(model.get_weights())
    kernel, recurrent, bias = ref.get_layer("gru").get_weights()
    kernel[:, 10:15] *= 0.5
    b_in = bias[0] if reset_after else bias
    b_in[[0, 2]] += 1.0
    b_in[10:15] += 0.3
    ref.get_layer("gru").set_weights([kernel, recurrent, bias])
    gru_out = keras.Model(ref.inputs[0], ref.get_layer("gru").output).predict_on_batch(x)
    np.testing.assert_allclose(res.edited.hidden_state, gru_out, atol=ATOL)
    np.testing.assert_allclose(res.edited_output, ref.predict_on_batch(x), atol=ATOL)
    np.testing.assert_allclose(res.baseline_output, model.predict_on_batch(x), atol=ATOL)
    # step 0 starts from h = 0: the update gate moved at units 0 and 2 only, the reset
    # gate not at all
    moved = np.abs(res.edited.update_gate[:, 0] - res.baseline.update_gate[:, 0]).max(axis=0)
    assert set(np.flatnonzero(moved > 1e-6)) == {0, 2}
    np.testing.assert_array_equal(res.edited.reset_gate[:, 0], res.baseline.reset_gate[:, 0])
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)
    edited = lw.edited_model(model, GRU_EDIT, "gru")
    np.testing.assert_allclose(edited.predict_on_batch(x), ref.predict_on_batch(x), atol=ATOL)


def test_gru_edits_name_the_gru_gates():
    model = gru_model(True)
    with pytest.raises(ValueError, match="unknown gate 'forget'; this layer's gates are update, "):
        lw.what_if(model, rand(1, 9, 3), {"forget": {"bias_shift": 1.0}}, layer="gru")
    assert lw.what_if(model, rand(1, 9, 3), {}, layer="gru").edited.layer == "gru"


def hand_edited(model, path, direction, edit, gates):
    """A Keras clone with one direction's blocks of a Bidirectional layer edited by hand."""
    ref = keras.models.clone_model(model)
    ref.set_weights(model.get_weights())
    weights = ref.get_layer(path).get_weights()  # forward's kernel, recurrent, bias, backward's
    kernel, recurrent, bias = weights[3:] if direction == "backward" else weights[:3]
    n = recurrent.shape[0]
    for gate, fields in edit.items():
        cols = [gates.index(gate) * n + u for u in fields.get("units") or range(n)]
        kernel[:, cols] *= fields.get("kernel_scale", 1.0)
        recurrent[:, cols] *= fields.get("recurrent_scale", 1.0)
        (bias[0] if bias.ndim == 2 else bias)[cols] += fields.get("bias_shift", 0.0)
    ref.get_layer(path).set_weights(weights)
    return ref


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_a_bidirectional_layers_directions_are_edited_as_keras_would(kind):
    rnn = getattr(keras.layers, kind)(6, return_sequences=True)
    model = keras.Sequential(
        [
            keras.Input((12, 3)),
            keras.layers.Masking(0.0),
            keras.layers.Bidirectional(rnn, name="bi"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(2),
        ]
    )
    model.set_weights([rand(*w.shape, seed=k) for k, w in enumerate(model.get_weights())])
    x = rand(4, 12, 3, seed=9)
    x[1, 8:] = 0.0
    gates, edit = (lw.GATES, EDIT) if kind == "LSTM" else (lw.GRU_GATES, GRU_EDIT)
    before = weights_snapshot(model)
    res = lw.what_if(model, x, edit, layer="bi/backward")
    ref = hand_edited(model, "bi", "backward", edit, gates)
    np.testing.assert_allclose(res.edited_output, ref.predict_on_batch(x), atol=ATOL)
    np.testing.assert_allclose(res.baseline_output, model.predict_on_batch(x), atol=ATOL)
    want = lw.trace(ref, x, "bi")
    for name in res.edited.forward.SHORT:
        np.testing.assert_allclose(
            res.edited.backward.array(name), want.backward.array(name), atol=ATOL
        )
        np.testing.assert_array_equal(  # the forward direction is not edited
            res.edited.forward.array(name), res.baseline.forward.array(name)
        )
    assert not np.allclose(res.edited_output, res.baseline_output, atol=1e-3)
    both = hand_edited(
        hand_edited(model, "bi", "forward", edit, gates), "bi", "backward", edit, gates
    )
    np.testing.assert_allclose(
        lw.edited_model(model, edit, "bi").predict_on_batch(x), both.predict_on_batch(x), atol=ATOL
    )
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="no layer named 'bi/sideways'"):
        lw.what_if(model, x, edit, layer="bi/sideways")
