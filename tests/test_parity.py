"""Property-based parity: random LSTM configurations, trace vs Keras's own computation."""

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import keras_gates, keras_states

import lstm_widget as lw

ATOL = 1e-5
RTOL = 1e-5  # as in Keras's own tests: relu/exponential states can grow large
DIVERGED = 1e6
"""States past this size come from a diverging recurrence (relu states grow by a factor per
step); float32 rounding then compounds step by step, and the one fused product per step
and Keras's three products round differently: such cases are held to RTOL_DIVERGED."""
RTOL_DIVERGED = 1e-4


def tolerances(*refs):
    """atol, rtol for arrays whose largest state is ``big``: ATOL at the arrays' own scale.

    With unbounded activations one sample can hold states of 1,000 next to states of 1,
    and float32 rounds the small ones at the scale of the sums that made them (seen:
    1e-4 off at 1.4 beside 1538, i.e. 7e-8 of the scale). For states within +-1, the
    usual case, this is ATOL and RTOL unchanged.
    """
    big = max(float(np.nanmax(np.abs(r), initial=0.0)) for r in refs)
    return ATOL * max(1.0, big), RTOL if big < DIVERGED else RTOL_DIVERGED


def scaled_tanh(x):
    """A custom activation: only callable through Keras (no numpy twin)."""
    return keras.ops.tanh(x) * 0.9


def legacy_hard_sigmoid(x):
    """Old Keras's hard_sigmoid, clip(0.2 x + 0.5): models trained with it still exist."""
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "softsign", "elu", "silu", scaled_tanh]
RECURRENT = ["sigmoid", "hard_sigmoid", legacy_hard_sigmoid, "tanh", "relu6", "hard_silu"]


@st.composite
def configs(draw):
    return {
        "batch": draw(st.integers(1, 3)),
        "time": draw(st.integers(1, 9)),
        "features": draw(st.integers(1, 4)),
        "units": draw(st.integers(1, 6)),
        "activation": draw(st.sampled_from(ACTIVATIONS)),
        "recurrent_activation": draw(st.sampled_from(RECURRENT)),
        "use_bias": draw(st.booleans()),
        "unit_forget_bias": draw(st.booleans()),
        "go_backwards": draw(st.booleans()),
        "masked": draw(st.booleans()),
        "initial_state": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


MASK_VALUE = -7.0


def build(cfg):
    rng = np.random.default_rng(cfg["seed"])
    b, t, f, u = cfg["batch"], cfg["time"], cfg["features"], cfg["units"]
    lstm = keras.layers.LSTM(
        u,
        activation=cfg["activation"],
        recurrent_activation=cfg["recurrent_activation"],
        use_bias=cfg["use_bias"],
        unit_forget_bias=cfg["unit_forget_bias"],
        go_backwards=cfg["go_backwards"],
        return_sequences=True,
        return_state=True,
    )
    inp = keras.Input((t, f))
    seq = keras.layers.Masking(MASK_VALUE)(inp) if cfg["masked"] else inp
    out, h, c = lstm(seq)
    model = keras.Model(inp, out)
    model_with_state = keras.Model(inp, [h, c])
    weights = [rng.normal(0, 0.6, w.shape).astype("float32") for w in lstm.get_weights()]
    lstm.set_weights(weights)
    x = rng.normal(0, 1.5, (b, t, f)).astype("float32")
    mask = None
    if cfg["masked"]:
        mask = rng.random((b, t)) < 0.7
        x[~mask] = MASK_VALUE
    init = None
    if cfg["initial_state"] and not cfg["masked"]:
        init = [rng.normal(0, 0.5, (b, u)).astype("float32") for _ in range(2)]
    return lstm, model, model_with_state, x, mask, init


def entering(h_after, h0, backwards):
    """Hidden state entering each step, from the states after each step."""
    before = np.empty_like(h_after)
    if backwards:
        before[:, -1] = h0
        before[:, :-1] = h_after[:, 1:]
    else:
        before[:, 0] = h0
        before[:, 1:] = h_after[:, :-1]
    return before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_trace_matches_keras(cfg):
    lstm, model, model_with_state, x, mask, init = build(cfg)
    tr = lw.trace(model, x, initial_state=init)

    h_ref, c_ref = keras_states(lstm, x, mask, init)
    atol, rtol = tolerances(h_ref, c_ref)
    np.testing.assert_allclose(tr.hidden_state, h_ref, atol=atol, rtol=rtol)
    np.testing.assert_allclose(tr.cell_state, c_ref, atol=atol, rtol=rtol)
    if mask is not None:
        np.testing.assert_array_equal(tr.mask, mask)

    if init is None:  # the real layer, as the model runs it (return_state=True)
        h_last, c_last = (keras.ops.convert_to_numpy(a) for a in model_with_state(x))
        np.testing.assert_allclose(tr.final_state[0], h_last, atol=atol, rtol=rtol)
        np.testing.assert_allclose(tr.final_state[1], c_last, atol=atol, rtol=rtol)

    h0 = np.zeros_like(h_ref[:, 0]) if init is None else init[0]
    gates = keras_gates(lstm, x, entering(h_ref, h0, cfg["go_backwards"]))
    done = np.ones(x.shape[:2], bool) if mask is None else mask
    for name, arr in [
        ("input", tr.input_gate),
        ("forget", tr.forget_gate),
        ("cell", tr.cell_candidate),
        ("output", tr.output_gate),
    ]:
        np.testing.assert_allclose(arr[done], gates[name][done], atol=atol, rtol=rtol, err_msg=name)
        assert np.isnan(arr[~done]).all()


@pytest.mark.parametrize("masked", [False, True])
def test_row_blocks_in_threads_match_keras(masked):
    """Batches big enough for threaded row blocks (batch x units >= 4096): unmasked, every
    unit (gates and states finished in the result arrays) and masked with a subset of
    units (finished in scratch rows, copied out). Keras's own initial weights: N(0, 0.6)
    over 70 units is chaotic, and float32 rounding then grows past 1e-5 in 40 steps."""
    keras.utils.set_random_seed(7)
    lstm = keras.layers.LSTM(70, return_sequences=True, go_backwards=masked)
    inp = keras.Input((40, 3))
    model = keras.Model(inp, lstm(keras.layers.Masking(MASK_VALUE)(inp) if masked else inp))
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1.5, (61, 40, 3)).astype("float32")
    mask = None
    if masked:
        mask = rng.random((61, 40)) < 0.7
        x[~mask] = MASK_VALUE
    units = [0, 33, 69] if masked else slice(None)
    tr = lw.trace(model, x, units=units if masked else None)
    h_ref, c_ref = keras_states(lstm, x, mask)
    np.testing.assert_allclose(tr.hidden_state, h_ref[..., units], atol=ATOL, rtol=RTOL)
    np.testing.assert_allclose(tr.cell_state, c_ref[..., units], atol=ATOL, rtol=RTOL)
    gates = keras_gates(lstm, x, entering(h_ref, np.zeros_like(h_ref[:, 0]), masked))
    done = np.ones(x.shape[:2], bool) if mask is None else mask
    for name, arr in [("input", tr.input_gate), ("cell", tr.cell_candidate)]:
        want = gates[name][..., units]
        np.testing.assert_allclose(arr[done], want[done], atol=ATOL, rtol=RTOL, err_msg=name)
        assert np.isnan(arr[~done]).all()
