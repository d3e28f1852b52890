"""tf.keras 2 models and Keras 2 files: the numbers tf_keras itself computes (Keras 2 semantics)."""

import hashlib
import json
import os
import re
import subprocess
import sys
import warnings

import h5py
import keras
import numpy as np
import pytest

import lstm_widget as lw
from lstm_widget._base.activations import in_place
from lstm_widget._base.inputs import probe_input
from lstm_widget._reading.legacy import old_variables
from lstm_widget._view.serialization import from_wire

k2 = pytest.importorskip("tf_keras", reason="the tf-keras test dependency")
ATOL = 1e-5


def rand(*shape, seed=0):
    return (2.0 * np.random.default_rng(seed).normal(size=shape)).astype("float32")


def randomize(model, seed=1):
    """Weights far from the initializers' (bias too), so every gate matters."""
    rng = np.random.default_rng(seed)
    shapes = [w.shape for w in model.get_weights()]
    model.set_weights([0.6 * rng.normal(size=s).astype("float32") for s in shapes])


def snapshot(old):
    return [np.array(v.numpy(), copy=True) for v in old_variables(old)]


def assert_same(before, after):
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_legacy_hard_sigmoid_is_keras_2s():
    x = np.concatenate([np.linspace(-4, 4, 801), [-2.5, 2.5, -2.4999, 2.4999]]).astype("float32")
    want = k2.activations.hard_sigmoid(k2.backend.constant(x)).numpy()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(lw.legacy_hard_sigmoid(x)), want)
    np.testing.assert_array_equal(in_place(lw.legacy_hard_sigmoid)(x.copy()), want)
    keras3 = keras.ops.convert_to_numpy(keras.activations.hard_sigmoid(x))
    assert np.abs(keras3 - want).max() > 0.08  # 1/12 at |x| = 2.5: what this is all about


LAYERS = {
    "lstm_hard_sigmoid_unrolled": lambda: k2.layers.LSTM(
        5, recurrent_activation="hard_sigmoid", unroll=True, **SEQ
    ),
    "lstm_implementation_1_backwards": lambda: k2.layers.LSTM(
        5, implementation=1, go_backwards=True, **SEQ
    ),
    "gru_reset_before_hard_sigmoid": lambda: k2.layers.GRU(
        5, reset_after=False, recurrent_activation="hard_sigmoid", **SEQ
    ),
    "gru_reset_after_backwards": lambda: k2.layers.GRU(5, go_backwards=True, **SEQ),
}
SEQ = {"return_sequences": True, "return_state": True, "name": "rnn"}


@pytest.mark.parametrize("masked", [False, True], ids=["plain", "masked"])
@pytest.mark.parametrize("case", list(LAYERS))
def test_trace_of_a_tf_keras_model_is_tf_keras_s_numbers(case, masked):
    inp = k2.Input((9, 3))
    seq = k2.layers.Masking(0.0)(inp) if masked else inp
    old = k2.Model(inp, LAYERS[case]()(seq))
    randomize(old)
    x = rand(4, 9, 3)
    if masked:
        x[1, 6:] = 0.0
        x[2, :2] = 0.0
    before = snapshot(old)
    tr = lw.trace(old, x)
    seq_out, *final = [np.asarray(a) for a in old.predict(x, verbose=0)]
    if tr.go_backwards:  # tf_keras returns the sequence in processing order
        seq_out = seq_out[:, ::-1]
    on = ~(x == 0).all(-1) if masked else np.ones(x.shape[:2], bool)
    np.testing.assert_allclose(tr.hidden_state[on], seq_out[on], atol=ATOL)
    for ours, theirs in zip(tr.final_state, final, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=ATOL)
    assert_same(before, snapshot(old))


def test_gate_values_use_keras_2s_hard_sigmoid():
    inp = k2.Input((7, 2))
    old = k2.Model(inp, k2.layers.LSTM(3, recurrent_activation="hard_sigmoid", **SEQ)(inp))
    randomize(old)
    x = rand(3, 7, 2)
    tr = lw.trace(old, x)
    kernel, recurrent, bias = old.get_weights()
    h_in = np.concatenate([np.zeros((3, 1, 3), "float32"), tr.hidden_state[:, :-1]], axis=1)
    for k, name in enumerate(["input_gate", "forget_gate", None, "output_gate"]):
        if name is None:
            continue
        block = slice(3 * k, 3 * (k + 1))
        dense = k2.layers.Dense(3, activation="hard_sigmoid")  # tf_keras's own function
        dense.build((None, 5))
        dense.set_weights([np.vstack([kernel[:, block], recurrent[:, block]]), bias[block]])
        want = dense(np.concatenate([x, h_in], axis=-1)).numpy()
        np.testing.assert_allclose(getattr(tr, name), want, atol=ATOL)


def stateful_model():
    inp = k2.Input(batch_shape=(2, 6, 3))
    seq = k2.layers.LSTM(
        4, stateful=True, return_sequences=True, recurrent_activation="hard_sigmoid", name="st"
    )(inp)
    bi = k2.layers.Bidirectional(
        k2.layers.GRU(3, return_sequences=True, reset_after=False), name="bi"
    )(seq)
    out = k2.layers.Dense(1)(k2.layers.Flatten()(bi))
    return inp, seq, bi, out


def test_stateful_and_bidirectional_tf_keras_layers_and_the_model_output():
    inp, seq, bi, out = stateful_model()
    old = k2.Model(inp, out)
    randomize(old)
    x = rand(2, 6, 3, seed=4)
    old(rand(2, 6, 3, seed=5))  # a state to start from
    before = snapshot(old)
    assert np.abs(before[-1]).max() > 0.01  # the LSTM's state is not zeros
    st, both = lw.trace(old, x, "st"), lw.trace(old, x, "bi")
    shown = lw.what_if(old, x, {}).baseline_output
    assert_same(before, snapshot(old))  # nothing advanced or changed
    want_seq, want_bi, want_out = (
        np.asarray(a) for a in k2.Model(inp, [seq, bi, out]).predict_on_batch(x)
    )
    np.testing.assert_allclose(st.hidden_state, want_seq, atol=ATOL)
    np.testing.assert_allclose(both.forward.hidden_state, want_bi[..., :3], atol=ATOL)
    np.testing.assert_allclose(both.backward.hidden_state, want_bi[..., 3:], atol=ATOL)
    np.testing.assert_allclose(shown, want_out, atol=ATOL)


def test_the_keras_2_idiom_sequential_lstm_with_input_shape(tmp_path):
    """``Sequential([LSTM(..., input_shape=...), Dense])``: object and .h5 file."""
    old = k2.Sequential(
        [k2.layers.LSTM(4, input_shape=(None, 3), name="lstm"), k2.layers.Dense(1, name="head")]
    )
    randomize(old)
    x = rand(5, 6, 3, seed=8)
    want = old.predict(x, verbose=0)
    np.testing.assert_allclose(lw.what_if(old, x, {}).baseline_output, want, atol=ATOL)
    last = k2.Model(old.inputs, old.get_layer("lstm").output).predict(x, verbose=0)
    np.testing.assert_allclose(lw.trace(old, x).final_state[0], last, atol=ATOL)
    old.save(tmp_path / "seq.h5")
    model, _ = caught(lw.load_model, tmp_path / "seq.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=ATOL)


def small_model():
    inp = k2.Input((8, 2))
    h = k2.layers.LSTM(4, recurrent_activation="hard_sigmoid", name="lstm")(inp)
    old = k2.Model(inp, k2.layers.Dense(1)(h))
    randomize(old)
    return old


def test_what_if_edited_model_attribution_and_horizon_on_a_tf_keras_model():
    old, x = small_model(), rand(5, 8, 2, seed=2)
    before = snapshot(old)
    edit = {"forget": {"bias_shift": 1.5}}
    result = lw.what_if(old, x, edit)
    np.testing.assert_allclose(result.baseline_output, old.predict(x, verbose=0), atol=ATOL)
    edited = lw.edited_model(old, edit)
    assert isinstance(edited, keras.Model)  # a Keras 3 model: tf.keras 2 is the original's
    edited_out = keras.ops.convert_to_numpy(edited.predict_on_batch(x))
    np.testing.assert_allclose(result.edited_output, edited_out, atol=ATOL)
    assert np.abs(result.edited_output - result.baseline_output).max() > 1e-3
    att = lw.step_attribution(old, x, "integrated_gradients", path_steps=64)
    gap = old.predict(x, verbose=0)[:, 0] - old.predict(np.zeros_like(x), verbose=0)[:, 0]
    np.testing.assert_allclose(np.asarray(att).sum(axis=1), gap, atol=2e-3 * np.abs(gap).max())
    horizon = lw.memory_horizon(old, x)
    assert horizon.shape == (5, 4) and (horizon >= 0).all() and (horizon <= 8).all()
    assert_same(before, snapshot(old))


def test_a_changed_tf_keras_model_is_read_again_and_the_explorer_recomputes():
    old, x = small_model(), rand(3, 8, 2, seed=6)
    first = lw.trace(old, x).hidden_state
    w = lw.LSTMExplorer(old, x, sample=1)
    np.testing.assert_allclose(w.prediction, old.predict(x, verbose=0)[1], atol=ATOL)
    randomize(old, seed=9)  # the user changes their tf.keras model
    again = lw.trace(old, x)
    want = k2.Model(old.inputs, old.get_layer("lstm").output).predict(x, verbose=0)
    np.testing.assert_allclose(again.hidden_state[:, -1], want, atol=ATOL)
    assert np.abs(again.hidden_state - first).max() > 1e-2
    w.view = "h"  # an interaction: the explorer notices and recomputes
    assert "changed" in w.model_note
    np.testing.assert_allclose(w.prediction, old.predict(x, verbose=0)[1], atol=ATOL)
    np.testing.assert_array_equal(
        from_wire(w.overview["data"]), lw.trace(old, x[[1]]).hidden_state[0].T
    )


def test_gate_weights_of_a_tf_keras_layer_and_model():
    old = small_model()
    kernel, recurrent, bias = old.get_layer("lstm").get_weights()
    for gw in (lw.gate_weights(old.get_layer("lstm")), lw.gate_weights(old, "lstm")):
        np.testing.assert_array_equal(gw["forget"].kernel, kernel[:, 4:8])
        np.testing.assert_array_equal(gw["output"].recurrent_kernel, recurrent[:, 12:])
        np.testing.assert_array_equal(gw["cell"].bias, bias[8:12])
        assert "legacy_hard_sigmoid(v) = clip(0.2 v + 0.5, 0, 1): Keras 2's" in gw.describe()


def test_tf_keras_models_we_cannot_reproduce_are_named():
    inp = k2.Input((4, 2))
    conv = k2.layers.Conv1D(2, 2, padding="same", name="conv")(inp)  # mixes the batch axis here
    tm = k2.Model(inp, k2.layers.LSTM(3, time_major=True, name="tm")(conv))
    with pytest.raises(ValueError, match=r"'conv' \(Conv1D\) computes the input of a time_major"):
        lw.trace(tm, np.zeros((1, 4, 2), "float32"))

    class Sub(k2.Model):
        def __init__(self):
            super().__init__()
            self.lstm = k2.layers.LSTM(3)

        def call(self, x):
            return self.lstm(x)

    sub = Sub()
    sub(np.zeros((1, 4, 2), "float32"))
    with pytest.raises(TypeError, match="subclassed model without a config of its layers"):
        lw.gate_weights(sub)


# -- files ------------------------------------------------------------------------------


def caught(fn, *args):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [str(w.message) for w in seen if "lstm_widget" in str(w.message)]


def test_load_model_of_a_tf_keras_h5_gives_its_numbers(tmp_path):
    old, x = small_model(), rand(6, 8, 2, seed=3)
    path = tmp_path / "old.h5"
    old.save(path)
    digest = sha(path)
    with pytest.raises(ValueError, match="time_major"):  # what the user runs into
        keras.models.load_model(path)
    model, said = caught(lw.load_model, path)
    np.testing.assert_allclose(model.predict(x, verbose=0), old.predict(x, verbose=0), atol=1e-6)
    assert any("dropped time_major=False" in s and "'lstm'" in s for s in said)
    assert any("would read hard_sigmoid in 'lstm' as Keras 3's" in s for s in said)
    assert sha(path) == digest
    model.save(tmp_path / "again.keras")  # Keras 3 file: the legacy function is registered
    back = keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), old.predict(x, verbose=0), atol=1e-6)


def test_an_old_file_keras_3_opens_with_other_numbers_is_warned_about(tmp_path):
    old, x = small_model(), rand(6, 8, 2, seed=3)
    path = tmp_path / "keras23.h5"
    old.save(path)
    with h5py.File(path, "r+") as f:  # as Keras <= 2.3 wrote it: no time_major argument
        config = json.loads(f.attrs["model_config"])
        del config["config"]["layers"][1]["config"]["time_major"]
        f.attrs["model_config"] = json.dumps(config)
    plain = keras.models.load_model(path, compile=False)  # opens, silently different
    assert np.abs(plain.predict(x, verbose=0) - old.predict(x, verbose=0)).max() > 1e-3
    model, said = caught(lw.load_model, path)
    np.testing.assert_allclose(model.predict(x, verbose=0), old.predict(x, verbose=0), atol=1e-6)
    (warning,) = [s for s in said if "would read hard_sigmoid in 'lstm'" in s]
    claimed = float(re.search(r"differs by up to ([0-9][0-9.e+-]*[0-9])", warning).group(1))
    probe, _ = probe_input(model)
    seen = np.abs(plain.predict(probe[0], verbose=0) - model.predict(probe[0], verbose=0)).max()
    assert claimed == float(f"{seen:.3g}") and claimed > 0


def test_load_model_of_a_nested_tf_keras_keras_file(tmp_path):
    inner = k2.Sequential([k2.layers.GRU(3, reset_after=False, name="gru")], name="inner")
    inp = k2.Input((7, 2))
    h = k2.layers.LSTM(4, return_sequences=True, recurrent_activation="hard_sigmoid", name="lstm")(
        inp
    )
    old = k2.Model(inp, k2.layers.Dense(2)(inner(h)))
    randomize(old)
    x = rand(3, 7, 2, seed=8)
    for name in ("nested.keras", "nested.h5"):
        old.save(tmp_path / name)
        model, _ = caught(lw.load_model, tmp_path / name)
        want = old.predict(x, verbose=0)
        np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-6)
        assert lw.recurrent_layers(model) == ["lstm", "inner/gru"]


def test_files_that_are_not_models_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        lw.load_model(tmp_path / "missing.h5")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"not a Keras model file: expected an HDF5"):
        lw.load_model(tmp_path / "notes.txt")
    old = small_model()
    old.save_weights(tmp_path / "weights.h5")
    with pytest.raises(ValueError, match="weights-only"):
        lw.load_model(tmp_path / "weights.h5")
    inp = k2.Input((4, 2))
    seq = k2.layers.LSTM(3, time_major=True, return_sequences=True, name="tm")(inp)
    k2.Model(inp, k2.layers.LSTM(2, name="reads_it_batch_major")(seq)).save(tmp_path / "tm.h5")
    with pytest.raises(ValueError, match="'reads_it_batch_major' \\(LSTM\\) reads time-major"):
        lw.load_model(tmp_path / "tm.h5")
    dense = k2.Sequential([k2.Input((3,)), k2.layers.Dense(2, name="only")])
    dense.save(tmp_path / "dense.h5")
    with pytest.raises(ValueError, match="dense.h5' holds no LSTM or GRU layer.*'only'"):
        lw.load_model(tmp_path / "dense.h5")
    with pytest.raises(TypeError, match="path must be"):
        lw.load_model(3)


def test_load_model_needs_neither_tf_keras_nor_tensorflow(tmp_path):
    """The file made here with tf_keras opens under JAX where TensorFlow cannot be imported."""
    jax = pytest.importorskip("jax", reason="the jax test dependency")
    assert jax
    old, x = small_model(), rand(4, 8, 2, seed=7)
    old.save(tmp_path / "old.h5")
    np.save(tmp_path / "x.npy", x)
    script = (
        "import sys; sys.modules['tensorflow'] = None; sys.modules['tf_keras'] = None\n"
        "import warnings; warnings.simplefilter('ignore')\n"
        "import numpy as np, keras, lstm_widget as lw\n"
        "assert keras.backend.backend() == 'jax'\n"
        f"d = {str(tmp_path)!r}\n"
        "m = lw.load_model(d + '/old.h5')\n"
        "x = np.load(d + '/x.npy')\n"
        "np.save(d + '/out.npy', keras.ops.convert_to_numpy(m.predict_on_batch(x)))\n"
        "np.save(d + '/h.npy', lw.trace(m, x).final_state[0])\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), old.predict(x, verbose=0), atol=1e-6)
    want = k2.Model(old.inputs, old.get_layer("lstm").output).predict(x, verbose=0)
    np.testing.assert_allclose(np.load(tmp_path / "h.npy"), want, atol=ATOL)


def test_a_stateful_tf_keras_layer_alone_and_nested_states_are_read():
    inner = k2.Sequential(
        [k2.Input(batch_shape=(2, 5, 3)), k2.layers.GRU(3, stateful=True, name="deep")],
        name="inner",
    )
    inp = k2.Input(batch_shape=(2, 5, 3))
    old = k2.Model(inp, k2.layers.Dense(1)(inner(inp)))
    randomize(old)
    x = rand(2, 5, 3, seed=11)
    old(rand(2, 5, 3, seed=12))  # the nested GRU's state moves
    first = lw.trace(old, x, "inner/deep").final_state[0]
    old(rand(2, 5, 3, seed=13))  # moves again: the twin must read it again
    again = lw.trace(old, x, "inner/deep").final_state[0]
    want = k2.Model(inp, inner(inp)).predict_on_batch(x)  # advances the state: last
    np.testing.assert_allclose(again, want, atol=ATOL)
    assert np.abs(again - first).max() > 1e-4
    layer = old.get_layer("inner").get_layer("deep")
    gw = lw.gate_weights(layer)  # the stateful layer alone (its batch size is kept)
    np.testing.assert_array_equal(gw["update"].kernel, layer.get_weights()[0][:, :3])


def test_unknown_legacy_arguments_are_dropped_with_a_note(tmp_path):
    inp = k2.Input((6, 2))
    gru = k2.layers.GRU(3, reset_after=False, return_sequences=True, name="old_gru")(inp)
    old = k2.Model(inp, k2.layers.LSTM(2, name="lstm")(gru))
    randomize(old)
    path = tmp_path / "keras21.h5"
    old.save(path)
    with h5py.File(path, "r+") as f:  # as an older Keras wrote it
        config = json.loads(f.attrs["model_config"])
        layers = {lyr["config"]["name"]: lyr["config"] for lyr in config["config"]["layers"]}
        del layers["old_gru"]["reset_after"]  # Keras <= 2.1: no such argument, always False
        layers["lstm"]["consume_less"] = "gpu"  # an argument Keras 3 never had
        f.attrs["model_config"] = json.dumps(config)
    model, said = caught(lw.load_model, path)
    x = rand(3, 6, 2, seed=14)
    np.testing.assert_allclose(model.predict(x, verbose=0), old.predict(x, verbose=0), atol=1e-6)
    (note,) = [s for s in said if "rewrote" in s]
    assert "'old_gru': reset_after=False, the only GRU of Keras <= 2.1" in note
    assert "'lstm': dropped consume_less='gpu' (not a Keras 3 argument)" in note


def test_files_keras_3_wrote_keep_keras_3_s_hard_sigmoid(tmp_path):
    new = keras.Sequential(
        [keras.Input((8, 2)), keras.layers.LSTM(4, recurrent_activation="hard_sigmoid")]
    )
    rng = np.random.default_rng(6)
    new.set_weights([0.6 * rng.normal(size=w.shape).astype("float32") for w in new.get_weights()])
    x = rand(3, 8, 2, seed=15)
    for name in ("new.keras", "new.h5"):
        new.save(tmp_path / name)
        model, said = caught(lw.load_model, tmp_path / name)
        np.testing.assert_allclose(
            model.predict(x, verbose=0), new.predict(x, verbose=0), atol=1e-6
        )
        assert said == []  # nothing rewritten, nothing to warn about
