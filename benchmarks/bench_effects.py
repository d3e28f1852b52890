"""unit_effects against calling Keras once per ablated unit, and its memory.

LSTM(128) -> Dense(1), x = (1000, 200, 8) float32. Goal: unit_effects (every unit zeroed in
c, in turn, over all of x) takes at most units x Keras ``predict_on_batch(x)``, the time a
predict per ablated unit would take; its peak numpy memory (tracemalloc) grows by at most
1 GiB (numpy's, tracemalloc, and the process's peak RSS, which counts the backend's). One
timed run each after a warm-up on a slice. Run it with ``KERAS_BACKEND=jax`` for JAX.

    .venv/bin/python benchmarks/bench_effects.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

import lstm_widget as lw  # noqa: E402

UNITS, SAMPLES, STEPS, FEATURES = 128, 1000, 200, 8


def main() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), keras.layers.LSTM(UNITS), keras.layers.Dense(1)]
    )
    x = np.random.default_rng(0).normal(size=(SAMPLES, STEPS, FEATURES)).astype("float32")
    t_predict = median_time(lambda _k: model.predict_on_batch(x), 3)
    lw.unit_effects(model, x[:8])  # warm-up: the head's compiled call
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    tracemalloc.start()
    start = time.perf_counter()
    effects = lw.unit_effects(model, x)
    t_ours = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    budget = UNITS * t_predict
    print(f"keras {keras.__version__} ({keras.backend.backend()}); LSTM({UNITS}) -> Dense(1), "
          f"x = ({SAMPLES}, {STEPS}, {FEATURES})")  # fmt: skip
    print(f"Keras predict_on_batch(x)            {t_predict:8.3f} s")
    print(f"units x predict (the goal's bound)   {budget:8.1f} s")
    print(f"unit_effects, all {UNITS} units zeroed   {t_ours:8.1f} s  "
          f"({t_ours / budget:.2f} x units x predict; goal <= 1.0)")  # fmt: skip
    print(f"peak numpy memory during it          {peak / 2**20:8.0f} MiB (goal <= 1024)")
    print(f"peak RSS growth (numpy and backend)  {peak_growth / 2**20:8.0f} MiB (goal <= 1024)")
    print(f"largest effect: unit {effects.ranked[0]} ({effects.mean_abs.max():.4f})")


if __name__ == "__main__":
    main()
