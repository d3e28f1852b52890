"""The expected values of Keras's own LSTM test suite, reproduced by ``trace``.

Source: keras/src/layers/rnn/lstm_test.py (Keras 3): constant initializers 0.01 / 0.02 /
0.03, inputs ``np.arange(...)``, published outputs checked there with atol 1e-5.
"""

import keras
import numpy as np
import pytest
from conftest import const_lstm

import lstm_widget as lw

ATOL = 1e-5

SEQ_3_6_4 = np.arange(72).reshape((3, 6, 4)).astype("float32")
SEQ_2_4_3 = np.arange(24).reshape((2, 4, 3)).astype("float32")


def model_of(layer: keras.layers.Layer, shape: tuple[int, ...], masked: bool = False):
    inp = keras.Input(shape)
    x = keras.layers.Masking(mask_value=-1.0)(inp) if masked else inp
    return keras.Model(inp, layer(x))


@pytest.mark.parametrize("implementation", [1, 2])
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, [0.6288687, 0.86899155, 0.9460773]),
        ({"go_backwards": True}, [0.35622165, 0.74789524, 0.8872726]),
        ({"unroll": True}, [0.6288687, 0.86899155, 0.9460773]),
        ({"unit_forget_bias": False}, [0.57019705, 0.8661914, 0.9459622]),
        ({"use_bias": False}, [0.54986924, 0.86226785, 0.9443936]),
    ],
)
def test_correctness_vectors(options, expected, implementation):
    model = model_of(const_lstm(3, implementation=implementation, **options), (6, 4))
    tr = lw.trace(model, SEQ_3_6_4)
    want = np.repeat(np.array(expected, np.float32)[:, None], 3, axis=1)
    np.testing.assert_allclose(tr.final_state[0], want, atol=ATOL)
    last = 0 if options.get("go_backwards") else -1
    np.testing.assert_allclose(tr.hidden_state[:, last], want, atol=ATOL)


def test_statefulness_vector():
    seq = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = const_lstm(4, stateful=True)
    model = keras.Sequential([keras.Input((3, 4), batch_size=2), layer])
    model(seq)  # one call advances the state, as in Keras's test
    before = [v.numpy().copy() for v in layer.states]
    tr = lw.trace(model, seq)
    want = np.array([[0.3124785] * 4, [0.6863672] * 4])
    np.testing.assert_allclose(tr.final_state[0], want, atol=ATOL)
    for var, old in zip(layer.states, before, strict=True):
        np.testing.assert_array_equal(var.numpy(), old)


@pytest.mark.parametrize(
    ("go_backwards", "expected"),
    [
        (False, [[0.20574439, 0.3558822], [0.64930826, 0.66276]]),
        (True, [[0.13281618, 0.2790356], [0.5839337, 0.5992567]]),
    ],
)
def test_initial_state_vectors(go_backwards, expected):
    init = [np.arange(4).reshape((2, 2)).astype("float32")] * 2
    model = model_of(const_lstm(2, go_backwards=go_backwards), (4, 3))
    tr = lw.trace(model, SEQ_2_4_3, initial_state=init)
    np.testing.assert_allclose(tr.final_state[0], expected, atol=ATOL)


MASK = np.array([[True, True, True, False], [True, True, False, False]])


def masked_input(mask: np.ndarray) -> np.ndarray:
    # A Masking(-1) layer produces exactly `mask`; masked steps' values never matter.
    x = SEQ_2_4_3.copy()
    x[~mask] = -1.0
    return x


def test_masking_final_vector():
    model = model_of(const_lstm(2, unroll=True), (4, 3), masked=True)
    tr = lw.trace(model, masked_input(MASK))
    np.testing.assert_array_equal(tr.mask, MASK)
    np.testing.assert_allclose(tr.final_state[0], [[0.11755939] * 2, [0.28556206] * 2], atol=ATOL)


def test_masking_sequence_vectors():
    model = model_of(const_lstm(2, return_sequences=True), (4, 3), masked=True)
    tr = lw.trace(model, masked_input(MASK))
    h = tr.hidden_state
    np.testing.assert_allclose(
        h[0], [[0.0158891] * 2, [0.05552048] * 2, [0.11755939] * 2, [0.11755939] * 2], atol=ATOL
    )
    np.testing.assert_allclose(
        h[1], [[0.14185596] * 2, [0.28556206] * 2, [0.28556206] * 2, [0.28556206] * 2], atol=ATOL
    )
    # gates of skipped steps had no effect: reported as NaN, processed steps are finite
    assert np.isnan(tr.input_gate[~MASK]).all()
    assert np.isfinite(tr.input_gate[MASK]).all()


def test_masking_backwards_vector():
    backwards_mask = np.array([[False, True, True, True], [False, False, True, True]])
    model = model_of(const_lstm(2, go_backwards=True), (4, 3), masked=True)
    tr = lw.trace(model, masked_input(backwards_mask))
    np.testing.assert_allclose(tr.final_state[0], [[0.15341201] * 2, [0.3844719] * 2], atol=ATOL)
