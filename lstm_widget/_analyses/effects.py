"""Which units matter over a dataset: the output's change when each unit alone is ablated.

For every unit of an LSTM's c or h (a GRU's h), the unit is set to 0 (``"zero"``) or to
its mean over x's unmasked steps (``"mean"``) at every step, and the model's output
compared with the unablated one. All units are ablated in one batched run of our
recurrence: row (sample, unit) sets that unit only (:class:`lstm_widget._cells.steps.Clamp`
with ``pick``), so the cost is about units x one pass over x, without a model call per
unit. x is processed in blocks of samples (arrays, generators, ``tf.data``), with progress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.inputs import batches, is_stream
from .._base.validate import model_inputs
from .._cells.steps import Clamp
from .._reading.model import LayerRef, find_recurrent, is_gru, require_model
from .after import model_after
from .compiled import ablated_finals
from .integrated import scalar_outputs
from .interventions import run_clamped, state_array
from .stream import Progress, blocks, ticker

MODES = ("zero", "mean")
BLOCK_VALUES = 2**25
"""Values (rows x steps x (features + recorded units)) per block of the batched run: 128 MB."""


@dataclass(frozen=True, eq=False)
class UnitEffects:
    """Per unit, how much the output moves when that unit alone is ablated at every step.

    Attributes
    ----------
    mean_abs, mean_signed : numpy.ndarray
        (units,) mean over samples of |ablated - baseline| and of (ablated - baseline)
        (with ``output_index="all"``, also over the output values).
        A Bidirectional layer's units are forward, then backward.
    ranked : numpy.ndarray
        Unit indices, largest ``mean_abs`` first.
    mode, array : str
        What the units were set to, and in which state.
    samples : int
    """

    mean_abs: np.ndarray
    mean_signed: np.ndarray
    ranked: np.ndarray
    mode: str
    array: str
    samples: int


def _means(model, x: object, layer: str, array: str) -> np.ndarray:  # noqa: ANN001
    """Each unit's mean of ``array`` over x's unmasked steps (a first pass over x)."""
    name = "cell_state" if array == "c" else "hidden_state"
    total, count = None, 0
    for block in blocks(model, x, layer, (name,)):
        values = np.where(block.mask[..., None], block.values[name], 0.0).astype(np.float64)
        total = values.sum(axis=(0, 1)) + (0 if total is None else total)
        count += int(block.mask.sum())
    assert total is not None
    return (total / max(count, 1)).astype(np.float32)


def _ablated(model, arrays, ref: LayerRef, array: str, fill: np.ndarray, only_h: bool):  # noqa: ANN001, ANN202
    """The layer's trace for every (sample, unit) row: that unit set to ``fill`` at every step."""
    b, steps = arrays[0].shape[:2]
    parts = 2 if ref.bidirectional else 1
    n = fill.size // parts
    total = n * parts
    rows = [np.repeat(a, total, axis=0) for a in arrays]  # row i * total + u
    clamps = []
    for d in range(parts):
        unit = np.tile(np.arange(total), b) - d * n  # row i * total + u sets unit u
        pick = np.where((unit >= 0) & (unit < n), unit, -1)
        values = np.broadcast_to(fill[d * n : (d + 1) * n], (b * total, steps, n))
        at = np.ones(steps, bool)
        clamps.append((Clamp(array, np.arange(n), values, at, pick),))
    return run_clamped(model, rows, ref, clamps, only_h=only_h)


def unit_effects(
    model,  # noqa: ANN001
    x: object,
    mode: str = "zero",
    array: str | None = None,
    output_index: int | str | None = None,
    layer: str | None = None,
    *,
    progress: Progress = False,
) -> UnitEffects:
    """For every unit, the output's change when that unit alone is ablated at every step.

    Parameters
    ----------
    model : keras.Model
        Never modified. The LSTM or GRU sits at the top level of a Sequential model.
    x : array-like, generator or tf.data.Dataset
        Samples (batches of them for a generator or dataset), processed in blocks.
    mode : {"zero", "mean"}
        Set the unit to 0, or to its mean over x's unmasked steps (which reads x twice:
        an array or a ``tf.data.Dataset``, not a one-shot generator).
    array : {"c", "h"}, optional
        An LSTM's cell state (default) or hidden state; a GRU has h only.
    output_index : int or "all", optional
        Which output value (flattened); required when the model gives several. ``"all"``:
        the change averaged over all output values of a sample (a sequence of next-token
        logits, say).
    layer : str, optional
        Which LSTM or GRU; the first if omitted.
    progress : bool or callable
        A progress bar over the samples, or a callable told each block's samples.

    Returns
    -------
    UnitEffects
        ``.mean_abs``, ``.mean_signed`` (units,), ``.ranked``.

    Raises
    ------
    ValueError
        For an unknown mode, an array the layer does not have, a bad ``output_index``,
        ``mode="mean"`` with a one-shot iterator, or a model the output cannot be
        computed for after an intervention (see :func:`lstm_widget.intervene`).
    """
    model = require_model(model)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
    ref = find_recurrent(model, layer)
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    array = state_array(is_gru(rnn), array)
    after = model_after(model, ref)
    total = int(rnn.cell.units) * (2 if ref.bidirectional else 1)
    if mode == "mean":
        if is_stream(x) and iter(x) is x:  # type: ignore[call-overload]
            raise ValueError(
                "mode='mean' reads x twice (the means, then the effects); pass an array or "
                "a tf.data.Dataset, not a one-shot generator."
            )
        fill = _means(model, x, ref.path, array)
    else:
        fill = np.zeros(total, np.float32)
    sequences = bool(rnn.return_sequences)
    abs_sum, signed_sum, samples = np.zeros(total), np.zeros(total), 0
    with ticker(progress, x, "unit effects") as tick:
        for chunk in _chunks(model, x, total, sequences, int(rnn.cell.units)):
            arrays = model_inputs(model, chunk)
            b = arrays[0].shape[0]
            compiled = ablated_finals(arrays, ref, array, fill)
            if compiled is None:  # our numpy recurrence (sequences, stateful, other backends)
                ablated = _ablated(model, arrays, ref, array, fill, sequences)
                compiled = ablated, run_clamped(model, arrays, ref, only_h=sequences)
            out, base = (_values(after(run), output_index) for run in compiled)
            change = out.reshape(b, total, -1) - base[:, None]  # (samples, units, values)
            abs_sum += np.abs(change).mean(axis=2).sum(axis=0)
            signed_sum += change.mean(axis=2).sum(axis=0)
            samples += b
            if tick is not None:
                tick(b)
    if samples == 0:
        raise ValueError("x holds no samples.")
    mean_abs = abs_sum / samples
    ranked = np.argsort(-mean_abs, kind="stable")
    return UnitEffects(mean_abs, signed_sum / samples, ranked, mode, array, samples)


def _values(out: np.ndarray, output_index: int | str | None) -> np.ndarray:
    """(samples, values): the chosen output value, or all of them (``"all"``)."""
    if output_index == "all":
        return out.reshape(out.shape[0], -1).astype(np.float64)
    if isinstance(output_index, str):
        raise ValueError(f"output_index must be an int, 'all' or None, got {output_index!r}.")
    return scalar_outputs(out, output_index)[:, None].astype(np.float64)


def _chunks(model, x: object, total: int, sequences: bool, units: int):  # noqa: ANN001, ANN202
    """Blocks of x whose batched ablation run (samples x units rows) fits ``BLOCK_VALUES``."""
    parts = batches(x) if is_stream(x) else [x]
    for part in parts:
        arr = model_inputs(model, part)
        steps = arr[0].shape[1]
        width = sum(int(np.prod(a.shape[2:])) for a in arr if a.ndim >= 2) + units * sequences
        rows = max(1, BLOCK_VALUES // max(1, total * steps * max(1, width)))
        for k in range(0, arr[0].shape[0], rows):
            yield [a[k : k + rows] for a in arr] if len(arr) > 1 else arr[0][k : k + rows]
