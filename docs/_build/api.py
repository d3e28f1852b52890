"""Write docs/api.md: every public name, its signature and docstring, and one example.

Run ``.venv/bin/python docs/_build/api.py``; ``tests/test_docs.py`` checks that the page is
what this script writes (so it follows the docstrings) and runs its examples.
"""

from __future__ import annotations

import inspect
import pathlib

import lstm_widget as lw

PAGE = pathlib.Path(__file__).resolve().parents[1] / "api.md"

SETUP = """\
import tempfile

import keras
import numpy as np

import lstm_widget as lw

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((10, 3)), keras.layers.LSTM(8, name="lstm"), keras.layers.Dense(1)]
)
gru_model = keras.Sequential(
    [keras.Input((10, 3)), keras.layers.GRU(6, name="gru"), keras.layers.Dense(1)]
)
bi_model = keras.Sequential(
    [keras.Input((10, 3)), keras.layers.Bidirectional(keras.layers.LSTM(4), name="bi")]
)
x = np.random.default_rng(0).normal(size=(4, 10, 3)).astype("float32")
"""

GROUPS: list[tuple[str, list[str]]] = [
    ("Finding layers", ["lstm_layers", "recurrent_layers"]),
    (
        "Weights split into gates",
        [
            "gate_weights",
            "GateWeights",
            "Gate",
            "GATES",
            "BidirectionalGateWeights",
            "GRUGateWeights",
            "GRUGate",
            "GRU_GATES",
            "BidirectionalGRUGateWeights",
        ],
    ),
    (
        "Gates and states at every step",
        ["trace", "Trace", "TRACE_ARRAYS", "GRUTrace", "GRU_TRACE_ARRAYS", "BidirectionalTrace"],
    ),
    ("What if", ["what_if", "WhatIf", "edited_model"]),
    (
        "Which units matter",
        ["intervene", "Intervened", "patch", "Patched", "unit_effects", "UnitEffects"],
    ),
    ("Attribution over steps", ["step_attribution", "Attribution", "memory_horizon"]),
    (
        "What units do",
        [
            "unit_correlation",
            "Correlation",
            "match_pattern",
            "Matches",
            "gate_saturation",
            "Saturation",
        ],
    ),
    ("Figures", ["plot_trace", "plot_attribution", "plot_gate_saturation"]),
    ("Old models", ["load_model", "legacy_hard_sigmoid"]),
    ("The explorer", ["LSTMExplorer", "LSTMExplorer.save_html", "LSTMExplorer.share"]),
]

EXAMPLES = {
    "lstm_layers": """\
lw.lstm_layers(bi_model)  # ["bi"]
""",
    "recurrent_layers": """\
lw.recurrent_layers(gru_model)  # ["gru"]: LSTMs and GRUs
""",
    "gate_weights": """\
gw = lw.gate_weights(model)  # the first LSTM, or gate_weights(model, "lstm")
gw["forget"].kernel.shape  # (3, 8): x_t -> forget gate
""",
    "GateWeights": """\
print(lw.gate_weights(model).describe())  # shapes, columns, equations
""",
    "Gate": """\
f = lw.gate_weights(model)["forget"]
f.kernel.shape, f.recurrent_kernel.shape, f.bias.shape
""",
    "GATES": """\
lw.GATES  # ("input", "forget", "cell", "output"): Keras's column order
""",
    "BidirectionalGateWeights": """\
bw = lw.gate_weights(bi_model)
bw.forward["input"].kernel.shape, bw.backward["input"].kernel.shape
""",
    "GRUGateWeights": """\
print(lw.gate_weights(gru_model).describe())
""",
    "GRUGate": """\
z = lw.gate_weights(gru_model)["update"]
z.bias.shape, z.recurrent_bias.shape  # reset_after=True: two biases
""",
    "GRU_GATES": """\
lw.GRU_GATES  # ("update", "reset", "candidate")
""",
    "BidirectionalGRUGateWeights": """\
bi_gru = keras.Sequential(
    [keras.Input((10, 3)), keras.layers.Bidirectional(keras.layers.GRU(4), name="bg")]
)
lw.gate_weights(bi_gru).backward["reset"].kernel.shape
""",
    "trace": """\
tr = lw.trace(model, x)  # x as for model.predict
tr.forget_gate.shape  # (4, 10, 8): batch, time, units
""",
    "Trace": """\
tr = lw.trace(model, x)
h, c = tr.final_state  # what return_state=True gives
tr.cell_state[0, -1], tr.mask  # mask: None without masking
""",
    "TRACE_ARRAYS": """\
tr = lw.trace(model, x)
{name: getattr(tr, name).shape for name in lw.TRACE_ARRAYS}
""",
    "GRUTrace": """\
g = lw.trace(gru_model, x)
g.update_gate.shape, g.candidate.shape, g.final_state[0].shape
""",
    "GRU_TRACE_ARRAYS": """\
lw.GRU_TRACE_ARRAYS  # ("update_gate", "reset_gate", "candidate", "hidden_state")
""",
    "BidirectionalTrace": """\
b = lw.trace(bi_model, x)
b.forward.hidden_state.shape, b.backward.hidden_state.shape  # both indexed by x[:, t]
""",
    "what_if": """\
w = lw.what_if(model, x, {"forget": {"bias_shift": -2.0}})
w.baseline_output[:, 0], w.edited_output[:, 0]
""",
    "WhatIf": """\
w = lw.what_if(model, x, {"input": {"kernel_scale": 0.5, "units": [0, 1]}})
w.edited.input_gate.mean() - w.baseline.input_gate.mean()
""",
    "edited_model": """\
edited = lw.edited_model(model, {"forget": {"bias_shift": 1.0}})  # a copy
edited.predict_on_batch(x)[:, 0]
""",
    "intervene": """\
res = lw.intervene(model, x, {"units": [2, 5], "array": "c", "value": 0.0})
res.edited_output - res.baseline_output  # what zeroing c of units 2 and 5 changes
lw.intervene(model, x, [{"units": 0, "value": "mean"}, {"units": 1, "array": "h", "steps": [8, 9]}])
""",
    "Intervened": """\
res = lw.intervene(gru_model, x, {"units": [1]})  # a GRU's h set to 0 at every step
res.baseline.hidden_state[0, :, 1], res.edited.hidden_state[0, :, 1]
""",
    "patch": """\
source, target = x[:2], x[2:]
p = lw.patch(model, source, target, units=[3], steps=[9])  # unit 3's h at the last step
p.restored  # share of the source-target difference that unit carries, per output value
""",
    "Patched": """\
p = lw.patch(model, x[:1], x, units=[0, 1, 2], array="c")  # one source for all targets
p.output, p.target_output, p.source_output
""",
    "unit_effects": """\
effects = lw.unit_effects(model, x)  # each unit's c zeroed at every step, in turn
effects.ranked[:3], effects.mean_abs[effects.ranked[:3]]
""",
    "UnitEffects": """\
effects = lw.unit_effects(gru_model, x, mode="mean", progress=True)
effects.mean_signed  # < 0: holding the unit at its mean lowers the output on average
""",
    "step_attribution": """\
attr = lw.step_attribution(model, x)  # (batch, time): random masks against x's other samples
cells = lw.step_attribution(model, x, per_feature=True)  # (batch, time, features)
win = lw.step_attribution(model, x, method="windows")  # one window at a time
ig = lw.step_attribution(model, x, method="integrated_gradients")
occ = lw.step_attribution(model, x, method="occlusion")
dec = lw.step_attribution(model, x, method="cell_decomposition")
""",
    "Attribution": """\
attr = lw.step_attribution(model, x, method="integrated_gradients", path_steps=64)
attr.method, attr.completeness_error, attr.note
""",
    "memory_horizon": """\
lw.memory_horizon(model, x)  # (batch, units): steps a write keeps > 1/e of itself
""",
    "unit_correlation": """\
corr = lw.unit_correlation(model, x, x[..., 0])  # annotation: (batch, time)
corr.ranked[:3], corr.r[corr.ranked[0]]
""",
    "Correlation": """\
corr = lw.unit_correlation(model, x, x[..., 0], array="c")
corr.steps  # unmasked steps counted
""",
    "match_pattern": """\
m = lw.match_pattern(model, x, sample=0, start=2, stop=6, threshold=0.1)
m.units, m.hits[:3]
""",
    "Matches": """\
m = lw.match_pattern(model, x, 0, 2, 6, threshold=0.1, array="c")
m.threshold, m.array
""",
    "gate_saturation": """\
sat = lw.gate_saturation(model, x)
sat.gates, sat.left.shape  # fraction of steps < 0.1 per gate and unit
""",
    "Saturation": """\
sat = lw.gate_saturation(gru_model, x)
sat.right[0]  # update gates > 0.9
""",
    "plot_trace": """\
fig = lw.plot_trace(lw.trace(model, x), view="f")  # a matplotlib Figure
""",
    "plot_attribution": """\
fig = lw.plot_attribution(lw.step_attribution(model, x), sample=0)
""",
    "plot_gate_saturation": """\
fig = lw.plot_gate_saturation(lw.gate_saturation(model, x))
""",
    "load_model": """\
path = tempfile.mkdtemp() + "/model.keras"
model.save(path)
same = lw.load_model(path)  # a Keras 2 .h5 opens with its original numbers
""",
    "legacy_hard_sigmoid": """\
keras.ops.convert_to_numpy(lw.legacy_hard_sigmoid(np.array([-3.0, 0.0, 1.0])))  # 0, 0.5, 0.7
""",
    "LSTMExplorer": """\
explorer = lw.LSTMExplorer(model, x, feature_names=["a", "b", "c"])
explorer.sample = 2  # the view follows; display(explorer) in a notebook
explorer.edits = {"forget": {"bias_shift": -1.0}}
explorer.prediction, explorer.edited_prediction
""",
    "LSTMExplorer.save_html": """\
explorer = lw.LSTMExplorer(model, x, attribution_method="masks")
path = explorer.save_html(tempfile.mkdtemp() + "/explorer.html")  # one file, works offline
path.stat().st_size  # bytes: weights and inputs travel, the page computes the traces
""",
    "LSTMExplorer.share": """\
shared = lw.LSTMExplorer(model, x).share(samples=[0, 1])  # the last line of a notebook cell
shared.nbytes  # an iframe whose srcdoc is the page: nbconvert keeps it interactive
""",
}


def _resolve(name: str) -> object:
    """``lw.name``, or a method ``lw.Class.method``."""
    obj: object = lw
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _signature(name: str, obj: object) -> str:
    if "." in name:  # a method: shown as called on an instance
        params = list(inspect.signature(obj).parameters.values())[1:]  # type: ignore[arg-type]
        sig = str(
            inspect.Signature(params, return_annotation=inspect.signature(obj).return_annotation)
        )  # type: ignore[arg-type]
        return f"explorer.{name.split('.')[-1]}{sig}".replace("'", "")
    if not callable(obj):
        return f"lw.{name} = {obj!r}"
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return f"lw.{name}"
    if inspect.isclass(obj) and issubclass(obj, lw.Attribution):  # an ndarray subclass
        return f"class lw.{name}(numpy.ndarray)"
    prefix = "class " if inspect.isclass(obj) else ""
    return f"{prefix}lw.{name}{sig}".replace("'", "")


def _doc(obj: object) -> str:
    if not callable(obj):  # a constant: its docstring is the tuple's
        return ""
    return inspect.getdoc(obj) or ""


def render() -> str:
    """The whole page."""
    out = [
        "# API reference",
        "",
        "Every public name of `lstm_widget` (`import lstm_widget as lw`): its signature, what",
        "it takes and returns, the errors it raises, and one example. Generated from the",
        "docstrings by `docs/_build/api.py`; the examples run in the tests",
        "(`tests/test_docs.py`) after this set-up:",
        "",
        "```python runnable",
        SETUP.rstrip(),
        "```",
        "",
        "Errors: bad input raises `ValueError` or `TypeError` naming the argument and what was",
        "expected. The model is never modified.",
    ]
    for title, names in GROUPS:
        out += ["", f"## {title}"]
        for name in names:
            obj = _resolve(name)
            doc = _doc(obj)
            text = _signature(name, obj) + ("\n\n" + doc if doc else "")
            out += ["", f"### `{name}`", "", "```text", text, "```", ""]
            out += ["```python runnable", EXAMPLES[name].rstrip(), "```"]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    PAGE.write_text(render())
    print(f"wrote {PAGE}")
