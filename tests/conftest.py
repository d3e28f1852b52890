"""Shared test set-up: quiet TensorFlow, deterministic Keras, small model builders."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if os.environ.get("LSTMW_NO_TENSORFLOW"):  # the JAX run: any import of TensorFlow fails
    sys.modules["tensorflow"] = None  # type: ignore[assignment]

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed() -> None:
    keras.utils.set_random_seed(1234)


def const_lstm(units: int, **kwargs: object) -> keras.layers.LSTM:
    """LSTM with the constant initializers of Keras's own lstm_test.py."""
    return keras.layers.LSTM(
        units,
        kernel_initializer=keras.initializers.Constant(0.01),
        recurrent_initializer=keras.initializers.Constant(0.02),
        bias_initializer=keras.initializers.Constant(0.03),
        **kwargs,
    )


def weights_snapshot(model: keras.Model) -> list[np.ndarray]:
    """Copies of every variable of the model (weights and RNN states)."""
    return [np.array(v.numpy(), copy=True) for v in model.variables]
