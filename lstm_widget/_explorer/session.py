"""The explorer's kernel-side data: computed for the sample shown, cached within a budget.

Nothing here scales with the batch. A trace, a prediction, an edited trace or an
attribution is computed for the sample on screen when it is first needed, and kept in a
least-recently-used cache. The cache's size (bytes of arrays) stays within a memory
budget. Models that cannot run one sample alone are computed for their whole batch:
those with a stateful layer (its state belongs to the batch) or a fixed batch size. Such
models keep their batch small.

Before each interaction, :meth:`Session.sync` compares the model with the weights and
states the cache was computed from (:class:`~lstm_widget._explorer.watch.ModelWatch`). When they
differ, it drops everything, so no number on screen is older than the model.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import keras
import numpy as np

from .._analyses.attribution import COMPARING, Attribution, step_attribution
from .._analyses.edits import gates_of
from .._analyses.effects import unit_effects
from .._analyses.whatif import (
    head_output,
    model_output,
)
from .._cells.gru_trace import GRUTrace
from .._cells.steps import StepArrays
from .._cells.trace import BidirectionalTrace, Plan, Trace, plan_trace, run_plan, trace
from .._reading.model import (
    all_layers,
    is_gru,
    recurrent_refs,
    require_model,
    split_direction,
    twin_x,
)
from .edited import EditsMixin
from .parts import Difference, layer_names
from .watch import ModelWatch

DEFAULT_CACHE_BUDGET = 2**30
"""Bytes of arrays an explorer keeps cached (1 GiB); least recently used go first."""
BACKGROUND_ROWS = 256
"""Most other samples the explorer passes to ``masks``/``windows`` as their background."""

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
    if isinstance(value, StepArrays):
        # an LSTM's four gates are views of one block: their sizes add up to it
        return sum(nbytes(value.array(name)) for name in value.ARRAYS) + nbytes(value.mask)
    if isinstance(value, tuple | list):
        return sum(nbytes(v) for v in value)
    if isinstance(value, Plan):
        return nbytes(value.feed.inputs) + nbytes(value.feed.mask)
    return 0


class Session(EditsMixin):
    """Inputs and per-sample results of one explorer.

    Parameters
    ----------
    model : keras.Model or tf.keras 2 model
        Never modified.
    budget : int
        Most bytes of cached arrays; also the largest single trace computed.
    notify : callable, optional
        Called with a short description before each piece of work starts.
    """

    def __init__(
        self, model: keras.Model, budget: int = DEFAULT_CACHE_BUDGET, notify: Notify | None = None
    ) -> None:
        self._source = model
        self.model = require_model(model)
        self.budget = int(budget)
        self.notify: Notify = notify or (lambda _message: None)
        self.arrays: list[np.ndarray] = []
        self.per_sample = runs_per_sample(self.model)
        self._watch = ModelWatch(self.model)
        self._cache: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._clone: tuple[tuple, keras.Model] | None = None  # see _edited_clone

    # -- cache -----------------------------------------------------------------------------

    def twin_x(self, x: object) -> object:
        """``x`` as the model given takes it, laid out as :attr:`model` takes it.

        The same ``x`` except for a time-major tf.keras model (its twin is batch-major).
        """
        return twin_x(self._source, self.model, x)

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
        self._clone = None

    def sync(self) -> bool:
        """Drop the cache if the model's weights or states changed since it was filled.

        Returns
        -------
        bool
            True when something was cached and the model had changed.
        """
        twin = require_model(self._source)  # a tf.keras 2 model's twin is brought up to date
        if twin is not self.model:  # rebuilt: the tf.keras model's layers changed
            self.model, self._watch = twin, ModelWatch(twin)
        elif not self._cache or not self._watch.changed():
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

    # -- what is shown ------------------------------------------------------------------------

    def path_of(self, layer: str) -> tuple[str, str | None]:
        """The path and direction (None unless Bidirectional) of an explorer layer name.

        Raises
        ------
        ValueError
            When the layer is no longer in the model (it was changed), naming the ones left.
        """
        refs = {r.path: r for r in recurrent_refs(self.model)}
        if layer in refs and not refs[layer].bidirectional:
            return layer, None
        split = split_direction(self.model, layer)
        if split is not None:
            return split[0].path, split[1]
        raise ValueError(
            f"layer {layer!r} is no longer in the model; its LSTM and GRU layers are now: "
            f"{', '.join(layer_names(self.model)) or 'none'}."
        )

    def rnn(self, path: str) -> keras.layers.RNN:
        """The RNN at ``path`` (a Bidirectional's forward half)."""
        layer = {r.path: r.layer for r in recurrent_refs(self.model)}[path]
        return layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer

    def kind(self, layer: str) -> tuple[str, tuple[str, ...]]:
        """``"gru"`` or ``"lstm"``, and the gates edits name, of an explorer layer name."""
        rnn = self.rnn(self.path_of(layer)[0])
        return ("gru" if is_gru(rnn) else "lstm"), gates_of(rnn)

    def baseline(self, layer: str, sample: int) -> Trace | GRUTrace:
        """The trace of an explorer layer (one direction) for ``sample`` (batch one)."""
        return self._direction(self.trace(self.path_of(layer)[0], sample), layer)

    def _direction(self, tr: Any, layer: str) -> Trace | GRUTrace:  # noqa: ANN401
        """The direction of a Bidirectional layer's trace that ``layer`` shows (else ``tr``)."""
        if isinstance(tr, BidirectionalTrace):
            return tr.backward if self.path_of(layer)[1] == "backward" else tr.forward
        return tr

    def shown(
        self, layer: str, sample: int, compare: str, edits: object
    ) -> Trace | GRUTrace | Difference:
        """What the timeline shows: baseline, edited, or edited minus baseline."""
        base = self.baseline(layer, sample)
        if compare == "baseline" or not edits:
            return base
        edited = self.edited(layer, sample, edits)
        if edited is None:
            return base
        return edited if compare == "edited" else Difference(base, edited)

    # -- per-sample computations -------------------------------------------------------------

    def _part(self, sample: int) -> tuple[int | None, int]:
        """The cache's sample key and the row of ``sample`` in what is computed."""
        if not 0 <= sample < self.n_samples:
            raise ValueError(f"sample must be in 0..{self.n_samples - 1}, got {sample}.")
        return (sample, 0) if self.per_sample else (None, sample)

    def _what(self, sample: int) -> str:
        return f"sample {sample}" if self.per_sample else f"the batch of {self.n_samples}"

    def _rows(self, sample: int) -> list[np.ndarray]:
        """The model inputs ``sample`` is computed with: itself, or the whole batch."""
        return [a[sample : sample + 1] for a in self.arrays] if self.per_sample else self.arrays

    def _inputs(self, sample: int) -> object:
        """:meth:`_rows` as ``model.predict`` takes them (one array for one input)."""
        rows = self._rows(sample)
        return rows[0] if len(rows) == 1 else rows

    def base(self, path: str, sample: int) -> tuple[Plan | None, Any]:
        """The plan (None for a GRU) and trace of ``path`` for what ``sample`` is computed with."""
        key, _ = self._part(sample)

        def compute() -> tuple[Plan | None, Any]:
            self.notify(f"{self._what(sample)}: the input of {path!r} (Keras)")
            if is_gru(self.rnn(path)):
                return None, trace(
                    self.model, self._inputs(sample), path, memory_budget=self.budget
                )
            plan = plan_trace(self.model, self._inputs(sample), path, memory_budget=self.budget)
            self.notify(f"{self._what(sample)}: the gates of {path!r}")
            return plan, run_plan(plan)

        return self._get(("trace", path, key), compute)

    def trace(self, path: str, sample: int) -> Any:  # noqa: ANN401 - any kind of trace
        """The trace of layer ``path`` for ``sample`` alone (batch one)."""
        _, row = self._part(sample)
        return self.base(path, sample)[1].row(row)

    def output(self, path: str, sample: int) -> np.ndarray:
        """The model's first output for ``sample``, (1, ...).

        Computed by the layers after ``path`` on its trace where that is exact (the layers
        the edited output runs too), else by the model.
        """
        key, row = self._part(sample)

        def compute() -> np.ndarray:
            plan, tr = self.base(path, sample)
            self.notify(f"{self._what(sample)}: the model's output")
            bare = plan is None or isinstance(tr, BidirectionalTrace)
            out = None if bare else head_output(self.model, plan, tr)
            return model_output(self.model, self._rows(sample)) if out is None else out

        return self._get(("output", path, key), compute)[row : row + 1]

    def unit_effect(self, layer: str, sample: int) -> np.ndarray:
        """Per unit of an explorer layer (one direction): the effect of zeroing it.

        The |change| of the prediction's first value when the unit's c (a GRU's h) is set
        to 0 at every step, for what ``sample`` is computed with
        (:func:`lstm_widget.unit_effects`).
        """
        path, direction = self.path_of(layer)
        key, _ = self._part(sample)

        def compute() -> np.ndarray:
            self.notify(f"{self._what(sample)}: the effect of each unit of {path!r}")
            size = self.output(path, sample).size
            index = 0 if size > 1 else None
            feed = self._inputs(sample)  # array None: an LSTM's c, a GRU's h
            return unit_effects(self.model, feed, "zero", None, index, path).mean_abs

        effect = self._get(("effect", path, key), compute)
        n = int(self.rnn(path).cell.units)
        return effect[n:] if direction == "backward" else effect[:n]

    def _background(self, sample: int, most: int = BACKGROUND_ROWS) -> np.ndarray | None:
        """The other samples' sequences (at most ``most``, evenly spread) to compare with."""
        seqs = [a for a in self.arrays if a.ndim >= 3] if len(self.arrays) > 1 else self.arrays
        if len(seqs) != 1:
            return None  # step_attribution names the problem
        others = np.delete(np.arange(self.n_samples), sample)
        if others.size > most:
            others = others[np.linspace(0, others.size - 1, most).round().astype(int)]
        return seqs[0][others]

    def attribution(self, method: str, path: str, sample: int) -> Attribution:
        """Step attribution of ``sample`` to its first output value, (1, time)."""
        key, row = self._part(sample)

        def compute() -> Attribution:
            size = self.output(path, sample).size
            self.notify(f"{self._what(sample)}: {method.replace('_', ' ')}")
            feed = self._inputs(sample)
            index = 0 if size > 1 else None
            if method not in COMPARING:
                return step_attribution(self.model, feed, method, output_index=index, layer=path)
            background = self._background(sample) if self.per_sample else None
            return step_attribution(
                self.model, feed, method, output_index=index, background=background
            )

        # only the cell decomposition depends on the layer: the others attribute the model
        layer = path if method == "cell_decomposition" else None
        return self._get(("attribution", layer, key, method), compute)[row : row + 1]
