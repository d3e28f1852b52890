"""Planted-truth time series in the style of Ismail et al. (NeurIPS 2020), and the metrics.

Every sample is Gaussian noise, (steps, features) = (50, 10). The class (+1 or -1) is
added as +1 or -1 to a box of cells (Ismail et al.'s mean shift); the box is the truth an
attribution should find. Layouts:

- ``Middle``: steps 20-29, features 3-6 (40 cells).
- ``Moving_Middle``: the same box, starting at a random step in 5..35 per sample.
- ``RareTime``: 3 steps (24-26), 9 of the 10 features.
- ``RareFeature``: 1 feature (5), steps 5-44.
- ``PositionalTime``: +1 in steps 5-14 for class +1, in steps 35-44 for class -1
  (features 3-6): where the box is carries the class.

Metrics, as tint (time_interpret) computes them on attributions normalised per sample
(|a| / max |a|): ``AUP`` and ``AUR``, the mean precision and recall of "cell is in the
box" over 101 thresholds in [0, 1]; ``AUPRC``, the average precision of the cells ranked
by |a|; ``time-AUPRC``, the same per step (|a| summed over features, a step is true if
any of its cells is); and the accuracy drop when each sample's top 10% cells by |a| are
set to 0. A random attribution scores about the box's share of cells (AUP, AUPRC) and
0.5 (AUR); the box itself scores 1.
"""

from __future__ import annotations

import numpy as np

STEPS, FEATURES = 50, 10
LAYOUTS = ("Middle", "Moving_Middle", "RareTime", "RareFeature", "PositionalTime")


def make(layout: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, box)``: inputs (n, 50, 10) float32, labels 0/1, the truth (n, 50, 10) bool."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, STEPS, FEATURES)).astype("float32")
    y = rng.integers(0, 2, n)
    sign = 2.0 * y - 1.0
    box = np.zeros(x.shape, bool)
    for i in range(n):
        if layout == "Middle":
            box[i, 20:30, 3:7] = True
        elif layout == "Moving_Middle":
            start = rng.integers(5, 36)
            box[i, start : start + 10, 3:7] = True
        elif layout == "RareTime":
            box[i, 24:27, 0:9] = True
        elif layout == "RareFeature":
            box[i, 5:45, 5] = True
        elif layout == "PositionalTime":
            box[i, 5:15, 3:7] = y[i] == 1
            box[i, 35:45, 3:7] = y[i] == 0
        else:
            raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}.")
    shift = np.ones(n) if layout == "PositionalTime" else sign
    x += (box * shift[:, None, None]).astype("float32")
    return x, y.astype("float32"), box


def _normalised(attr: np.ndarray) -> np.ndarray:
    a = np.abs(attr.reshape(attr.shape[0], -1)).astype(np.float64)
    return a / np.maximum(a.max(axis=1, keepdims=True), 1e-30)


def average_precision(scores: np.ndarray, truth: np.ndarray) -> float:
    """Average precision of ``truth`` ranked by ``scores`` (ties broken by order)."""
    order = np.argsort(-scores.ravel(), kind="stable")
    hits = truth.ravel()[order]
    found = np.cumsum(hits)
    precision = found / np.arange(1, hits.size + 1)
    return float((precision * hits).sum() / max(1, hits.sum()))


def scores(attr: np.ndarray, box: np.ndarray) -> dict[str, float]:
    """AUP, AUR, AUPRC and time-AUPRC of ``attr`` (n, steps, features) against ``box``."""
    a = _normalised(attr)
    truth = box.reshape(box.shape[0], -1)
    precision, recall = [], []
    for t in np.linspace(0, 1, 101):
        chosen = a >= t
        hit = (chosen & truth).sum()
        precision.append(hit / chosen.sum() if chosen.any() else 1.0)
        recall.append(hit / truth.sum())
    per_step = np.abs(attr).sum(axis=2)
    return {
        "AUP": float(np.mean(precision)),
        "AUR": float(np.mean(recall)),
        "AUPRC": average_precision(a, truth),
        "time-AUPRC": average_precision(
            per_step / np.maximum(per_step.max(axis=1, keepdims=True), 1e-30), box.any(axis=2)
        ),
    }


def zero_top(x: np.ndarray, attr: np.ndarray, share: float = 0.1) -> np.ndarray:
    """``x`` with each sample's top ``share`` of cells by |attr| set to 0."""
    flat = np.abs(attr.reshape(attr.shape[0], -1))
    k = int(round(share * flat.shape[1]))
    top = np.argsort(-flat, axis=1, kind="stable")[:, :k]
    out = x.reshape(x.shape[0], -1).copy()
    np.put_along_axis(out, top, 0.0, axis=1)
    return out.reshape(x.shape)
