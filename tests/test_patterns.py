"""What a unit does: pattern search, correlation, saturation; hand-set weights, known answers."""

import gc
import tracemalloc

import keras
import numpy as np
import pytest

import lstm_widget as lw
import lstm_widget._analyses.stream as stream


def tracker(units=3, features=3, mask_value=None):
    """LSTM whose unit k is on (h ~ +0.76) exactly while feature k is 1, else h ~ -0.76.

    i ~ 1, f ~ 0, o ~ 1 (biases +-10) and g = tanh(10 x_k - 5): c follows g step by step.
    With ``mask_value``, a Masking layer skips steps whose features all equal it.
    """
    masking = [] if mask_value is None else [keras.layers.Masking(mask_value)]
    model = keras.Sequential(
        [keras.Input((None, features)), *masking, keras.layers.LSTM(units, name="lstm")]
    )
    kernel = np.zeros((features, 4 * units), "float32")
    for k in range(units):
        kernel[k, 2 * units + k] = 10.0
    bias = np.concatenate(
        [np.full(units, 10.0), np.full(units, -10.0), np.full(units, -5.0), np.full(units, 10.0)]
    ).astype("float32")
    model.get_layer("lstm").set_weights([kernel, np.zeros((units, 4 * units), "float32"), bias])
    return model


PLANTED = [(3, 5, 10), (7, 20, 26), (12, 30, 35), (15, 0, 4)]


def planted_x():
    x = np.zeros((20, 40, 3), "float32")
    for s, a, b in PLANTED:
        x[s, a:b, 0] = 1.0
    x[7, 22:24, 1] = 1.0  # another unit on inside one planted event
    rng = np.random.default_rng(0)
    for s in range(20):  # feature 1 and 2 events elsewhere
        for f in (1, 2):
            a = int(rng.integers(0, 36))
            x[s, a : a + 3, f] = 1.0
    x[:, :, 1:] *= x[:, :, :1] == 0  # ...but not during the planted feature-0 events
    x[7, 22:24, 1] = 1.0
    return x


def test_match_pattern_finds_the_planted_events_first():
    model, x = tracker(), planted_x()
    m = lw.match_pattern(model, x, sample=3, start=5, stop=10)
    assert m.units.tolist() == [0]
    assert [h[:3] for h in m.hits] == [(12, 30, 35), (15, 0, 4), (7, 20, 26)]
    assert [h[3] for h in m.hits[:2]] == [1.0, 1.0]
    # sample 7: unit 1 also on for 2 of the 6 steps, one of the two other units
    assert m.hits[2][3] == pytest.approx(1 - (2 * 0.5) / 6)
    explicit = lw.match_pattern(model, x, 3, 5, 10, units=[0], min_length=5)
    assert [h[:3] for h in explicit.hits] == [(12, 30, 35), (7, 20, 26)]


def test_masked_steps_are_never_on():
    """Keras carries h over a masked step, so h stays on there: no hit may include it."""
    model, x = tracker(mask_value=-1.0), planted_x()
    x[15, 0:4, 0] = 0.0  # drop the event at (15, 0, 4)
    x[5, 30:34, 0] = 1.0  # an event of 4 steps, then masked steps
    x[5, 34:] = -1.0
    assert lw.trace(model, x).hidden_state[5, 34:, 0].min() > 0.7  # on, carried over
    m = lw.match_pattern(model, x, 3, 5, 10)
    assert sorted(h[:3] for h in m.hits) == [(5, 30, 34), (7, 20, 26), (12, 30, 35)]
    query = lw.match_pattern(model, x, 5, 32, 36)  # steps 34, 35 are masked
    assert query.units.size == 0 and query.hits == []
    assert query.note == (
        "sample 5, steps 32..35 include masked steps, where no unit is on: "
        "choose steps the layer ran"
    )


def test_streams_give_the_same_answers_as_the_array():
    tf = pytest.importorskip("tensorflow", reason="tf.data needs TensorFlow")
    model, x = tracker(), planted_x()
    want = lw.match_pattern(model, x, 3, 5, 10)
    generator = (x[k : k + 7] for k in range(0, 20, 7))
    assert lw.match_pattern(model, generator, 3, 5, 10).hits == want.hits
    data = tf.data.Dataset.from_tensor_slices((x, np.zeros(20))).batch(6)
    assert lw.match_pattern(model, data, 3, 5, 10).hits == want.hits
    r = lw.unit_correlation(model, data, x[..., 0]).r
    np.testing.assert_allclose(r, lw.unit_correlation(model, x, x[..., 0]).r, atol=1e-12)


def test_unit_correlation_finds_the_tracking_unit():
    model, x = tracker(), planted_x()
    corr = lw.unit_correlation(model, x, x[..., 0])
    assert corr.ranked[0] == 0 and corr.r[0] == pytest.approx(1.0, abs=1e-4)
    assert np.abs(corr.r[1:]).max() < 0.3
    assert corr.steps == 20 * 40
    h = lw.trace(model, x).hidden_state[..., 2].ravel()  # a direct computation for unit 2
    assert corr.r[2] == pytest.approx(np.corrcoef(h, x[..., 0].ravel())[0, 1], abs=1e-6)


def test_gate_saturation_equals_a_direct_count():
    model = keras.Sequential([keras.Input((30, 4)), keras.layers.LSTM(6, name="lstm")])
    rng = np.random.default_rng(3)
    model.set_weights(
        [2.5 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    )
    x = rng.normal(size=(9, 30, 4)).astype("float32")
    sat = lw.gate_saturation(model, x)
    tr = lw.trace(model, x)
    assert sat.gates == ("input", "forget", "output") and sat.steps == 9 * 30
    for k, gate in enumerate((tr.input_gate, tr.forget_gate, tr.output_gate)):
        np.testing.assert_allclose(sat.left[k], (gate < 0.1).mean(axis=(0, 1)))
        np.testing.assert_allclose(sat.right[k], (gate > 0.9).mean(axis=(0, 1)))
    assert sat.left.max() > 0 and sat.right.max() > 0
    fig = lw.plot_gate_saturation(sat)
    assert [ax.get_title() for ax in fig.axes] == ["input gate", "forget gate", "output gate"]
    hand = lw.gate_saturation(tracker(), planted_x())  # i ~ 1, f ~ 0, o ~ 1 everywhere
    np.testing.assert_array_equal(hand.right, [[1, 1, 1], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(hand.left, [[0, 0, 0], [1, 1, 1], [0, 0, 0]])


def test_gru_saturation_and_masked_steps_are_left_out():
    model = keras.Sequential(
        [keras.Input((12, 2)), keras.layers.Masking(0.0), keras.layers.GRU(4, name="g")]
    )
    x = np.random.default_rng(4).normal(size=(5, 12, 2)).astype("float32")
    x[2, 8:] = 0.0
    sat = lw.gate_saturation(model, x)
    tr = lw.trace(model, x)
    on = tr.mask
    assert sat.gates == ("update", "reset") and sat.steps == int(on.sum()) == 5 * 12 - 4
    np.testing.assert_allclose(sat.left[0], (tr.update_gate[on] < 0.1).mean(axis=0))


def test_blocks_keep_memory_bounded(monkeypatch):
    """Blocks of two samples: the pass never holds the whole of h. Measured peaks were
    5.4 MiB (both backends, every run) against the 31 MiB that a whole-batch h takes; the
    bound (a third of it) leaves 5 MiB of margin for other allocations."""
    model = keras.Sequential([keras.Input((1000, 3)), keras.layers.LSTM(128, name="lstm")])
    x = np.random.default_rng(5).normal(size=(64, 1000, 3)).astype("float32")
    whole = 64 * 1000 * 128 * 4  # the whole of h, the one array recorded: 33 MB
    monkeypatch.setattr(stream, "BLOCK_BYTES", whole // 32)  # 2 samples per block
    lw.unit_correlation(model, x, x[..., 0])  # warm up (Keras compiles)
    gc.collect()
    tracemalloc.start()
    corr = lw.unit_correlation(model, x, x[..., 0])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < whole / 3, f"peak {peak / 2**20:.1f} MiB for a {whole / 2**20:.1f} MiB trace"
    full = lw.trace(model, x).hidden_state.reshape(-1, 128)
    want = [np.corrcoef(full[:, u], x[..., 0].ravel())[0, 1] for u in range(128)]
    np.testing.assert_allclose(corr.r, want, atol=1e-6)


def test_bad_queries_and_annotations_say_why():
    model, x = tracker(), planted_x()
    with pytest.raises(ValueError, match=r"non-empty, 0 <= start < stop, got \[5, 5\)"):
        lw.match_pattern(model, x, 3, 5, 5)
    with pytest.raises(ValueError, match=r"sample must be in 0..19, got 20"):
        lw.match_pattern(model, x, 20, 0, 4)
    with pytest.raises(ValueError, match=r"stop must be at most 40"):
        lw.match_pattern(model, x, 3, 0, 41)
    with pytest.raises(TypeError, match="start must be an int"):
        lw.match_pattern(model, x, 3, 1.5, 4)
    none = lw.match_pattern(model, x, 0, 0, 5)  # nothing is on in sample 0 then
    assert none.units.size == 0 and none.hits == []
    assert "no unit is >= 0.3 at every step of sample 0" in none.note
    with pytest.raises(ValueError, match=r"units must be indices in 0..2"):
        lw.match_pattern(model, x, 3, 5, 10, units=[3])
    with pytest.raises(ValueError, match=r"annotation has shape \(20, 39\) but x has"):
        lw.unit_correlation(model, x, x[:, :39, 0])
    with pytest.raises(ValueError, match=r"annotation must be \(batch, time\)"):
        lw.unit_correlation(model, x, x)
    with pytest.raises(ValueError, match="annotation is constant"):
        lw.unit_correlation(model, x, np.ones((20, 40)))


def test_progress_counts_every_sample(monkeypatch):
    model, x = tracker(), planted_x()
    sample_h = 40 * 3 * 4  # bytes of one sample's h
    monkeypatch.setattr(stream, "BLOCK_BYTES", sample_h * 7)  # 7 samples of h per block
    seen = []
    lw.match_pattern(model, x, 3, 5, 10, progress=seen.append)
    lw.unit_correlation(model, x, x[..., 0], progress=seen.append)
    assert seen == [7, 7, 6, 7, 7, 6]
    seen.clear()
    lw.gate_saturation(model, x, progress=seen.append)  # records 4 gates: 1 sample a block
    assert seen == [1] * 20
    lw.unit_correlation(model, x, x[..., 0], progress=True)  # a tqdm bar: no error


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_a_pass_recording_one_array_gives_the_traces_numbers(kind, masked, monkeypatch):
    """Dataset passes record only the array asked for (the others are one step's scratch,
    which the unmasked recurrence reads back): each array must equal the full trace's,
    masked steps and both directions included."""
    rnn = getattr(keras.layers, kind)(5, return_sequences=True)
    masking = [keras.layers.Masking(0.0)] if masked else []
    model = keras.Sequential([keras.Input((15, 3)), *masking, keras.layers.Bidirectional(rnn)])
    rng = np.random.default_rng(6)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(9, 15, 3)).astype("float32")
    x[4, 10:] = 0.0
    monkeypatch.setattr(stream, "BLOCK_BYTES", 15 * 5 * 4 * 2 * 4)  # blocks of 4 samples or fewer
    names = ("i", "f", "g", "o", "c", "h") if kind == "LSTM" else ("z", "r", "hh", "h")
    for name in names:
        seen = 0
        for block in stream.blocks(model, x, None, (name,)):
            got = block.values[name]
            full = lw.trace(
                model, x[block.offset : block.offset + len(got)]
            )  # same rows: same BLAS
            want = np.concatenate([full.forward.array(name), full.backward.array(name)], axis=2)
            np.testing.assert_array_equal(got, want, err_msg=name)
            seen += len(got)
        assert seen == 9
