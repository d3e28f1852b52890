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
from .._base.validate import as_array
from .integrated import integrated_gradients, predict_scalars

DONORS = 8
"""Donor samples per sample: with 4 the ranking of the planted steps was visibly noisier."""
MAX_POSITIONS = 48
"""At most this many window positions per sequence (so longer sequences get longer windows)."""
_WINDOW_CAP = 10
"""The default window: a fifth of the sequence, at most this many steps (unless
``MAX_POSITIONS`` windows need longer ones to cover the sequence)."""
_CHUNK_VALUES = 2**23
"""Input values (rows x steps x features) built at once: 32 MB of float32."""
_CALL_STEPS = 2**17
"""Rows x steps per model call: the layers' own activations (a sequence-returning LSTM's
output is rows x steps x units) stay in the tens of MB."""


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


def donor_rows(x: np.ndarray, background: object, donors: int, seed: int) -> tuple[np.ndarray, str]:
    """(batch, k, time, ...) donor sequences for each sample of ``x``, and where they came from.

    Drawn without replacement (``seed``) from ``background`` (default: ``x``), leaving out
    rows equal to the sample itself. With no other row to draw from, one all-zero donor.
    """
    if isinstance(donors, bool) or not isinstance(donors, int | np.integer) or donors < 1:
        raise ValueError(f"donors must be a positive int, got {donors!r}.")
    given = background is not None
    bg = x if not given else as_array(background, "background")
    if bg.ndim != x.ndim or bg.shape[1:] != x.shape[1:]:
        shape = ", ".join(map(str, x.shape[1:]))
        raise ValueError(
            f"background must hold samples shaped like x's, (n, {shape}), got {bg.shape}."
        )
    bg = bg.astype(x.dtype, copy=False)
    probe = np.random.default_rng(0).random(int(np.prod(x.shape[1:])))
    x_print = x.reshape(x.shape[0], -1).astype(np.float64) @ probe
    bg_print = bg.reshape(bg.shape[0], -1).astype(np.float64) @ probe
    rng = np.random.default_rng(seed)
    picks = []
    for i in range(x.shape[0]):
        same = np.flatnonzero(bg_print == x_print[i])
        same = [j for j in same if np.array_equal(bg[j], x[i])]
        others = np.setdiff1d(np.arange(bg.shape[0]), same)
        picks.append(rng.choice(others, min(donors, others.size), replace=False))
    k = min(len(p) for p in picks)
    if k == 0:
        where = "the background" if given else "x"
        note = f"no sample other than itself in {where} to draw from, so windows were set to 0"
        return np.zeros((x.shape[0], 1, *x.shape[1:]), x.dtype), note
    rows = np.stack([bg[p[:k]] for p in picks])
    note = f"{k} donors per sample from {'the background' if given else 'the other samples of x'}"
    return rows, note


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

    ``donor`` is :func:`donor_rows`'s (batch, k, time, ...). The other inputs are held as
    given. Each step's value averages the windows that cover it.
    """
    x = arrays[seq]
    b, t = x.shape[:2]
    k = donor.shape[1]
    starts = positions(t, window)
    runs_per_sample = k * starts.size
    per_row = int(np.prod(x.shape[1:]))
    samples_per_call = max(1, _CHUNK_VALUES // (per_row * runs_per_sample))
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
            rows_per_call = max(1, _CALL_STEPS // t)
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
