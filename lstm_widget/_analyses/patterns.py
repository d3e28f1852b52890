"""What does this unit do? Pattern search, correlation with an annotation, gate saturation.

All three pass over x once, block by block (:mod:`.stream`), keeping only small
summaries: for :func:`match_pattern` one bit per unit and step (which units are on), for
:func:`unit_correlation` running sums, for :func:`gate_saturation` counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._reading.model import find_recurrent, is_gru, require_model_x, twin_x
from .stream import Progress, blocks, ticker


@dataclass(frozen=True)
class Matches:
    """Result of :func:`match_pattern`.

    Attributes
    ----------
    units : numpy.ndarray
        The query's units: on (value >= threshold) at every step of the query range, or
        the ones given.
    hits : list of (sample, start, stop, score)
        Other ranges where every one of ``units`` is on at every step, best first. The
        score is the mean over the range's steps of 1 - (other units on) / (other units):
        1 when only the query's units are on, lower the more others are on too.
    note : str
        Why there are no units or no hits, when there are none.
    """

    units: np.ndarray
    hits: list[tuple[int, int, int, float]]
    threshold: float
    array: str
    note: str = ""

    def __repr__(self) -> str:
        best = ", ".join(f"({s}, {a}, {b}, {c:.2f})" for s, a, b, c in self.hits[:3])
        more = f", ... {len(self.hits)} in all" if len(self.hits) > 3 else ""
        note = f" ({self.note})" if self.note else ""
        return f"<Matches units {self.units.tolist()}: hits [{best}{more}]{note}>"


def _check_range(sample: object, start: object, stop: object) -> tuple[int, int, int]:
    for name, value in (("sample", sample), ("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {value!r}.")
    if not 0 <= int(start) < int(stop):
        raise ValueError(
            f"the query range must be non-empty, 0 <= start < stop, got [{start}, {stop})."
        )
    return int(sample), int(start), int(stop)


def on_units(values: np.ndarray, threshold: float, mask: np.ndarray | None = None) -> np.ndarray:
    """The units on (>= threshold) at every step of ``values`` (steps, units).

    A masked step (``mask`` False) is never on, so a range with one has no on units.
    """
    if mask is not None and not mask.all():
        return np.array([], dtype=np.intp)
    with np.errstate(invalid="ignore"):
        return np.flatnonzero(values.min(axis=0) >= threshold)


def match_pattern(
    model,  # noqa: ANN001
    x: object,
    sample: int,
    start: int,
    stop: int,
    threshold: float = 0.3,
    array: str = "h",
    layer: str | None = None,
    *,
    units: object = None,
    min_length: int | None = None,
    max_hits: int = 50,
    progress: Progress = False,
) -> Matches:
    """Find the other places in x where the units that are on in a query range switch on.

    LSTMVis's search: the query's units are those whose ``array`` value is >= threshold
    at every step of ``x[sample, start:stop]`` (or ``units=``); a hit is a run of at
    least ``min_length`` steps (default half the query's length) in any sample, outside
    the query itself, where all of them are on at every step. Masked steps are never on.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like, generator of batches or tf.data.Dataset
        The dataset to search (``sample`` indexes it as a whole).
    sample, start, stop : int
        The query: steps [start, stop) of sample ``sample``.
    threshold : float
        A unit is "on" at a step when its value is >= threshold.
    array : str
        Which trace array: ``"h"`` (default), ``"c"``, a gate (``"i"``, ``"f"``, ...).
    layer : str, optional
        Which LSTM or GRU; the first if omitted. A Bidirectional layer's units are
        forward then backward.
    units : sequence of int, optional
        Search for these units instead of the query's.
    min_length : int, optional
        Shortest hit, in steps.
    max_hits : int
        Most hits returned.
    progress : bool or callable
        Show a progress bar over the samples (tqdm), or call this with each block's count.

    Returns
    -------
    Matches
    """
    sample, start, stop = _check_range(sample, start, stop)
    thr = float(threshold)
    need = (stop - start + 1) // 2 if min_length is None else int(min_length)
    bits, counts, query, n_units = [], [], None, 0
    query_mask = np.ones(0, bool)
    model, x = require_model_x(model, x)
    with ticker(progress, x, "match_pattern") as tick:
        for block in blocks(model, x, layer, (array,), tick):
            vals = block.values[array]
            n_units = vals.shape[2]
            packed = np.packbits(vals >= thr, axis=2)  # (samples, time, units / 8) uint8
            packed[~block.mask] = 0  # masked steps: nothing is on
            bits.append(packed)
            counts.append(np.bitwise_count(packed).sum(axis=2, dtype=np.int32))
            if block.offset <= sample < block.offset + len(vals):
                query = np.array(vals[sample - block.offset], copy=True)
                query_mask = block.mask[sample - block.offset].copy()
    total = sum(len(b) for b in bits)
    if query is None:
        raise ValueError(f"sample must be in 0..{total - 1}, got {sample}.")
    if stop > query.shape[0]:
        raise ValueError(f"stop must be at most {query.shape[0]} (the time steps), got {stop}.")
    if units is None:
        chosen = on_units(query[start:stop], thr, query_mask[start:stop])
        if chosen.size == 0:
            where = f"sample {sample}, steps {start}..{stop - 1}"
            advice = "lower the threshold or give units="
            note = nothing_on(query[start:stop], thr, query_mask[start:stop], where, advice)
            return Matches(chosen, [], thr, array, note)
    else:
        chosen = np.unique(np.asarray(units, dtype=int))
        if chosen.size == 0 or chosen.min() < 0 or chosen.max() >= n_units:
            raise ValueError(f"units must be indices in 0..{n_units - 1}, got {units!r}.")
    hits = _scan(bits, counts, chosen, n_units, need, (sample, start, stop))
    hits.sort(key=lambda h: (-h[3], abs((h[2] - h[1]) - (stop - start)), h[0], h[1]))
    note = "" if hits else f"no other range of at least {need} steps has all of them on"
    return Matches(chosen, hits[: int(max_hits)], thr, array, note)


def nothing_on(
    values: np.ndarray, threshold: float, mask: np.ndarray, where: str, advice: str
) -> str:
    """Why no unit is on in a query range of ``values`` (steps, units), and what to do."""
    if not mask.all():
        return f"{where} include masked steps, where no unit is on: choose steps the layer ran"
    return (
        f"no unit is >= {threshold} at every step of {where} "
        f"(the highest minimum there is {np.nanmax(values.min(axis=0)):.3g}): {advice}"
    )


def _scan(
    bits: list[np.ndarray],
    counts: list[np.ndarray],
    chosen: np.ndarray,
    n_units: int,
    need: int,
    query: tuple[int, int, int],
) -> list[tuple[int, int, int, float]]:
    """Runs where every chosen unit is on, with their scores, block by block."""
    others = max(1, n_units - chosen.size)
    hits = []
    offset = 0
    for packed, count in zip(bits, counts, strict=True):
        on = np.unpackbits(packed, axis=2, count=n_units)[:, :, chosen].astype(bool)
        all_on = on.all(axis=2)
        extra = count - chosen.size
        for row in range(all_on.shape[0]):
            s = offset + row
            line = all_on[row].copy()
            if s == query[0]:
                line[query[1] : query[2]] = False  # the query itself is no hit
            edges = np.flatnonzero(np.diff(np.concatenate([[0], line.view(np.int8), [0]])))
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                if b - a >= need:
                    score = float(np.mean(1.0 - extra[row, a:b] / others))
                    hits.append((s, int(a), int(b), score))
        offset += all_on.shape[0]
    return hits


_ROWS = 4096
"""Steps per float64 slice of the correlation sums (bounded temporaries)."""


@dataclass(frozen=True)
class Correlation:
    """Result of :func:`unit_correlation`.

    Attributes
    ----------
    r : numpy.ndarray
        (units,) Pearson correlation of each unit with the annotation over all unmasked
        steps (NaN for a unit that never changes).
    ranked : numpy.ndarray
        Units by |r|, largest first (NaN last).
    steps : int
        How many steps went into it.
    """

    r: np.ndarray
    ranked: np.ndarray
    steps: int

    def __repr__(self) -> str:
        top = ", ".join(f"{u}: {self.r[u]:+.3f}" for u in self.ranked[:5])
        return f"<Correlation over {self.steps} steps; best units {top}>"


def unit_correlation(
    model,  # noqa: ANN001
    x: object,
    annotation: object,
    array: str = "h",
    layer: str | None = None,
    *,
    progress: Progress = False,
) -> Correlation:
    """Pearson correlation of every unit with a per-step annotation, over the dataset.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like, generator of batches or tf.data.Dataset
        The inputs.
    annotation : array-like
        (batch, time) numbers for the whole of x, e.g. 1 inside a string literal, else 0.
        NaN steps are left out, as are masked ones. Laid out as x is: (time, batch) for a
        tf.keras model that takes x time first (``time_major=True``).
    array, layer, progress
        As for :func:`match_pattern`.

    Returns
    -------
    Correlation
    """
    twin, x = require_model_x(model, x)
    ann = np.asarray(twin_x(model, twin, annotation), dtype=np.float64)  # laid out as x
    if ann.ndim != 2:
        raise ValueError(f"annotation must be (batch, time), got shape {ann.shape}.")
    sums: dict[str, np.ndarray | float] = {}
    seen = 0
    with ticker(progress, x, "unit_correlation") as tick:
        for block in blocks(twin, x, layer, (array,), tick):
            vals = block.values[array]
            b, t, _ = vals.shape
            if block.offset + b > ann.shape[0] or t != ann.shape[1]:
                raise ValueError(
                    f"annotation has shape {ann.shape} but x has at least {block.offset + b} "
                    f"samples of {t} steps: expected ({'...' if block.offset else b}, {t})."
                )
            # time-major, as traces are stored: vals.T is contiguous, flattening copies nothing
            a = ann[block.offset : block.offset + b].T
            keep = block.mask.T & np.isfinite(a)
            hv = vals.transpose(1, 0, 2)
            if keep.all():  # no boolean indexing
                av, hv = a.reshape(-1), hv.reshape(-1, vals.shape[2])
            else:
                av, hv = a[keep], hv[keep]  # (n,), (n, units)
            for k in range(0, av.size, _ROWS):  # float64 sums over bounded slices
                a64, h64 = av[k : k + _ROWS], hv[k : k + _ROWS].astype(np.float64)
                for key, value in (
                    ("n", float(a64.size)),
                    ("a", a64.sum()),
                    ("aa", a64 @ a64),
                    ("h", h64.sum(axis=0)),
                    ("hh", np.einsum("ij,ij->j", h64, h64)),
                    ("ah", a64 @ h64),
                ):
                    sums[key] = sums.get(key, 0.0) + value
            seen = block.offset + b
    if seen != ann.shape[0]:
        raise ValueError(f"annotation has {ann.shape[0]} samples but x has {seen}.")
    n = float(sums["n"])
    if n < 2:
        raise ValueError("fewer than two unmasked, annotated steps: nothing to correlate.")
    cov = sums["ah"] / n - (sums["a"] / n) * (sums["h"] / n)
    var_a = sums["aa"] / n - (sums["a"] / n) ** 2
    var_h = sums["hh"] / n - (sums["h"] / n) ** 2
    if var_a <= 0:
        raise ValueError("the annotation is constant over the unmasked steps: no correlation.")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(
            var_h > 1e-12 * np.maximum(1.0, sums["hh"] / n), cov / np.sqrt(var_a * var_h), np.nan
        )
    order = np.argsort(-np.nan_to_num(np.abs(r), nan=-1.0), kind="stable")
    return Correlation(r, order, int(n))


@dataclass(frozen=True)
class Saturation:
    """Result of :func:`gate_saturation`: per gate and unit, fractions of unmasked steps.

    Attributes
    ----------
    gates : tuple of str
        An LSTM's ``("input", "forget", "output")`` or a GRU's ``("update", "reset")``.
    left, right : numpy.ndarray
        (gates, units): fraction of steps with the gate < 0.1 (left-saturated) and > 0.9
        (right-saturated), as in Karpathy, Johnson & Fei-Fei (2015).
    steps : int
    """

    gates: tuple[str, ...]
    left: np.ndarray
    right: np.ndarray
    steps: int
    layer: str = field(default="")


_LSTM_GATES = {"input": "i", "forget": "f", "output": "o"}
_GRU_GATES = {"update": "z", "reset": "r"}


def gate_saturation(
    model,  # noqa: ANN001
    x: object,
    layer: str | None = None,
    *,
    progress: Progress = False,
) -> Saturation:
    """How often each unit's gates are saturated (< 0.1 or > 0.9), over the dataset.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like, generator of batches or tf.data.Dataset
        The inputs.
    layer : str, optional
        Which LSTM or GRU; the first if omitted.
    progress : bool or callable
        As for :func:`match_pattern`.

    Returns
    -------
    Saturation
    """
    model, x = require_model_x(model, x)
    ref = find_recurrent(model, layer)
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    gates = _GRU_GATES if is_gru(rnn) else _LSTM_GATES
    short = tuple(gates.values())
    left = right = None
    steps = 0
    with ticker(progress, x, "gate_saturation") as tick:
        for block in blocks(model, x, ref.path, short, tick):
            m = block.mask[:, :, None]
            lo = np.stack([((block.values[k] < 0.1) & m).sum(axis=(0, 1)) for k in short])
            hi = np.stack([((block.values[k] > 0.9) & m).sum(axis=(0, 1)) for k in short])
            left = lo if left is None else left + lo
            right = hi if right is None else right + hi
            steps += int(block.mask.sum())
    if steps == 0:
        raise ValueError("every step of x is masked: no gate values to count.")
    assert left is not None and right is not None
    return Saturation(tuple(gates), left / steps, right / steps, steps, ref.path)
