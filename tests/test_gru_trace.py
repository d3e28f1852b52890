"""GRU traces against Keras: the real GRU's outputs and states, gates from Keras Dense layers."""

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import keras_gru_gates
from test_parity import entering, tolerances

import lstm_widget as lw

MASK_VALUE = -7.0


@st.composite
def configs(draw):
    return {
        "batch": draw(st.integers(1, 3)),
        "time": draw(st.integers(1, 9)),
        "features": draw(st.integers(1, 4)),
        "units": draw(st.integers(1, 6)),
        "activation": draw(st.sampled_from(["tanh", "relu", "sigmoid", "softsign"])),
        "recurrent_activation": draw(st.sampled_from(["sigmoid", "hard_sigmoid", "tanh"])),
        "reset_after": draw(st.booleans()),
        "use_bias": draw(st.booleans()),
        "go_backwards": draw(st.booleans()),
        "masked": draw(st.booleans()),
        "initial_state": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build(cfg):
    rng = np.random.default_rng(cfg["seed"])
    b, t, f, u = cfg["batch"], cfg["time"], cfg["features"], cfg["units"]
    gru = keras.layers.GRU(
        u,
        activation=cfg["activation"],
        recurrent_activation=cfg["recurrent_activation"],
        reset_after=cfg["reset_after"],
        use_bias=cfg["use_bias"],
        go_backwards=cfg["go_backwards"],
        return_sequences=True,
        return_state=True,
    )
    inp, h0 = keras.Input((t, f)), keras.Input((u,))
    seq = keras.layers.Masking(MASK_VALUE)(inp) if cfg["masked"] else inp
    init = cfg["initial_state"] and not cfg["masked"]
    out, h = gru(seq, initial_state=[h0] if init else None)
    model = keras.Model([inp, h0] if init else inp, [out, h])
    gru.set_weights([rng.normal(0, 0.6, w.shape).astype("float32") for w in gru.get_weights()])
    x = rng.normal(0, 1.5, (b, t, f)).astype("float32")
    mask = None
    if cfg["masked"]:
        mask = rng.random((b, t)) < 0.7
        x[~mask] = MASK_VALUE
    start = rng.normal(0, 0.5, (b, u)).astype("float32") if init else None
    return gru, model, x, mask, start


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_gru_trace_matches_keras(cfg):
    gru, model, x, mask, start = build(cfg)
    feed = x if start is None else [x, start]
    tr = lw.trace(model, feed)
    assert isinstance(tr, lw.GRUTrace)
    seq, h_last = (keras.ops.convert_to_numpy(a) for a in model(feed))
    if cfg["go_backwards"]:  # Keras returns backward sequences in processing order
        seq = seq[:, ::-1]
    atol, rtol = tolerances(seq)
    np.testing.assert_allclose(tr.hidden_state, seq, atol=atol, rtol=rtol)
    np.testing.assert_allclose(tr.final_state[0], h_last, atol=atol, rtol=rtol)
    h0 = np.zeros_like(seq[:, 0]) if start is None else start
    gates = keras_gru_gates(gru, x, entering(seq, h0, cfg["go_backwards"]))
    done = np.ones(x.shape[:2], bool) if mask is None else mask
    for name, arr in [
        ("update", tr.update_gate),
        ("reset", tr.reset_gate),
        ("candidate", tr.candidate),
    ]:
        np.testing.assert_allclose(arr[done], gates[name][done], atol=atol, rtol=rtol, err_msg=name)
        assert np.isnan(arr[~done]).all()


def test_bidirectional_stateful_units_and_the_model_untouched():
    keras.utils.set_random_seed(0)
    inp = keras.Input((6, 2), batch_size=2)
    bi = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True), name="bi")
    stateful = keras.layers.GRU(3, stateful=True, name="st")
    model = keras.Model(inp, stateful(bi(inp)))
    x = np.random.default_rng(0).normal(size=(2, 6, 2)).astype("float32")
    model.predict_on_batch(x)
    if keras.backend.backend() == "jax":  # Keras's JAX predict leaves the states as they were
        stateful.states[0].assign(stateful.states[0] + 0.3)
    before = [np.array(v.numpy(), copy=True) for v in model.variables]
    both = lw.trace(model, x, "bi")
    fw = keras.Model(inp, keras.layers.RNN(bi.forward_layer.cell, return_sequences=True)(inp))
    np.testing.assert_allclose(both.forward.hidden_state, fw.predict_on_batch(x), atol=1e-5)
    assert both.backward.go_backwards and both.layer == "bi"
    st_trace = lw.trace(model, x, "st", units=[0, 2])
    assert st_trace.hidden_state.shape == (2, 6, 2)
    np.testing.assert_allclose(  # starts from the layer's current state, as Keras would
        st_trace.final_state[0], keras.ops.convert_to_numpy(model(x)), atol=1e-5
    )
    for a, b in zip(before, model.variables, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    with pytest.raises(ValueError, match=r"initial_state must be a list or tuple \(h,\)"):
        lw.trace(model, x, "st", initial_state=(np.zeros(3), np.zeros(3)))
    with pytest.raises(ValueError, match=r"unknown GRU trace array 'c'"):
        st_trace.array("c")


def test_attribution_and_memory_horizon_of_a_gru():
    """Update gates held at z = 0.8: a write keeps 0.8^n of itself n steps later."""
    keras.utils.set_random_seed(0)
    gru = keras.layers.GRU(3, name="g")
    model = keras.Sequential([keras.Input((20, 2)), gru, keras.layers.Dense(1)])
    kernel, recurrent, bias = gru.get_weights()
    bias[:] = 0.0
    bias[0, :3] = np.log(0.8 / 0.2)  # sigmoid(b_z) = 0.8, whatever x and h
    gru.set_weights([np.zeros_like(kernel), np.zeros_like(recurrent), bias])
    x = np.random.default_rng(0).normal(size=(2, 20, 2)).astype("float32")
    tr = lw.trace(model, x)
    np.testing.assert_allclose(tr.update_gate, 0.8, atol=1e-6)
    expected = int(np.sum(0.8 ** np.arange(20) > np.exp(-1.0)))  # direct count: 5
    np.testing.assert_array_equal(lw.memory_horizon(model, x), np.full((2, 3), expected))
    keras.utils.set_random_seed(1)
    trained = keras.Sequential([keras.Input((20, 2)), keras.layers.GRU(4), keras.layers.Dense(1)])
    # model-level: GRUs included
    ig = lw.step_attribution(trained, x, "integrated_gradients", path_steps=64)
    assert ig.shape == (2, 20) and ig.completeness_error < 0.01
    occ = lw.step_attribution(trained, x, method="occlusion")
    assert occ.shape == (2, 20) and np.abs(occ).sum() > 0


def test_row_blocks_in_threads_match_keras():
    """Batches big enough for the threaded row blocks (batch x units >= 4096), masked."""
    keras.utils.set_random_seed(2)
    inp = keras.Input((6, 3))
    gru = keras.layers.GRU(70, return_sequences=True, go_backwards=True)
    model = keras.Model(inp, gru(keras.layers.Masking(MASK_VALUE)(inp)))
    rng = np.random.default_rng(3)
    x = rng.normal(size=(97, 6, 3)).astype("float32")
    x[rng.random((97, 6)) < 0.3] = MASK_VALUE
    tr = lw.trace(model, x, units=[0, 69])
    seq = model.predict_on_batch(x)[:, ::-1]
    np.testing.assert_allclose(tr.hidden_state, seq[..., [0, 69]], atol=1e-5)
    np.testing.assert_allclose(tr.final_state[0], model.predict_on_batch(x)[:, -1], atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_long_unmasked_batches_in_threads_match_keras(reset_after):
    """The direct path (every unit, no mask: steps written straight into the result) in
    threaded row blocks, over more steps than one candidate-input product covers (64)."""
    keras.utils.set_random_seed(4)
    gru = keras.layers.GRU(
        70, return_sequences=True, reset_after=reset_after, go_backwards=not reset_after
    )
    model = keras.Model(inp := keras.Input((150, 3)), gru(inp))
    x = np.random.default_rng(5).normal(size=(61, 150, 3)).astype("float32")
    tr = lw.trace(model, x)
    seq = model.predict_on_batch(x)
    if not reset_after:  # go_backwards: Keras returns the sequence in processing order
        seq = seq[:, ::-1]
    np.testing.assert_allclose(tr.hidden_state, seq, atol=1e-5)
    h0 = np.zeros_like(seq[:, 0])
    gates = keras_gru_gates(gru, x, entering(seq, h0, not reset_after))
    for name, arr in [("update", tr.update_gate), ("reset", tr.reset_gate)]:
        np.testing.assert_allclose(arr, gates[name], atol=1e-5, err_msg=name)
    np.testing.assert_allclose(tr.candidate, gates["candidate"], atol=1e-5)
