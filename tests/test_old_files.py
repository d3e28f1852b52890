"""Model files as users hold them: saved by standalone Keras 2.0-2.3, opened with their numbers.

The six real files in ``../shared/models/keras2/`` (skipped where that folder is absent) and
small fixtures written with h5py in the forms no shared file covers. The reference is
always tf_keras (Keras 2's own code) reading the same file (:mod:`tests.keras2_files`).
"""

import warnings

import keras
import numpy as np
import pytest

import lstm_widget as lw
from tests.keras2_files import (
    SHARED,
    cudnn_as_plain,
    gru_reset_after_false,
    tf_keras_model,
    write_h5,
)

k2 = pytest.importorskip("tf_keras", reason="the tf-keras test dependency")
ATOL = 1e-5


def rng(seed):
    return np.random.default_rng(seed)


def normal(*shape, seed=0):
    return rng(seed).normal(size=shape).astype("float32")


def out_of(model, x):
    """Keras's output (compiled: an eager call of a 1,000-step layer loops in Python)."""
    return keras.ops.convert_to_numpy(model.predict_on_batch(x))


def load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lw.load_model(path, **kwargs)


# ---- the shared files -------------------------------------------------------------------


def _masked_rows(x):
    x = x.copy()
    x[1, 30:] = 0.0  # padding at the end, as Masking(0) reads it
    x[2, :5] = 0.0  # and at the start
    return x


def _ids(shape, high, seed, pad=False):
    ids = rng(seed).integers(1, high, size=shape)
    if pad:
        ids[1, -6:] = 0  # mask_zero padding
        ids[2, -2:] = 0
    return ids.astype("int32")


def drop_crf(config):
    config["config"]["layers"] = config["config"]["layers"][:-1]


SHARED_FILES = {
    # file: (input, hand repair for tf_keras, tf_keras loads by name, rtol)
    "sentiment_bilstm_lrp_k231.hdf5": (lambda: normal(3, 25, 60, seed=1), None, False, 0),
    "masking_lstm_ml2017fall_hw4_k208.h5": (
        lambda: _masked_rows(normal(3, 40, 128, seed=2)),
        None,
        False,
        0,
    ),
    "emb_lstm_ml2017fall_hw4_k209.h5": (lambda: _ids((3, 36), 5000, 3), None, False, 0),
    "bigru_medaka_test_model_k208.hdf5": (
        lambda: normal(2, 1000, 9, seed=4),
        gru_reset_after_false,
        False,
        0,
    ),
    "cudnnlstm_pose_features_k212.h5": (
        lambda: [normal(2, 10000, 6, seed=5), normal(2, 1, seed=6)],
        cudnn_as_plain,
        False,
        1e-4,
    ),
    "emb_maskzero_bilstm_crf_financeml_k224.h5": (
        lambda: _ids((3, 20), 411, 7, pad=True),
        drop_crf,
        True,
        0,
    ),
}

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared Keras 2 files are not at {SHARED}"
)


@pytest.fixture(scope="module")
def shared_models():
    """Each shared file opened once: (our model, x, tf_keras's output)."""
    return {}


def opened(cache, name):
    if name not in cache:
        make_x, repair, by_name, _ = SHARED_FILES[name]
        x = make_x()
        ref = tf_keras_model(SHARED / name, repair, by_name=by_name)
        want = ref.predict(x, verbose=0)
        cache[name] = (load(SHARED / name), x, want)
    return cache[name]


@needs_shared
@pytest.mark.parametrize("name", list(SHARED_FILES))
def test_every_shared_keras_2_file_opens_with_keras_2s_numbers(shared_models, name):
    before = (SHARED / name).read_bytes()
    model, x, want = opened(shared_models, name)
    rtol = SHARED_FILES[name][3]
    got = out_of(model, x)
    if rtol:  # the 10,000-step model: float32 sums over 10,000 steps, relative
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
    else:
        np.testing.assert_allclose(got, want, atol=ATOL)
    assert (SHARED / name).read_bytes() == before  # only read


def short_model(model):
    """The two-input CuDNN model on 40 steps (same layers): occlusion re-runs every step."""
    seq, scalar = keras.Input((40, 6)), keras.Input((1,))
    h = model.get_layer("lstm_cell_2")(model.get_layer("lstm_cell_1")(seq))
    out = model.get_layer("concatenate_1")([model.get_layer("dropout_1")(h), scalar])
    out = model.get_layer("dense_2")(model.get_layer("dropout_2")(model.get_layer("dense_1")(out)))
    return keras.Model([seq, scalar], out)


def _keras_layer_output(model, x, name):
    return out_of(keras.Model(model.inputs, model.get_layer(name).output), x)


def _trace_output(tr, layer):
    """What the layer outputs, from the trace: h per step or the final h."""
    parts = [tr.forward, tr.backward] if hasattr(tr, "forward") else [tr]
    seq = (
        layer.return_sequences
        if hasattr(layer, "return_sequences")
        else layer.layer.return_sequences
    )
    if seq:
        return np.concatenate([p.hidden_state for p in parts], axis=-1)
    return np.concatenate([p.final_state[0] for p in parts], axis=-1)


@needs_shared
@pytest.mark.parametrize("name", list(SHARED_FILES))
def test_trace_what_if_attribution_and_explorer_on_the_shared_files(shared_models, name):
    model, x, _ = opened(shared_models, name)
    one = [a[:1] for a in x] if isinstance(x, list) else x[:1]
    layers = lw.recurrent_layers(model)
    assert layers
    # trace: every recurrent layer's output as Keras computes it (unmasked steps)
    for path in layers:
        tr = lw.trace(model, one, path)
        want = _keras_layer_output(model, one, path)
        got = _trace_output(tr, model.get_layer(path))
        mask = tr.mask
        if mask is not None and got.ndim == 3:
            got, want = got[mask], want[mask]
        np.testing.assert_allclose(got, want, atol=ATOL, err_msg=path)
    # what-if: without an edit the model's output, with one another (the edited clone's)
    gate = "update" if "gru" in name else "forget"
    edit = {gate: {"bias_shift": 2.0}}
    result = lw.what_if(model, one, edit)
    np.testing.assert_allclose(result.baseline_output, out_of(model, one), atol=ATOL)
    edited = out_of(lw.edited_model(model, edit), one)
    np.testing.assert_allclose(result.edited_output, edited, atol=ATOL)
    assert np.abs(result.edited_output - result.baseline_output).max() > 1e-4
    # attribution: the exact decomposition everywhere (cheap on 10,000 steps); integrated
    # gradients on the short models
    index = None if np.prod(out_of(model, one).shape[1:]) == 1 else 0
    dec = lw.step_attribution(model, one, "cell_decomposition", output_index=index)
    assert np.isfinite(np.asarray(dec)).all()
    if name.startswith(("sentiment", "masking")):
        ig = lw.step_attribution(
            model, one, "integrated_gradients", output_index=index, path_steps=16
        )
        assert np.asarray(ig).shape[:2] == dec.shape[:2]
    if name.startswith("cudnn"):  # two inputs: the sequence is occluded, the scalar held
        short = [one[0][:, :40], one[1]]
        occ = lw.step_attribution(short_model(model), short, "occlusion")
        assert occ.shape == (1, 40) and np.abs(np.asarray(occ)).max() > 0
    if name.startswith("emb_"):  # token ids (declared float32 by Keras 2): no gradient
        with pytest.raises(ValueError, match="feeds Embedding 'embedding_1'.*windows"):
            lw.step_attribution(model, one, "integrated_gradients", output_index=index)
    explorer = lw.LSTMExplorer(model, x)
    assert explorer.layer.split("/")[0] == layers[0]  # a Bidirectional layer: its forward half
    shown = len(explorer.prediction)  # the first values of a long output
    np.testing.assert_allclose(explorer.prediction, out_of(model, x)[0].ravel()[:shown], atol=ATOL)


@needs_shared
def test_the_crf_file_is_cut_after_its_bidirectional_lstm_with_a_warning():
    path = SHARED / "emb_maskzero_bilstm_crf_financeml_k224.h5"
    with pytest.warns(
        UserWarning,
        match=r"cut 'crf_1' \(CRF\).*custom_objects.*'bidirectional_1' \(output shape "
        r"\(None, None, 200\)\)",
    ):
        model = lw.load_model(path)
    assert [layer.name for layer in model.layers][-1] == "bidirectional_1"
    assert model.get_layer("embedding_1").mask_zero


# ---- fixtures in the forms no shared file has -------------------------------------------


def lstm_config(name, units, **kw):
    cfg = {"name": name, "trainable": True, "units": units, "activation": "tanh"}
    cfg.update(recurrent_activation="hard_sigmoid", use_bias=True, return_sequences=False)
    cfg.update(go_backwards=False, stateful=False, unroll=False, unit_forget_bias=True)
    cfg.update(implementation=0, dropout=0.0, recurrent_dropout=0.0)
    cfg.update(kw)
    return cfg


def dense_config(name, units, **kw):
    return {"name": name, "units": units, "activation": "linear", "use_bias": True, **kw}


def test_keras_208_list_sequential_with_a_time_distributed_dense_head(tmp_path):
    """The form Keras 2.0.8 wrote: the Sequential's config a bare list, the first layer
    with ``batch_input_shape``, ``implementation=0``, a TimeDistributed(Dense) head."""
    config = {
        "class_name": "Sequential",
        "config": [
            {
                "class_name": "Masking",
                "config": {
                    "name": "masking_1",
                    "mask_value": 0.0,
                    "batch_input_shape": [None, 12, 3],
                },
            },
            {"class_name": "LSTM", "config": lstm_config("lstm_1", 5, return_sequences=True)},
            {
                "class_name": "TimeDistributed",
                "config": {
                    "name": "td_1",
                    "layer": {"class_name": "Dense", "config": dense_config("dense_1", 2)},
                },
            },
        ],
    }
    weights = {
        "lstm_1": [normal(3, 20, seed=1), normal(5, 20, seed=2), normal(20, seed=3)],
        "td_1": [normal(5, 2, seed=4), normal(2, seed=5)],
    }
    path = write_h5(tmp_path / "k208.h5", config, weights, "2.0.8")
    x = normal(4, 12, 3, seed=6)
    x[1, 9:] = 0.0
    model = load(path)
    np.testing.assert_allclose(
        out_of(model, x), tf_keras_model(path).predict(x, verbose=0), atol=ATOL
    )
    result = lw.what_if(model, x, {"forget": {"bias_shift": 1.0}})  # the head runs on the trace
    np.testing.assert_allclose(result.baseline_output, out_of(model, x), atol=ATOL)


def node(kind, name, cfg, *calls):
    """A functional model's layer entry as Keras 2 wrote it. Each of ``calls`` is one call
    of the layer: a layer name (its first output), or a list of (layer, node) pairs."""
    inbound = [
        [[call, 0, 0, {}]] if isinstance(call, str) else [[src, n, 0, {}] for src, n in call]
        for call in calls
    ]
    return {"class_name": kind, "name": name, "config": cfg, "inbound_nodes": inbound}


def input_node(name, shape):
    cfg = {"name": name, "batch_input_shape": [None, *shape], "dtype": "float32", "sparse": False}
    return node("InputLayer", name, cfg)


def functional(layers, inputs, outputs):
    """A functional config in Keras 2's form (class ``Model``)."""
    io = {
        "input_layers": [[i, 0, 0] for i in inputs],
        "output_layers": [[o, 0, 0] for o in outputs],
    }
    return {"class_name": "Model", "config": {"name": "model_1", "layers": layers, **io}}


def cudnn_functional_config():
    """A functional model as Keras 2.1-2.3 wrote it: CuDNNGRU, then a
    Bidirectional(CuDNNLSTM), then Dense."""
    gru = {"name": "cu_dnngru_1", "units": 6, "return_sequences": True, "go_backwards": False}
    gru.update(stateful=False, return_state=False, trainable=True)
    inner = {"class_name": "CuDNNLSTM", "config": {"name": "cu_dnnlstm_1", "units": 3}}
    inner["config"].update(return_sequences=False, unit_forget_bias=True)
    bidirectional = {"name": "bidirectional_1", "layer": inner, "merge_mode": "concat"}
    layers = [
        input_node("input_1", (9, 4)),
        node("CuDNNGRU", "cu_dnngru_1", gru, "input_1"),
        node("Bidirectional", "bidirectional_1", bidirectional, "cu_dnngru_1"),
        node("Dense", "dense_1", dense_config("dense_1", 1), "bidirectional_1"),
    ]
    return functional(layers, ["input_1"], ["dense_1"])


def test_cudnn_gru_and_bidirectional_cudnn_lstm_convert_as_keras_2_converted(tmp_path):
    """cuDNN weights (input and recurrent bias per gate, kernels in cuDNN's layout), as
    Keras 2.1.2-2.3 saved CuDNNGRU and CuDNNLSTM; tf_keras converts them on loading into
    GRU(reset_after=True) and LSTM with sigmoid."""
    weights = {
        "cu_dnngru_1": [normal(4, 18, seed=1), normal(6, 18, seed=2), normal(36, seed=3)],
        "bidirectional_1": [normal(6, 12, seed=4), normal(3, 12, seed=5), normal(24, seed=6)]
        + [normal(6, 12, seed=7), normal(3, 12, seed=8), normal(24, seed=9)],
        "dense_1": [normal(6, 1, seed=10), normal(1, seed=11)],
    }
    path = write_h5(tmp_path / "cudnn.h5", cudnn_functional_config(), weights, "2.2.4")
    x = normal(3, 9, 4, seed=12)
    with pytest.warns(UserWarning, match="CuDNNGRU runs as GRU"):
        model = lw.load_model(path)
    want = tf_keras_model(path, cudnn_as_plain).predict(x, verbose=0)
    np.testing.assert_allclose(out_of(model, x), want, atol=ATOL)
    assert model.get_layer("cu_dnngru_1").cell.reset_after
    tr = lw.trace(model, x, "cu_dnngru_1")
    np.testing.assert_allclose(
        tr.hidden_state, _keras_layer_output(model, x, "cu_dnngru_1"), atol=ATOL
    )


def shared_lstm_config():
    """Keras 2.2.4's functional form of one LSTM applied to two inputs (two nodes)."""
    lstm = lstm_config("lstm_1", 4, recurrent_activation="sigmoid")
    layers = [
        input_node("input_1", (7, 3)),
        input_node("input_2", (7, 3)),
        node("LSTM", "lstm_1", lstm, "input_1", "input_2"),
        node(
            "Concatenate",
            "concatenate_1",
            {"name": "concatenate_1", "axis": -1},
            [("lstm_1", 0), ("lstm_1", 1)],
        ),
        node("Dense", "dense_1", dense_config("dense_1", 1), "concatenate_1"),
    ]
    return functional(layers, ["input_1", "input_2"], ["dense_1"])


def test_functional_model_with_a_shared_lstm(tmp_path):
    weights = {
        "lstm_1": [normal(3, 16, seed=1), normal(4, 16, seed=2), normal(16, seed=3)],
        "dense_1": [normal(8, 1, seed=4), normal(1, seed=5)],
    }
    path = write_h5(tmp_path / "shared.h5", shared_lstm_config(), weights, "2.2.4")
    x = [normal(3, 7, 3, seed=6), normal(3, 7, 3, seed=7)]
    model = load(path)
    np.testing.assert_allclose(
        out_of(model, x), tf_keras_model(path).predict(x, verbose=0), atol=ATOL
    )


def test_keras_1_argument_names_are_read_as_keras_2_read_them(tmp_path):
    """``output_dim``, ``inner_activation``, ``consume_less``, ``input_dim``/``input_length``,
    ``input_dtype``, Dense's ``bias``, Dropout's ``p``: Keras 2's legacy interfaces renamed
    them when a layer was built (tf_keras no longer does: its config is renamed by hand)."""
    lstm = {"name": "lstm_1", "output_dim": 4, "inner_activation": "hard_sigmoid"}
    lstm.update(consume_less="gpu", input_dim=3, input_length=6, input_dtype="float32")
    lstm.update(activation="tanh", return_sequences=False)
    config = {
        "class_name": "Sequential",
        "config": [
            {"class_name": "LSTM", "config": lstm},
            {"class_name": "Dropout", "config": {"name": "dropout_1", "p": 0.5}},
            {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 2, "bias": True}},
        ],
    }
    weights = {
        "lstm_1": [normal(3, 16, seed=1), normal(4, 16, seed=2), normal(16, seed=3)],
        "dense_1": [normal(4, 2, seed=4), normal(2, seed=5)],
    }
    path = write_h5(tmp_path / "names.h5", config, weights, "2.0.2")

    def renamed(cfg):
        first, drop, dense = cfg["config"]
        first["config"] = lstm_config("lstm_1", 4, implementation=2, batch_input_shape=[None, 6, 3])
        drop["config"] = {"name": "dropout_1", "rate": 0.5}
        dense["config"] = dense_config("dense_1", 2)

    with pytest.warns(UserWarning, match="Keras 1 argument names"):
        model = lw.load_model(path)
    x = normal(3, 6, 3, seed=6)
    want = tf_keras_model(path, renamed).predict(x, verbose=0)
    np.testing.assert_allclose(out_of(model, x), want, atol=ATOL)
    assert model.get_layer("lstm_1").cell.implementation == 2


@keras.saving.register_keras_serializable("lstm_widget_tests")
class Scale(keras.layers.Layer):
    """A user's own layer, unknown to Keras unless passed (``custom_objects``)."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def custom_config(before_lstm):
    scale = {"class_name": "MyScale", "config": {"name": "my_scale", "factor": 3.0}}
    lstm = {"class_name": "LSTM", "config": lstm_config("lstm_1", 4, return_sequences=True)}
    dense = {
        "class_name": "TimeDistributed",
        "config": {
            "name": "td",
            "layer": {"class_name": "Dense", "config": dense_config("dense_1", 2)},
        },
    }
    layers = [scale, lstm, dense] if before_lstm else [lstm, scale, dense]
    layers[0]["config"]["batch_input_shape"] = [None, 5, 3]
    return {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": layers}}


CUSTOM_WEIGHTS = {
    "lstm_1": [normal(3, 16, seed=1), normal(4, 16, seed=2), normal(16, seed=3)],
    "td": [normal(4, 2, seed=4), normal(2, seed=5)],
}


def test_unknown_layers_after_the_lstm_are_cut_or_taken_from_custom_objects(tmp_path):
    path = write_h5(tmp_path / "custom.h5", custom_config(False), CUSTOM_WEIGHTS, "2.2.4")
    x = normal(3, 5, 3, seed=6)
    with pytest.warns(UserWarning, match=r"cut 'my_scale' \(MyScale\), 'td' \(TimeDistributed\)"):
        cut = lw.load_model(path)
    assert [layer.name for layer in cut.layers] == ["lstm_1"]
    want = tf_keras_model(
        path, lambda c: c["config"].update(layers=c["config"]["layers"][:1]), by_name=True
    )
    np.testing.assert_allclose(out_of(cut, x), want.predict(x, verbose=0), atol=ATOL)
    full = load(path, custom_objects={"MyScale": Scale})
    assert [layer.name for layer in full.layers] == ["lstm_1", "my_scale", "td"]
    head = full.get_layer("td")
    by_hand = keras.ops.convert_to_numpy(head(3.0 * out_of(cut, x)))  # MyScale's factor: 3
    np.testing.assert_allclose(out_of(full, x), by_hand, atol=ATOL)


def test_a_functional_model_is_cut_where_the_unknown_layer_reads_the_lstm(tmp_path):
    """Keras 2.2's functional form: input -> LSTM -> MyScale -> Dense; the cut model's
    output is the LSTM's, which tf_keras computes from the same file."""

    layers = [
        input_node("input_1", (5, 3)),
        node("LSTM", "lstm_1", lstm_config("lstm_1", 4, return_sequences=True), "input_1"),
        node("MyScale", "my_scale", {"name": "my_scale", "factor": 3.0}, "lstm_1"),
        node("Dense", "td", dense_config("td", 2), "my_scale"),
    ]
    config = functional(layers, ["input_1"], ["td"])
    path = write_h5(tmp_path / "functional.h5", config, CUSTOM_WEIGHTS, "2.2.4")
    with pytest.warns(UserWarning, match=r"cut 'my_scale' \(MyScale\), 'td' \(Dense\).*'lstm_1'"):
        cut = lw.load_model(path)
    x = normal(3, 5, 3, seed=7)

    def lstm_only(c):
        c["config"]["layers"] = c["config"]["layers"][:2]
        c["config"]["output_layers"] = [["lstm_1", 0, 0]]

    want = tf_keras_model(path, lstm_only, by_name=True).predict(x, verbose=0)
    np.testing.assert_allclose(out_of(cut, x), want, atol=ATOL)


def test_an_unknown_layer_before_the_lstm_is_named_with_the_way_out(tmp_path):
    path = write_h5(tmp_path / "custom.h5", custom_config(True), CUSTOM_WEIGHTS, "2.2.4")
    with pytest.raises(
        ValueError,
        match=r"'my_scale' \(MyScale\) on the way to .*'lstm_1'.*"
        r"custom_objects=\{'MyScale': MyScale\}",
    ):
        lw.load_model(path)
    assert load(path, custom_objects={"MyScale": Scale}).layers[0].name == "my_scale"


def test_bad_files_get_errors_naming_file_and_what_is_missing(tmp_path):
    config = {
        "class_name": "Sequential",
        "config": [
            {
                "class_name": "LSTM",
                "config": lstm_config("lstm_1", 2, batch_input_shape=[None, 4, 3]),
            }
        ],
    }
    weights = {"lstm_1": [normal(3, 8), normal(2, 8), normal(8)]}
    keras1 = write_h5(tmp_path / "keras1.h5", config, weights, version=None)
    with pytest.raises(ValueError, match=r"keras1\.h5.*written by Keras 1"):
        lw.load_model(keras1)
    good = write_h5(tmp_path / "good.h5", config, weights, "2.1.6")
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"truncated\.h5.*truncated or corrupt"):
        lw.load_model(truncated)
    missing = write_h5(tmp_path / "missing.h5", config, {"other": [normal(2)]}, "2.2.4")
    with pytest.raises(ValueError, match=r"missing\.h5.*no weights for layer 'lstm_1'"):
        lw.load_model(missing)
    dense_k3 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="only")])
    dense_k3.save(tmp_path / "dense.keras")  # a Keras 3 file: opened by Keras, refused alike
    with pytest.raises(ValueError, match=r"dense\.keras' holds no LSTM or GRU layer.*'only'"):
        lw.load_model(tmp_path / "dense.keras")
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        lw.load_model(good, custom_objects=[Scale])
