"""Does attribution find planted evidence? Ismail-style layouts, trained LSTMs, tint's metrics.

For each layout of ``_truth`` and seed: 1,000 training and 100 test samples, ``LSTM(32) ->
Dense(1, sigmoid)`` trained until its test accuracy is at least 0.95 (at most 60 epochs),
then every method attributes the test samples' output. Per-step methods are copied to all
features for the cell-level metrics. Rows: the methods of ``lw.step_attribution`` (masks,
the default, and windows, per step and per feature; masks also with other window lengths
and with zeros instead of other samples' steps), integrated gradients of the logit instead
of the probability (built here from the same weights), random, and the true box.

Besides the metrics, each layout says whether the model reads the box at all: the mean
change of its output when the planted shift is taken out of the test samples, for each
class, and time-AUPRC per class. Where a class's box moves the output by ~0 the model
does not use it, and no faithful attribution can rank it first.

    .venv/bin/python benchmarks/bench_truth.py [--seeds 3] [--layouts Middle,RareTime]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _truth import LAYOUTS, make, scores, zero_top  # noqa: E402

import lstm_widget as lw  # noqa: E402


def train(layout: str, seed: int) -> tuple[keras.Model, np.ndarray, np.ndarray, np.ndarray, float]:
    """A trained model and its test set (x, y, box), and its test accuracy."""
    x, y, _ = make(layout, 1000, seed)
    x_test, y_test, box = make(layout, 100, seed + 1000)
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.LSTM(32), keras.layers.Dense(1, "sigmoid")]
    model = keras.Sequential([keras.Input((x.shape[1], x.shape[2])), *layers])
    model.compile(keras.optimizers.Adam(0.005), "binary_crossentropy")
    acc = 0.0
    for _ in range(6):  # 10 epochs at a time, up to 60
        model.fit(x, y, epochs=10, batch_size=64, verbose=0)
        acc = accuracy(model, x_test, y_test)
        if acc >= 0.95:
            break
    return model, x_test, y_test, box, acc


def accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    p = keras.ops.convert_to_numpy(model.predict_on_batch(x))[:, 0]
    return float(((p > 0.5) == (y > 0.5)).mean())


def logit_model(model: keras.Model) -> keras.Model:
    """The same LSTM and Dense weights without the sigmoid: the output's logit."""
    dense = keras.layers.Dense(1)
    out = keras.Sequential([keras.Input(model.input_shape[1:]), model.layers[0], dense])
    dense.set_weights(model.layers[1].get_weights())
    return out


def methods(model: keras.Model, x: np.ndarray, box: np.ndarray, seed: int) -> dict:
    """Each method's attribution (n, steps, features) and its time in seconds."""

    def cells(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        return a if a.ndim == 3 else np.repeat(a[:, :, None], x.shape[2], axis=2)

    zeros = np.zeros((1, *x.shape[1:]), x.dtype)
    runs = {
        "masks, per step (the default)": lambda: lw.step_attribution(model, x),
        "masks, per feature": lambda: lw.step_attribution(model, x, per_feature=True),
        "masks of 5-step windows, per feature": lambda: lw.step_attribution(
            model, x, window=5, per_feature=True
        ),
        "masks of 20-step windows, per feature": lambda: lw.step_attribution(
            model, x, window=20, per_feature=True
        ),
        "masks with 0 instead of other samples' steps": lambda: lw.step_attribution(
            model, x, background=zeros
        ),
        "windows, per step": lambda: lw.step_attribution(model, x, "windows"),
        "windows, per feature": lambda: lw.step_attribution(model, x, "windows", per_feature=True),
        "integrated gradients (zero baseline)": lambda: lw.step_attribution(
            model, x, "integrated_gradients", per_feature=True
        ),
        "integrated gradients of the logit": lambda: lw.step_attribution(
            logit_model(model), x, "integrated_gradients", per_feature=True
        ),
        "occlusion (one step)": lambda: lw.step_attribution(model, x, "occlusion"),
        "cell decomposition": lambda: lw.step_attribution(model, x, "cell_decomposition"),
        "random": lambda: np.random.default_rng(seed).random(x.shape),
        "the true box": lambda: box.astype(np.float64),
    }
    out = {}
    for name, run in runs.items():
        start = time.perf_counter()
        attr = run()
        out[name] = (cells(attr), time.perf_counter() - start)
    return out


def box_use(model: keras.Model, x: np.ndarray, y: np.ndarray, box: np.ndarray, layout: str) -> list:
    """Per class (y = 1, y = 0): mean |f(x) - f(x without the planted shift)|, for the
    output and for its logit."""
    shift = np.ones(len(y)) if layout == "PositionalTime" else 2.0 * y - 1.0
    without = x - (box * shift[:, None, None]).astype(x.dtype)
    out = []
    for m in (model, logit_model(model)):
        p = keras.ops.convert_to_numpy(m.predict_on_batch(x))[:, 0]
        q = keras.ops.convert_to_numpy(m.predict_on_batch(without))[:, 0]
        out += [float(np.abs(p - q)[y == c].mean()) for c in (1, 0)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    args = parser.parse_args()
    print(f"keras {keras.__version__} ({keras.backend.backend()}); LSTM(32) -> Dense(1, sigmoid)")
    print("metric means over seeds; y=1, y=0: time-AUPRC of each class's samples;")
    print("time: seconds for the 100 test samples\n")
    for layout in args.layouts.split(","):
        rows: dict[str, list] = {}
        accs, uses = [], []
        for seed in range(args.seeds):
            model, x, y, box, acc = train(layout, seed)
            accs.append(acc)
            uses.append(box_use(model, x, y, box, layout))
            for name, (attr, seconds) in methods(model, x, box, seed).items():
                result = scores(attr, box)
                for c in (1, 0):
                    result[f"y={c}"] = scores(attr[y == c], box[y == c])["time-AUPRC"]
                result["drop"] = acc - accuracy(model, zero_top(x, attr), y)
                result["time"] = seconds
                rows.setdefault(name, []).append(result)
        print(f"## {layout}: test accuracy {', '.join(f'{a:.2f}' for a in accs)}")
        use = np.mean(uses, axis=0)
        print(
            f"taking the planted shift out moves the output by {use[0]:.3f} (y=1) and "
            f"{use[1]:.3f} (y=0) on average, its logit by {use[2]:.2f} and {use[3]:.2f}\n"
        )
        keys = ("AUP", "AUR", "AUPRC", "time-AUPRC", "y=1", "y=0", "drop", "time")
        print(f"| method | {' | '.join(keys)} |")
        print(f"|---|{'---|' * len(keys)}")
        for name, results in rows.items():
            means = [np.mean([r[k] for r in results]) for k in keys]
            print(f"| {name} | " + " | ".join(f"{m:.2f}" for m in means) + " |")
        print(flush=True)


if __name__ == "__main__":
    main()
