"""Bad input gets a clear TypeError/ValueError naming the problem and the expected value."""

import os

import keras
import numpy as np
import pytest
from conftest import weights_snapshot

import lstm_widget as lw


@pytest.fixture(scope="module")
def model():
    return keras.Sequential(
        [keras.Input((6, 3)), keras.layers.LSTM(4, name="rnn"), keras.layers.Dense(1, name="out")]
    )


X = np.zeros((2, 6, 3), np.float32)


def test_not_a_model():
    with pytest.raises(TypeError, match=r"must be a Keras model.*lstm_widget.load_model\(path\)"):
        lw.trace("model.keras", X)
    with pytest.raises(TypeError, match="must be a Keras model"):
        lw.lstm_layers(object())
    with pytest.raises(
        TypeError, match="expected a Keras model or an LSTM or GRU layer, got Dense"
    ):
        lw.gate_weights(keras.layers.Dense(2))


def test_no_lstm_lists_the_layers():
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d1")])
    with pytest.raises(ValueError, match=r"has no LSTM or GRU layer; its layers are: d1 \(Dense"):
        lw.trace(dense, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"has no LSTM or GRU layer; its layers are: d1 \(Dense\)"):
        lw.what_if(dense, np.zeros((1, 3)), {})


def test_unknown_layer_lists_lstm_names(model):
    with pytest.raises(ValueError, match=r"no layer named 'lstm'.*'rnn'"):
        lw.trace(model, X, layer="lstm")
    with pytest.raises(ValueError, match=r"'out' is a Dense, not an LSTM.*'rnn'"):
        lw.gate_weights(model, "out")


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (np.zeros((6, 3)), ValueError, r"2 dimensions.*expects 3: \(batch, 6, 3\).*x\[None\]"),
        (np.zeros((2, 6, 5)), ValueError, r"5 features \(last axis\) but the model expects 3"),
        (np.zeros((2, 5, 3)), ValueError, r"5 axis 1 but the model expects 6"),
        (np.zeros((0, 6, 3)), ValueError, "empty"),
        (np.full((2, 6, 3), np.nan), ValueError, r"36 NaN or infinite value\(s\), the first at"),
        (np.array([[["a"] * 3] * 6]), TypeError, "must be numeric"),
        ([[[0.0] * 3] * 6, [[0.0] * 3] * 4], ValueError, "ragged"),
        (None, TypeError, "x is None"),
    ],
)
def test_bad_x(model, x, error, match):
    with pytest.raises(error, match=match):
        lw.trace(model, x)


def test_inf_is_named_with_its_index(model):
    x = X.copy()
    x[1, 4, 2] = np.inf
    with pytest.raises(ValueError, match=r"index \(1, 4, 2\)"):
        lw.trace(model, x)


def test_bad_initial_state(model):
    with pytest.raises(ValueError, match=r"initial_state must be a list or tuple \(h, c\)"):
        lw.trace(model, X, initial_state=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"shape \(2, 5\); expected \(2, 4\)"):
        lw.trace(model, X, initial_state=[np.zeros((2, 5)), np.zeros((2, 5))])


def test_bad_options(model):
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float16'"):
        lw.trace(model, X, dtype="int8")
    with pytest.raises(ValueError, match=r"indices in 0..3"):
        lw.trace(model, X, units=[7])
    with pytest.raises(TypeError, match="layer must be a layer name"):
        lw.trace(model, X, layer=0)


def test_unbuilt_model():
    unbuilt = keras.Sequential([keras.layers.LSTM(2)])
    with pytest.raises(ValueError, match="not built"):
        lw.trace(unbuilt, X)


def test_int_ids_with_fractions():
    emb = keras.Sequential(
        [keras.Input((4,), dtype="int32"), keras.layers.Embedding(5, 2), keras.layers.LSTM(2)]
    )
    with pytest.raises(ValueError, match="integer ids"):
        lw.trace(emb, np.full((1, 4), 0.5))


def test_errors_leave_model_untouched(model):
    before = weights_snapshot(model)
    with pytest.raises(ValueError):
        lw.trace(model, np.full((2, 6, 3), np.inf))
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_import_without_a_keras_backend_names_the_extras():
    """Keras 3 imports TensorFlow (its default backend) on import: without it, the message
    says which extra to install rather than TensorFlow's own ModuleNotFoundError."""
    import subprocess
    import sys

    script = "import sys; sys.modules['tensorflow'] = None\nimport lstm_widget\n"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: lstm-widget needs Keras 3 and a backend")
    assert 'pip install "lstm-widget[tensorflow]"' in last and "lstm-widget[jax]" in last
