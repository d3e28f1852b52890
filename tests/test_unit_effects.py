"""unit_effects: every unit ablated in one batched run equals one intervention per unit."""

import keras
import numpy as np
import pytest
from test_interventions import build, planted_model

from lstm_widget._analyses.effects import unit_effects
from lstm_widget._analyses.interventions import intervene


def one_by_one(model, x, array, value, units):  # noqa: ANN001, ANN202
    """Per unit, the mean |change| and mean change of the output, one intervention each."""
    changes = []
    for u in range(units):
        res = intervene(model, x, {"units": u, "array": array, "value": value})
        changes.append((res.edited_output - res.baseline_output)[:, 0])
    c = np.stack(changes, axis=1)
    return np.abs(c).mean(axis=0), c.mean(axis=0)


@pytest.mark.parametrize(
    ("layers", "array", "mode", "units"),
    [
        ([keras.layers.LSTM(5), keras.layers.Dense(1)], "c", "zero", 5),
        ([keras.layers.LSTM(4, return_sequences=True),
          keras.layers.LSTM(3), keras.layers.Dense(1)], "h", "mean", 4),
        ([keras.layers.GRU(4), keras.layers.Dense(1)], "h", "mean", 4),
        ([keras.layers.Bidirectional(keras.layers.LSTM(3)), keras.layers.Dense(1)], "c", "zero", 6),
    ],
    ids=["lstm-c-zero", "stacked-h-mean", "gru-h-mean", "bidirectional-c-zero"],
)  # fmt: skip
def test_batched_ablation_equals_one_intervention_per_unit(layers, array, mode, units):
    model = build(layers, batch=9)
    x = model._lw_x
    effects = unit_effects(model, x, mode=mode, array=array)
    value = 0.0 if mode == "zero" else "mean"
    mean_abs, mean_signed = one_by_one(model, x, array, value, units)
    np.testing.assert_allclose(effects.mean_abs, mean_abs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(effects.mean_signed, mean_signed, rtol=1e-5, atol=1e-6)
    assert effects.samples == 9 and effects.mean_abs.max() > 1e-4
    np.testing.assert_array_equal(effects.ranked, np.argsort(-mean_abs, kind="stable"))


def test_the_unit_that_carries_the_signal_ranks_first_with_the_whole_change():
    model = planted_model()
    x = np.random.default_rng(3).normal(size=(40, 7, 2)).astype("float32")
    effects = unit_effects(model, x, array="h")
    out = keras.ops.convert_to_numpy(model.predict_on_batch(x))[:, 0]
    assert effects.ranked[0] == 0
    np.testing.assert_allclose(effects.mean_abs[0], np.abs(out).mean(), rtol=1e-5)  # all of it
    np.testing.assert_allclose(effects.mean_abs[1:], 0.0, atol=1e-7)


def test_blocks_streams_and_progress_give_the_same_answer(monkeypatch):
    import lstm_widget._analyses.effects as effects_module

    model = build([keras.layers.LSTM(4), keras.layers.Dense(1)], batch=10)
    x = model._lw_x
    whole = unit_effects(model, x, mode="mean")
    monkeypatch.setattr(effects_module, "BLOCK_VALUES", 4 * 7 * 3 * 3)  # 3 samples a block
    told = []
    blocked = unit_effects(model, x, mode="mean", progress=told.append)
    assert told == [3, 3, 3, 1]
    streamed = unit_effects(model, (x[k : k + 4] for k in range(0, 10, 4)))
    np.testing.assert_allclose(blocked.mean_abs, whole.mean_abs, rtol=1e-6)
    np.testing.assert_allclose(streamed.mean_abs, unit_effects(model, x).mean_abs, rtol=1e-6)
    with pytest.raises(ValueError, match="reads x twice"):
        unit_effects(model, (x[k : k + 4] for k in range(0, 10, 4)), mode="mean")


def test_bad_arguments_are_named():
    model = build([keras.layers.GRU(3), keras.layers.Dense(2)])
    x = model._lw_x
    with pytest.raises(ValueError, match=r"mode must be one of \('zero', 'mean'\)"):
        unit_effects(model, x, mode="one")
    with pytest.raises(ValueError, match=r"array must be one of \('h',\) for a GRU"):
        unit_effects(model, x, array="c")
    with pytest.raises(ValueError, match="2 output values per sample; pick one with output_index"):
        unit_effects(model, x)
    assert unit_effects(model, x, output_index=1).mean_abs.shape == (3,)
    with pytest.raises(ValueError, match="output_index must be an int, 'all' or None"):
        unit_effects(model, x, output_index="every")


def test_all_output_values_are_averaged():
    model = build([keras.layers.LSTM(3, return_sequences=True), keras.layers.Dense(2)])
    x = model._lw_x
    effects = unit_effects(model, x, output_index="all")
    for u in range(3):
        res = intervene(model, x, {"units": u})
        change = res.edited_output - res.baseline_output  # (batch, time, 2)
        np.testing.assert_allclose(effects.mean_abs[u], np.abs(change).mean(), rtol=1e-5)
        np.testing.assert_allclose(effects.mean_signed[u], change.mean(), rtol=1e-4, atol=1e-7)


def test_a_tf_data_dataset_of_x_y_batches_is_read_block_by_block():
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.data with Keras's TensorFlow backend")
    model = build([keras.layers.LSTM(4), keras.layers.Dense(1)], batch=10)
    x = model._lw_x
    data = tf.data.Dataset.from_tensor_slices((x, np.zeros(10, "float32"))).batch(4)
    told = []
    streamed = unit_effects(model, data, mode="mean", progress=told.append)  # read twice
    assert told == [4, 4, 2]
    np.testing.assert_allclose(
        streamed.mean_abs, unit_effects(model, x, "mean").mean_abs, rtol=1e-6
    )


@pytest.mark.parametrize(
    ("layers", "layer", "array", "units"),
    [
        ([keras.layers.Masking(0.0), keras.layers.LSTM(4, name="rnn"), keras.layers.Dense(1)],
         "rnn", "c", 4),
        ([keras.layers.LSTM(4, go_backwards=True, name="rnn"), keras.layers.Dense(2)],
         "rnn", "h", 4),
        ([keras.layers.GRU(3, reset_after=False, name="rnn"), keras.layers.Dense(1)],
         "rnn", "h", 3),
        ([keras.layers.LSTM(4, return_sequences=True, name="low"), keras.layers.Dropout(0.5),
          keras.layers.GRU(3, name="rnn"), keras.layers.Dense(1)], "rnn", "h", 3),
        ([keras.layers.Masking(0.0), keras.layers.Bidirectional(keras.layers.GRU(2), name="rnn",
          merge_mode="sum"), keras.layers.Dense(1)], "rnn", "h", 4),
    ],
    ids=["masked", "go-backwards-h", "gru-reset-before", "second-layer", "masked-bidirectional"],
)  # fmt: skip
def test_the_compiled_ablation_equals_one_intervention_per_unit(monkeypatch, layers, layer,
                                                                 array, units):  # fmt: skip
    import lstm_widget._analyses.effects as effects_module

    def numpy_path(*args):  # noqa: ANN002, ANN202
        raise AssertionError("a layer that returns its last state runs compiled")

    monkeypatch.setattr(effects_module, "_ablated", numpy_path)
    model = build(layers, batch=6)
    x = model._lw_x
    x[2, 4:] = 0.0  # masked steps where a Masking layer is
    effects = unit_effects(model, x, array=array, layer=layer, output_index=0)
    changes = []
    for u in range(units):
        res = intervene(model, x, {"units": u, "array": array, "value": 0.0}, layer)
        changes.append((res.edited_output - res.baseline_output)[:, 0])
    c = np.stack(changes, axis=1)
    np.testing.assert_allclose(effects.mean_abs, np.abs(c).mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(effects.mean_signed, c.mean(axis=0), rtol=1e-5, atol=1e-6)
    assert effects.mean_abs.max() > 1e-4
