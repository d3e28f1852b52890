"""Time ``match_pattern`` and ``unit_correlation`` over a whole dataset against Keras
``predict_on_batch`` of the same x, and the peak memory each adds.

x = (1000, 2000, 8), LSTM(128) by default (goal: ratio <= 1.5, peak RSS growth <= 1 GiB).
Each measurement runs in a fresh process, so its peak RSS is its own: the growth is the
peak minus the RSS after the model, x and one warm-up call on a small slice.
Run: ``.venv/bin/python benchmarks/bench_patterns.py`` (``--quick`` for (100, 500, 8)).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(what: str, shape: tuple[int, int, int], units: int) -> dict:
    """One measurement in this process: seconds and peak RSS growth (MiB)."""
    import keras
    import numpy as np

    import lstm_widget as lw

    keras.utils.set_random_seed(0)
    b, t, f = shape
    model = keras.Sequential([keras.Input((t, f)), keras.layers.LSTM(units, name="lstm")])
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    annotation = (x[..., 0] > 0).astype("float32")
    calls = {
        "keras": lambda xs: model.predict_on_batch(xs),
        "match_pattern": lambda xs: lw.match_pattern(model, xs, 0, 10, 20, 0.1, units=[0, 1, 2]),
        "unit_correlation": lambda xs: lw.unit_correlation(model, xs, annotation[: len(xs)]),
    }
    call = calls[what]
    call(x[:8])  # warm-up: graph tracing
    base = _rss_mib()
    t0 = time.perf_counter()
    call(x)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    return {"what": what, "seconds": seconds, "growth_mib": max(0.0, peak - base)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape, units = ((100, 500, 8), 128) if args.quick else ((1000, 2000, 8), 128)
    if args.measure:
        print(json.dumps(measure(args.measure, shape, units)))
        return
    rows = {}
    for what in ("keras", "match_pattern", "unit_correlation"):
        cmd = [sys.executable, __file__, "--measure", what] + (["--quick"] if args.quick else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows[what] = json.loads(out.stdout.strip().splitlines()[-1])
    keras_s = rows["keras"]["seconds"]
    print(f"x = {shape}, LSTM({units}); Keras predict_on_batch {keras_s:.2f} s")
    print(f"{'':18s} {'seconds':>8s} {'ratio':>6s} {'peak RSS growth':>16s}")
    for what in ("match_pattern", "unit_correlation"):
        r = rows[what]
        ratio = r["seconds"] / keras_s
        print(f"{what:18s} {r['seconds']:8.2f} {ratio:6.2f} {r['growth_mib']:13.0f} MiB")


if __name__ == "__main__":
    main()
