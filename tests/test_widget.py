"""LSTMExplorer, kernel side: traits, window messages, static fallback."""

import base64

import keras
import numpy as np
import pytest
from conftest import weights_snapshot

import lstm_widget as lw
from lstm_widget._explorer.widget import WINDOW_ORDER
from lstm_widget._view.overview import bin_edges, downsample
from lstm_widget._view.serialization import from_wire, to_wire


@pytest.fixture(scope="module")
def model():
    return keras.Sequential(
        [
            keras.Input((12, 3)),
            keras.layers.LSTM(5, return_sequences=True, name="first"),
            keras.layers.Bidirectional(keras.layers.LSTM(4), name="bi"),
            keras.layers.Dense(2),
        ]
    )


def rand(*shape):
    return np.random.default_rng(3).normal(size=shape).astype("float32")


class Sent:
    """Collect what the widget sends to the front end."""

    def __init__(self, widget):
        self.messages = []
        widget.send = lambda content, buffers=None: self.messages.append((content, buffers))


def test_layers_and_probe_input(model):
    w = lw.LSTMExplorer(model)
    assert w.layers == ["first", "bi/forward", "bi/backward"]
    assert w.layer == "first"
    assert "probe input" in w.probe_note and "LSTMExplorer(model, x)" in w.probe_note
    assert (w.n_samples, w.n_steps, w.n_units) == (1, 12, 5)
    x = rand(3, 12, 3)
    w.x = x
    assert w.probe_note == "" and w.n_samples == 3
    # the explorer computes the shown sample alone: exactly trace() of that sample
    tr = lw.trace(model, x[[0]], "first")
    np.testing.assert_array_equal(from_wire(w.overview["data"]), tr.cell_state[0].T)
    np.testing.assert_array_equal(from_wire(w.overview["input"]), x[0].T)
    batch = lw.trace(model, x, "first")  # the whole batch rounds its products differently
    np.testing.assert_allclose(from_wire(w.overview["data"]), batch.cell_state[0].T, atol=1e-6)


def test_prediction_is_the_model_output(model):
    x = rand(2, 12, 3)
    w = lw.LSTMExplorer(model, x, sample=1)
    np.testing.assert_allclose(w.prediction, keras.ops.convert_to_numpy(model(x))[1], atol=1e-6)


def test_selection_changes_overview(model):
    x = rand(2, 12, 3)
    w = lw.LSTMExplorer(model, x, layer="bi")
    assert w.layer == "bi/forward"
    w.layer, w.sample, w.view = "bi/backward", 1, "f"
    tr = lw.trace(model, x[[1]], "bi").backward
    np.testing.assert_array_equal(from_wire(w.overview["data"]), tr.forget_gate[0].T)
    assert w.feature_names == [f"in{k}" for k in range(5)]
    with pytest.raises(Exception, match="sample must be in 0..1"):
        w.sample = 5
    with pytest.raises(Exception, match="layer must be one of"):
        w.layer = "nope"


def test_window_message_round_trip(model):
    x = rand(2, 12, 3)
    w = lw.LSTMExplorer(model, x)
    sent = Sent(w)
    w._on_message(
        w, {"type": "window", "id": 7, "layer": "first", "sample": 1, "start": 2, "stop": 9}, []
    )
    content, buffers = sent.messages[-1]
    assert content["id"] == 7 and content["shape"] == [6, 7, 5]
    block = np.frombuffer(buffers[0], "<f4").reshape(content["shape"])
    tr = lw.trace(model, x[[1]], "first")
    for k, name in enumerate(WINDOW_ORDER):
        np.testing.assert_array_equal(block[k], tr.array(name)[0, 2:9])
    inputs = np.frombuffer(buffers[1], "<f4").reshape(content["input_shape"])
    np.testing.assert_array_equal(inputs, x[1, 2:9])


def test_window_errors_are_replies_not_exceptions(model):
    w = lw.LSTMExplorer(model, rand(2, 12, 3))
    sent = Sent(w)
    w._on_message(w, {"type": "window", "id": 3, "sample": 9, "start": 0, "stop": 4}, [])
    assert sent.messages[-1][0] == {
        "type": "error",
        "id": 3,
        "message": "sample must be in 0..1, got 9.",
    }
    w._on_message(w, {"type": "window", "id": 4, "sample": 0}, [])
    assert sent.messages[-1][0]["type"] == "error" and sent.messages[-1][0]["id"] == 4


def test_bad_arguments(model):
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\): \['colour'\]"):
        lw.LSTMExplorer(model, colour="red")
    with pytest.raises(ValueError, match="5 features"):
        lw.LSTMExplorer(model, rand(1, 12, 5))
    with pytest.raises(ValueError, match="no layer named 'zzz'"):
        lw.LSTMExplorer(model, layer="zzz")
    with pytest.raises(ValueError, match=r"sample must be in 0..1 \(x has 2 samples\), got 2"):
        lw.LSTMExplorer(model, rand(2, 12, 3), sample=2)


def test_static_png_fallback_and_model_untouched(model):
    before = weights_snapshot(model)
    w = lw.LSTMExplorer(model, rand(1, 12, 3))
    data, _meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    for a, b in zip(before, weights_snapshot(model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_long_sequences_are_downsampled_exactly_by_bin_means():
    values = np.arange(10_000 * 2, dtype=np.float32).reshape(10_000, 2)
    values[5, 0] = np.nan
    ov = downsample(values, bins=2048)
    assert ov.shape == (2, 2048)
    edges = bin_edges(10_000, 2048)
    first = values[edges[0] : edges[1], 0]
    assert ov[0, 0] == pytest.approx(np.nanmean(first))
    assert ov[1, -1] == pytest.approx(values[edges[-2] : edges[-1], 1].mean())


def test_wire_codec_round_trip():
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    wire = to_wire(arr)
    assert wire["dtype"] == "float32" and wire["shape"] == [2, 3]
    assert isinstance(wire["buffer"], memoryview)
    np.testing.assert_array_equal(from_wire(wire), arr)
    with pytest.raises(ValueError, match=r"shape \(3, 3\) needs 9 values, got 6"):
        from_wire({**wire, "shape": [3, 3]})


def test_plot_trace_figure(model):
    tr = lw.trace(model, rand(1, 12, 3), "first")
    fig = lw.plot_trace(tr, view="f", step=4, feature_names=["a", "b", "c"])
    assert len(fig.axes) >= 2
    assert "forget gate f" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="unknown trace array 'q'"):
        lw.plot_trace(tr, view="q")


def test_attribution_strip_is_the_shown_samples_attribution(model):
    x = rand(3, 12, 3)
    w = lw.LSTMExplorer(model, x, attribution_method="occlusion")
    batch = lw.step_attribution(model, x, method="occlusion", output_index=0)
    for sample in (0, 2):
        w.sample = sample
        ref = lw.step_attribution(model, x[[sample]], method="occlusion", output_index=0)
        np.testing.assert_allclose(from_wire(w.attribution["data"]), ref[0], rtol=1e-6)
        np.testing.assert_allclose(from_wire(w.attribution["data"]), batch[sample], atol=1e-6)
    assert "replaced by the baseline" in w.attribution["note"]
    w.attribution_method = "none"
    assert w.attribution == {}


def test_a_gru_layer_in_the_explorer():
    model = keras.Sequential(
        [
            keras.Input((10, 3)),
            keras.layers.GRU(5, return_sequences=True, name="g"),
            keras.layers.LSTM(4, name="l"),
            keras.layers.Dense(1),
        ]
    )
    x = rand(3, 10, 3)
    w = lw.LSTMExplorer(model, x, sample=2)
    assert (w.layers, w.layer, w.view) == (["g", "l"], "g", "h")
    assert (w.views, w.gates) == (["z", "r", "hh", "h"], ["update", "reset", "candidate"])
    tr = lw.trace(model, x[[2]], "g")
    np.testing.assert_array_equal(from_wire(w.overview["data"]), tr.hidden_state[0].T)
    w.view = "r"
    np.testing.assert_array_equal(from_wire(w.overview["data"]), tr.reset_gate[0].T)
    content, buffers = w.window(2, 0, 10)
    assert content["views"] == ["z", "r", "hh", "h"] and content["shape"] == [4, 10, 5]
    block = np.frombuffer(buffers[0], "<f4").reshape(content["shape"])
    np.testing.assert_array_equal(block[2], tr.candidate[0])
    with pytest.raises(Exception, match=r"view must be one of \['z', 'r', 'hh', 'h'\], got 'c'"):
        w.view = "c"
    edits = {"update": {"bias_shift": 2.0}}
    w.edits = edits
    want = keras.ops.convert_to_numpy(lw.edited_model(model, edits, "g").predict_on_batch(x))
    np.testing.assert_allclose(w.edited_prediction, want[2], atol=1e-5)
    np.testing.assert_allclose(w.prediction, model.predict_on_batch(x)[2], atol=1e-5)
    assert w.error == ""
    title = w.figure().axes[0].get_title()  # the static picture of the GRU's view
    w.layer = "l"  # an LSTM: its arrays and gates; the GRU's edits do not apply to it
    assert (w.views, w.gates, w.view, w.edits) == (list(WINDOW_ORDER), list(lw.GATES), "c", {})
    lstm = lw.trace(model, x[[2]], "l")
    np.testing.assert_array_equal(from_wire(w.overview["data"]), lstm.cell_state[0].T)
    w.view = "h"
    w.layer = "g"  # h is a GRU array too: kept
    assert (w.view, w.views) == ("h", ["z", "r", "hh", "h"])
    assert "reset gate r" in title


def test_find_similar_lists_match_pattern_hits():
    from test_patterns import planted_x, tracker

    model, x = tracker(), planted_x()
    w = lw.LSTMExplorer(model, x, sample=3, view="h")
    w.selected_units = [0]
    found = w.find_similar(5, 10)
    want = lw.match_pattern(model, x, 3, 5, 10, units=[0])
    assert found["hits"] == [list(h) for h in want.hits] and w.pattern == found
    assert found["hits"][0][:3] == [12, 30, 35] and found["units"] == [0]
    w.pattern = {}
    w._on_message(None, {"type": "find", "sample": 3, "start": 5, "stop": 10, "threshold": 0.3}, [])
    assert w.pattern["hits"] == found["hits"]  # from the front end: the selected units
    w._on_message(None, {"type": "find", "sample": 4, "start": 5, "stop": 10, "threshold": 0.3}, [])
    assert w.pattern == {"note": "find similar: the sample changed: search again."}
    w.selected_units = []
    w._on_message(None, {"type": "find", "sample": 3, "start": 0, "stop": 0, "threshold": 0.3}, [])
    assert "the range must be 0 <= start < stop <= 40 (the steps), got [0, 0)" in w.pattern["note"]
    with pytest.raises(ValueError, match=r"units must be in 0..2 \(the layer's\), got \[3\]"):
        w.find_similar(5, 10, units=[3])


def test_a_selected_range_selects_the_units_on_there_and_is_the_query():
    from test_patterns import planted_x, tracker

    model, x = tracker(), planted_x()
    w = lw.LSTMExplorer(model, x, sample=7, view="h")
    assert w.select_range(22, 24) == [0, 1]  # units 0 and 1 are on together there
    assert (w.query_range, w.selected_units) == ([22, 24], [0, 1])
    assert w.pattern["note"] == "units [0, 1] on: find similar searches x for them"
    w.select_range(20, 26)  # unit 1 is off at 20, 21, 24, 25
    assert w.selected_units == [0]
    found = w.find_similar(*w.query_range)
    assert found["hits"] == [list(h) for h in lw.match_pattern(model, x, 7, 20, 26).hits]
    assert found["hits"][0][:3] == [3, 5, 10]
    w.selected_units = []  # no selection: the units on in the range
    assert w.find_similar(20, 26)["hits"] == found["hits"]
    assert w.select_range(0, 5) == [] and w.selected_units == []
    assert w.pattern["note"].startswith("no unit is >= 0.3 at every step of steps 0..4")
    assert w.pattern["note"].endswith(": lower the threshold")
    assert w.select_range(0, 5, threshold=-0.8) == [0, 1, 2]  # h ~ -0.76 when off
    msg = {"type": "query", "sample": 7, "start": 30, "stop": 35, "threshold": 0.3}
    w._on_message(None, msg, [])  # Shift-drag in the front end
    assert (w.query_range, w.selected_units) == ([30, 35], [])  # nothing on in sample 7 there
    w._on_message(None, {**msg, "stop": 99}, [])
    assert "stop <= 40" in w.pattern["note"] and w.pattern["note"].startswith("select range: ")
    w.select_range(22, 24)
    w.sample = 3  # another sample: the range was the old one's
    assert w.query_range == []


def test_find_similar_on_a_bidirectional_layers_backward_direction():
    rng = np.random.default_rng(8)
    model = keras.Sequential(
        [keras.Input((30, 2)), keras.layers.Bidirectional(keras.layers.LSTM(6), name="bi")]
    )
    model.set_weights([2 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(12, 30, 2)).astype("float32")
    w = lw.LSTMExplorer(model, x, "bi/backward", sample=4, view="o")
    assert w.layer == "bi/backward"  # a direction can be asked for up front
    back = lw.trace(model, x).backward.output_gate[4, 10:14]
    want = [u for u in range(6) if back[:, u].min() >= 0.3]
    assert want and w.select_range(10, 14) == want
    found = w.find_similar(10, 14)
    plain = lw.match_pattern(model, x, 4, 10, 14, 0.3, "o", units=[u + 6 for u in want])
    assert found["units"] == want and found["hits"] == [list(h) for h in plain.hits]
    assert found["hits"]  # the comparison is not vacuous


def test_sliders_on_a_bidirectional_direction_edit_that_direction():
    from test_whatif import hand_edited

    model = keras.Sequential(
        [
            keras.Input((10, 3)),
            keras.layers.Bidirectional(keras.layers.LSTM(4), name="bi"),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(11)
    model.set_weights([rng.normal(size=v.shape).astype("float32") for v in model.get_weights()])
    x = rng.normal(size=(5, 10, 3)).astype("float32")
    edit = {"forget": {"bias_shift": -2.0}, "output": {"kernel_scale": 0.5, "units": [1]}}
    w = lw.LSTMExplorer(model, x, "bi/backward", sample=2, edits=edit, compare="edited")
    ref = hand_edited(model, "bi", "backward", edit, lw.GATES)
    assert w.error == ""
    np.testing.assert_allclose(w.edited_prediction, ref.predict_on_batch(x[[2]])[0], atol=1e-5)
    want = lw.trace(ref, x[[2]], "bi").backward
    np.testing.assert_allclose(w.edited_trace().forget_gate, want.forget_gate, atol=1e-5)
    np.testing.assert_allclose(from_wire(w.overview["data"]), want.cell_state[0].T, atol=1e-5)
    np.testing.assert_allclose(
        w.edited_model().predict_on_batch(x), ref.predict_on_batch(x), atol=1e-5
    )
    w.layer = "bi/forward"  # the edits now apply to the forward direction
    ref = hand_edited(model, "bi", "forward", edit, lw.GATES)
    np.testing.assert_allclose(w.edited_prediction, ref.predict_on_batch(x[[2]])[0], atol=1e-5)
    np.testing.assert_allclose(
        w.edited_trace().cell_state, lw.trace(ref, x[[2]], "bi").forward.cell_state, atol=1e-5
    )


def _unit_image(fig):
    """The heatmap of the shown array in a figure, and the figure's title."""
    ax = next(a for a in fig.axes if a.images and a.get_ylabel() == "unit")
    return np.asarray(ax.images[0].get_array()), fig.axes[0].get_title()


def test_the_saved_picture_shows_what_the_widget_shows(model):
    """The PNG of a saved notebook: the compared array (read back from the figure's image),
    the edits, the probe note. The edited values come from lw.what_if, not the widget."""
    x = rand(2, 12, 3)
    edits = {"forget": {"bias_shift": -3.0}}
    w = lw.LSTMExplorer(model, x, layer="first", sample=1)
    w.view, w.edits = "f", edits
    base = lw.trace(model, x[[1]], "first").forget_gate
    edited = lw.what_if(model, x[[1]], edits, "first").edited.forget_gate
    for compare, want, said in [
        ("baseline", base, None),
        ("edited", edited, "forget gate f, edited, sample 1"),
        ("difference", edited - base, "forget gate f, edited − baseline, sample 1"),
    ]:
        w.compare = compare
        fig = w.figure()
        image, title = _unit_image(fig)
        np.testing.assert_allclose(image, downsample(want[0]), atol=1e-6, err_msg=compare)
        low, high = next(a for a in fig.axes if a.get_ylabel() == "unit").images[0].get_clim()
        assert (low, high) == ((-high, high) if compare == "difference" else (0.0, 1.0))
        if said is None:
            assert "edit" not in title
        else:
            assert said in title and "edits: forget: bias -3" in title
    w.compare, w.visible_range = "difference", [3, 9]  # the browser's zoom, once it rests
    fig = w.figure()
    image, _ = _unit_image(fig)
    np.testing.assert_allclose(image, downsample((edited - base)[0, 3:9]), atol=1e-6)
    unit_axes = next(a for a in fig.axes if a.images and a.get_ylabel() == "unit")
    assert unit_axes.get_xlabel().startswith("time step (3–8 of 12")
    probe = lw.LSTMExplorer(model, layer="first")
    assert "Showing a probe input, not your data" in _unit_image(probe.figure())[1]
