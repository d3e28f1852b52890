"""The explorer's kernel-side data: computed for the sample shown, cached within a budget.

Nothing here scales with the batch. A trace, a prediction, an edited trace or an
attribution is computed for the sample on screen when it is first needed, and kept in a
least-recently-used cache. The cache's size (bytes of arrays) stays within a memory
budget. Models that cannot run one sample alone are computed for their whole batch:
those with a stateful layer (its state belongs to the batch) or a fixed batch size. Such
models keep their batch small.

Before each interaction, :meth:`Session.sync` compares the model with the weights and
states the cache was computed from (:class:`~lstm_widget._watch.ModelWatch`). When they
differ, it drops everything, so no number on screen is older than the model.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import keras
import numpy as np

from ._attribution import Attribution, step_attribution
from ._model import all_layers, require_model
from ._trace import TRACE_ARRAYS, BidirectionalTrace, Plan, Trace, plan_trace, run_plan
from ._watch import ModelWatch
from ._whatif import check_edits, edited_output, edited_trace, head_output, model_output

DEFAULT_CACHE_BUDGET = 2**30
"""Bytes of arrays an explorer keeps cached (1 GiB); least recently used go first."""

T = TypeVar("T")
Notify = Callable[[str], object]
"""Told what is being computed, before it starts (the widget shows it as progress)."""


def _is_stateful(layer: keras.layers.Layer) -> bool:
    if isinstance(layer, keras.layers.Bidirectional):
        return bool(layer.forward_layer.stateful or layer.backward_layer.stateful)
    return bool(getattr(layer, "stateful", False))


def runs_per_sample(model: keras.Model) -> bool:
    """Whether one sample can run alone: no stateful layer and no fixed batch size."""
    fixed = any(spec.shape[0] is not None for spec in model.inputs)
    return not fixed and not any(_is_stateful(layer) for _, layer in all_layers(model))


def nbytes(value: object) -> int:
    """Bytes held by the numpy arrays in a result (traces, tuples, arrays)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, BidirectionalTrace):
        return nbytes(value.forward) + nbytes(value.backward)
    if isinstance(value, Trace):
        # the four gates are views of one block: their sizes add up to it
        return sum(nbytes(value.array(name)) for name in TRACE_ARRAYS) + nbytes(value.mask)
    if isinstance(value, tuple | list):
        return sum(nbytes(v) for v in value)
    if isinstance(value, Plan):
        return nbytes(value.feed.inputs) + nbytes(value.feed.mask)
    return 0


class Session:
    """Inputs and per-sample results of one explorer.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    budget : int
        Most bytes of cached arrays; also the largest single trace computed.
    notify : callable, optional
        Called with a short description before each piece of work starts.
    """

    def __init__(
        self, model: keras.Model, budget: int = DEFAULT_CACHE_BUDGET, notify: Notify | None = None
    ) -> None:
        self.model = require_model(model)
        self.budget = int(budget)
        self.notify: Notify = notify or (lambda _message: None)
        self.arrays: list[np.ndarray] = []
        self.per_sample = runs_per_sample(self.model)
        self._watch = ModelWatch(self.model)
        self._cache: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    # -- cache -----------------------------------------------------------------------------

    def set_inputs(self, arrays: list[np.ndarray]) -> None:
        """New (validated) model inputs: everything cached is dropped."""
        self.arrays = arrays
        self.clear()

    @property
    def n_samples(self) -> int:
        """Batch size of the inputs."""
        return int(self.arrays[0].shape[0]) if self.arrays else 0

    def clear(self) -> None:
        """Drop every cached result."""
        self._cache.clear()
        self._bytes = 0

    def sync(self) -> bool:
        """Drop the cache if the model's weights or states changed since it was filled.

        Returns
        -------
        bool
            True when something was cached and the model had changed.
        """
        if not self._cache or not self._watch.changed():
            return False
        self.clear()
        self.per_sample = runs_per_sample(self.model)
        return True

    def keys(self) -> list[tuple]:
        """Cached entries, least recently used first: ``(kind, layer, sample, ...)``.

        ``sample`` is None for results computed for the whole batch.
        """
        return list(self._cache)

    @property
    def cached_bytes(self) -> int:
        """Bytes of arrays in the cache."""
        return self._bytes

    def _get(self, key: tuple, compute: Callable[[], T]) -> T:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key][0]
        value = compute()
        if not self._cache:
            self._watch.mark()  # what the cache is computed from
        size = nbytes(value)
        self._cache[key] = (value, size)
        self._bytes += size
        while self._bytes > self.budget and len(self._cache) > 1:
            _, (_, freed) = self._cache.popitem(last=False)
            self._bytes -= freed
        return value

    # -- per-sample computations -------------------------------------------------------------

    def _part(self, sample: int) -> tuple[int | None, int]:
        """The cache's sample key and the row of ``sample`` in what is computed."""
        if not 0 <= sample < self.n_samples:
            raise ValueError(f"sample must be in 0..{self.n_samples - 1}, got {sample}.")
        return (sample, 0) if self.per_sample else (None, sample)

    def _what(self, sample: int) -> str:
        return f"sample {sample}" if self.per_sample else f"the batch of {self.n_samples}"

    def _inputs(self, sample: int) -> object:
        rows = [a[sample : sample + 1] for a in self.arrays] if self.per_sample else self.arrays
        return rows[0] if len(rows) == 1 else rows

    def base(self, path: str, sample: int) -> tuple[Plan, Trace | BidirectionalTrace]:
        """The plan and trace of layer ``path`` for what ``sample`` is computed with."""
        key, _ = self._part(sample)

        def compute() -> tuple[Plan, Trace | BidirectionalTrace]:
            self.notify(f"{self._what(sample)}: the input of {path!r} (Keras)")
            plan = plan_trace(self.model, self._inputs(sample), path, memory_budget=self.budget)
            self.notify(f"{self._what(sample)}: the gates of {path!r}")
            return plan, run_plan(plan)

        return self._get(("trace", path, key), compute)

    def trace(self, path: str, sample: int) -> Trace | BidirectionalTrace:
        """The trace of layer ``path`` for ``sample`` alone (batch one)."""
        _, row = self._part(sample)
        return self.base(path, sample)[1].row(row)

    def output(self, path: str, sample: int) -> np.ndarray:
        """The model's first output for ``sample``, (1, ...).

        Computed by the layers after ``path`` on its trace where that is exact (the same
        path as the edited output, so the two differ by the edit alone), else by the model.
        """
        key, row = self._part(sample)

        def compute() -> np.ndarray:
            plan, tr = self.base(path, sample)
            self.notify(f"{self._what(sample)}: the model's output")
            out = None if isinstance(tr, BidirectionalTrace) else head_output(self.model, plan, tr)
            return model_output(self.model, self._rows(sample)) if out is None else out

        return self._get(("output", path, key), compute)[row : row + 1]

    def _rows(self, sample: int) -> list[np.ndarray]:
        feed = self._inputs(sample)
        return feed if isinstance(feed, list) else [feed]

    def edited(self, path: str, sample: int, edits: object) -> tuple[Trace, np.ndarray] | None:
        """The edited trace and output of ``sample`` (batch one), or None for no edit.

        Only the newest edit of a layer and sample is kept: a slider's earlier positions
        are not worth memory.
        """
        key, row = self._part(sample)
        plan, base = self.base(path, sample)
        if isinstance(base, BidirectionalTrace):
            raise ValueError("what-if edits of Bidirectional layers are not supported yet.")
        checked = check_edits(edits, int(plan.rnns[0].cell.units))
        if not checked:
            return None
        wanted = ("edited", path, key, repr(sorted(checked.items())))
        for old in [k for k in self._cache if k[:3] == wanted[:3] and k != wanted]:
            self._bytes -= self._cache.pop(old)[1]

        def compute() -> tuple[Trace, np.ndarray]:
            self.notify(f"{self._what(sample)}: the gates of {path!r} with the edits")
            tr = edited_trace(plan, checked)
            self.notify(f"{self._what(sample)}: the model's output with the edits")
            return tr, edited_output(self.model, plan, tr, checked, self._rows(sample))

        tr, out = self._get(wanted, compute)
        return tr.row(row), out[row : row + 1]

    def attribution(self, method: str, path: str, sample: int) -> Attribution:
        """Step attribution of ``sample`` to its first output value, (1, time)."""
        key, row = self._part(sample)

        def compute() -> Attribution:
            size = self.output(path, sample).size
            self.notify(f"{self._what(sample)}: {method.replace('_', ' ')}")
            feed = self._inputs(sample)
            index = 0 if size > 1 else None
            return step_attribution(self.model, feed, method, output_index=index, layer=path)

        return self._get(("attribution", path, key, method), compute)[row : row + 1]
