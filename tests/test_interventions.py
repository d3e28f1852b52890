"""Interventions against Keras: the same setting applied inside Keras's own RNN loop.

The reference cells below subclass Keras's LSTMCell and GRUCell. Their input carries,
after the layer's features, a flag (set at this step or not) and the values to set; Keras's
RNN loop does the rest (masks, go_backwards, Bidirectional), and an LSTM's h is computed by
Keras from the set c.
"""

import keras
import numpy as np
import pytest
from conftest import weights_snapshot

import lstm_widget as lw
from lstm_widget._analyses.interventions import intervene, patch


class _Clamping:
    """Mixin: split the extra columns off the input and set ``unit_idx`` of a state."""

    def _setup(self, features: int, unit_idx: list[int], offset: int, width: int) -> None:
        self.features, self.unit_idx = features, unit_idx
        self.offset, self.width = offset, width  # this cell's values: columns after the flag

    def get_config(self) -> dict:  # Bidirectional copies its layers through their configs
        config = super().get_config()
        config.update(features=self.features, unit_idx=self.unit_idx, offset=self.offset)
        config.update(width=self.width, array=getattr(self, "array", "h"))
        return config

    def _split(self, inputs):  # noqa: ANN001, ANN202
        f = self.features
        self._flag = inputs[:, f : f + 1]
        start = f + 1 + self.offset
        self._vals = inputs[:, start : start + self.width]
        return inputs[:, :f]

    def _set(self, state):  # noqa: ANN001, ANN202
        n = state.shape[-1]
        onehot = np.zeros((self.width, n), "float32")
        onehot[np.arange(self.width), self.unit_idx] = 1.0
        chosen = keras.ops.sum(onehot, axis=0)[None] * self._flag  # (batch, n)
        placed = keras.ops.matmul(self._vals, onehot)
        return state * (1.0 - chosen) + placed * chosen


@keras.saving.register_keras_serializable("lstm_widget_tests")
class ClampLSTMCell(_Clamping, keras.layers.LSTMCell):
    def __init__(self, units, array, features, unit_idx, offset, width, **kw):  # noqa: ANN001
        super().__init__(units, **kw)
        self.array = array
        self._setup(features, unit_idx, offset, width)

    def build(self, input_shape):  # noqa: ANN001
        super().build((input_shape[0], self.features))

    def _compute_carry_and_output_fused(self, z, c_tm1):  # noqa: ANN001, ANN202
        c, o = super()._compute_carry_and_output_fused(z, c_tm1)
        return (self._set(c) if self.array == "c" else c), o

    def call(self, inputs, states, training=False):  # noqa: ANN001
        h, (_, c) = super().call(self._split(inputs), states, training=training)
        if self.array == "h":
            h = self._set(h)
        return h, [h, c]


@keras.saving.register_keras_serializable("lstm_widget_tests")
class ClampGRUCell(_Clamping, keras.layers.GRUCell):
    def __init__(self, units, array, features, unit_idx, offset, width, **kw):  # noqa: ANN001
        super().__init__(units, **kw)
        self._setup(features, unit_idx, offset, width)

    def build(self, input_shape):  # noqa: ANN001
        super().build((input_shape[0], self.features))

    def call(self, inputs, states, training=False):  # noqa: ANN001
        h, _ = super().call(self._split(inputs), states, training=training)
        h = self._set(h)
        return h, [h]


def _clamped_rnn(rnn, array, features, units, offset, width):  # noqa: ANN001, ANN202
    cell = rnn.cell
    kind = ClampGRUCell if isinstance(cell, keras.layers.GRUCell) else ClampLSTMCell
    extra = {"reset_after": cell.reset_after} if kind is ClampGRUCell else {}
    new = keras.layers.RNN(
        kind(cell.units, array, features, units, offset, width,
             activation=cell.activation, recurrent_activation=cell.recurrent_activation, **extra),
        return_sequences=rnn.return_sequences,
        go_backwards=rnn.go_backwards,
    )  # fmt: skip
    return new


def reference(model, target, array, units, values, at, mask=None):  # noqa: ANN001, ANN202
    """Keras outputs (model output, the target layer's output) with the setting inside Keras.

    ``units``: the layer's units (a Bidirectional layer: forward, then backward);
    ``values``: (batch, time, len(units)); ``at``: (time,) bool.
    """
    layers = model.layers
    k = layers.index(target)
    x_in = keras.Input(model.input_shape[1:])
    mask_in = keras.Input(model.input_shape[1:2], dtype="bool")
    t = x_in
    for layer in layers[:k]:
        t = layer(t)
    features = t.shape[-1]
    extra_in = keras.Input((model.input_shape[1], 1 + len(units)))
    aug = keras.layers.Concatenate()([t, extra_in])
    kwargs = {} if mask is None else {"mask": mask_in}
    if isinstance(target, keras.layers.Bidirectional):
        n = target.forward_layer.cell.units
        fwd = [u for u in units if u < n]
        bwd = [u - n for u in units if u >= n]
        f = _clamped_rnn(target.forward_layer, array, features, fwd, 0, len(fwd))
        b = _clamped_rnn(target.backward_layer, array, features, bwd, len(fwd), len(bwd))
        new = keras.layers.Bidirectional(f, backward_layer=b, merge_mode=target.merge_mode)
        out = new(aug, **kwargs)
        new.forward_layer.cell.set_weights(target.forward_layer.cell.get_weights())
        new.backward_layer.cell.set_weights(target.backward_layer.cell.get_weights())
    else:
        new = _clamped_rnn(target, array, features, list(units), 0, len(units))
        out = new(aug, **kwargs)
        new.cell.set_weights(target.cell.get_weights())
    layer_out = out
    for layer in layers[k + 1 :]:
        out = layer(out)
    inputs = [x_in, extra_in] + ([] if mask is None else [mask_in])
    ref = keras.Model(inputs, [out, layer_out])
    x = model._lw_x
    flags = np.broadcast_to(at[None, :, None], (x.shape[0], x.shape[1], 1)).astype("float32")
    feed = [x, np.concatenate([flags, values], axis=2).astype("float32")]
    feed += [] if mask is None else [mask]
    got = ref.predict_on_batch(feed)
    return [keras.ops.convert_to_numpy(g) for g in got]


def build(layers, steps=7, features=3, batch=4, seed=0):  # noqa: ANN001, ANN202
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features)), *layers])
    model._lw_x = (
        np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")
    )
    return model


def check(model, target, spec, units, values, at, mask=None, layer=None):  # noqa: ANN001, ANN202
    before = weights_snapshot(model)
    res = intervene(model, model._lw_x, spec, layer=layer)
    array = spec.get("array", "h" if isinstance(target, keras.layers.GRU) else "c")
    out, layer_out = reference(model, target, array, units, values, at, mask)
    np.testing.assert_allclose(res.edited_output, out, rtol=1e-5, atol=1e-5)
    base = keras.ops.convert_to_numpy(model.predict_on_batch(model._lw_x))
    np.testing.assert_allclose(res.baseline_output, base, rtol=1e-5, atol=1e-5)
    assert np.abs(res.edited_output - res.baseline_output).max() > 1e-4  # it did something
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)
    return res, layer_out


def test_lstm_c_set_to_zero_at_every_step():
    model = build([keras.layers.LSTM(5, name="l"), keras.layers.Dense(2)])
    values = np.zeros((4, 7, 2), "float32")
    res, _ = check(model, model.layers[0], {"units": [1, 3], "array": "c", "value": 0.0},
                   [1, 3], values, np.ones(7, bool))  # fmt: skip
    np.testing.assert_array_equal(res.edited.cell_state[:, :, [1, 3]], 0.0)


def test_lstm_h_set_per_step_backwards_with_sequences():
    lstm = keras.layers.LSTM(4, return_sequences=True, go_backwards=True)
    model = build([lstm, keras.layers.TimeDistributed(keras.layers.Dense(1))])
    per_step = np.linspace(-1, 1, 7)
    at = np.zeros(7, bool)
    at[[1, 2, 5]] = True
    values = np.broadcast_to(per_step[None, :, None], (4, 7, 1))
    spec = {"units": 2, "array": "h", "value": per_step, "steps": [1, 2, 5]}
    res, layer_out = check(model, lstm, spec, [2], values, at)
    # the layer's sequence, as Keras returns it (processing order), is the trace's reversed
    np.testing.assert_allclose(res.edited.hidden_state[:, ::-1], layer_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_h_set_to_its_mean(reset_after):
    gru = keras.layers.GRU(4, reset_after=reset_after)
    model = build([gru, keras.layers.Dense(1)])
    tr = lw.trace(model, model._lw_x)
    mean = tr.hidden_state[..., [0, 3]].mean(axis=(0, 1))
    values = np.broadcast_to(mean, (4, 7, 2))
    check(model, gru, {"units": [0, 3], "value": "mean"}, [0, 3], values, np.ones(7, bool))


def test_masked_steps_carry_the_state_as_keras_does():
    model = build([keras.layers.Masking(0.0), keras.layers.LSTM(3), keras.layers.Dense(1)])
    model._lw_x[0, 4:] = 0.0  # padding: masked
    model._lw_x[2, 2] = 0.0
    mask = (model._lw_x != 0).any(axis=2)
    values = np.full((4, 7, 1), 0.5, "float32")
    res, _ = check(model, model.layers[1], {"units": [0], "value": 0.5}, [0], values,
                   np.ones(7, bool), mask)  # fmt: skip
    assert np.isnan(res.edited.input_gate[0, 5]).all()


@pytest.mark.parametrize("merge", ["concat", "sum"])
def test_bidirectional_units_are_forward_then_backward(merge):
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode=merge)
    model = build([bi, keras.layers.Dense(1)])
    values = np.full((4, 7, 2), -0.7, "float32")
    res, _ = check(model, bi, {"units": [1, 4], "array": "h", "value": -0.7}, [1, 4], values,
                   np.ones(7, bool))  # fmt: skip
    np.testing.assert_array_equal(res.edited.forward.hidden_state[..., 1], np.float32(-0.7))
    np.testing.assert_array_equal(res.edited.backward.hidden_state[..., 1], np.float32(-0.7))


def test_the_second_of_stacked_layers():
    second = keras.layers.LSTM(3, name="l2")
    model = build([keras.layers.LSTM(4, return_sequences=True, name="l1"), second,
                   keras.layers.Dense(1)])  # fmt: skip
    values = np.ones((4, 7, 1), "float32")
    check(model, second, {"units": 0, "array": "c", "value": 1.0}, [0], values,
          np.ones(7, bool), layer="l2")  # fmt: skip


def planted_model():  # noqa: ANN202
    """Unit 0 alone carries the signal: it integrates feature 0; Dense reads only unit 0."""
    model = build([keras.layers.LSTM(3), keras.layers.Dense(1)], features=2, batch=6)
    kernel = np.zeros((2, 12), "float32")
    kernel[0, 6] = 1.0  # feature 0 -> unit 0's candidate
    kernel[1, 7:9] = 0.8  # feature 1 -> units 1, 2's candidates (not read by Dense)
    bias = np.zeros(12, "float32")
    bias[0:3], bias[3:6], bias[9:12] = 0.0, 5.0, 5.0  # i = 0.5, f and o open
    model.layers[0].set_weights([kernel, np.zeros((3, 12), "float32"), bias])
    model.layers[1].set_weights(
        [np.array([[2.0], [0.0], [0.0]], "float32"), np.zeros(1, "float32")]
    )
    return model


def test_patching_the_unit_that_carries_the_signal_restores_the_source():
    model = planted_model()
    rng = np.random.default_rng(9)
    source = rng.normal(size=(6, 7, 2)).astype("float32")
    target = rng.normal(size=(6, 7, 2)).astype("float32")
    whole = patch(model, source, target, units=[0])
    np.testing.assert_allclose(whole.restored, 1.0, atol=1e-4)
    other = patch(model, source, target, units=[1, 2])
    np.testing.assert_allclose(other.restored, 0.0, atol=1e-6)
    keras_source = keras.ops.convert_to_numpy(model.predict_on_batch(source))
    np.testing.assert_allclose(whole.source_output, keras_source, rtol=1e-5, atol=1e-6)


def test_bad_interventions_name_the_argument():
    model = build([keras.layers.LSTM(5), keras.layers.Dense(1)])
    gru = build([keras.layers.GRU(3), keras.layers.Dense(1)])
    x = model._lw_x
    with pytest.raises(ValueError, match=r"units must be in 0\.\.4"):
        intervene(model, x, {"units": [5]})
    with pytest.raises(ValueError, match=r"array must be one of \('h',\) for a GRU"):
        intervene(gru, x, {"units": [0], "array": "c"})
    with pytest.raises(ValueError, match=r"shape \(time,\) = \(7,\)"):
        intervene(model, x, {"units": [0], "value": np.zeros(6)})
    with pytest.raises(ValueError, match=r"steps must be in 0\.\.6"):
        intervene(model, x, {"units": [0], "steps": [7]})
    with pytest.raises(ValueError, match="unknown intervention key"):
        intervene(model, x, {"units": [0], "unit": 1})
    with pytest.raises(TypeError, match="an intervention is a dict"):
        intervene(model, x, "zero unit 3")
