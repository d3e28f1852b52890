"""The masks attribution (the default): against Keras's own outputs and planted evidence."""

import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import lstm_widget as lw
from lstm_widget._analyses.donors import background_of
from lstm_widget._analyses.masks import mask_plan

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from _truth import make, scores  # noqa: E402  (the benchmark's own suite and metrics)
from test_windows import small_case  # noqa: E402  (the same small model and data)


def test_masks_equal_keras_outputs_of_the_planned_runs():
    """Each step: mean over pairs of f(run keeping it from x) - f(run taking the donor's)."""
    model, x, background, before = small_case()
    attr = lw.step_attribution(model, x, background=background, window=2, pairs=5, seed=4)
    plan = mask_plan(x, background_of(x, background), 2, 5, 4)
    keep, donor = plan.keep(0, 2), plan.donor
    assert attr.method == "masks" and keep.shape == (2, 5, 6) and donor.shape == (2, 5)

    def f(v: np.ndarray) -> float:
        return float(keras.ops.convert_to_numpy(model.predict_on_batch(v[None]))[0, 0])

    each = np.zeros((2, 5, 6))  # each pair's f(kept) - f(taken), per step
    for i in range(2):
        for p in range(5):
            d = background[donor[i, p]]
            first = np.where(keep[i, p, :, None], x[i], d)
            second = np.where(keep[i, p, :, None], d, x[i])
            each[i, p] = np.where(keep[i, p], 1.0, -1.0) * (f(first) - f(second))
    np.testing.assert_allclose(attr, each.mean(axis=1), rtol=1e-5, atol=1e-6)
    error = each.std(axis=1, ddof=1) / np.sqrt(5)
    np.testing.assert_allclose(attr.standard_error, error, rtol=1e-4, atol=1e-6)
    standing_out = int((np.abs(each.mean(axis=1)) > 2 * error).sum())
    assert f"{standing_out} of 12 step values stand out of the sampling noise" in attr.note
    assert "a new donor for each of 5 run pairs from the background" in attr.note
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the user's model is untouched


def test_the_plan_exchanges_windows_and_never_the_sample_itself():
    x = np.random.default_rng(2).normal(size=(4, 30, 2)).astype("float32")
    plan = mask_plan(x, background_of(x, None), 5, 200, 0)
    keep, donor = plan.keep(0, 4), plan.donor
    assert plan.rows is x and "the other samples of x" in plan.note
    np.testing.assert_array_equal(plan.keep(1, 3), keep[1:3])  # a slice is the same masks
    assert all(i not in donor[i] for i in range(4))  # never the sample itself
    changes = (np.diff(keep.astype(int), axis=2) != 0).sum(axis=2)
    assert changes.max() <= 30 // 5  # whole windows of 5 steps change together
    assert 0.45 < keep.mean() < 0.55  # half the windows each time
    step_pairs = [np.corrcoef(keep[0, :, t], keep[0, :, t + 1])[0, 1] for t in range(29)]
    assert min(step_pairs) > 0.5  # neighbours usually go together (windows of 5, random offset)


def models_planted(layout: str) -> tuple[keras.Model, np.ndarray, np.ndarray]:
    """The benchmark's layout, smaller: a trained LSTM and 100 test samples."""
    x, y, _ = make(layout, 800, 0)
    x_test, _, box = make(layout, 100, 1000)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(x.shape[1:]), keras.layers.LSTM(16), keras.layers.Dense(1, "sigmoid")]
    )
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    for _ in range(8):
        model.fit(x, y, epochs=5, batch_size=64, verbose=0)
        if model.evaluate(x, y, verbose=0)[1] >= 0.97:
            break
    assert model.evaluate(x, y, verbose=0)[1] >= 0.95, "the planted model did not learn"
    return model, x_test, box


@pytest.fixture(scope="module")
def middle():
    return models_planted("Middle")


def test_the_default_finds_the_planted_steps(middle):
    """Evidence in steps 20-29 (a fifth of them: random ranking scores 0.2)."""
    model, x, box = middle
    steps = np.asarray(lw.step_attribution(model, x))
    found = scores(np.repeat(steps[:, :, None], x.shape[2], axis=2), box)["time-AUPRC"]
    assert found >= 0.8, found  # the zero baseline: 0.54, integrated gradients: 0.37
    cells = np.asarray(lw.step_attribution(model, x, per_feature=True))
    assert scores(cells, box)["AUPRC"] >= 0.6  # random: 0.08 (40 of 500 cells)


def test_a_moving_box_is_found_where_one_window_at_a_time_misses_it():
    """The box starts anywhere in 5-35: a donor's own box marks steps where x has none
    when one window is replaced at a time; a new donor per pair averages that out."""
    model, x, box = models_planted("Moving_Middle")

    def time_auprc(method: str) -> float:
        steps = np.asarray(lw.step_attribution(model, x, method))
        return scores(np.repeat(steps[:, :, None], x.shape[2], axis=2), box)["time-AUPRC"]

    masks, windows = time_auprc("masks"), time_auprc("windows")
    assert masks >= 0.8, masks  # measured 0.89 (random: 0.2)
    assert masks - windows >= 0.08, (masks, windows)  # measured 0.89 vs 0.73
