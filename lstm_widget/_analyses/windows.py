"""Window replacement: which stretches of time the output depends on, against real data.

A trained, confident model is saturated at its own input: the local gradient and the
change from one replaced step are small exactly where the evidence was, and a zero input
is far from anything it was trained on. So this method compares with real data instead:
each window of ``window`` consecutive steps is replaced by the same steps of ``donors``
other samples (from a background, by default the other samples of ``x``) and the model
re-run. A step's value is the mean output change ``f(x) - f(x with the window replaced)``
over the donors and the windows that cover it: positive where this stretch of x pushed
the output up compared with what other samples had there.

``per_feature`` splits each step's value over the features in proportion to |expected
gradients| at that step (integrated gradients from each donor to x, averaged; Erion et
al. 2021), so a step's features add up to its value.

What it finds, measured on planted evidence (``benchmarks/bench_truth.py``), is in
``docs/attribution.md``: better than gradients at a zero baseline wherever the evidence is
a stretch of time; not the cells' own values, and the resolution is the window.
"""

from __future__ import annotations

import numpy as np

from .._base.progress import progress_bar
from .donors import CALL_STEPS, CHUNK_VALUES
from .integrated import integrated_gradients, predict_scalars

MAX_POSITIONS = 48
"""At most this many window positions per sequence (so longer sequences get longer windows)."""
_WINDOW_CAP = 10
"""The default window: a fifth of the sequence, at most this many steps (unless
``MAX_POSITIONS`` windows need longer ones to cover the sequence)."""


def window_of(steps: int, window: int | None) -> int:
    """The window length: ``window`` checked, or the default for ``steps`` steps."""
    if window is None:
        return max(1, min(round(steps / 5), _WINDOW_CAP), -(-steps // MAX_POSITIONS))
    if isinstance(window, bool) or not isinstance(window, int | np.integer):
        raise TypeError(f"window must be an int number of steps, got {window!r}.")
    if not 1 <= window <= steps:
        raise ValueError(f"window must be in 1..{steps} (the sequence's steps), got {window}.")
    return int(window)


def positions(steps: int, window: int) -> np.ndarray:
    """Start steps of the windows: every one, or ``MAX_POSITIONS`` spread from 0 to the end."""
    last = steps - window
    if last + 1 <= MAX_POSITIONS:
        return np.arange(last + 1)
    return np.unique(np.linspace(0, last, MAX_POSITIONS).round().astype(int))


def window_replacement(
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    seq: int,
    donor: np.ndarray,
    window: int,
    output_index: int | None,
    progress: bool = False,
) -> np.ndarray:
    """(batch, time): mean output change when windows of input ``seq`` take donors' steps.

    ``donor`` is :func:`.donors.donor_rows`'s (batch, k, time, ...). The other inputs are held as
    given. Each step's value averages the windows that cover it.
    """
    x = arrays[seq]
    b, t = x.shape[:2]
    k = donor.shape[1]
    starts = positions(t, window)
    runs_per_sample = k * starts.size
    per_row = int(np.prod(x.shape[1:]))
    samples_per_call = max(1, CHUNK_VALUES // (per_row * runs_per_sample))
    full = predict_scalars(model, arrays, output_index)
    change = np.empty((b, starts.size))
    with progress_bar(progress, b * runs_per_sample, "window replacement", "run") as tick:
        for a in range(0, b, samples_per_call):
            z = min(b, a + samples_per_call)
            runs = np.repeat(x[a:z, None, None], k, axis=1).repeat(starts.size, axis=2)
            for j, s in enumerate(starts):  # (samples, k, positions, time, ...)
                runs[:, :, j, s : s + window] = donor[a:z, :, s : s + window]
            feed = [
                np.repeat(arr[a:z], runs_per_sample, 0) if i != seq else None
                for i, arr in enumerate(arrays)
            ]
            feed[seq] = runs.reshape(-1, *x.shape[1:])
            rows_per_call = max(1, CALL_STEPS // t)
            out = predict_scalars(model, feed, output_index, chunk=rows_per_call, tick=tick)
            change[a:z] = (full[a:z, None, None] - out.reshape(z - a, k, -1)).mean(axis=1)
    per_step, covered = np.zeros((b, t)), np.zeros(t)
    for j, s in enumerate(starts):
        per_step[:, s : s + window] += change[:, j : j + 1]
        covered[s : s + window] += 1
    return per_step / covered


def feature_split(
    model,  # noqa: ANN001
    x: np.ndarray,
    donor: np.ndarray,
    values: np.ndarray,
    output_index: int | None,
    path_steps: int,
    progress: bool = False,
) -> np.ndarray:
    """(batch, time, features): each step's value split in proportion to |expected gradients|.

    Expected gradients: integrated gradients from each donor to x (``path_steps`` points),
    |.| averaged over the donors. A step where they are all 0 is split evenly.
    """
    b, k = donor.shape[:2]
    x_k = np.repeat(x, k, axis=0)
    attr, _ = integrated_gradients(
        model, x_k, donor.reshape(b * k, *x.shape[1:]), output_index, path_steps, progress
    )
    weight = np.abs(attr).reshape(b, k, *x.shape[1:]).mean(axis=1)
    total = weight.sum(axis=2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, weight / total, 1.0 / x.shape[2])
    return values[:, :, None] * share
