"""Step labels (dates, numbers, tokens), the legend's data range and masked steps."""

import datetime as dt

import keras
import numpy as np
import pandas as pd
import pytest

import lstm_widget as lw
from lstm_widget._view.labels import masked_runs, step_labels


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((10, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])


X = np.random.default_rng(0).normal(size=(3, 10, 2)).astype("float32")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (pd.date_range("2015-01-30", periods=10), ["2015-01-30", "2015-01-31", "2015-02-01"]),
        (
            pd.date_range("2015-01-01", periods=10, freq="6h"),
            ["2015-01-01 00:00", "2015-01-01 06:00"],
        ),
        (
            [dt.date(2020, 2, 28) + dt.timedelta(days=k) for k in range(10)],
            ["2020-02-28", "2020-02-29"],
        ),
        (pd.Series(np.arange(10) * 0.25), ["0", "0.25", "0.5"]),
        (pd.Index([f"t-{9 - k}" for k in range(10)]), ["t-9", "t-8"]),
        (np.arange(100, 110), ["100", "101"]),
    ],
)
def test_label_forms_and_formats(given, expected):
    labels = step_labels(given, None, X).for_sample(2)
    assert len(labels) == 10
    assert labels[: len(expected)] == expected


def test_labels_per_sample_and_tokens():
    table = np.array([[f"s{b}t{t}" for t in range(10)] for b in range(3)])
    assert step_labels(table, None, X).for_sample(1)[:2] == ["s1t0", "s1t1"]
    ids = np.array([[1, 2, 7, 0]])
    vocab = ["<pad>", "a", "<img src=x onerror=alert(1)>"]
    assert step_labels(None, vocab, ids).for_sample(0) == [
        "a",
        "<img src=x onerror=alert(1)>",
        "[7]",
        "<pad>",
    ]
    assert step_labels(None, {1: "one"}, ids).for_sample(0) == ["one", "[2]", "[7]", "[0]"]


def test_text_vectorization_gives_the_tokens():
    pytest.importorskip("tensorflow", reason="Keras's TextVectorization needs TensorFlow")
    vectorizer = keras.layers.TextVectorization()
    vectorizer.adapt(["hello world", "hello there"])
    assert step_labels(None, vectorizer, np.array([[2, 3]])).for_sample(0) == ["hello", "world"]
    assert step_labels(None, vectorizer, np.array([[2, 3]])).kind == "text"


@pytest.mark.parametrize(
    ("given", "vocab", "inputs", "message"),
    [
        (list(range(9)), None, X, r"per time step \(10\) or a \(batch, time\) = \(3, 10\)"),
        (np.zeros((2, 10)), None, X, r"got shape \(2, 10\)"),
        (list(range(10)), ["a"], X, "not both"),
        (None, ["a"], X, "needs integer token ids"),
    ],
)
def test_bad_labels_say_what_fits(given, vocab, inputs, message):
    with pytest.raises(ValueError, match=message):
        step_labels(given, vocab, inputs)
    with pytest.raises(TypeError, match="vocabulary must be"):
        step_labels(None, 5, np.zeros((1, 3), "int32"))


def test_explorer_sends_the_shown_samples_labels(model):
    table = np.array([[f"s{b}t{t}" for t in range(10)] for b in range(3)])
    w = lw.LSTMExplorer(model, X, step_labels=table)
    assert w.labels == table[0].tolist()
    assert w.label_kind == "text"  # drawn one per step when zoomed in
    w.sample = 2
    assert w.labels == table[2].tolist()
    w.set_step_labels(pd.date_range("2015-01-01", periods=10))
    assert w.labels[9] == "2015-01-10"
    assert w.label_kind == "dates"
    w.set_step_labels(np.arange(10) * 0.5)
    assert (w.labels[3], w.label_kind) == ("1.5", "numbers")
    w.set_step_labels()
    assert (w.labels, w.label_kind) == ([], "")
    with pytest.raises(ValueError, match="one label per time step"):
        lw.LSTMExplorer(model, X, step_labels=["a"])


def test_new_x_of_another_length_drops_the_labels():
    keras.utils.set_random_seed(0)
    free = keras.Sequential([keras.Input((None, 2)), keras.layers.LSTM(3)])
    w = lw.LSTMExplorer(free, X, step_labels=list("abcdefghij"))
    assert w.labels[0] == "a"
    with pytest.warns(UserWarning, match="step labels dropped"):
        w.x = np.zeros((1, 4, 2), "float32")
    assert w.labels == [] and w.n_steps == 4


def test_legend_range_is_the_exact_range_and_masked_runs_match_the_mask():
    keras.utils.set_random_seed(1)
    m = keras.Sequential(
        [
            keras.Input((3000,), dtype="int32"),
            keras.layers.Embedding(9, 4, mask_zero=True),
            keras.layers.LSTM(3),
        ]
    )
    ids = np.random.default_rng(1).integers(1, 9, (2, 3000)).astype("int32")
    ids[1, 100:250] = 0
    ids[1, 2990:] = 0
    w = lw.LSTMExplorer(m, ids, sample=1)
    c = w.current_trace().cell_state[0]
    assert w.n_steps == 3000  # the steps, not the overview's bins
    assert w.overview["range"] == [float(c.min()), float(c.max())]  # over 3000 steps, not bins
    assert w.overview["masked"] == [[100, 250], [2990, 3000]]
    assert masked_runs(np.ones(5, bool)) == [] and masked_runs(None) == []


def test_plot_trace_and_png_fallback_use_the_labels(model):
    dates = pd.date_range("2015-01-01", periods=10)
    fig = lw.plot_trace(lw.trace(model, X), 1, step_labels=dates)
    heatmap = fig.axes[1]  # layer input, units, then the colour bars
    texts = [t.get_text() for t in heatmap.get_xticklabels()]
    assert texts[:2] == ["2015-01-01", "2015-01-03"]
    w = lw.LSTMExplorer(model, X, step_labels=dates)
    shared = [t.get_text() for t in w.figure().axes[1].get_xticklabels()]
    assert shared == texts
    with pytest.raises(ValueError, match="one label per time step"):
        lw.plot_trace(lw.trace(model, X), 0, step_labels=["a"])


def test_selected_units_are_checked_and_follow_the_layer():
    keras.utils.set_random_seed(0)
    m = keras.Sequential(
        [keras.Input((10, 2)), keras.layers.LSTM(5, return_sequences=True), keras.layers.LSTM(3)]
    )
    w = lw.LSTMExplorer(m, X)
    w.selected_units = [4, 1, 4]
    assert w.selected_units == [4, 1]  # in order, once each
    w.layer = w.layers[1]  # three units: unit 4 is gone
    assert w.selected_units == [1]
    with pytest.raises(Exception, match=r"selected_units must be in 0\.\.2, got \[7\]"):
        w.selected_units = [7]
