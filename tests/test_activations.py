"""Every numpy twin of a built-in activation equals the Keras function it stands for."""

import functools

import keras
import numpy as np
import pytest

from lstm_widget._activations import _TWINS, has_twin, in_place

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
