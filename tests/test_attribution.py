"""Attribution truthfulness: models trained on a planted dependence put it on top."""

import keras
import numpy as np
import pytest

import lstm_widget as lw
from lstm_widget._analyses.decomposition import write_events

PLANTED = 5  # y = x[:, 5, 0]: "from t-3" for 8 steps


@pytest.fixture(scope="module")
def planted():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(768, 8, 2)).astype("float32")
    y = x[:, PLANTED, 0:1]
    model = keras.Sequential([keras.Input((8, 2)), keras.layers.LSTM(12), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse")
    model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.05, "the planted model did not learn"
    return model, x[:16]


@pytest.mark.parametrize("method", ["masks", "windows", "integrated_gradients", "occlusion"])
def test_planted_step_is_on_top(planted, method):
    model, x = planted
    attr = lw.step_attribution(model, x, method=method)
    assert attr.shape == (16, 8)
    assert np.argmax(np.abs(attr).mean(axis=0)) == PLANTED, (method, np.abs(attr).mean(axis=0))


def test_cell_decomposition_finds_the_write_step():
    # Hand-set weights: the input gate opens only where feature 1 (a flag) is 1, the forget
    # and output gates stay open, g = tanh(x0). So c_T is the flagged step's write.
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.LSTM(1), keras.layers.Dense(1)])
    kernel = np.zeros((2, 4), np.float32)
    kernel[1, 0] = 20.0  # flag -> input gate
    kernel[0, 2] = 1.0  # x0 -> candidate
    bias = np.array([-10.0, 12.0, 0.0, 12.0], np.float32)
    model.layers[0].set_weights([kernel, np.zeros((1, 4), np.float32), bias])
    model.layers[1].set_weights([np.ones((1, 1), np.float32), np.zeros(1, np.float32)])
    x = np.random.default_rng(2).normal(size=(4, 6, 2)).astype("float32")
    x[..., 1] = 0.0
    x[np.arange(4), [1, 3, 2, 4], 1] = 1.0
    attr = lw.step_attribution(model, x, method="cell_decomposition")
    np.testing.assert_array_equal(np.argmax(np.abs(attr), axis=1), [1, 3, 2, 4])


def test_integrated_gradients_completeness(planted):
    model, x = planted
    attr = lw.step_attribution(model, x, "integrated_gradients", path_steps=32)
    total = model.predict_on_batch(x)[:, 0] - model.predict_on_batch(np.zeros_like(x))[:, 0]
    np.testing.assert_allclose(attr.sum(axis=1), total, rtol=0.01, atol=1e-3)
    assert attr.completeness_error < 0.01
    per_feature = lw.step_attribution(model, x, "integrated_gradients", per_feature=True)
    assert per_feature.shape == (16, 8, 2)
    # the planted feature 0 carries the planted step, feature 1 is noise
    assert np.abs(per_feature[:, PLANTED, 0]).mean() > 5 * np.abs(per_feature[:, PLANTED, 1]).mean()


def test_cell_decomposition_sums_back_to_the_final_cell_state(planted):
    model, x = planted
    tr = lw.trace(model, x)
    writes, carry = write_events(tr)
    np.testing.assert_allclose(writes.sum(axis=1) + carry, tr.final_state[1], atol=1e-5)
    np.testing.assert_allclose(carry, 0.0, atol=1e-5)  # c_0 = 0 for this model
    attr = lw.step_attribution(model, x, method="cell_decomposition")
    out = model.predict_on_batch(x)[:, 0] - model.layers[-1].get_weights()[1][0]
    np.testing.assert_allclose(attr.sum(axis=1), out, atol=1e-4)  # linear head: exact
    assert "exact" in attr.note


def test_memory_horizon_counts_steps_above_one_over_e(planted):
    model, x = planted
    horizon = lw.memory_horizon(model, x)
    tr = lw.trace(model, x)
    f = tr.forget_gate.astype(np.float64)
    for b, u in [(0, 0), (3, 5)]:
        kept = [np.prod(f[b, k + 1 :, u]) > np.exp(-1) for k in range(8)]
        assert horizon[b, u] == sum(kept)


def test_memory_horizon_of_a_bidirectional_layer_is_both_directions():
    """Forget gates held constant by hand: f = exp(-1 / (H - 1/2)) keeps a write above 1/e
    for exactly H steps (f^m > 1/e for m < H - 1/2): H = 3 forward, 5 backward."""
    n, t = 2, 12
    model = keras.Sequential(
        [keras.Input((t, 3)), keras.layers.Bidirectional(keras.layers.LSTM(n), name="bi")]
    )
    bi = model.get_layer("bi")
    rng = np.random.default_rng(2)
    for rnn, horizon in ((bi.forward_layer, 3), (bi.backward_layer, 5)):
        kernel, recurrent, bias = (
            rng.normal(size=w.shape).astype("float32") for w in rnn.get_weights()
        )
        kernel[:, n : 2 * n] = recurrent[:, n : 2 * n] = 0.0
        f = np.exp(-1.0 / (horizon - 0.5))
        bias[n : 2 * n] = np.log(f / (1 - f))  # sigmoid(bias) = f
        rnn.set_weights([kernel, recurrent, bias])
    x = rng.normal(size=(4, t, 3)).astype("float32")
    np.testing.assert_array_equal(lw.memory_horizon(model, x), [[3, 3, 5, 5]] * 4)


def test_backwards_layer_decomposition_is_exact():
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.LSTM(3, go_backwards=True)])
    x = np.random.default_rng(1).normal(size=(2, 6, 2)).astype("float32")
    tr = lw.trace(model, x)
    writes, carry = write_events(tr)
    np.testing.assert_allclose(writes.sum(axis=1) + carry, tr.final_state[1], atol=1e-5)


def test_errors(planted):
    model, x = planted
    with pytest.raises(ValueError, match="unknown method 'shap'"):
        lw.step_attribution(model, x, method="shap")
    two = keras.Sequential([keras.Input((8, 2)), keras.layers.LSTM(3), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="2 output values per sample; pick one with output_index"):
        lw.step_attribution(two, x)
    with pytest.raises(ValueError, match=r"output_index must be in 0..1"):
        lw.step_attribution(two, x, method="occlusion", output_index=5)
    relu_head = keras.Sequential(
        [keras.Input((8, 2)), keras.layers.LSTM(3), keras.layers.Dense(1, activation="relu")]
    )
    assert "not a linear map" in lw.step_attribution(relu_head, x, method="cell_decomposition").note


def test_plot_attribution(planted):
    model, x = planted
    attr = lw.step_attribution(model, x, method="occlusion")
    fig = lw.plot_attribution(attr)
    bars = fig.axes[0].patches
    assert len(bars) == 8
    heights = [b.get_height() for b in bars]
    np.testing.assert_allclose(heights, np.asarray(attr).mean(axis=0))
    assert "occlusion" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="expected a"):
        lw.plot_attribution(np.zeros(3))
    masks = lw.step_attribution(model, x[:4], background=x[4:])
    ax = lw.plot_attribution(masks, sample=2).axes[0]
    (bars,) = ax.collections  # one errorbar: value +- 2 standard errors per step
    ends = np.array([seg[:, 1] for seg in bars.get_segments()])
    want = np.asarray(masks)[2][:, None] + 2 * masks.standard_error[2][:, None] * [-1, 1]
    np.testing.assert_allclose(np.sort(ends, axis=1), want, rtol=1e-6)
    assert "±2 standard errors" in ax.get_title()


def test_integrated_gradients_build_the_path_per_call():
    """The path (path_steps x batch x time x features) is built a call's worth at a time.

    A call's worth is about 8 MiB here. Measured peaks were 25-34 MiB on both backends:
    about three calls' buffers, and a fourth when the backend still holds the previous
    call's input. A whole-path implementation needs at least the 210 MB path itself. The
    bound (a quarter of that) keeps a margin of more than two calls' worth on either side.
    The warm-up is the same call, so compiling the gradient for these chunk shapes (Python
    objects that tracemalloc counts) happens outside the measurement.
    """
    import gc
    import tracemalloc

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((100, 8)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(256, 100, 8)).astype("float32")
    path_steps = 256
    whole_path = path_steps * x.nbytes  # 210 MB
    # warm-up: compiles these shapes
    lw.step_attribution(model, x, "integrated_gradients", path_steps=path_steps)
    gc.collect()
    tracemalloc.start()
    try:
        attr = lw.step_attribution(model, x, "integrated_gradients", path_steps=path_steps)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < whole_path / 4, f"numpy peak {peak / 2**20:.0f} MiB"
    assert attr.completeness_error < 0.02


def decomposition_adds_up(rnn, steps, seed, masked, output_index):
    """Masking -> ``rnn`` -> Dense(2) with random weights; sample ``masked[0]`` masked from
    step ``masked[1]``. From zero initial states the cell decomposition's steps must add up
    to Keras's output minus the head's bias, and masked steps must have no share."""
    model = keras.Sequential(
        [
            keras.Input((steps, 3)),
            keras.layers.Masking(0.0),
            rnn,
            keras.layers.Dense(2, name="head"),
        ]
    )
    rng = np.random.default_rng(seed)
    model.set_weights(
        [0.7 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    )
    x = rng.normal(size=(4, steps, 3)).astype("float32")
    row, start = masked
    x[row, start:] = 0.0  # masked: they write nothing
    att = lw.step_attribution(model, x, "cell_decomposition", output_index=output_index)
    out = keras.ops.convert_to_numpy(model.predict_on_batch(x))[:, output_index]
    bias = model.get_layer("head").get_weights()[1][output_index]
    np.testing.assert_allclose(np.asarray(att).sum(axis=1), out - bias, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(att)[row, start:], 0.0)
    return att


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "go_backwards"])
def test_gru_cell_decomposition_adds_up_to_keras_output(backwards):
    """h_T = sum_k (prod_{j>k} z_j) (1 - z_k) h~_k from h_0 = 0: the steps' shares add up to
    the model's output minus the head's bias, as Keras computes it."""
    gru = keras.layers.GRU(5, go_backwards=backwards, reset_after=False, name="g")
    att = decomposition_adds_up(gru, 8, 5, (1, 5), 1)
    assert np.abs(np.asarray(att)).min(axis=0).max() > 0  # every unmasked step has a share
    assert att.note.startswith("exact: the final hidden state split")


@pytest.mark.parametrize(("kind", "merge"), [("LSTM", "concat"), ("GRU", "sum"), ("LSTM", "ave")])
def test_bidirectional_cell_decomposition_adds_up_to_keras_output(kind, merge):
    """Both directions' final states split into per-step parts (the backward one's written
    from the end), merged as the layer merges them: from zero initial states the parts add up
    to the model's output minus the head's bias, as Keras computes it."""
    bi = keras.layers.Bidirectional(getattr(keras.layers, kind)(5), merge_mode=merge)
    att = decomposition_adds_up(bi, 9, 7, (2, 6), 0)
    assert att.note.startswith("exact:")


def test_bidirectional_cell_decomposition_needs_a_linear_merge():
    model = keras.Sequential(
        [
            keras.Input((9, 3)),
            keras.layers.Bidirectional(keras.layers.LSTM(5), merge_mode="mul", name="bi"),
            keras.layers.Dense(1),
        ]
    )
    x = np.ones((1, 9, 3), "float32")
    with pytest.raises(ValueError, match=r"'bi' needs its directions summed.*merge_mode='mul'"):
        lw.step_attribution(model, x, "cell_decomposition")


def test_occlusion_of_a_two_input_model_occludes_the_sequence_and_holds_the_scalar():
    """A sequence and a scalar input (as the Keras 2 CuDNN models had): occlusion replaces
    step t of the sequence only; Keras re-runs the model with the scalar as given."""
    keras.utils.set_random_seed(3)
    seq, scalar = keras.Input((6, 3)), keras.Input((1,))
    h = keras.layers.LSTM(4, name="lstm")(seq)
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([h, scalar]))
    model = keras.Model([seq, scalar], out)
    rng = np.random.default_rng(3)
    x = [rng.normal(size=(3, 6, 3)).astype("float32"), rng.normal(size=(3, 1)).astype("float32")]
    occ = lw.step_attribution(model, x, "occlusion")
    full = keras.ops.convert_to_numpy(model.predict_on_batch(x))[:, 0]
    for t in range(6):
        hidden = x[0].copy()
        hidden[:, t] = 0.0
        out_t = keras.ops.convert_to_numpy(model.predict_on_batch([hidden, x[1]]))[:, 0]
        np.testing.assert_allclose(np.asarray(occ)[:, t], full - out_t, atol=1e-5)
    dec = lw.step_attribution(model, x, "cell_decomposition")
    assert dec.shape == (3, 6) and np.isfinite(np.asarray(dec)).all()
    with pytest.raises(ValueError, match=r"gradients \(integrated gradients\) take single-input"):
        lw.step_attribution(model, x, "integrated_gradients")


def test_integrated_gradients_refuse_token_ids_declared_float():
    """Keras 2 declared token-id inputs float32: the dtype passes, the Embedding is named."""
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Embedding(10, 3, name="emb"), keras.layers.LSTM(2)]
    )
    ids = np.array([[1, 2, 3, 4, 5]], "float32")
    with pytest.raises(ValueError, match="feeds Embedding 'emb'.*windows"):
        lw.step_attribution(model, ids, "integrated_gradients", output_index=0)
    assert lw.step_attribution(model, ids, "occlusion", output_index=0).shape == (1, 5)


def test_completeness_is_per_sample_and_says_when_it_cannot_be_judged():
    """A saturated sigmoid (f(x) = f(0) = 1 in float32): the attributions sum to ~0 and the
    ratio to f(x) - f(0) would be noise; the check leaves those samples out and says why."""
    keras.utils.set_random_seed(5)
    model = keras.Sequential(
        [keras.Input((6, 2)), keras.layers.LSTM(3), keras.layers.Dense(1, "sigmoid")]
    )
    rng = np.random.default_rng(5)
    kernel = rng.normal(size=(3, 1)).astype("float32")
    model.layers[1].set_weights([kernel, np.array([40.0], "float32")])
    x = rng.normal(size=(4, 6, 2)).astype("float32")
    with pytest.warns(UserWarning, match="for 4 of 4 samples f\\(x\\) - f\\(baseline\\) is below"):
        attr = lw.step_attribution(model, x, "integrated_gradients")
    assert attr.completeness.shape == (4,) and np.isnan(attr.completeness).all()
    assert np.isnan(attr.completeness_error) and "cannot be checked" in attr.note


def test_a_coarse_path_is_named_with_the_path_steps_to_use():
    keras.utils.set_random_seed(6)
    model = keras.Sequential([keras.Input((8, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.set_weights([3.0 * w for w in model.get_weights()])  # strongly non-linear
    x = 3.0 * np.random.default_rng(6).normal(size=(5, 8, 3)).astype("float32")
    with pytest.warns(UserWarning, match="too coarse.*use path_steps=4"):
        coarse = lw.step_attribution(model, x, "integrated_gradients", path_steps=1)
    assert coarse.completeness_error > 0.05
    fine = lw.step_attribution(model, x, "integrated_gradients", path_steps=256)
    assert fine.completeness_error < coarse.completeness_error
    assert fine.completeness_error == pytest.approx(np.median(fine.completeness))
    # 1 point: 60% off, the output jumps between points (more may not do); 4 points: 17%
    assert coarse.completeness_error > 0.5 and "or more: an error this large" in coarse.note
    with pytest.warns(UserWarning, match=r"too coarse.*use path_steps=16\.$"):
        some = lw.step_attribution(model, x, "integrated_gradients", path_steps=4)
    assert 0.05 < some.completeness_error < 0.5 and "or more" not in some.note
