"""Downsampling long sequences for the timeline overview."""

from __future__ import annotations

import numpy as np

OVERVIEW_BINS = 2048
"""Most columns the overview sends; shorter sequences are sent exactly."""


def bin_edges(steps: int, bins: int) -> np.ndarray:
    """Start index of each of ``min(steps, bins)`` near-equal bins, plus ``steps`` at the end.

    Bin k starts at floor(k * steps / bins), as ``binOfStep`` in ``js/src/layout.ts``.
    """
    count = max(1, min(steps, bins))
    return (np.arange(count + 1, dtype=np.int64) * steps) // count


def downsample(values: np.ndarray, bins: int = OVERVIEW_BINS) -> np.ndarray:
    """Mean over time bins, ignoring NaN (masked steps).

    Parameters
    ----------
    values : numpy.ndarray
        (time, channels).
    bins : int
        Most output columns.

    Returns
    -------
    numpy.ndarray
        (channels, min(time, bins)) float32; exactly ``values.T`` when time <= bins. A bin
        with only NaN stays NaN.
    """
    steps = values.shape[0]
    if steps <= bins:
        return np.ascontiguousarray(values.T, dtype=np.float32)
    edges = bin_edges(steps, bins)
    finite = np.isfinite(values)
    sums = np.add.reduceat(np.where(finite, values, 0.0).astype(np.float64), edges[:-1], axis=0)
    counts = np.add.reduceat(finite.astype(np.int64), edges[:-1], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return np.ascontiguousarray(means.T, dtype=np.float32)
