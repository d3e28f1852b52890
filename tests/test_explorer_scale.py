"""The explorer at dataset scale: per-sample work, a bounded cache, never stale, progress."""

import keras
import numpy as np
import pytest
from conftest import weights_snapshot

import lstm_widget as lw
from lstm_widget._analyses.whatif import _HEADS
from lstm_widget._explorer.watch import ModelWatch
from lstm_widget._view.serialization import from_wire

ATOL = 1e-5


def rand(*shape, seed=3):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def stacked(seed=0, steps=15):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((steps, 4)),
            keras.layers.LSTM(6, return_sequences=True, name="low"),
            keras.layers.LSTM(5, name="high"),
            keras.layers.Dense(3),
        ]
    )


def kinds(w):
    return sorted({(k[0], k[1], k[2]) for k in w.cache_info()["entries"]})


def test_construction_and_edits_trace_only_the_shown_sample():
    model = stacked()
    x = rand(1000, 15, 4)
    w = lw.LSTMExplorer(model, x, sample=7)
    assert w.n_samples == 1000
    assert kinds(w) == [("output", "low", 7), ("trace", "low", 7)]
    w.edits = {"forget": {"bias_shift": -1.5}}
    assert kinds(w) == [
        ("edited", "low", 7),
        ("edited_output", "low", 7),
        ("output", "low", 7),
        ("trace", "low", 7),
    ]
    # a new slider position replaces the old edited entries: one per layer and sample
    w.edits = {"forget": {"bias_shift": -1.0}}
    entries = [k[0] for k in w.cache_info()["entries"]]
    assert entries.count("edited") == 1 and entries.count("edited_output") == 1
    w.sample = 900
    assert {k[2] for k in w.cache_info()["entries"]} == {7, 900}


def test_explorer_numbers_equal_trace_and_what_if_of_that_sample():
    model = stacked()
    x = rand(50, 15, 4)
    edits = {"input": {"kernel_scale": 0.5}, "output": {"bias_shift": 1.0}}
    w = lw.LSTMExplorer(model, x, sample=11, layer="high")
    w.edits, w.compare, w.view = edits, "edited", "h"
    res = lw.what_if(model, x[[11]], edits, layer="high")
    np.testing.assert_array_equal(from_wire(w.overview["data"]), res.edited.hidden_state[0].T)
    np.testing.assert_array_equal(w.edited_prediction, res.edited_output[0].astype(np.float64))
    np.testing.assert_array_equal(w.prediction, res.baseline_output[0].astype(np.float64))
    np.testing.assert_allclose(w.prediction, model.predict_on_batch(x[[11]])[0], atol=ATOL)
    np.testing.assert_array_equal(
        w.current_trace().cell_state, lw.trace(model, x[[11]], "high").cell_state
    )


def test_window_of_another_sample_computes_that_sample_alone():
    model = stacked()
    x = rand(300, 15, 4)
    w = lw.LSTMExplorer(model, x)
    content, buffers = w.window(123, 0, 15)
    block = np.frombuffer(buffers[0], "<f4").reshape(content["shape"])
    np.testing.assert_array_equal(block[4], lw.trace(model, x[[123]], "low").cell_state[0])
    assert ("trace", "low", 123) in kinds(w)
    assert len(kinds(w)) == 3  # sample 0's trace and output, sample 123's trace


def test_cache_stays_within_its_budget():
    model = stacked()
    x = rand(40, 15, 4)
    one = 6 * 15 * 6 * 4 + 15 * 4 * 4  # six arrays of (15, 6) float32 and the layer input
    w = lw.LSTMExplorer(model, x, memory_budget=3 * one + 100)
    for s in range(10):
        w.sample = s
        assert w.cache_info()["bytes"] <= w.cache_info()["budget"]
    traces = [k for k in w.cache_info()["entries"] if k[0] == "trace"]
    assert [k[2] for k in traces] == [7, 8, 9]  # the most recently shown ones
    w.sample = 8  # still cached: nothing is computed again
    assert [k[2] for k in w.cache_info()["entries"] if k[0] == "trace"] == [7, 9, 8]


def fresh_numbers(model, x, sample):
    return (
        keras.ops.convert_to_numpy(model.predict_on_batch(x[[sample]]))[0],
        lw.trace(model, x[[sample]], "low").cell_state[0],
    )


def test_after_fit_the_explorer_shows_the_new_model():
    model = stacked()
    model.compile(optimizer="adam", loss="mse")
    x = rand(64, 15, 4)
    w = lw.LSTMExplorer(model, x, sample=5)
    old = np.array(w.prediction)
    model.fit(x, rand(64, 3, seed=9), epochs=2, verbose=0)
    assert w.model_note == ""
    w.view = "h"  # any interaction: the explorer notices and recomputes
    w.view = "c"
    pred, cell = fresh_numbers(model, x, 5)
    assert "changed" in w.model_note and "recomputed" in w.model_note
    assert not np.allclose(w.prediction, old, atol=1e-4)
    np.testing.assert_allclose(w.prediction, pred, atol=ATOL)
    np.testing.assert_array_equal(from_wire(w.overview["data"]), cell.T)


@pytest.mark.parametrize("how", ["set_weights", "load_weights", "optimizer_step", "refresh"])
def test_weight_changes_are_noticed_at_the_next_interaction(how, tmp_path):
    model = stacked()
    x = rand(8, 15, 4)
    w = lw.LSTMExplorer(model, x, sample=2)
    weights = [v * 1.5 for v in model.get_weights()]
    if how == "set_weights":
        model.set_weights(weights)
    elif how == "load_weights":
        other = stacked(seed=1)
        other.save_weights(tmp_path / "w.weights.h5")
        model.load_weights(tmp_path / "w.weights.h5")
    elif how == "optimizer_step":
        opt = keras.optimizers.SGD(0.5)
        opt.apply_gradients([(keras.ops.ones(v.shape), v) for v in model.trainable_variables])
    else:
        model.set_weights(weights)
        w.refresh()  # explicit
    if how != "refresh":
        content, buffers = w.window(2, 0, 15)  # a window request is an interaction too
        block = np.frombuffer(buffers[0], "<f4").reshape(content["shape"])
        np.testing.assert_array_equal(block[4], fresh_numbers(model, x, 2)[1])
    pred, cell = fresh_numbers(model, x, 2)
    np.testing.assert_allclose(w.prediction, pred, atol=ATOL)
    np.testing.assert_array_equal(from_wire(w.overview["data"]), cell.T)


def test_watch_sees_one_changed_element_and_restored_states():
    model = stacked()
    watch = ModelWatch(model)
    assert watch.changed()  # nothing marked yet
    watch.mark()
    assert not watch.changed()
    kernel = model.get_layer("high").cell.kernel
    value = kernel.numpy()
    value[3, 7] += 1e-6
    kernel.assign(value)
    assert watch.changed()
    watch.mark()
    assert not watch.changed()


def test_stateful_model_is_computed_for_its_batch_and_notices_state_changes():
    keras.utils.set_random_seed(0)
    lstm = keras.layers.LSTM(4, stateful=True, name="low")
    model = keras.Sequential([keras.Input((6, 2), batch_size=3), lstm, keras.layers.Dense(1)])
    x = rand(3, 6, 2)
    model.predict_on_batch(x)  # the states are no longer zero
    w = lw.LSTMExplorer(model, x, sample=1)
    assert {k[2] for k in w.cache_info()["entries"]} == {None}  # the whole (fixed) batch
    np.testing.assert_array_equal(
        from_wire(w.overview["data"]), lw.trace(model, x, "low").cell_state[1].T
    )
    model.predict_on_batch(x)  # advances the states: a changed model
    if keras.backend.backend() == "jax":  # Keras's JAX predict leaves the states as they were
        for state in lstm.states:
            state.assign(state + 0.5)
    w.sample = 2
    assert "changed" in w.model_note
    np.testing.assert_array_equal(
        from_wire(w.overview["data"]), lw.trace(model, x, "low").cell_state[2].T
    )


def test_incompatible_change_is_an_error_line_and_keeps_edits_and_selection():
    model = stacked()
    x = rand(4, 15, 4)
    w = lw.LSTMExplorer(model, x, layer="high", sample=3)
    w.edits = {"forget": {"bias_shift": 1.0}}
    model.pop()
    model.pop()  # the shown layer is gone
    w.view = "h"
    assert "'high' is no longer in the model" in w.error
    assert "low" in w.error
    assert w.layers == ["low"]
    assert (w.layer, w.sample, w.edits) == ("high", 3, {"forget": {"bias_shift": 1.0}})


def test_refresh_lists_the_layers_as_they_are_now():
    model = stacked()
    w = lw.LSTMExplorer(model, rand(2, 15, 4))
    model.pop()
    model.pop()
    w.refresh()
    assert w.layers == ["low"] and w.error == ""


def test_busy_says_what_is_computed_and_ends_empty():
    model = stacked()
    x = rand(20, 15, 4)
    w = lw.LSTMExplorer(model, x)
    said = []
    w.observe(lambda change: said.append(change["new"]), "busy")
    w.sample = 13
    assert any("sample 13" in s and "'low'" in s for s in said)
    assert said[-1] == "" and w.busy == ""
    said.clear()
    w.sample = 0  # cached: nothing to compute, nothing to say
    assert all(s == "" for s in said)


def test_attribution_is_for_the_shown_sample_only():
    model = keras.Sequential([keras.Input((10, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
    x = rand(500, 10, 2)
    w = lw.LSTMExplorer(model, x, sample=4, attribution_method="integrated_gradients")
    ref = lw.step_attribution(model, x[[4]], "integrated_gradients")
    np.testing.assert_allclose(from_wire(w.attribution["data"]), ref[0], rtol=1e-5, atol=1e-7)
    attributed = {k[2] for k in w.cache_info()["entries"] if k[0] == "attribution"}
    assert attributed == {4}


def test_model_is_untouched_and_no_graph_nodes_are_added():
    model = stacked()
    before = weights_snapshot(model)
    nodes = [len(layer._inbound_nodes) for layer in model.layers]
    x = rand(5, 15, 4)
    w = lw.LSTMExplorer(model, x)
    w.edits = {"cell": {"recurrent_scale": 0.2}}
    w.layer = "high"
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [len(layer._inbound_nodes) for layer in model.layers] == nodes
    assert model.get_layer("low").output is not None  # one node: .output still works


def test_layers_after_the_lstm_run_compiled():
    """An eager LSTM after the shown one costs a Python round trip per step (seconds)."""
    model = stacked()
    x = rand(3, 15, 4)
    w = lw.LSTMExplorer(model, x)
    w.edits = {"forget": {"bias_shift": 1.0}}
    heads = _HEADS[model]
    plain, xla = heads[("low", False)], heads[("low", True)]  # baseline, edited outputs
    assert plain.built and xla.built
    assert plain.jit_compile == (keras.backend.backend() == "jax")  # Keras's "auto" default
    assert xla.jit_compile is True  # XLA compiled it: the fallback would have turned it off
    assert sorted(k for k in heads if k[0] == "low") == [("low", False), ("low", True)]
    # compiled, not the eager fallback (which a scope-name error would take)
    out = plain.predict_on_batch(w.current_trace().hidden_state)
    np.testing.assert_allclose(out[0], w.prediction, atol=ATOL)
    edited = xla.predict_on_batch(w.edited_trace().hidden_state)
    np.testing.assert_allclose(edited[0], w.edited_prediction, atol=1e-6)


def test_progress_bars_in_the_api(capsys):
    model = stacked(steps=None)
    x = rand(6, 300, 4)
    quiet = lw.trace(model, x, "high")
    loud = lw.trace(model, x, "high", progress=True)
    np.testing.assert_array_equal(quiet.cell_state, loud.cell_state)
    err = capsys.readouterr().err
    assert "trace high" in err and "1800/1800" in err  # batch x time steps, all done
    lw.what_if(model, x, {"forget": {"bias_shift": 1.0}}, progress=True)
    err = capsys.readouterr().err
    assert "baseline low" in err and "edited low" in err
    small = x[:, :20]
    a = lw.step_attribution(model, small, "integrated_gradients", output_index=0, progress=True)
    b = lw.step_attribution(model, small, "integrated_gradients", output_index=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert "integrated gradients" in capsys.readouterr().err


def test_slider_sends_the_timeline_first_and_never_an_old_edited_prediction():
    model = stacked()
    x = rand(4, 15, 4)
    w = lw.LSTMExplorer(model, x, compare="edited")
    w.edits = {"forget": {"bias_shift": -1.0}}
    old = list(w.edited_prediction)
    seen = []
    w.observe(lambda c: seen.append((c["name"], c["new"])), ["overview", "edited_prediction"])
    w.edits = {"forget": {"bias_shift": 2.0}}
    names = [name for name, _ in seen]
    assert names == ["edited_prediction", "overview", "edited_prediction"]
    assert seen[0][1] == []  # cleared with the new timeline, not left at the old value
    new = seen[2][1]
    assert new != old
    ref = lw.what_if(model, x[[0]], w.edits)  # the explorer's head runs XLA-compiled
    np.testing.assert_allclose(new, ref.edited_output[0], atol=1e-6)
    seen.clear()
    w.view = "h"  # the edited prediction is cached: no clearing, no flicker
    assert [name for name, _ in seen] == ["overview"]


def test_gru_edits_keep_one_edited_clone_whatever_the_sample():
    model = keras.Sequential([keras.Input((10, 3)), keras.layers.GRU(4, name="g")])
    x = rand(6, 10, 3)
    w = lw.LSTMExplorer(model, x, sample=0)
    w.edits = {"update": {"bias_shift": 1.5}}
    first = w._session._clone
    for s in (1, 2, 3):
        w.sample = s
        want = lw.edited_model(model, w.edits, "g").predict_on_batch(x[[s]])[0]
        np.testing.assert_allclose(w.edited_prediction, want, atol=ATOL)
    assert w._session._clone is first  # the same clone served every sample
    w.edits = {"update": {"bias_shift": -1.0}}
    assert w._session._clone is not first  # a new edit: a new clone, the old one dropped
