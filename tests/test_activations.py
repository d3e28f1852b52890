"""Every numpy twin of a built-in activation equals the Keras function it stands for."""

import functools

import keras
import numpy as np
import pytest

from lstm_widget._base.activations import (
    _TWINS,
    has_twin,
    in_place,
    sigmoid_of_negated,
    tanh_by_exp,
    tanh_of_minus_twice,
)

GRID = np.concatenate(
    [np.linspace(-40, 40, 4001), [-1e30, -88.8, -3.0, 0.0, 3.0, 6.0, 88.8, 1e30]]
).astype(np.float32)


@pytest.mark.parametrize("fn", list(_TWINS), ids=lambda f: f.__name__)
def test_twin_matches_keras(fn):
    want = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(GRID)))
    got = in_place(fn)(GRID.copy())
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], atol=1e-6, rtol=1e-6)
    np.testing.assert_array_equal(got[~finite], want[~finite])


def test_twins_cover_the_lstm_defaults_and_legacy_names():
    for name in ("tanh", "sigmoid", "hard_sigmoid", "relu", "linear"):
        assert has_twin(keras.activations.get(name))


def test_other_callables_go_through_keras():
    fn = functools.partial(keras.activations.leaky_relu, negative_slope=0.3)
    assert not has_twin(fn)
    got = in_place(fn)(GRID.copy())
    np.testing.assert_allclose(got, np.where(GRID > 0, GRID, 0.3 * GRID), rtol=1e-6)


def test_the_recurrences_exp_forms_equal_keras_sigmoid_and_tanh():
    """The fused recurrences' gates: exp-based forms of sigmoid and tanh, on pre-scaled input."""
    sigmoid = keras.ops.convert_to_numpy(keras.activations.sigmoid(GRID))
    tanh = keras.ops.convert_to_numpy(keras.activations.tanh(GRID))
    with np.errstate(over="ignore"):
        got_sigmoid = sigmoid_of_negated(-GRID)
        got_tanh = tanh_by_exp(GRID, np.empty_like(GRID))
        got_scaled = tanh_of_minus_twice(GRID * np.float32(-2.0))
    np.testing.assert_allclose(got_sigmoid, sigmoid, atol=2e-7, rtol=0)
    np.testing.assert_allclose(got_tanh, tanh, atol=3e-7, rtol=0)
    np.testing.assert_array_equal(got_scaled, got_tanh)
    ends = np.abs(GRID) >= 88  # e^x overflows: the limits, exactly
    np.testing.assert_array_equal(got_sigmoid[ends], (GRID[ends] > 0).astype(np.float32))
    np.testing.assert_array_equal(got_tanh[ends], np.sign(GRID[ends]))
    nan = np.float32([np.nan])
    assert np.isnan(sigmoid_of_negated(nan.copy())).all() and np.isnan(tanh_by_exp(nan, nan)).all()
