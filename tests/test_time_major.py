"""tf.keras 2 models with time_major=True layers: tf_keras's numbers, x as the model takes it."""

import warnings

import keras
import numpy as np
import pytest

import lstm_widget as lw
from lstm_widget._reading.legacy import old_variables

k2 = pytest.importorskip("tf_keras", reason="the tf-keras test dependency")
ATOL = 1e-5
BATCH, STEPS = 4, 7


def build(time_major, stateful=False):
    """Masking, Dense, LSTM (Keras 2 hard_sigmoid), Bidirectional GRU, LSTM, Dense head.

    With ``time_major`` its input is (time, batch, features), else (batch, time, features).
    """
    shape = (BATCH, 3) if time_major else (STEPS, 3)
    inp = k2.Input(shape, batch_size=STEPS if time_major and stateful else None)
    h = k2.layers.Masking(0.0)(inp)
    h = k2.layers.Dense(4, name="proj")(h)
    seq = k2.layers.LSTM(
        5,
        time_major=time_major,
        return_sequences=True,
        stateful=stateful,
        recurrent_activation="hard_sigmoid",
        name="tm",
    )(h)
    bi = k2.layers.Bidirectional(
        k2.layers.GRU(3, time_major=time_major, return_sequences=True), name="bi"
    )(seq)
    last = k2.layers.LSTM(4, time_major=time_major, name="last")(bi)
    out = k2.layers.Dense(2, name="head")(last)
    rng = np.random.default_rng(1)
    model = k2.Model(inp, out)
    model.set_weights([0.6 * rng.normal(size=w.shape).astype("float32") for w in model.weights])
    return model, (inp, seq, bi, last, out)


def inputs(seed=0):
    """(time, batch, features), sample 2's last steps masked (all zeros)."""
    x = (2.0 * np.random.default_rng(seed).normal(size=(STEPS, BATCH, 3))).astype("float32")
    x[5:, 2] = 0.0
    return x


def snapshot(old):
    return [np.array(v.numpy(), copy=True) for v in old_variables(old)]


def test_trace_and_output_are_tf_keras_s_numbers():
    old, (inp, seq, bi, last, out) = build(time_major=True)
    x = inputs()
    before = snapshot(old)
    want_seq, want_bi, want_last, want_out = (
        np.asarray(a) for a in k2.Model(inp, [seq, bi, last, out])(x)
    )
    tm, both, end = lw.trace(old, x, "tm"), lw.trace(old, x, "bi"), lw.trace(old, x, "last")
    assert tm.hidden_state.shape == (BATCH, STEPS, 5)  # samples are the layer's batch (axis 1)
    np.testing.assert_allclose(tm.hidden_state, want_seq.swapaxes(0, 1), atol=ATOL)
    ran = both.forward.mask  # Bidirectional outputs zeros at masked steps; the trace keeps h
    assert ran is not None and not ran[2, 5:].any() and ran.sum() == BATCH * STEPS - 2
    bi_h = np.concatenate([both.forward.hidden_state, both.backward.hidden_state], axis=2)
    np.testing.assert_allclose(bi_h[ran], want_bi.swapaxes(0, 1)[ran], atol=ATOL)
    np.testing.assert_allclose(end.final_state[0], want_last, atol=ATOL)
    np.testing.assert_allclose(lw.what_if(old, x, {}, "tm").baseline_output, want_out, atol=ATOL)
    np.testing.assert_array_equal(
        lw.gate_weights(old, "tm")["forget"].bias, old.get_layer("tm").get_weights()[2][5:10]
    )
    for a, b in zip(before, snapshot(old), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_stateful_time_major_layer_starts_from_its_state_and_keeps_it():
    old, (inp, seq, *_rest) = build(time_major=True, stateful=True)
    x = inputs(seed=3)
    old(inputs(seed=4))  # a state to start from
    before = snapshot(old)
    tm = lw.trace(old, x, "tm")
    for a, b in zip(before, snapshot(old), strict=True):
        np.testing.assert_array_equal(a, b)  # the user's states did not advance
    want = np.asarray(k2.Model(inp, seq)(x))
    np.testing.assert_allclose(tm.hidden_state, want.swapaxes(0, 1), atol=ATOL)


def test_what_if_and_edited_model_equal_a_hand_edited_tf_keras_model():
    old, _ = build(time_major=True)
    x = inputs(seed=5)
    edit = {"forget": {"bias_shift": 1.5}, "output": {"kernel_scale": 0.5}}
    hand, _ = build(time_major=True)
    hand.set_weights(old.get_weights())
    kernel, recurrent, bias = hand.get_layer("tm").get_weights()
    bias[5:10] += 1.5  # forget: columns 5-9 of 4 x 5 units
    kernel[:, 15:] *= 0.5  # output: columns 15-19
    hand.get_layer("tm").set_weights([kernel, recurrent, bias])
    want = np.asarray(hand(x))
    result = lw.what_if(old, x, edit, "tm")
    np.testing.assert_allclose(result.edited_output, want, atol=ATOL)
    assert np.abs(result.edited_output - result.baseline_output).max() > 1e-2
    edited = lw.edited_model(old, edit, "tm")  # the batch-major twin, edited
    got = keras.ops.convert_to_numpy(edited(x.swapaxes(0, 1)))
    np.testing.assert_allclose(got, want, atol=ATOL)


def test_every_function_reads_x_as_the_time_major_model_takes_it():
    """Each function on (time-major model, x) equals it on (batch-major twin, x swapped)."""
    tm_model, _ = build(time_major=True)
    bm_model, _ = build(time_major=False)
    bm_model.set_weights(tm_model.get_weights())
    x = inputs(seed=7)
    xb = x.swapaxes(0, 1).copy()
    for method in ("occlusion", "integrated_gradients"):
        got = lw.step_attribution(tm_model, x, method=method, output_index=1)
        want = lw.step_attribution(bm_model, xb, method=method, output_index=1)
        assert got.shape == (BATCH, STEPS)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=1e-6)
    np.testing.assert_array_equal(lw.memory_horizon(tm_model, x), lw.memory_horizon(bm_model, xb))
    sat = lw.gate_saturation(tm_model, x, "tm")
    assert sat.steps == BATCH * STEPS - 2
    np.testing.assert_array_equal(sat.left, lw.gate_saturation(bm_model, xb, "tm").left)
    hits = lw.match_pattern(tm_model, x, 1, 1, 4, layer="last", threshold=0.0)
    again = lw.match_pattern(bm_model, xb, 1, 1, 4, layer="last", threshold=0.0)
    assert hits.hits == again.hits and len(hits.units)
    ann = (x[..., 0] > 0).astype("float32")  # (time, batch), laid out as x
    got_r = lw.unit_correlation(tm_model, x, ann, layer="tm").r
    np.testing.assert_allclose(got_r, lw.unit_correlation(bm_model, xb, ann.T, layer="tm").r)
    stream = lw.gate_saturation(tm_model, iter([x[:, :2], x[:, 2:]]), "tm")  # batches of a stream
    np.testing.assert_allclose(stream.left, sat.left)
    w = lw.LSTMExplorer(tm_model, x, sample=2)
    assert w.n_samples == BATCH
    np.testing.assert_allclose(w.prediction, np.asarray(tm_model(x))[2], atol=ATOL)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_load_model_opens_a_time_major_file_as_its_batch_major_twin(tmp_path, suffix):
    old, (inp, seq, *_rest, out) = build(time_major=True)
    path = tmp_path / f"tm{suffix}"
    k2.Model(inp, [out, seq]).save(path)
    x = inputs(seed=9)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model = lw.load_model(path)
    said = " ".join(str(w.message) for w in seen)
    assert "input(s) [0] take x.swapaxes(0, 1)" in said and "output(s) [1] come out" in said
    want_out, want_seq = (np.asarray(a) for a in k2.Model(inp, [out, seq])(x))
    got_out, got_seq = (keras.ops.convert_to_numpy(a) for a in model(x.swapaxes(0, 1)))
    np.testing.assert_allclose(got_out, want_out, atol=ATOL)  # (batch, 2) either way
    np.testing.assert_allclose(got_seq, want_seq.swapaxes(0, 1), atol=ATOL)
    np.testing.assert_allclose(
        lw.trace(model, x.swapaxes(0, 1), "tm").hidden_state, want_seq.swapaxes(0, 1), atol=ATOL
    )
