"""Random masks: which stretches of time the output depends on, with the rest exchanged too.

Each of ``pairs`` run pairs cuts the sequence into windows of ``window`` steps (at a random
offset) and picks half of them at random. One run keeps that half from x and takes the
other half from a donor (another sample, drawn afresh for every pair); the other run does
the reverse. A step's value is the mean, over the pairs, of f(the run that kept the step
from x) - f(the run that took it from the donor).

That is RISE (Petsiuk et al., 2018) with other samples' steps instead of zeros and with
complementary masks: an estimate of each window's Banzhaf value in the game whose players
are the windows and where an absent window takes a donor's steps. Against replacing one
window at a time (:mod:`.windows`) it differs in two ways that matter for trained models:
half of the rest is exchanged too, so evidence repeated elsewhere in x no longer hides a
stretch (a saturated model does not move when one of two sufficient stretches goes), and
every pair has its own donor, so one donor's own evidence (its box in another place)
averages out instead of marking the steps where x has none.

Measured on planted evidence (``benchmarks/bench_truth.py``, docs/attribution.md): it ranks
the planted steps first on four of the five layouts (time-AUPRC 0.86-0.98).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.progress import progress_bar
from .donors import CALL_STEPS, CHUNK_VALUES, Background
from .integrated import predict_scalars

PAIRS = 192
"""Run pairs per sample (384 model runs, as many as :mod:`.windows` makes with 8 donors):
192 complementary pairs ranked the planted steps as well as 384 independent masks."""


def check_pairs(pairs: object) -> int:
    if isinstance(pairs, bool) or not isinstance(pairs, int | np.integer) or pairs < 1:
        raise ValueError(f"pairs must be a positive int (run pairs per sample), got {pairs!r}.")
    return int(pairs)


@dataclass
class MaskPlan:
    """What the runs are, kept small: (batch, pairs, cells) choices, not (..., time) masks.

    ``grid[i, p, c]``: pair p of sample i keeps window c from x in its first run (its
    second run keeps the others); window c covers steps ``c * window - offset[i, p]`` on.
    ``donor[i, p]``: the pair's row of ``rows`` (the background, or x), or None when a
    sample has no other row to draw from (then the donor is all zeros).
    """

    grid: np.ndarray
    offset: np.ndarray
    window: int
    steps: int
    donor: np.ndarray | None
    rows: np.ndarray
    note: str

    def keep(self, a: int, z: int) -> np.ndarray:
        """(z - a, pairs, time) bool: the steps the first runs of samples a..z-1 keep."""
        cell = (np.arange(self.steps) + self.offset[a:z, :, None]) // self.window
        return np.take_along_axis(self.grid[a:z], cell, axis=2)


def mask_plan(x: np.ndarray, bg: Background, window: int, pairs: int, seed: int) -> MaskPlan:
    """The runs for each sample of ``x``: ``pairs`` pairs of masks and donors (``seed``).

    Each pair: windows of ``window`` steps at a random offset, a random half of them kept
    from x, and a donor drawn afresh from the sample's other rows of ``bg``.
    """
    rng = np.random.default_rng(seed)
    b, t = x.shape[:2]
    grid = rng.random((b, pairs, -(-t // window) + 1)) < 0.5
    offset = rng.integers(0, window, (b, pairs))
    if bg.empty:
        return MaskPlan(grid, offset, window, t, None, bg.rows, bg.none_note())
    donor = np.stack([rng.choice(o, pairs, replace=o.size < pairs) for o in bg.others])
    note = f"a new donor for each of {pairs} run pairs from {bg.source()}"
    return MaskPlan(grid, offset, window, t, donor, bg.rows, note)


def random_masks(
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    seq: int,
    plan: MaskPlan,
    output_index: int | None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Each step's mean f(kept from x) - f(taken from the donor), and its standard error.

    Both (batch, time); the error is the pairs' standard deviation / sqrt(pairs) (NaN for
    one pair). Input ``seq`` is masked as :func:`mask_plan` says; the other inputs are held
    as given.
    """
    x = arrays[seq]
    b, pairs = plan.offset.shape
    t = plan.steps
    per_row = int(np.prod(x.shape[1:]))
    samples_per_call = max(1, CHUNK_VALUES // (per_row * 2 * pairs))
    values, error = np.empty((b, t)), np.full((b, t), np.nan)
    with progress_bar(progress, b * 2 * pairs, "random masks", "run") as tick:
        for a in range(0, b, samples_per_call):
            z = min(b, a + samples_per_call)
            keep = plan.keep(a, z)
            mask = keep.reshape(z - a, pairs, t, *([1] * (x.ndim - 2)))
            own = x[a:z, None]
            other = np.zeros_like(own) if plan.donor is None else plan.rows[plan.donor[a:z]]
            runs = np.empty((z - a, 2, pairs, *x.shape[1:]), x.dtype)
            runs[:, 0] = other
            np.copyto(runs[:, 0], own, where=mask)
            runs[:, 1] = own
            np.copyto(runs[:, 1], other, where=mask)
            feed = [
                np.repeat(arr[a:z], 2 * pairs, 0) if i != seq else None
                for i, arr in enumerate(arrays)
            ]
            feed[seq] = runs.reshape(-1, *x.shape[1:])
            rows_per_call = max(1, CALL_STEPS // t)
            out = predict_scalars(model, feed, output_index, chunk=rows_per_call, tick=tick)
            out = out.reshape(z - a, 2, pairs)
            sign = np.where(keep, 1.0, -1.0)  # +1 where the first run kept the step
            each = (out[:, 0] - out[:, 1])[..., None] * sign  # (samples, pairs, time)
            values[a:z] = each.mean(axis=1)
            if pairs > 1:
                error[a:z] = each.std(axis=1, ddof=1) / np.sqrt(pairs)
    return values, error
