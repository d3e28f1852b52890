"""Time ``lstm_widget.trace`` (all arrays) against Keras ``predict_on_batch`` (output only),
for LSTM and GRU layers of the same shapes.

Same model, same input, one process per Keras backend (TensorFlow, then JAX when it is
installed); both warmed up first, then run alternately: medians of the times, and the ratio
is the median of the per-pair ratios (steadier on a shared machine).
Run: ``.venv/bin/python benchmarks/bench_trace.py`` (``--quick`` for a smoke run,
``--backend jax`` for one backend only).
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = [(1, 500, 16, 128), (256, 200, 16, 128), (1024, 100, 8, 256)]


def measure(cases: list[tuple[int, int, int, int]], repeats: int) -> list[dict]:
    """Rows of {case, keras, trace} seconds on the backend this process runs."""
    import keras
    import numpy as np
    from _timing import paired_times

    import lstm_widget as lw

    keras.utils.set_random_seed(0)
    rows = []
    for kind in (keras.layers.LSTM, keras.layers.GRU):
        for b, t, f, u in cases:
            model = keras.Sequential([keras.Input((t, f)), kind(u)])
            x = np.random.default_rng(0).normal(size=(b, t, f)).astype("float32")
            t_keras, t_trace, ratio = paired_times(
                lambda: model.predict_on_batch(x),  # noqa: B023
                lambda: lw.trace(model, x),  # noqa: B023
                repeats,
            )
            rows.append(
                {
                    "layer": kind.__name__,
                    "case": [b, t, f, u],
                    "keras": t_keras,
                    "trace": t_trace,
                    "ratio": ratio,
                }
            )
    return rows


def run_backend(backend: str, quick: bool, repeats: int) -> list[dict]:
    """:func:`measure` in a fresh process with ``KERAS_BACKEND=backend``."""
    env = {**os.environ, "KERAS_BACKEND": backend}
    cmd = [sys.executable, __file__, "--measure", "--repeats", str(repeats)]
    out = subprocess.run(
        cmd + (["--quick"] if quick else []), env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="small shapes, 1 repeat")
    parser.add_argument("--backend", action="append", help="tensorflow and/or jax")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = [(b, t // 10, f, u // 4) for b, t, f, u in CASES] if args.quick else CASES
    repeats = 1 if args.quick else args.repeats
    if args.measure:  # the child process: one backend, rows as JSON
        print(json.dumps(measure(cases, repeats)))
        return
    backends = args.backend or [
        b for b in ("tensorflow", "jax") if importlib.util.find_spec(b) is not None
    ]
    results = {b: run_backend(b, args.quick, repeats) for b in backends}
    import keras
    import numpy as np

    print(f"keras {keras.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")
    head = "".join(f" | {b[:10] + ' keras s':>16} {'trace s':>8} {'ratio':>6}" for b in backends)
    print(f"{'layer (batch, time, feat, units)':>32}{head}")
    for k, row in enumerate(results[backends[0]]):
        cells = ""
        for b in backends:
            r = results[b][k]
            cells += f" | {r['keras']:16.4f} {r['trace']:8.4f} {r['ratio']:6.2f}"
        print(f"{row['layer'] + ' ' + str(tuple(row['case'])):>32}{cells}")


if __name__ == "__main__":
    main()
