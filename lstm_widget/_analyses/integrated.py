"""Integrated gradients: the output's gradient summed along a path from a baseline to x.

The path points (path_steps x batch of them) are built one call's worth at a time, never
all at once (for 1,000 x 2,000 x 8 inputs the whole path would be GBs). Where
:mod:`.backprop` covers the model and the points per call are few (one sample in the
widget), the gradients, and f(x) and f(baseline) with them, come from our own
backpropagation through the LSTM recurrence; else from the backend's gradient of the
whole model (:mod:`lstm_widget._reading.grad`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from .._base.progress import Tick, progress_bar
from .._reading.feed import first_output, predict
from .._reading.grad import input_gradient
from .._reading.model import StateSnapshot
from .backprop import gradient_plan


def scalar_outputs(out: np.ndarray, output_index: int | None) -> np.ndarray:
    """One value per sample: the only output, or flattened output ``output_index``."""
    flat = out.reshape(out.shape[0], -1)
    if output_index is None:
        if flat.shape[1] != 1:
            raise ValueError(
                f"the model gives {flat.shape[1]} output values per sample; pick one with "
                f"output_index=0..{flat.shape[1] - 1} (flattened)."
            )
        return flat[:, 0]
    if not 0 <= output_index < flat.shape[1]:
        raise ValueError(f"output_index must be in 0..{flat.shape[1] - 1}, got {output_index}.")
    return flat[:, output_index]


def predict_scalars(
    model,  # noqa: ANN001
    x: np.ndarray | list[np.ndarray],
    output_index: int | None,
    chunk: int = 4096,
    tick: Tick | None = None,
) -> np.ndarray:
    """:func:`scalar_outputs` of the model's predictions, ``chunk`` samples per call.

    ``x`` is an array, or a list of arrays with one per model input.
    """
    arrays = x if isinstance(x, list) else [x]
    rows = arrays[0].shape[0]
    parts = []
    with StateSnapshot(model):
        for a in range(0, rows, chunk):
            feed = [arr[a : a + chunk] for arr in arrays]
            out = first_output(predict(model, feed[0] if len(feed) == 1 else feed))
            parts.append(scalar_outputs(keras.ops.convert_to_numpy(out), output_index))
            if tick is not None:
                tick(min(chunk, rows - a))
    return np.concatenate(parts)


def integrated_gradients(
    model,  # noqa: ANN001
    x: np.ndarray,
    base: np.ndarray,
    output_index: int | None,
    steps: int,
    progress: bool = False,
) -> tuple[np.ndarray, Completeness]:
    """Attribution (x's shape, float64) and its completeness check.

    Midpoint rule over ``steps`` path points from ``base`` to ``x``; the check compares
    the attribution's sum with f(x) - f(base) per sample (:class:`Completeness`).
    """
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps  # midpoint rule
    b = x.shape[0]
    grads = np.zeros_like(x, dtype=np.float64)
    points = steps * b  # path point i: alphas[i // b] of the way from base to x, sample i % b
    gradient, per_call, own = gradient_of(model, (points, *x.shape[1:]), output_index)
    rows = points + (2 * b if own else 0)  # ours: f(x) and f(baseline) as rows after them
    calls = -(-rows // per_call)
    per_call = -(-rows // calls)  # even chunks: the last is not a short one
    outputs = []
    bar = progress_bar(progress, points, "integrated gradients", "path point")
    with StateSnapshot(model), bar as tick:
        for a in range(0, rows, per_call):
            g, out = gradient(_path_rows(x, base, alphas, a, min(rows, a + per_call)))
            _accumulate(grads, g[: max(0, points - a)], a)
            outputs.append(out)
            if tick is not None:
                tick(min(g.shape[0], max(0, points - a)))
    attr = (x - base) * grads / steps
    if own:
        ends = np.concatenate(outputs)[points:]
    else:
        ends = predict_scalars(model, np.concatenate([x, base]), output_index)  # one call for both
    return attr, Completeness.of(attr.reshape(b, -1).sum(axis=1), ends[:b], ends[b:], steps)


GAP_FLOOR = 1e-4
"""Below this share of the output's scale, f(x) - f(baseline) is too small to judge by."""

COARSE = 0.05
"""A median completeness error above this says the path needs more steps."""
JUMPS = 0.5
"""Above this, the output jumps between path points: a trained sigmoid model's median
error went 99.9% -> 98.8% -> 66.7% -> 4.4% for 32, 128, 512 and 2,048 points."""


@dataclass
class Completeness:
    """Integrated gradients' check that a sample's attributions add up to f(x) - f(baseline).

    Attributes
    ----------
    errors : numpy.ndarray
        Per sample, |sum of attributions - (f(x) - f(baseline))| / |f(x) - f(baseline)|;
        NaN where |f(x) - f(baseline)| is below ``GAP_FLOOR`` of the output's scale (a
        saturated output, or a baseline the model maps to the same value): there the
        attributions sum to about 0 whatever they are, and the ratio says nothing.
    error : float
        The median of the judged samples' errors (NaN if none could be judged).
    remarks : list of str
        Plain words on what to do: unjudged samples, a path too coarse.
    """

    errors: np.ndarray
    error: float
    remarks: list[str]

    @classmethod
    def of(cls, sums: np.ndarray, f_x: np.ndarray, f_base: np.ndarray, steps: int) -> Completeness:
        """The check of attribution ``sums`` per sample, with ``steps`` path points."""
        gap = f_x - f_base
        scale = max(float(np.abs(np.concatenate([f_x, f_base])).max()), 1e-12)
        judged = np.abs(gap) >= GAP_FLOOR * scale
        errors = np.full(gap.shape, np.nan)
        errors[judged] = np.abs(sums[judged] - gap[judged]) / np.abs(gap[judged])
        error = float(np.median(errors[judged])) if judged.any() else float("nan")
        remarks = []
        if not judged.all():
            remarks.append(
                f"for {int((~judged).sum())} of {gap.size} samples f(x) - f(baseline) is below "
                f"{GAP_FLOOR:g} of the output's scale (a saturated output, or a baseline the "
                "model gives the same value): their attributions sum to about 0 and cannot be "
                "checked; try another baseline or attribute a pre-activation output"
            )
        if error > COARSE:
            remarks.append(
                f"the median completeness error is {error:.1%}: the path is too coarse for "
                f"this model; use path_steps={4 * steps}"
                + (
                    " or more: an error this large means the output jumps between path "
                    "points (a confident, saturated model), which 4x more points may not "
                    "resolve; method='masks' needs no path"
                    if error > JUMPS
                    else ""
                )
            )
        return cls(errors, error, remarks)


def _path_rows(
    x: np.ndarray, base: np.ndarray, alphas: np.ndarray, start: int, stop: int
) -> np.ndarray:
    """Rows ``start:stop`` of the path (only these are built: the whole path can be GBs).

    Row i < steps * batch is base + alphas[i // batch] * (x - base) of sample i % batch;
    the rows after them are x, then the baseline.
    """
    b = x.shape[0]
    points = alphas.shape[0] * b
    rows = np.arange(start, stop)
    on_path = rows[rows < points]
    sample = on_path % b
    chunk = x[sample]  # a copy: base + alpha * (x - base), in place
    chunk -= base[sample]
    chunk *= alphas[on_path // b].reshape(-1, *([1] * (x.ndim - 1)))
    chunk += base[sample]
    ends = rows[rows >= points] - points  # 0..b-1: x, b..2b-1: the baseline
    if ends.size == 0:
        return chunk
    return np.concatenate([chunk, x[ends[ends < b]], base[ends[ends >= b] - b]])  # ends ascend


def _accumulate(grads: np.ndarray, g: np.ndarray, first: int) -> None:
    """Add the gradients of path points ``first``, ``first + 1``, ... to their samples.

    Path point i belongs to sample i % batch, so the rows run in consecutive stretches.
    """
    batch, done = grads.shape[0], 0
    while done < g.shape[0]:
        row = (first + done) % batch
        count = min(batch - row, g.shape[0] - done)
        grads[row : row + count] += g[done : done + count]
        done += count


_OWN_MAX_ROWS = 512
"""Our backward pass is used up to this many path points per call. TensorFlow's backward
loop costs about a millisecond per step whatever the batch, ours a few microseconds per
row and step, so ours is faster for a few hundred rows (one sample in the widget) and
TensorFlow's for thousands (``benchmarks/bench_attribution.py``)."""


def gradient_of(
    model,  # noqa: ANN001
    shape: tuple[int, ...],
    output_index: int | None,
) -> tuple[Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]], int, bool]:
    """d(output)/d(input) for batches of the ``shape`` (rows, time, ...) inputs.

    Returns the function, how many rows to pass per call, and whether it is our own
    backpropagation through the LSTM recurrence (:mod:`.backprop`, which also gives the
    output) rather than the backend's gradient of the whole model (output None).
    """
    k = 0 if output_index is None else output_index
    plan = gradient_plan(model)
    if plan is not None and min(shape[0], plan.rows_per_call(shape[1])) <= _OWN_MAX_ROWS:
        rows = min(plan.rows_per_call(shape[1]), _OWN_MAX_ROWS)
        return (lambda inputs: plan.gradient(inputs, k)), rows, True
    fn = input_gradient(model)

    def gradient(inputs: np.ndarray) -> tuple[np.ndarray, None]:
        return fn(inputs, k), None

    return gradient, max(1, 2**21 // max(1, int(np.prod(shape[1:])))), False
