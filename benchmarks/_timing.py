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
