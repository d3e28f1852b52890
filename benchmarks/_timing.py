"""Shared timing for the benchmark scripts."""

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[int], object], repeats: int) -> float:
    """Median wall time of ``fn(k)`` for k = 0..repeats-1, after one warm-up call ``fn(-1)``.

    ``k`` lets a benchmark vary its input per repeat (e.g. a new slider value).
    """
    fn(-1)  # warm-up: graph tracing, caches
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired_times(
    base: Callable[[], object], ours: Callable[[], object], repeats: int
) -> tuple[float, float, float]:
    """Median times of ``base`` and ``ours`` and the median of their per-pair ratios.

    The two run alternately (after one warm-up call each), so a slow spell of a shared
    machine slows both of a pair: the ratio is steadier than a ratio of separate medians.
    """
    base()
    ours()
    t_base, t_ours = [], []
    for _ in range(repeats):
        for fn, times in ((base, t_base), (ours, t_ours)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    ratios = [o / b for b, o in zip(t_base, t_ours, strict=True)]
    return statistics.median(t_base), statistics.median(t_ours), statistics.median(ratios)
