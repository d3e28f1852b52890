"""The windows attribution (and what it shares with masks): against Keras's own outputs."""

import keras
import numpy as np
import pytest

import lstm_widget as lw
from lstm_widget._view.serialization import from_wire


def tiny(steps: int = 6, features: int = 2) -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [keras.Input((steps, features)), keras.layers.LSTM(3), keras.layers.Dense(1)]
    )


def small_case() -> tuple[keras.Model, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The small model, 2 samples and 3 background rows of 6 steps, and the model's weights."""
    model = tiny()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    background = rng.normal(size=(3, 6, 2)).astype("float32")
    return model, x, background, [w.copy() for w in model.get_weights()]


def test_windows_equal_keras_outputs_of_the_replaced_inputs():
    """Each step: the mean of f(x) - f(x with a window from a donor), computed with Keras."""
    model, x, background, before = small_case()
    attr = lw.step_attribution(model, x, "windows", background=background, window=2, donors=3)

    def f(v: np.ndarray) -> float:
        return float(keras.ops.convert_to_numpy(model.predict_on_batch(v[None]))[0, 0])

    expected = np.zeros((2, 6))
    for i in range(2):
        for t in range(6):
            changes = []
            for s in (t - 1, t):  # the 2-step windows covering t
                if not 0 <= s <= 4:
                    continue
                for d in range(3):
                    replaced = x[i].copy()
                    replaced[s : s + 2] = background[d, s : s + 2]
                    changes.append(f(x[i]) - f(replaced))
            expected[i, t] = np.mean(changes)
    np.testing.assert_allclose(attr, expected, rtol=1e-5, atol=1e-6)
    assert attr.method == "windows" and "3 donors per sample from the background" in attr.note
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the user's model is untouched


@pytest.mark.parametrize("method", ["masks", "windows"])
def test_features_add_up_to_their_step(method):
    model = tiny()
    x = np.random.default_rng(2).normal(size=(5, 6, 2)).astype("float32")
    steps = lw.step_attribution(model, x, method)
    cells = lw.step_attribution(model, x, method, per_feature=True)
    assert cells.shape == (5, 6, 2) and steps.shape == (5, 6)
    np.testing.assert_allclose(cells.sum(axis=2), steps, rtol=1e-9, atol=1e-12)
    assert "expected gradients" in cells.note


@pytest.mark.parametrize("method", ["masks", "windows"])
def test_long_sequences_get_longer_windows_that_cover_every_step(method):
    model = tiny(steps=300)
    x = np.random.default_rng(3).normal(size=(3, 300, 2)).astype("float32")
    attr = lw.step_attribution(model, x, method, donors=2, pairs=16)
    assert np.isfinite(np.asarray(attr)).all()  # 48 window positions still cover every step
    assert "resolution 10 steps" in attr.note  # 300 / 5 = 60, capped at 10; 48 x 10 > 300


@pytest.mark.parametrize("method", ["masks", "windows"])
def test_a_single_sample_without_background_is_compared_with_zeros(method):
    model = tiny()
    x = np.random.default_rng(4).normal(size=(1, 6, 2)).astype("float32")
    attr = lw.step_attribution(model, x, method)
    assert "no sample other than itself in x" in attr.note
    assert np.abs(np.asarray(attr)).max() > 0
    both = np.concatenate([x, np.zeros_like(x)])
    same = lw.step_attribution(model, x, method, background=both)
    np.testing.assert_allclose(attr, same, rtol=1e-6)  # itself is never a donor


def test_token_ids_and_a_second_input():
    """Windows need no gradient: token ids take other samples' ids; a scalar input is held."""
    emb = keras.Sequential(
        [keras.Input((5,)), keras.layers.Embedding(10, 3, name="emb"), keras.layers.LSTM(2)]
    )
    ids = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [2, 2, 2, 2, 2]], "int32")
    assert lw.step_attribution(emb, ids, output_index=0).shape == (3, 5)
    with pytest.raises(ValueError, match="feeds Embedding 'emb'"):
        lw.step_attribution(emb, ids.astype("float32"), output_index=0, per_feature=True)

    seq = keras.Input((6, 2))
    scalar = keras.Input((1,))
    h = keras.layers.LSTM(3)(seq)
    two = keras.Model([seq, scalar], keras.layers.Dense(1)(keras.layers.Concatenate()([h, scalar])))
    rng = np.random.default_rng(5)
    x = [rng.normal(size=(4, 6, 2)).astype("float32"), rng.normal(size=(4, 1)).astype("float32")]
    attr = lw.step_attribution(two, x)
    assert attr.shape == (4, 6) and np.abs(np.asarray(attr)).max() > 0
    with pytest.raises(ValueError, match="take single-input models"):
        lw.step_attribution(two, x, per_feature=True)


def test_bad_arguments_are_named():
    model = tiny()
    x = np.random.default_rng(6).normal(size=(3, 6, 2)).astype("float32")
    with pytest.raises(ValueError, match=r"window must be in 1\.\.6"):
        lw.step_attribution(model, x, window=7)
    with pytest.raises(ValueError, match=r"window must be in 1\.\.6"):
        lw.step_attribution(model, x, window=0)
    with pytest.raises(TypeError, match="window must be an int"):
        lw.step_attribution(model, x, window=2.5)
    with pytest.raises(ValueError, match=r"background must hold samples shaped like x's, \(n, 6"):
        lw.step_attribution(model, x, background=np.zeros((3, 5, 2)))
    with pytest.raises(ValueError, match="donors must be a positive int"):
        lw.step_attribution(model, x, donors=0)
    one = lw.step_attribution(model, x, pairs=1)
    assert np.isnan(one.standard_error).all() and "one run pair gives no standard error" in one.note
    with pytest.raises(ValueError, match=r"pairs must be a positive int \(run pairs per sample\)"):
        lw.step_attribution(model, x, pairs=0)


@pytest.mark.parametrize(
    ("method", "note"),
    [
        ("windows", "8 donors per sample from the background"),
        ("masks", "192 run pairs from the background"),
    ],
)
def test_explorer_strip_is_the_shown_samples_attribution_against_the_others(method, note):
    model = tiny(steps=10)
    x = np.random.default_rng(7).normal(size=(20, 10, 2)).astype("float32")
    w = lw.LSTMExplorer(model, x, sample=4, attribution_method=method)

    ref = lw.step_attribution(model, x[[4]], method, background=np.delete(x, 4, axis=0))
    np.testing.assert_allclose(from_wire(w.attribution["data"]), ref[0], rtol=1e-5, atol=1e-7)
    assert note in w.attribution["note"]
