"""Time ``lstm_widget.trace`` (all six arrays) against Keras ``predict_on_batch`` (output only).

Same model, same input, one process; both warmed up first, median of repeats.
Run: ``.venv/bin/python benchmarks/bench_trace.py`` (``--quick`` for a smoke run).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

import lstm_widget as lw  # noqa: E402

CASES = [(1, 500, 16, 128), (256, 200, 16, 128), (1024, 100, 8, 256)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small shapes, 1 repeat")
    args = parser.parse_args()
    cases = [(b, t // 10, f, u // 4) for b, t, f, u in CASES] if args.quick else CASES
    repeats = 1 if args.quick else args.repeats
    keras.utils.set_random_seed(0)
    print(f"keras {keras.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")
    print(f"{'batch, time, feat, units':>26} {'keras s':>9} {'trace s':>9} {'ratio':>7}")
    for b, t, f, u in cases:
        model = keras.Sequential([keras.Input((t, f)), keras.layers.LSTM(u)])
        x = np.random.default_rng(0).normal(size=(b, t, f)).astype("float32")
        t_keras = median_time(lambda _k: model.predict_on_batch(x), repeats)  # noqa: B023
        t_trace = median_time(lambda _k: lw.trace(model, x), repeats)  # noqa: B023
        print(
            f"{f'({b}, {t}, {f}, {u})':>26} {t_keras:9.4f} {t_trace:9.4f} {t_trace / t_keras:7.2f}"
        )


if __name__ == "__main__":
    main()
