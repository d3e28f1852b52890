"""Our backpropagation through the LSTM recurrence against the backend's own gradient
(TensorFlow's, or JAX's when KERAS_BACKEND=jax)."""

import keras
import numpy as np
import pytest
from reference import backend_gradient

import lstm_widget as lw
from lstm_widget._analyses import integrated as _integrated
from lstm_widget._analyses.backprop import gradient_plan

L = keras.layers


def close(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest difference relative to the largest gradient."""
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def build(layers: list, steps: int = 12, features: int = 3) -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((steps, features)), *layers])


COVERED = {
    "one LSTM": lambda: [L.LSTM(6), L.Dense(1)],
    "stacked": lambda: [L.LSTM(8, return_sequences=True), L.LSTM(5), L.Dense(3)],
    "go_backwards, sequences": lambda: [
        L.LSTM(6, return_sequences=True, go_backwards=True),
        L.LSTM(4),
        L.Dense(1),
    ],
    "go_backwards, last": lambda: [L.LSTM(6, go_backwards=True), L.Dense(2)],
    "relu and hard_sigmoid": lambda: [
        L.LSTM(6, activation="relu", recurrent_activation="hard_sigmoid"),
        L.Dense(1),
    ],
    "linear, tanh gates, no bias": lambda: [
        L.LSTM(6, activation="linear", recurrent_activation="tanh", use_bias=False),
        L.Dense(1),
    ],
    "layers before, between, after": lambda: [
        L.Dense(7, activation="relu"),
        L.Dropout(0.5),
        L.LSTM(6, return_sequences=True),
        L.LayerNormalization(),
        L.LSTM(5),
        L.Dense(4, activation="tanh"),
        L.Dense(1),
    ],
    "sequence output": lambda: [L.LSTM(6, return_sequences=True), L.Flatten(), L.Dense(2)],
    "LSTM is the output": lambda: [L.LSTM(6, return_sequences=True)],
    **{
        f"Bidirectional {mode}": (
            lambda mode=mode: [
                L.Bidirectional(L.LSTM(5, return_sequences=True), merge_mode=mode),
                L.Bidirectional(L.LSTM(3), merge_mode=mode),
                L.Dense(1),
            ]
        )
        for mode in ("concat", "sum", "ave", "mul")
    },
}


@pytest.mark.parametrize("name", list(COVERED))
def test_gradient_equals_the_backends(name):
    model = build(COVERED[name]())
    plan = gradient_plan(model)
    assert plan is not None, name
    x = np.random.default_rng(0).normal(size=(5, 12, 3)).astype("float32")
    size = int(np.prod(model.outputs[0].shape[1:]))
    keras_out = model.predict_on_batch(x).reshape(5, -1)
    for index in {0, size - 1}:
        grad, out = plan.gradient(x, index)
        assert close(grad, backend_gradient(model, x, index)) < 1e-5, name
        np.testing.assert_allclose(out, keras_out[:, index], rtol=1e-5, atol=1e-6)


def test_functional_chain_and_long_sequence():
    keras.utils.set_random_seed(4)
    inp = keras.Input((300, 4))
    h = L.LSTM(32, return_sequences=True)(inp)
    out = L.Dense(1)(L.LSTM(16)(h))
    model = keras.Model(inp, out)
    x = np.random.default_rng(1).normal(size=(40, 300, 4)).astype("float32")
    plan = gradient_plan(model)
    assert plan is not None
    assert close(plan.gradient(x, 0)[0], backend_gradient(model, x, 0)) < 1e-5


def test_weights_are_read_at_every_call():
    model = build(COVERED["stacked"]())
    x = np.random.default_rng(2).normal(size=(3, 12, 3)).astype("float32")
    before = gradient_plan(model).gradient(x, 0)[0]
    model.set_weights([w * 1.5 for w in model.get_weights()])
    after = gradient_plan(model).gradient(x, 0)[0]
    assert close(before, after) > 0.01  # the new weights are used ...
    assert close(after, backend_gradient(model, x, 0)) < 1e-5  # ... and give the backend's gradient


def _not_a_chain() -> keras.Model:
    inp = keras.Input((12, 3))
    h = L.LSTM(4, return_sequences=True)(inp)
    return keras.Model(inp, L.Dense(1)(L.Flatten()(L.Concatenate()([h, inp]))))


NOT_COVERED = {
    "masking": lambda: build([L.Masking(), L.LSTM(4), L.Dense(1)]),
    "GRU": lambda: build([L.GRU(4), L.Dense(1)]),
    "stateful": lambda: keras.Sequential(
        [keras.Input((12, 3), batch_size=2), L.LSTM(4, stateful=True), L.Dense(1)]
    ),
    "custom activation": lambda: build([L.LSTM(4, activation=lambda v: v * 0.5), L.Dense(1)]),
    "LSTM in a nested model": lambda: build([keras.Sequential([L.LSTM(4)]), L.Dense(1)]),
    "skip connection": _not_a_chain,
    "no LSTM": lambda: build([L.Flatten(), L.Dense(1)]),
}


@pytest.mark.parametrize("name", list(NOT_COVERED))
def test_uncovered_models_use_the_backend_gradient(name):
    model = NOT_COVERED[name]()
    assert gradient_plan(model) is None, name


def test_integrated_gradients_equal_the_backend_path(monkeypatch):
    model = build(COVERED["layers before, between, after"](), steps=40)
    x = np.random.default_rng(5).normal(size=(3, 40, 3)).astype("float32")
    ours = lw.step_attribution(model, x, "integrated_gradients", per_feature=True, path_steps=16)
    monkeypatch.setattr(_integrated, "gradient_plan", lambda model: None)
    theirs = lw.step_attribution(model, x, "integrated_gradients", per_feature=True, path_steps=16)
    assert close(np.asarray(ours), np.asarray(theirs)) < 1e-5
    assert ours.completeness_error == pytest.approx(theirs.completeness_error, abs=1e-4)


def test_path_points_are_split_into_calls_by_memory(monkeypatch):
    model = build(COVERED["stacked"](), steps=30)
    x = np.random.default_rng(6).normal(size=(3, 30, 3)).astype("float32")
    whole = lw.step_attribution(model, x, "integrated_gradients", output_index=1, path_steps=8)
    calls = []
    plan = gradient_plan(model)
    real = plan.gradient
    monkeypatch.setattr(plan, "rows_per_call", lambda steps: 5)
    monkeypatch.setattr(plan, "gradient", lambda v, k: calls.append(len(v)) or real(v, k))
    split = lw.step_attribution(model, x, "integrated_gradients", output_index=1, path_steps=8)
    # 24 path points and x and the baseline (f(x) - f(baseline) from the same passes)
    assert calls == [5] * 6
    assert close(np.asarray(split), np.asarray(whole)) < 1e-6


def test_many_rows_per_call_use_the_backend_gradient():
    # TensorFlow's backward loop has a fixed cost per step that a large batch amortises.
    model = build(COVERED["one LSTM"](), steps=100)
    assert _integrated.gradient_of(model, (34, 100, 3), None)[2]  # one sample: ours
    assert not _integrated.gradient_of(model, (8192, 100, 3), None)[2]
