"""Write the tutorial notebooks (sources); `bash notebooks/_build/run` executes them."""

from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parents[1]
HEAD = '%matplotlib inline\nimport os\n\nos.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")\n\nimport keras\nimport numpy as np\n\nimport lstm_widget as lw'


def md(text):
    return nbf.v4.new_markdown_cell(text)


def code(text):
    return nbf.v4.new_code_cell(text)


def write(name, cells):
    nb = nbf.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbf.write(nb, HERE / name)


write(
    "02_which_weights_are_which_gate.ipynb",
    [
        md(
            "# Which weights are which gate?\n\n*\"LSTM(120, activation='relu') on 5 features gives (5, 480), (120, 480), (480,). Can I cut them into 4 parts of 120?\"* Yes: Keras's order is **input, forget, cell candidate, output**. And there is no `time_steps` axis: the same weights are applied at every step."
        ),
        code(HEAD),
        code(
            'keras.utils.set_random_seed(0)\nmodel = keras.Sequential(\n    [keras.Input((7, 5)), keras.layers.LSTM(120, activation="relu", name="lstm"), keras.layers.Dense(1)]\n)\n[w.shape for w in model.get_layer("lstm").get_weights()]'
        ),
        code("gw = lw.gate_weights(model)\nprint(gw.describe())"),
        code(
            "{name: (g.kernel.shape, g.recurrent_kernel.shape, g.bias.shape, g.columns) for name, g in gw.items()}"
        ),
        md(
            "## Reproduce the layer's output by hand\n\nFor a Dense layer you can check `predict()` against `x @ W + b`. For the LSTM, run the four gate equations step by step with plain numpy, using only `get_weights()`, and compare with Keras:"
        ),
        code(
            'kernel, recurrent, bias = model.get_layer("lstm").get_weights()\nn = recurrent.shape[0]\nx = np.random.default_rng(1).normal(size=(3, 7, 5)).astype("float32")\n\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n\nrelu = lambda z: np.maximum(z, 0)  # noqa: E731  (the layer\'s activation)\nh = np.zeros((3, n), np.float32)\nc = np.zeros((3, n), np.float32)\nfor t in range(7):  # the same kernel, recurrent kernel and bias at every step\n    z = x[:, t] @ kernel + h @ recurrent + bias\n    i, f, g, o = sigmoid(z[:, :n]), sigmoid(z[:, n : 2 * n]), relu(z[:, 2 * n : 3 * n]), sigmoid(z[:, 3 * n :])\n    c = f * c + i * g\n    h = o * relu(c)\n\nkeras_h = keras.Model(model.inputs[0], model.get_layer("lstm").output).predict(x, verbose=0)\nprint("largest difference to Keras:", np.abs(h - keras_h).max())'
        ),
        md(
            "`lstm_widget.trace` does the same, keeps every gate at every step, and uses the layer's own activation functions (old models with `hard_sigmoid` included):"
        ),
        code(
            'tr = lw.trace(model, x)\nprint(tr)\nprint("largest difference to Keras:", np.abs(tr.final_state[0] - keras_h).max())'
        ),
        md(
            "## What we found\n\nThe 480 columns are input, forget, cell candidate and output gate, 120 each, and the same weights serve all 7 steps: plain numpy with them reproduces the layer."
        ),
        code(
            'by_hand = float(np.abs(h - keras_h).max())\ntraced = float(np.abs(tr.final_state[0] - keras_h).max())\nassert by_hand < 1e-5 and traced < 1e-5\nprint(f"by hand: {by_hand:.1e} from Keras; trace: {traced:.1e}.")'
        ),
    ],
)

write(
    "03_gate_values_per_step.ipynb",
    [
        md(
            "# Gate values at every time step, for your input\n\nThe layer's output is the hidden state h only; the gates must be recomputed. `trace` does that exactly as Keras does, also for stateful layers (starting from the current state and leaving it untouched)."
        ),
        code(HEAD),
        code(
            'keras.utils.set_random_seed(0)\nmodel = keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(10, name="lstm")])\nx = np.random.default_rng(0).normal(size=(1, 6, 3)).astype("float32")\ntr = lw.trace(model, x)\nfor name in lw.TRACE_ARRAYS:\n    print(f"{name:15s}", getattr(tr, name)[0, :, 0].round(3), "(unit 0, steps 0..5)")'
        ),
        md(
            "`plot_trace` draws one array over time; `view` names it by its short code: `i`, `f`, `g`, `o` for the input, forget, cell-candidate and output gates, `c` and `h` for the cell and hidden states. Here the forget gate:"
        ),
        code('lw.plot_trace(tr, view="f")'),
        md(
            "## A stateful model\n\nA stateful LSTM carries its state from one call to the next. `trace` starts from the current state and does not change it:"
        ),
        code(
            'layer = keras.layers.LSTM(4, stateful=True, return_sequences=True, name="stateful")\nstateful = keras.Sequential([keras.Input((5, 2), batch_size=1), layer])\nfirst = np.random.default_rng(1).normal(size=(1, 5, 2)).astype("float32")\nsecond = np.random.default_rng(2).normal(size=(1, 5, 2)).astype("float32")\nstateful(first)  # the state now holds the end of `first`\nbefore = [v.numpy().copy() for v in layer.states]\ntr2 = lw.trace(stateful, second)\nunchanged = all(np.array_equal(b, v.numpy()) for b, v in zip(before, layer.states, strict=True))\nmatch = float(np.abs(tr2.hidden_state - stateful.predict_on_batch(second)).max())\nprint("state unchanged:", unchanged)\nprint("matches the next Keras call:", match)'
        ),
        code("tr2.input_gate[0].round(3)"),
        md(
            "## Text: tokens as step labels\n\nFor token ids (an `Embedding` first), `vocabulary=` makes the tokens the step labels: a list (id = position), a dict, or a `keras.layers.TextVectorization`. Padding (id 0 with `mask_zero=True`) is masked: the LSTM carries its state over those steps, and the explorer shades them."
        ),
        code(
            'vectorizer = keras.layers.TextVectorization(output_sequence_length=10)\nvectorizer.adapt(["the cat sat on the mat", "a dog sat on a log"])\nids = vectorizer(["the cat sat on the mat"]).numpy()\ntext_model = keras.Sequential([\n    keras.Input((10,), dtype="int64"),\n    keras.layers.Embedding(vectorizer.vocabulary_size(), 8, mask_zero=True),\n    keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True), name="bi"),\n    keras.layers.LSTM(4, name="top"),\n])\ntr3 = lw.trace(text_model, ids, "top")\nprint("tokens:", [str(vectorizer.get_vocabulary()[i]) for i in ids[0]])\nprint("masked steps:", np.flatnonzero(~tr3.mask[0]))'
        ),
        code(
            'from lstm_widget import LSTMExplorer\n\nLSTMExplorer(text_model, ids, layer="top", vocabulary=vectorizer)'
        ),
        md(
            "## What we found\n\nEvery gate and state at every step, for any input: a stateful layer is traced from its current state, which `trace` leaves as it was, and gives what Keras's next call gives; padded steps of a text are masked and carry the state over."
        ),
        code(
            'assert unchanged and match < 1e-5\nprint(f"stateful: state unchanged, {match:.1e} from Keras\'s next call; text: {int((~tr3.mask[0]).sum())} padded steps masked.")'
        ),
    ],
)

write(
    "04_weather_what_did_it_learn.ipynb",
    [
        md(
            "# Weather forecasting: how much from t-1 vs t-5?\n\nThe Seattle weather data shipped with the `vega-datasets` package (read offline). A small LSTM forecasts tomorrow's maximum temperature from the last 5 days; then we ask what it learned."
        ),
        code(HEAD + "\nfrom vega_datasets import data"),
        code(
            'df = data.seattle_weather()\nfeatures = ["temp_max", "temp_min", "precipitation", "wind"]\nvalues = df[features].to_numpy("float32")\nmean, std = values[:1100].mean(0), values[:1100].std(0)\nscaled = (values - mean) / std\nwindow = 5\nX = np.stack([scaled[k : k + window] for k in range(len(scaled) - window)])\ny = scaled[window:, 0:1]\nX_train, y_train, X_test, y_test = X[:1100], y[:1100], X[1100:], y[1100:]\nX.shape'
        ),
        code(
            'keras.utils.set_random_seed(0)\nmodel = keras.Sequential([keras.Input((window, 4)), keras.layers.LSTM(16, name="lstm"), keras.layers.Dense(1)])\nmodel.compile(keras.optimizers.Adam(0.01), "mse")\nmodel.fit(X_train, y_train, epochs=15, batch_size=64, verbose=0)\nrmse = float(np.sqrt(model.evaluate(X_test, y_test, verbose=0))) * std[0]\npersistence = float(np.sqrt(np.mean((X_test[:, -1, 0] - y_test[:, 0]) ** 2))) * std[0]\nprint(f"test RMSE {rmse:.2f} °C (tomorrow = today: {persistence:.2f} °C)")'
        ),
        md(
            "## Attribution over the 5 days\n\nThree methods: the default (random masks: random halves of the five days exchanged with the same days of other windows, 192 times, here training windows; a day's value is how much more the forecast is when that day is the window's own; it found planted evidence best, see docs/attribution.md), integrated gradients from an all-zero input (the mean day, as the data are standardised; with its completeness check) and occlusion (one day set to that mean). Index 4 is yesterday (t-1), index 0 is t-5."
        ),
        code(
            'masks = lw.step_attribution(model, X_test[:200], background=X_train)\nig = lw.step_attribution(model, X_test[:200], method="integrated_gradients")\nocc = lw.step_attribution(model, X_test[:200], method="occlusion")\nprint("completeness error:", f"{ig.completeness_error:.2%}")\nshares = {}\nfor name, a in [("random masks", masks), ("integrated gradients", ig), ("occlusion", occ)]:\n    shares[name] = np.abs(a).mean(0) / np.abs(a).mean(0).sum()\n    print(f"{name:22s}", "  ".join(f"t-{window - k}: {s:.0%}" for k, s in enumerate(shares[name])))'
        ),
        md(
            "The masks' values are estimates from 192 run pairs: each carries a standard error (`masks.standard_error`), and a value within about two of them is not told apart from 0. Their share above includes that noise; how often each day's value stands out of it:"
        ),
        code(
            'told = (np.abs(masks) > 2 * masks.standard_error).mean(0)\nprint("told apart from 0:", "  ".join(f"t-{window - k}: {s:.0%}" for k, s in enumerate(told)), "of the windows")'
        ),
        code("lw.plot_attribution(ig)"),
        md(
            "Which features on which day: the mean |attribution| over the 200 test windows (integrated gradients per feature):"
        ),
        code(
            'per_feature = lw.step_attribution(model, X_test[:200], method="integrated_gradients", per_feature=True)\nimport pandas as pd\n\npd.DataFrame(np.abs(per_feature).mean(0), index=[f"t-{window - k}" for k in range(window)], columns=features).round(3)'
        ),
        md(
            "## Memory: how long does a write last?\n\nThe forget gates tell how many steps back a write to the cell still holds more than 1/e of itself:"
        ),
        code(
            'horizon = lw.memory_horizon(model, X_test[:200])\nprint("memory horizon per unit (days, mean over the 200 windows):", horizon.mean(0).round(1))\npairs = np.bincount(horizon.ravel(), minlength=window + 1) / horizon.size\nprint("share of (window, unit) pairs by horizon 0..5 days:", pairs.round(2))'
        ),
        md(
            "And the live view over the whole test set: the explorer computes only the sample it shows, so the batch can be as large as the model accepts (the picture below is what a shared notebook shows). Each test window covers five dates; they label the time axis, the read-out and the status line."
        ),
        code(
            'dates = df["date"].to_numpy()\nwindow_dates = np.stack([dates[k : k + window] for k in range(len(dates) - window)])[1100:]\n\nfrom lstm_widget import LSTMExplorer\n\nLSTMExplorer(model, X_test, feature_names=features, step_labels=window_dates, attribution_method="masks")'
        ),
        md(
            '## What we found\n\nThe forecast rests mostly on yesterday (t-1), and within yesterday on its maximum temperature; t-5 adds little. The model beats "tomorrow = today", though not by much:'
        ),
        code(
            'masks_share, ig_share, occ_share = shares["random masks"], shares["integrated gradients"], shares["occlusion"]\nfeature_day = np.abs(per_feature).mean(0)\nassert masks_share.argmax() == ig_share.argmax() == occ_share.argmax() == window - 1  # t-1 first, all three\nassert told[-1] > 0.5 and told[0] < 0.2  # t-1 stands out of the masks\' noise in most windows, t-5 in few\nassert ig_share[0] < 0.1 and occ_share[0] < 0.1  # t-5 adds little\nassert np.unravel_index(feature_day.argmax(), feature_day.shape) == (window - 1, 0)  # temp_max\nassert rmse < persistence\nprint(f"t-1: {masks_share[-1]:.0%} of the attribution (random masks; integrated gradients {ig_share[-1]:.0%}, occlusion {occ_share[-1]:.0%}); t-5: {ig_share[0]:.0%} (integrated gradients), {occ_share[0]:.0%} (occlusion).")\nprint(f"random masks tell t-1 apart from 0 in {told[-1]:.0%} of the windows, t-5 in {told[0]:.0%}.")\nprint(f"yesterday\'s temp_max alone: {feature_day[-1, 0] / feature_day.sum():.0%} of the per-feature attribution.")\nprint(f"test RMSE {rmse:.2f} °C against {persistence:.2f} °C for tomorrow = today.")'
        ),
    ],
)

write(
    "05_what_if.ipynb",
    [
        md(
            "# What if the forget gate were weaker?\n\nEdit gate weights on a copy and watch memory and the forecast change. The model itself is never modified."
        ),
        code(HEAD + "\nfrom vega_datasets import data"),
        code(
            'df = data.seattle_weather()\nvalues = df[["temp_max", "temp_min", "precipitation", "wind"]].to_numpy("float32")\nscaled = (values - values.mean(0)) / values.std(0)\nX = np.stack([scaled[k : k + 10] for k in range(len(scaled) - 10)])\ny = scaled[10:, 0:1]\nkeras.utils.set_random_seed(0)\nmodel = keras.Sequential([keras.Input((10, 4)), keras.layers.LSTM(16), keras.layers.Dense(1)])\nmodel.compile(keras.optimizers.Adam(0.01), "mse")\nmodel.fit(X, y, epochs=10, batch_size=64, verbose=0)\nsample = X[-30:]'
        ),
        code(
            'weaker = lw.what_if(model, sample, {"forget": {"bias_shift": -3.0}})\nhorizons = lw.memory_horizon(model, sample).mean(), lw.memory_horizon(lw.edited_model(model, weaker.edits), sample).mean()\nprint("mean forget gate:", weaker.baseline.forget_gate.mean().round(3), "->", weaker.edited.forget_gate.mean().round(3))\nprint("memory horizon (mean steps):", round(float(horizons[0]), 2), "->", round(float(horizons[1]), 2))\nprint("forecast change (scaled units):", np.abs(weaker.edited_output - weaker.baseline_output).mean().round(3))'
        ),
        code(
            'shifted = lw.what_if(model, sample, {"input": {"bias_shift": 2.0}})\nprint("mean input gate:", shifted.baseline.input_gate.mean().round(3), "->", shifted.edited.input_gate.mean().round(3))\nprint("forecast change:", np.abs(shifted.edited_output - shifted.baseline_output).mean().round(3))'
        ),
        md(
            "In the widget, open *what if…* and drag the sliders; *show* switches between baseline, edited and their difference:"
        ),
        code(
            'from lstm_widget import LSTMExplorer\n\nexplorer = LSTMExplorer(model, sample, compare="difference")\nexplorer.edits = {"forget": {"bias_shift": -3.0}}\nexplorer'
        ),
        code(
            'print(f"sample {explorer.sample}: the model predicts {explorer.prediction[0]:+.3f}; with the forget bias -3, {explorer.edited_prediction[0]:+.3f} (tomorrow\'s maximum temperature, scaled)")'
        ),
        md(
            "## Share it\n\nThe explorer with its 30 samples and the edit as a page that works without a kernel: in this notebook exported to HTML, the sliders still move the forecast (computed in the browser from the weights)."
        ),
        code("shared = explorer.share(samples=range(30))\nshared"),
        md(
            "## What we found\n\nA weaker forget gate (bias −3) makes the LSTM forget within about a step, and the forecast moves; a more open input gate moves it less. The model itself is unchanged:"
        ),
        code(
            'f_before, f_after = weaker.baseline.forget_gate.mean(), weaker.edited.forget_gate.mean()\nassert f_after < f_before and horizons[1] < horizons[0] and horizons[1] <= 1.5\nmoved = np.abs(weaker.edited_output - weaker.baseline_output).mean()\nassert moved > np.abs(shifted.edited_output - shifted.baseline_output).mean()\nprint(f"forget bias -3: mean forget gate {f_before:.2f} -> {f_after:.2f}, memory {horizons[0]:.1f} -> {horizons[1]:.1f} steps, forecast moved {moved:.2f} (scaled) on average.")'
        ),
    ],
)

CHAR_IMPORTS = (
    HEAD
    + "\nimport io\nimport pathlib\nimport tokenize\n\nimport argparse, configparser, csv, difflib, json.decoder, json.encoder, shlex, string, textwrap  # noqa: E401 (the text)"
)
CHAR_TEXT = 'modules = [textwrap, shlex, csv, string, difflib, argparse, configparser, json.encoder, json.decoder]\ntexts = [pathlib.Path(m.__file__).read_text() for m in modules]\n\n\ndef annotate(src):\n    """Per character: inside a string literal (0/1), and the column."""\n    inside = np.zeros(len(src), "float32")\n    starts = np.cumsum([0] + [len(line) for line in src.splitlines(keepends=True)])\n    opened = []  # f-strings (Python 3.12+) come as START ... END tokens\n    for tok in tokenize.generate_tokens(io.StringIO(src).readline):\n        a = starts[tok.start[0] - 1] + tok.start[1]\n        b = starts[tok.end[0] - 1] + tok.end[1]\n        kind = tokenize.tok_name[tok.type]\n        if kind == "STRING":\n            inside[a:b] = 1\n        elif kind == "FSTRING_START":\n            opened.append(a)\n        elif kind == "FSTRING_END":\n            inside[opened.pop() : b] = 1\n    column = np.zeros(len(src), "float32")\n    c = 0\n    for k, ch in enumerate(src):\n        column[k] = c\n        c = 0 if ch == "\\n" else c + 1\n    return inside, column\n\n\nsrc = "".join(texts)\nparts = [annotate(t) for t in texts]\ninside = np.concatenate([p[0] for p in parts])\ncolumn = np.concatenate([p[1] for p in parts])\nchars = sorted(set(src))\nvocabulary = ["", *chars]  # id 0 is unused; id k is chars[k - 1]\nids = np.array([vocabulary.index(ch) for ch in src], "int32")\nprint(f"{len(src):,} characters of Python, {len(chars)} distinct; {inside.mean():.0%} inside string literals")'
CHAR_MODEL = 'T = 100\nn = (len(ids) - 1) // T\nX, Y = ids[: n * T].reshape(n, T), ids[1 : n * T + 1].reshape(n, T)\nin_string, position = inside[: n * T].reshape(n, T), column[: n * T].reshape(n, T)\nsplit = int(0.9 * n)  # the last 10% of sequences are held out\n\nkeras.utils.set_random_seed(0)\nmodel = keras.Sequential([\n    keras.Input((None,), dtype="int32"),\n    keras.layers.Embedding(len(vocabulary), 16),\n    keras.layers.LSTM(96, return_sequences=True, name="lstm"),\n    keras.layers.Dense(len(vocabulary)),\n])\nmodel.compile(keras.optimizers.Adam(0.01), keras.losses.SparseCategoricalCrossentropy(from_logits=True))\nhistory = model.fit(X[:split], Y[:split], epochs=15, batch_size=64, verbose=0)\nprint(f"{split} training sequences of {T} characters; loss {history.history[\'loss\'][0]:.2f} -> {history.history[\'loss\'][-1]:.2f}")'


write(
    "06_what_does_this_unit_do.ipynb",
    [
        md(
            "# What does this unit do?\n\nKarpathy, Johnson & Fei-Fei (2015) found cells in character-level LSTMs that are on inside quotes, or that count the position in a line; LSTMVis finds every other place in a dataset where the same units switch on. Here: a small character-level LSTM trained on Python source that ships with every Python (a few standard-library modules), annotated with Python's own `tokenize`, and the units that track those annotations, found with `unit_correlation`, `gate_saturation` and `match_pattern`. Small model, fixed seeds, about a minute of training on 2 cores: the correlations printed are whatever this run finds."
        ),
        code(CHAR_IMPORTS),
        md(
            "## The text and its annotations\n\nFor every character: 1 inside a string literal (any kind, f-strings included), else 0; and its position in the line (0 at the start)."
        ),
        code(CHAR_TEXT),
        code(CHAR_MODEL),
        md(
            "## Which units track the annotations?\n\nPearson correlation of every unit with each annotation over the held-out characters, for the hidden state h and the cell state c (Karpathy et al. looked at c):"
        ),
        code(
            'held_x = X[split:]\nfound = {}\nfor name, annotation in [("inside a string", in_string[split:]), ("position in line", position[split:])]:\n    for array in ("h", "c"):\n        corr = lw.unit_correlation(model, held_x, annotation, array=array)\n        found[name, array] = corr\n        best = ", ".join(f"unit {u}: r = {corr.r[u]:+.2f}" for u in corr.ranked[:3])\n        print(f"{name:17s} {array}: {best}")'
        ),
        md(
            "## Gate saturation\n\nAs in Karpathy et al.: how often each unit's gates are nearly closed (< 0.1) or open (> 0.9). The x axis is how often a gate is below 0.1 (nearly closed), the y axis how often it is above 0.9 (open): forget gates in the top left, rarely closed and often open, are units that remember for long."
        ),
        code("saturation = lw.gate_saturation(model, held_x)\nlw.plot_gate_saturation(saturation)"),
        md(
            "## Where else does a unit switch on?\n\nTake the unit whose cell state c correlates best (positively) with the position in the line, find where it is most on in the held-out text, and search the held-out text for other places where it is on (`match_pattern`, LSTMVis's search). On: at least half its peak value; the query is the run of steps around the peak where it is."
        ),
        code(
            'corr = found["position in line", "c"]\nunit = int(max(corr.ranked[:5], key=lambda u: corr.r[u]))\nc = lw.trace(model, held_x).cell_state[..., unit]\nsample, peak = (int(i) for i in np.unravel_index(np.argmax(c), c.shape))\nthreshold = float(c[sample, peak]) / 2\nstart, stop = peak, peak + 1\nwhile start > 0 and c[sample, start - 1] >= threshold:\n    start -= 1\nwhile stop < T and c[sample, stop] >= threshold:\n    stop += 1\nmatches = lw.match_pattern(model, held_x, sample, start, stop, threshold, "c", units=[unit])\nprint(f"unit {unit} (r = {corr.r[unit]:+.2f} with the position in line): on (>= {threshold:.2f}) in sample {sample}, steps {start}..{stop - 1}")\nprint(matches)\n\n\ndef text(s, a, b):\n    return "".join(vocabulary[i] for i in held_x[s, a:b]).replace("\\n", "\u21b5")\n\n\nprint("query:", repr(text(sample, max(0, start - 20), stop)))\nfor s, a, b, score in matches.hits[:5]:\n    print(f"hit (score {score:.2f}):", repr(text(s, max(0, a - 20), b)))\nat_hits = np.concatenate([position[split:][s, a:b] for s, a, b, _ in matches.hits])\nprint(f"column of the characters in the hits: mean {at_hits.mean():.0f}; of all held-out characters: {position[split:].mean():.0f}")'
        ),
        md(
            'The explorer shows the characters as step labels (zoom in to read them one per step; ␣ is a space, ↵ a new line), with the unit selected for the line plot. Shift-drag over a range of the timeline to select the units that are on there instead; "find similar" under the line plot lists every other place in these 40 samples where they switch on, and a click shows one:'
        ),
        code(
            'from lstm_widget import LSTMExplorer\n\nexplorer = LSTMExplorer(model, held_x[:40], vocabulary=vocabulary, view="c", sample=int(sample) if sample < 40 else 0)\nexplorer.selected_units = [unit]\nexplorer'
        ),
        md(
            "## What we found\n\nIn this small model (96 units, a minute of training) a unit's cell state follows the position in the line, and the places where it switches on sit late in their lines. Whether one tracks \"inside a string\" is printed below from the correlations, with |r| ≥ 0.5 as the bar; Karpathy et al.'s quote cells came from larger models trained for much longer."
        ),
        code(
            'best = {name: max(float(np.abs(found[name, a].r).max()) for a in ("h", "c")) for name in ("inside a string", "position in line")}\nbest["position in line"] = float(np.abs(found["position in line", "c"].r).max())  # the cell state\nassert best["position in line"] >= 0.5 and at_hits.mean() > position[split:].mean()\nprint(f"position in line: best |r| = {best[\'position in line\']:.2f}; the unit\'s hits average column {at_hits.mean():.0f} against {position[split:].mean():.0f} overall.")\nif best["inside a string"] >= 0.5:\n    print(f"inside a string: found, best |r| = {best[\'inside a string\']:.2f}.")\nelse:\n    print(f"inside a string: no unit tracks it clearly here (best |r| = {best[\'inside a string\']:.2f}).")'
        ),
    ],
)

write(
    "07_my_old_keras_model.ipynb",
    [
        md(
            "# Bring your own file: an old Keras model\n\nModels trained in the Keras 2 era (standalone Keras 2.0–2.3, tf.keras, TensorFlow ≤ 2.15) live on as `.h5` files. Keras 3 opens few of them, and where it opens one it reads `hard_sigmoid` as *its own* function, not the one the model was trained with. `lw.load_model` opens them with the numbers Keras 2 gave: list-style configs of Keras ≤ 2.2, `CuDNNLSTM`/`CuDNNGRU`, GRUs from before `reset_after`, add-on layers after the LSTM (cut off, with a warning).\n\n**Point `path` at your own file** (and `x` at inputs for it, as for `model.predict`). Left at `None`, the notebook writes a file in Keras 2.0's own form and uses that."
        ),
        code(
            HEAD
            + "\nimport json\nimport tempfile\nimport warnings\nfrom pathlib import Path\n\nimport h5py\nimport tf_keras\nfrom vega_datasets import data"
        ),
        code(
            'path = None  # e.g. "my_model.h5"\nx = None  # e.g. np.load("my_inputs.npy"): inputs for the model, as for model.predict'
        ),
        md(
            "## Without a file of your own: one as Keras 2.0 wrote it\n\nTrained with `tf_keras` (Keras 2's code, `pip install \"lstm-widget[tf-keras]\"`) on the Seattle weather data of tutorial 04: tomorrow's maximum temperature from the last 5 days, with Keras 2.0's default `recurrent_activation=\"hard_sigmoid\"`. Then written the way Keras 2.0.8's `model.save` wrote it: the config as JSON with the Sequential's layers as a bare list, and one HDF5 group of weights per layer."
        ),
        code(
            'features = ["temp_max", "temp_min", "precipitation", "wind"]\nold = None\nif path is None:\n    df = data.seattle_weather()\n    values = df[features].to_numpy("float32")\n    mean, std = values[:1100].mean(0), values[:1100].std(0)\n    scaled = (values - mean) / std\n    X = np.stack([scaled[k : k + 5] for k in range(len(scaled) - 5)])\n    y = scaled[5:, 0:1]\n    tf_keras.utils.set_random_seed(0)\n    old = tf_keras.Sequential([\n        tf_keras.Input((5, 4)),\n        tf_keras.layers.LSTM(16, recurrent_activation="hard_sigmoid", name="lstm_1"),\n        tf_keras.layers.Dense(1, name="dense_1"),\n    ])\n    old.compile(tf_keras.optimizers.Adam(0.01), "mse")\n    old.fit(X[:1100], y[:1100], epochs=10, batch_size=64, verbose=0)\n    x = X[1100:]\n\n    lstm_config = {k: v for k, v in old.get_layer("lstm_1").get_config().items() if k != "time_major"}\n    layers = [  # Keras 2.0.8\'s config: a list of layers, the first with its input shape\n        {"class_name": "LSTM", "config": {**lstm_config, "batch_input_shape": [None, 5, 4], "implementation": 0}},\n        {"class_name": "Dense", "config": old.get_layer("dense_1").get_config()},\n    ]\n    path = Path(tempfile.mkdtemp()) / "weather_keras208.h5"\n    with h5py.File(path, "w") as f:\n        f.attrs["keras_version"], f.attrs["backend"] = b"2.0.8", b"tensorflow"\n        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": layers}).encode()\n        weights = f.create_group("model_weights")\n        weights.attrs["keras_version"] = b"2.0.8"\n        weights.attrs["layer_names"] = [b"lstm_1", b"dense_1"]\n        for layer in ("lstm_1", "dense_1"):\n            names = [f"{layer}/{v.name.split(\'/\')[-1]}" for v in old.get_layer(layer).weights]\n            weights.create_group(layer).attrs["weight_names"] = [n.encode() for n in names]\n            for n, v in zip(names, old.get_layer(layer).get_weights(), strict=True):\n                weights[layer].create_dataset(n, data=v)\nprint(path, f"({Path(path).stat().st_size:,} bytes)")'
        ),
        md("## Keras 3 and the file"),
        code(
            'try:\n    keras.models.load_model(path)\nexcept Exception as err:\n    print(type(err).__name__ + ":", str(err)[:300])'
        ),
        md(
            "`lw.load_model` reads the old form, keeps Keras 2's functions, loads the stored weights, and says what it did; it also measures on a probe input what Keras 3's reading of `hard_sigmoid` would change. The file is only read:"
        ),
        code(
            'with warnings.catch_warnings(record=True) as said:\n    warnings.simplefilter("always")\n    model = lw.load_model(path)\nfor w in said:\n    if "lstm_widget" in str(w.message):\n        print(w.message, end="\\n\\n")\nprint("recurrent layers:", lw.recurrent_layers(model))'
        ),
        code(
            'if old is not None:  # the file written here: the same numbers as the tf.keras model\n    print("largest difference to tf.keras:", np.abs(model.predict(x, verbose=0) - old.predict(x, verbose=0)).max())'
        ),
        md(
            "## Which weights are which gate\n\nThe first recurrent layer's weights cut into gates (tutorial 02 reproduces a layer by hand from these):"
        ),
        code("print(lw.gate_weights(model).describe())"),
        md(
            "Keras 2's hard sigmoid is clip(0.2·x + 0.5, 0, 1), Keras 3's clip(x/6 + 0.5, 0, 1): the same at 0, up to 1/12 apart near ±2.5. `lw.load_model` keeps the first as `lw.legacy_hard_sigmoid`:"
        ),
        code(
            'z = np.array([-3, -2.5, -1, 0, 1, 2.5, 3], "float32")\nprint("z       ", z)\nprint("Keras 2 ", keras.ops.convert_to_numpy(lw.legacy_hard_sigmoid(z)).round(3))\nprint("Keras 3 ", keras.ops.convert_to_numpy(keras.activations.hard_sigmoid(z)).round(3))'
        ),
        md(
            "## What did it learn?\n\nHow much of the output comes from each step (the default method, random masks: random halves of the sequence exchanged with the same steps of other samples, many times; a step's value is how much more the output is when its stretch is the sample's own; it found planted evidence best, see docs/attribution.md; it also takes token-id inputs), and how many steps back a write to the cell still holds more than 1/e of itself (the forget gates). The last index is the latest step:"
        ),
        code(
            'n = min(len(x), 200)\nattribution = lw.step_attribution(model, x[:n], output_index=0)\nshare = np.abs(attribution).mean(0) / np.abs(attribution).mean(0).sum()\nprint(attribution.note)\nprint("share of the output by step:", "  ".join(f"{s:.0%}" for s in share))\nhorizon = lw.memory_horizon(model, x[:n])\nprint("memory horizon in steps (mean over samples, per unit):", horizon.mean(0).round(1))'
        ),
        md(
            "## The explorer\n\nEvery gate at every step for your input; the sliders under *what if…* edit a copy of the model:"
        ),
        code(
            "from lstm_widget import LSTMExplorer\n\nLSTMExplorer(model, x, feature_names=features if old is not None else None)"
        ),
        md(
            "## What we found\n\nThe old file opens in Keras 3 with the numbers it was saved with; its gates, what it learned and the explorer follow from there. For the file written here (with the weather model of tutorial 04):"
        ),
        code(
            'if old is not None:\n    same = float(np.abs(model.predict(x, verbose=0) - old.predict(x, verbose=0)).max())\n    assert same < 1e-5 and share.argmax() == len(share) - 1\n    print(f"the loaded model gives tf.keras\'s numbers to {same:.1e}; the last step carries {share[-1]:.0%} of the attribution.")\nelse:\n    print(f"your model: {lw.recurrent_layers(model)}; the last step carries {share[-1]:.0%} of the attribution.")'
        ),
    ],
)

write(
    "01_quickstart.ipynb",
    [
        md(
            "# lstm-widget quickstart\n\nWhich weights are which gate, and what every gate does at every step — with Keras's own numbers. Tutorials: `02` weights, `03` gate values, `04` weather (what did it learn), `05` what-if, `06` what does this unit do, `07` my old (Keras 2) model, `08` which units matter."
        ),
        code(HEAD),
        md(
            "A small model: 5 time steps of 3 features → LSTM(4) → Dense(1). Any trained Keras model works the same way."
        ),
        code(
            'keras.utils.set_random_seed(0)\nmodel = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4, name="lstm"), keras.layers.Dense(1)])\nlw.lstm_layers(model)'
        ),
        md(
            "## The explorer\n\nWith no data it shows a seeded probe input (and says so). Drag the playhead or click the widget and use ←/→ (Shift ×10), Home/End and Space; hover for exact values."
        ),
        code(
            "from lstm_widget import LSTMExplorer\n\nexplorer = LSTMExplorer(model)\ndisplay(explorer)"
        ),
        md("Give it your data and everything updates:"),
        code(
            'x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")\nexplorer.x = x\nexplorer.n_samples, explorer.probe_note'
        ),
        md("## The same numbers in Python"),
        code("print(lw.gate_weights(model).describe())"),
        code(
            "tr = lw.trace(model, x)\ntr.forget_gate[0].round(3)  # (time, units) for the first sequence"
        ),
        code(
            'lstm_out = keras.Model(model.inputs[0], model.get_layer("lstm").output).predict(x, verbose=0)\nprint("largest difference to Keras:", np.abs(tr.final_state[0] - lstm_out).max())'
        ),
        code(
            'print(f"playhead at step {explorer.step} of sample {explorer.sample}, showing {explorer.view!r} (the cell state c; h is the hidden state, i f g o the gates)")  # synced back from the browser'
        ),
        md(
            "## Share it\n\n`explorer.share()` shows the same explorer as a page that needs no kernel: exported with `nbconvert --to html`, on nbviewer or a docs site it stays interactive (playhead, zoom, what-if sliders), offline. `explorer.save_html(\"explorer.html\")` writes it as one file to send."
        ),
        code("explorer.share()"),
        md(
            "## What we found\n\nThe LSTM's weights are four column blocks, one per gate, used at every step; `trace` recomputes every gate and state and gives Keras's own numbers:"
        ),
        code(
            "diff = float(np.abs(tr.final_state[0] - lstm_out).max())\nassert diff < 1e-5\nprint(f\"trace's last hidden state differs from Keras's LSTM output by {diff:.1e} at most.\")"
        ),
    ],
)

write(
    "08_which_units_matter.ipynb",
    [
        md(
            '# Which units matter?\n\nCorrelation says when a unit is on; an intervention says whether the predictions need it (that is how Lakretz et al. 2019 found an LSTM\'s "number units"). Here: the character-level LSTM of tutorial 06 (the same text, model and seed, trained again here: about a minute), and three questions. Does the unit that correlates best with "inside a string" matter to the predictions? Which units do? Can one unit carry "inside a string" from one text into another? Every intervention runs on a copy of the recurrence: the model is never modified.'
        ),
        code(CHAR_IMPORTS),
        code(CHAR_TEXT),
        code(CHAR_MODEL),
        md(
            "## The unit that correlates with \"inside a string\"\n\nAs in tutorial 06: the Pearson r of each unit's cell state with the annotation, over 200 held-out sequences. Then that unit's c is set to 0 at every step (`lw.intervene`) and the predicted next characters compared."
        ),
        code(
            'held_x, held_y, held_in = X[split:][:200], Y[split:][:200], in_string[split:][:200] > 0\ncorr = lw.unit_correlation(model, held_x, in_string[split:][:200], array="c")\nstring_unit = int(corr.ranked[0])\nres = lw.intervene(model, held_x, {"units": string_unit, "array": "c", "value": 0.0})\nbefore, zeroed = res.baseline_output.argmax(-1), res.edited_output.argmax(-1)\n\n\ndef accuracy(pred, where):\n    return float((pred == held_y)[where].mean())\n\n\nprint(f"unit {string_unit}: r = {corr.r[string_unit]:+.2f} with inside a string")\nprint(f"zeroing its c changes {np.mean((before != zeroed)[held_in]):.1%} of the predicted characters inside strings, {np.mean((before != zeroed)[~held_in]):.1%} outside")\nprint(f"next-character accuracy inside strings {accuracy(before, held_in):.1%} -> {accuracy(zeroed, held_in):.1%}, outside {accuracy(before, ~held_in):.1%} -> {accuracy(zeroed, ~held_in):.1%}")'
        ),
        md(
            '## Which units do the predictions need?\n\n`lw.unit_effects` sets every unit\'s c to 0 in turn, all in one batched run, and reports how far each moves the output: here the mean |change| over all next-character logits (`output_index="all"`). For "inside a string" we also need *where* a unit matters: the accuracy lost inside strings minus the accuracy lost outside, one `lw.intervene` per unit (96 runs over the 200 sequences, a few seconds).'
        ),
        code(
            'effects = lw.unit_effects(model, held_x, output_index="all")\nlost = {}\nfor unit in range(96):\n    pred = lw.intervene(model, held_x, {"units": unit, "array": "c"}).edited_output.argmax(-1)\n    lost[unit] = (accuracy(before, held_in) - accuracy(pred, held_in), accuracy(before, ~held_in) - accuracy(pred, ~held_in))\nby_string = sorted(lost, key=lambda u: lost[u][0] - lost[u][1], reverse=True)\nprint("largest effect on the logits:", ", ".join(f"unit {u} ({effects.mean_abs[u]:.3f})" for u in effects.ranked[:5]), f"; median {np.median(effects.mean_abs):.3f}")\nprint("most string-specific (accuracy lost inside strings, outside):")\nfor u in by_string[:5]:\n    print(f"  unit {u}: {lost[u][0]:+.1%} inside, {lost[u][1]:+.1%} outside")\nrank = by_string.index(string_unit) + 1\nprint(f"the correlated unit {string_unit} ranks {rank} of 96 by this")'
        ),
        md(
            "## Patching one unit from inside a string into outside\n\nSources: held-out sequences whose last character is inside a string; targets: sequences whose last character is not. Each target runs with the most string-specific unit's c taken from a source's run at every step (`lw.patch`). How far does the prediction after the last character move from the target's towards the source's? The ratio below is the mean |patched − target| over the mean |source − target| of those logits (1: all the way); for comparison, the same for the unit with the smallest effect."
        ),
        code(
            'sources = held_x[np.flatnonzero(held_in[:, -1])[:20]]\ntargets = held_x[np.flatnonzero(~held_in[:, -1])[:20]]\n\n\ndef moved(unit):\n    p = lw.patch(model, sources, targets, units=[unit], array="c")\n    gap = np.abs(p.source_output[:, -1] - p.target_output[:, -1]).mean()\n    return float(np.abs(p.output[:, -1] - p.target_output[:, -1]).mean() / gap)\n\n\nstring_specific, least = by_string[0], int(effects.ranked[-1])\nmoves = {string_specific: moved(string_specific), least: moved(least)}\nfor u, m in moves.items():\n    print(f"patching unit {u}: the last prediction moves {m:.1%} of the way to the source\'s")'
        ),
        md(
            '## What we found\n\nIn this small model the unit that *correlates* best with being inside a string is not one the predictions *need* there: zeroing units one at a time finds others that cost more accuracy inside strings than outside, and the correlated one ranks far down. The effects are spread over many units (the largest is not far above the median), and no single unit carries "inside a string" from one text into another: patching one moves the prediction only a little of the way.'
        ),
        code(
            'top = int(effects.ranked[0])\nspread = effects.mean_abs[top] / np.median(effects.mean_abs)\nassert by_string[0] != string_unit and rank > 10  # correlated is not needed\nassert lost[string_specific][0] > lost[string_specific][1]  # it costs more inside strings\nassert max(moves.values()) < 0.5  # no single unit carries it\nprint(f"the unit correlated with inside a string (unit {string_unit}, r = {corr.r[string_unit]:+.2f}) ranks {rank} of 96 by accuracy lost inside strings; unit {string_specific} ranks first ({lost[string_specific][0]:+.1%} inside, {lost[string_specific][1]:+.1%} outside).")\nprint(f"zeroed, unit {top} moves the logits most: {spread:.1f} x the median unit.")\nprint(f"patching unit {string_specific} moves the last prediction {moves[string_specific]:.1%} of the way to the source\'s (unit {least}: {moves[least]:.1%}).")'
        ),
    ],
)
