"""Reference vectors for the front end's LSTM and GRU recurrence, computed by Keras.

``python tests/make_js_vectors.py`` writes ``js/src/core/recurrence.vectors.ts``, which the
vitest suite of ``js/src/core/recurrence.ts`` reads; ``tests/test_js_vectors.py`` checks
that the file is what this script writes (Keras's TensorFlow backend). Each case is one
layer with random weights: Keras's own outputs (the h sequence, in processing order as
Keras returns it, and the final states), and every gate and state per step from
``lw.trace`` (itself equal to Keras to 1e-5, tested in tests/test_parity.py). And whole
models: ``page_model``'s description of the recurrent layer and the layers after it, with
Keras's output (``js/src/core/head.ts``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import lstm_widget as lw  # noqa: E402
from lstm_widget._view.page_model import page_model  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "js" / "src" / "core" / "recurrence.vectors.ts"
STEPS, FEATURES, UNITS, BATCH = 6, 2, 3, 2

CASES: dict[str, dict] = {
    "lstm": {"kind": "LSTM"},
    "lstm_backwards": {"kind": "LSTM", "go_backwards": True},
    "lstm_masked": {"kind": "LSTM", "masked": True},
    "lstm_no_bias": {"kind": "LSTM", "use_bias": False},
    "lstm_legacy_hard_sigmoid": {"kind": "LSTM", "recurrent_activation": "legacy_hard_sigmoid"},
    "lstm_softsign_hard_sigmoid": {
        "kind": "LSTM",
        "activation": "softsign",
        "recurrent_activation": "hard_sigmoid",
    },
    "lstm_elu": {"kind": "LSTM", "activation": "elu"},
    "lstm_silu_relu6": {"kind": "LSTM", "activation": "silu", "recurrent_activation": "relu6"},
    "lstm_relu_hard_silu": {
        "kind": "LSTM",
        "activation": "relu",
        "recurrent_activation": "hard_silu",
    },
    "lstm_linear": {"kind": "LSTM", "activation": "linear"},
    "gru": {"kind": "GRU"},
    "gru_reset_before": {"kind": "GRU", "reset_after": False},
    "gru_masked_backwards": {"kind": "GRU", "masked": True, "go_backwards": True},
    "gru_relu": {"kind": "GRU", "activation": "relu", "reset_after": False},
}


def _activation(name: str) -> object:
    return lw.legacy_hard_sigmoid if name == "legacy_hard_sigmoid" else name


def case(name: str, spec: dict) -> dict:
    """One case: weights, inputs, mask and what Keras and lw.trace give."""
    rng = np.random.default_rng(sum(map(ord, name)))
    kind = spec["kind"]
    args = {
        "return_sequences": True,
        "return_state": True,
        "go_backwards": spec.get("go_backwards", False),
        "use_bias": spec.get("use_bias", True),
        "activation": _activation(spec.get("activation", "tanh")),
        "recurrent_activation": _activation(spec.get("recurrent_activation", "sigmoid")),
    }
    if kind == "GRU":
        args["reset_after"] = spec.get("reset_after", True)
    layer = getattr(keras.layers, kind)(UNITS, name="rnn", **args)
    x_in = keras.Input((STEPS, FEATURES))
    mask_in = keras.Input((STEPS,), dtype="bool")
    outs = layer(x_in, mask=mask_in)
    probe = keras.Model([x_in, mask_in], outs)
    layer.set_weights(
        [0.8 * rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()]
    )
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    mask = np.ones((BATCH, STEPS), bool)
    if spec.get("masked"):
        mask[0, 4:] = False  # padding at the end
        mask[1, 2] = False  # a gap
    got = [keras.ops.convert_to_numpy(o) for o in probe.predict_on_batch([x, mask])]
    plain = keras.Sequential([keras.Input((STEPS, FEATURES)), layer])  # for lw.trace
    masked_x = x.copy()
    if spec.get("masked"):
        plain = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.Masking(0.0), layer])
        masked_x[~mask] = 0.0
    tr = lw.trace(plain, masked_x if spec.get("masked") else x, "rnn")
    arrays = ["input_gate", "forget_gate", "cell_candidate", "output_gate", "cell_state"]
    if kind == "GRU":
        arrays = ["update_gate", "reset_gate", "candidate"]
    weights = layer.get_weights()
    out = {
        "kind": kind,
        "units": UNITS,
        "features": FEATURES,
        "steps": STEPS,
        "activation": spec.get("activation", "tanh"),
        "recurrentActivation": spec.get("recurrent_activation", "sigmoid"),
        "goBackwards": args["go_backwards"],
        "resetAfter": args.get("reset_after", False),
        "kernel": weights[0].ravel().tolist(),
        "recurrentKernel": weights[1].ravel().tolist(),
        "bias": weights[2].ravel().tolist() if len(weights) > 2 else None,
        "x": x.ravel().tolist(),
        "mask": mask.astype(int).ravel().tolist(),
        "kerasSequence": got[0].ravel().tolist(),  # processing order, as Keras returns it
        "kerasFinalH": got[1].ravel().tolist(),
        "kerasFinalC": got[2].ravel().tolist() if kind == "LSTM" else None,
        "trace": {a: np.nan_to_num(tr.array(a), nan=-999.0).ravel().tolist() for a in arrays},
        "traceH": tr.hidden_state.ravel().tolist(),
    }
    return out


ACTIVATIONS = (
    "sigmoid", "tanh", "relu", "relu6", "hard_sigmoid", "legacy_hard_sigmoid", "hard_silu",
    "linear", "softsign", "silu", "exponential", "elu",
)  # fmt: skip
"""Every activation the recurrences compute without Keras (lstm_widget._base.activations)."""


def activations() -> dict:
    """Each activation on a grid of inputs, by Keras."""
    z = np.linspace(-8, 8, 41).astype("float32")
    out = {}
    for name in ACTIVATIONS:
        fn = _activation(name)
        fn = getattr(keras.activations, fn) if isinstance(fn, str) else fn
        out[name] = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(z))).tolist()
    return {"x": z.tolist(), "y": out}


def _models() -> dict[str, list]:
    """Models whose recurrent layer and the layers after it the page computes (or not).

    Every layer is named: Keras numbers unnamed ones per process, and the names are in the
    description.
    """
    L, G, B = keras.layers.LSTM, keras.layers.GRU, keras.layers.Bidirectional
    D = keras.layers.Dense
    return {
        "lstm_dense": [L(4, name="rnn"), D(1, name="dense")],
        "lstm_seq_timedistributed_flatten_sigmoid": [
            L(4, return_sequences=True, name="rnn"),
            keras.layers.TimeDistributed(D(2, activation="relu", name="inner"), name="td"),
            keras.layers.Flatten(name="flat"),
            D(1, activation="sigmoid", name="dense"),
        ],
        "stacked_dropout_softmax": [
            L(4, return_sequences=True, go_backwards=True, name="rnn"),
            G(3, name="gru"),
            keras.layers.Dropout(0.5, name="drop"),
            D(3, activation="softmax", name="dense"),
        ],
        "bidirectional_concat_activation": [
            B(L(3, name="fw"), name="rnn"),
            keras.layers.Activation("tanh", name="act"),
            D(2, name="dense"),
        ],
        "bidirectional_gru_sum_seq_then_lstm": [
            B(G(3, return_sequences=True, name="fw"), merge_mode="sum", name="rnn"),
            L(2, name="lstm"),
            D(2, activation="log_softmax", name="dense"),
        ],
        "masked_lstm_seq_then_gru": [
            keras.layers.Masking(0.0, name="mask"),
            L(3, return_sequences=True, name="rnn"),
            G(2, name="gru"),
            D(1, name="dense"),
        ],
        "custom_activation": [L(3, name="rnn"), D(1, activation=lambda v: v * 2.0, name="dense")],
    }


CHANGES = {
    "lstm_dense": (
        {"forget": {"bias_shift": -1.0}, "input": {"kernel_scale": 0.5, "units": [0, 2]}},
        [{"units": [1], "array": "c", "value": 0.0}],
    ),
    "stacked_dropout_softmax": (
        {"cell": {"recurrent_scale": 0.3}},
        [{"units": [3], "array": "h", "value": 0.7, "steps": [1, 2]}],
    ),
    "bidirectional_gru_sum_seq_then_lstm": (
        # the candidate's shift goes to the input bias, outside the reset gate's product
        {"update": {"bias_shift": 1.0}, "candidate": {"kernel_scale": 1.5, "bias_shift": 1.0}},
        [{"units": [0, 4], "array": "h", "value": -0.5}],
    ),
    "masked_lstm_seq_then_gru": (
        {"output": {"recurrent_scale": 0.0}},
        [{"units": [0], "array": "h", "value": 0.5, "steps": [1, 2, 5]}],
    ),
}
"""Per model: what-if edits of its recurrent layer and units set, for the page to repeat."""


def model_case(name: str, layers: list) -> dict:
    """A model's page description, its arrays, the layer input and Keras's outputs."""
    rng = np.random.default_rng(sum(map(ord, name)))
    model = keras.Sequential([keras.Input((STEPS, FEATURES)), *layers])
    model.set_weights(
        [0.8 * rng.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    )
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    if name.startswith("masked"):
        x[0, 4:] = 0.0
    description, arrays = page_model(model, "rnn")
    out = keras.ops.convert_to_numpy(model.predict_on_batch(x)) if "custom" not in name else None
    changes = {}
    if name in CHANGES:
        edits, units = CHANGES[name]
        edited = lw.what_if(model, x, edits, "rnn").edited_output
        intervened = lw.intervene(model, x, units, "rnn").edited_output
        changes = {
            "edits": edits,
            "editedOutput": np.asarray(edited).ravel().tolist(),
            "clamps": units,
            "intervenedOutput": np.asarray(intervened).ravel().tolist(),
        }
    return {
        **changes,
        "model": description,
        "arrays": [a.ravel().tolist() for a in arrays],
        "x": x.ravel().tolist(),
        "mask": (x != 0).any(axis=2).astype(int).ravel().tolist(),
        "output": None if out is None else out.ravel().tolist(),
        "outputShape": None if out is None else list(out.shape[1:]),
    }


def render() -> str:
    """The vectors file's text."""
    keras.utils.set_random_seed(0)
    cases = {name: case(name, spec) for name, spec in CASES.items()}
    body = json.dumps(cases, indent=None, separators=(",", ":"))
    acts = json.dumps(activations(), indent=None, separators=(",", ":"))
    models = {name: model_case(name, layers) for name, layers in _models().items()}
    heads = json.dumps(models, indent=None, separators=(",", ":"))
    return (
        "// Generated by tests/make_js_vectors.py from Keras and lw.trace: do not edit.\n"
        "// NaN (a masked step's gates) is written as -999.\n"
        "/* eslint-disable */\n"
        f"export const BATCH = {BATCH};\n"
        f"export const VECTORS: Record<string, any> = {body};\n"
        f"export const ACTIVATIONS: {{ x: number[]; y: Record<string, number[]> }} = {acts};\n"
        f"export const MODELS: Record<string, any> = {heads};\n"
    )


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
