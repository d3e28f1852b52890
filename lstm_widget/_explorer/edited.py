"""The explorer's edited computations: weight edits and units set inside the recurrence.

A mixin of :class:`.session.Session`, using its cache (``_get``, ``_cache``, ``_bytes``,
``_clone``), its per-sample helpers (``_part``, ``_what``, ``_rows``, ``_inputs``, ``base``,
``path_of``, ``_direction``) and its model. Weight edits of an LSTM run our recurrence on
edited weights (:func:`lstm_widget._analyses.whatif.edited_trace`); a GRU's or a
Bidirectional direction's run an edited clone; interventions (``edits["interventions"]``)
run :mod:`.intervening` on the model or that clone.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._analyses.edits import check_target_edits, edit_target
from .._analyses.whatif import edited_model, edited_output, edited_trace, model_output
from .._cells.gru_trace import GRUTrace
from .._cells.trace import BidirectionalTrace, Plan, Trace, trace
from .intervening import intervened, split_edits


class EditsMixin:
    """``edited``, ``edited_output`` and ``edited_output_ready`` of the explorer's session."""

    def _edit_plan(
        self, layer: str, sample: int, edits: object
    ) -> tuple[Plan | None, dict[str, dict], tuple, list[dict]] | None:
        """The plan, checked weight edits, cache key and interventions of an edit.

        None when it changes nothing. ``layer`` is an explorer layer name (a
        Bidirectional's direction: edits of that one). The plan is None where an edited
        clone runs (a GRU, a Bidirectional layer) or interventions are set
        (:mod:`.intervening`).
        """
        key, _ = self._part(sample)
        path, _ = self.path_of(layer)
        plan, base = self.base(path, sample)
        weights, interventions = split_edits(edits)
        checked = check_target_edits(edit_target(self.model, layer), weights)
        if not checked and not interventions:
            return None
        if isinstance(base, BidirectionalTrace) or interventions:
            plan = None  # a direction's edits: the edited clone runs
        said = repr(sorted(checked.items())) + (repr(interventions) if interventions else "")
        return plan, checked, (layer, key, said), interventions

    def _intervened(
        self, layer: str, sample: int, checked: dict, wanted: tuple, interventions: list[dict]
    ) -> tuple[Any, np.ndarray]:
        """The trace and output of what ``sample`` is computed with, with the interventions."""
        self._newest("intervened", wanted)
        path, direction = self.path_of(layer)

        def compute() -> tuple[Any, np.ndarray]:
            self.notify(f"{self._what(sample)}: {path!r} with the units set")
            model = self._edited_clone(layer, checked, wanted) if checked else self.model
            base = self.base(path, sample)[1]
            return intervened(model, self._rows(sample), path, direction, interventions, base)

        return self._get(("intervened", *wanted), compute)

    def _newest(self, kind: str, wanted: tuple) -> None:
        """Drop older edits of this layer and sample (a slider's past positions)."""
        stale = [k for k in self._cache if k[0] == kind and k[1:3] == wanted[:2]]
        for old in stale:
            if old[1:] != wanted:
                self._bytes -= self._cache.pop(old)[1]

    def _edited_clone(self, layer: str, checked: dict, wanted: tuple) -> keras.Model:
        """A GRU's or a Bidirectional direction's edits: a clone with the edited weights.

        One is kept, for the latest edit of a layer whatever the sample (the clone does not
        depend on it); :meth:`clear` drops it with the rest.
        """
        key = (layer, wanted[2])  # the layer and the edits, not the sample
        if self._clone is None or self._clone[0] != key:
            self._clone = (key, edited_model(self.model, checked, layer))
        return self._clone[1]

    def _edited_batch(
        self,
        layer: str,
        sample: int,
        plan: Plan | None,
        checked: dict,
        wanted: tuple,
        interventions: list[dict],
    ) -> Any:  # noqa: ANN401 - any kind of trace
        """The edited trace of what ``sample`` is computed with (cached)."""
        if interventions:
            return self._intervened(layer, sample, checked, wanted, interventions)[0]
        self._newest("edited", wanted)
        path, _ = self.path_of(layer)

        def compute() -> Any:  # noqa: ANN401
            self.notify(f"{self._what(sample)}: the gates of {path!r} with the edits")
            if plan is None:  # a GRU or Bidirectional layer: its edited clone runs
                clone = self._edited_clone(layer, checked, wanted)
                return trace(clone, self._inputs(sample), path, memory_budget=self.budget)
            return edited_trace(plan, checked)

        return self._get(("edited", *wanted), compute)

    def edited(self, layer: str, sample: int, edits: object) -> Trace | GRUTrace | None:
        """The edited trace of an explorer layer (one direction) for ``sample``.

        A batch of one; None when the edits change nothing.
        """
        planned = self._edit_plan(layer, sample, edits)
        if planned is None:
            return None
        tr = self._edited_batch(layer, sample, *planned).row(self._part(sample)[1])
        return self._direction(tr, layer)

    def edited_output_ready(self, layer: str, sample: int, edits: object) -> bool:
        """Whether :meth:`edited_output` would answer from the cache (or there is no edit)."""
        planned = self._edit_plan(layer, sample, edits)
        if planned is None:
            return True
        kind = "intervened" if planned[3] else "edited_output"
        return (kind, *planned[2]) in self._cache

    def edited_output(self, layer: str, sample: int, edits: object) -> np.ndarray | None:
        """The model's output for ``sample`` with the edits, (1, ...); None for no edit.

        The layers of :meth:`output`, XLA-compiled where they include a recurrent layer
        (a slider move repeats this): equal to the uncompiled path to float rounding.
        """
        planned = self._edit_plan(layer, sample, edits)
        if planned is None:
            return None
        plan, checked, wanted, interventions = planned
        row = self._part(sample)[1]
        if interventions:
            out = self._intervened(layer, sample, checked, wanted, interventions)[1]
            return out[row : row + 1]
        self._newest("edited_output", wanted)

        def compute() -> np.ndarray:
            tr = self._edited_batch(layer, sample, *planned)
            self.notify(f"{self._what(sample)}: the model's output with the edits")
            if plan is None:  # a GRU or Bidirectional layer: the edited clone's output
                clone = self._edited_clone(layer, checked, wanted)
                return model_output(clone, self._rows(sample))
            # XLA: a slider move repeats this; it equals the plain path to ~1e-7
            return edited_output(self.model, plan, tr, checked, self._rows(sample), xla=True)

        return self._get(("edited_output", *wanted), compute)[row : row + 1]
