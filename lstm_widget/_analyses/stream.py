"""Dataset-scale passes: traces of x one block of samples at a time, in bounded memory.

``x`` may be an array (anything ``model.predict`` takes for one input), a generator or
iterator of such batches, or a ``tf.data.Dataset``; elements that are ``(x, y)`` or
``(x, y, weights)`` tuples give their ``x``. Each block is traced on its own and dropped
before the next, so memory is one block's trace, whatever the size of x.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import keras
import numpy as np

from .._base.inputs import batches, is_stream
from .._base.progress import Tick, progress_bar
from .._cells.trace import BidirectionalTrace, recorded, trace_only
from .._reading.model import find_recurrent, require_model

BLOCK_BYTES = 256 * 2**20
"""Bytes of one block's trace (the arrays asked for); the block size follows from it."""


@dataclass(frozen=True)
class Block:
    """One block of a pass: its first sample's index in x, its arrays, its mask.

    Attributes
    ----------
    offset : int
        Index of the block's first sample in the whole of x.
    values : dict of str to numpy.ndarray
        (samples, time, units) float32 per array asked for; a Bidirectional layer's
        directions side by side (forward units first), as Keras concatenates them.
    mask : numpy.ndarray
        (samples, time) bool, True where the layer ran (no mask: all True).
    """

    offset: int
    values: dict[str, np.ndarray]
    mask: np.ndarray


def _rows_per_block(
    model: keras.Model, layer: str | None, names: tuple[str, ...], steps: int
) -> int:
    """Samples per block: the trace records only the arrays asked for."""
    ref = find_recurrent(model, layer)
    rnn = ref.layer.forward_layer if ref.bidirectional else ref.layer
    _, count = recorded(rnn, names)
    per_row = count * steps * int(rnn.cell.units) * 4 * (2 if ref.bidirectional else 1)
    return max(1, BLOCK_BYTES // max(1, per_row))


Progress = bool | Callable[[int], object]
"""``progress=``: a tqdm bar (True), none (False), or a callable told each block's samples."""


@contextmanager
def ticker(progress: Progress, x: object, what: str) -> Iterator[Tick | None]:
    """The per-block callback for ``progress`` (a bar over x's samples, counted if known)."""
    if callable(progress):
        yield progress
        return
    total = None if is_stream(x) else len(x)  # type: ignore[arg-type]
    with progress_bar(bool(progress), total, what, "sample") as tick:  # type: ignore[arg-type]
        yield tick


def blocks(
    model: keras.Model,
    x: object,
    layer: str | None,
    names: tuple[str, ...],
    tick: Tick | None = None,
) -> Iterator[Block]:
    """Trace ``x`` block by block and yield the arrays ``names`` of each block.

    ``tick`` is called with each block's number of samples once it is traced.

    Raises
    ------
    TypeError, ValueError
        As :func:`lstm_widget.trace` for a bad model, layer, input; ValueError for an
        empty x.
    """
    model = require_model(model)
    offset = 0
    if is_stream(x):
        chunks: Iterator[object] = batches(x)
    else:
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
        if arr.ndim < 2:
            raise ValueError(f"x must be (batch, time, ...), got shape {arr.shape}.")
        rows = _rows_per_block(model, layer, names, int(arr.shape[1]))
        chunks = (arr[k : k + rows] for k in range(0, len(arr), rows))
    for chunk in chunks:
        tr = trace_only(model, chunk, layer, names)
        parts = [tr.forward, tr.backward] if isinstance(tr, BidirectionalTrace) else [tr]
        values = {
            name: parts[0].array(name)  # no copy for one direction
            if len(parts) == 1
            else np.concatenate([p.array(name) for p in parts], axis=2)
            for name in names
        }
        mask = parts[0].mask
        if mask is None:
            mask = np.ones(values[names[0]].shape[:2], bool)
        if tick is not None:
            tick(int(mask.shape[0]))
        yield Block(offset, values, mask)
        offset += int(mask.shape[0])
    if offset == 0:
        raise ValueError("x holds no samples.")
