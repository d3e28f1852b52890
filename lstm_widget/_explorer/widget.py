"""``LSTMExplorer``: the notebook widget (kernel side).

The kernel holds the traces, computed for the sample shown (see ``_session.py``). The
front end gets a downsampled overview of the chosen array as a trait, and asks for
full-resolution windows of all the layer's arrays (six for an LSTM, four for a GRU) with
``{"type": "window", "id", "layer", "sample", "start", "stop"}`` messages; the reply
echoes the id and carries the window as binary float32 buffers, or is an
``{"type": "error", "id", "message"}``. While the kernel computes, ``busy`` says what.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import keras
import numpy as np
import traitlets as t

from .._analyses.whatif import edited_model
from .._base.inputs import probe_input
from .._base.validate import model_inputs
from .._cells.gru_trace import GRUTrace
from .._cells.trace import SHORT_NAMES, Trace
from .._reading.model import find_recurrent
from .._view.labels import StepLabels
from .._view.labels import step_labels as step_labels_of
from .._view.overview import downsample
from .._view.serialization import to_wire
from .intervening import interventions_text, split_edits
from .messages import MessagesMixin
from .parts import (
    DEFAULT_VIEW,
    VIEWS,
    WINDOW_ORDER,
    Difference,
    first_values,
    initial_layer,
    input_names,
    layer_names,
    overview_of,
)
from .picture import PictureMixin
from .search import SearchMixin
from .session import DEFAULT_CACHE_BUDGET, Session
from .sharing import SharingMixin
from .traits import ExplorerTraits


class LSTMExplorer(MessagesMixin, PictureMixin, SearchMixin, SharingMixin, ExplorerTraits):
    """Explore an LSTM or GRU layer's gates and states over time, for your input.

    Parameters
    ----------
    model : keras.Model
        A built Keras 3 (or tf.keras 2) model with at least one LSTM or GRU; it is never
        modified.
    x : array-like, optional
        Input as for ``model.predict``. Without it a seeded probe input is shown.
    layer : str, optional
        LSTM or GRU to show first (see :func:`lstm_widget.recurrent_layers`); a
        Bidirectional layer is shown per direction, ``"name/forward"``, ``"name/backward"``.
    feature_names : sequence of str, optional
        Names of the layer-input features (first LSTM layer only).
    step_labels : sequence, pandas Index/Series/DatetimeIndex or array, optional
        One label per time step (dates, numbers, text), or a (batch, time) array of labels
        per sample: shown on the time axis, in the hover read-out and the status line.
    vocabulary : list, dict or object with ``get_vocabulary()``, optional
        For integer inputs (token ids for an Embedding): the tokens become the step
        labels. A list maps id -> token by position; ``keras.layers.TextVectorization``
        works as it is.
    memory_budget : int
        Bytes of traces the kernel keeps cached (1 GiB by default). Work is per sample:
        the batch may be as large as the model accepts.
    **kwargs
        Initial values of the synced traits (``sample``, ``view``, ``order``...; see
        :class:`~lstm_widget._explorer.traits.ExplorerTraits`).
    """

    def __init__(
        self,
        model: keras.Model,
        x: object = None,
        layer: str | None = None,
        *,
        feature_names: list[str] | None = None,
        step_labels: object = None,
        vocabulary: object = None,
        memory_budget: int = DEFAULT_CACHE_BUDGET,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - set(self.class_trait_names(sync=True)))
        if unknown:
            raise TypeError(f"LSTMExplorer got unexpected keyword argument(s): {unknown}.")
        self._session = Session(model, memory_budget, notify=self._notify)
        if layer is None or layer not in layer_names(self._model):  # "bi/backward" is fine
            find_recurrent(self._model, layer)  # clear error for no LSTM or GRU / unknown name
        names = layer_names(self._model)
        self._fitting = False
        self._user_features = list(feature_names) if feature_names is not None else None
        self._label_args: tuple[object, object] = (step_labels, vocabulary)
        self._labels: StepLabels | None = None
        first = initial_layer(layer, names)
        sample = int(kwargs.pop("sample", 0))
        kind, gates = self._session.kind(first)
        kwargs.setdefault("view", DEFAULT_VIEW[kind])
        super().__init__(
            layers=names, layer=first, views=list(VIEWS[kind]), gates=list(gates), **kwargs
        )
        self.on_msg(self._on_message)
        self._load(x, sample, strict=True)  # the first paint computes that sample, only

    # -- data ----------------------------------------------------------------------------

    @property
    def x(self) -> list[np.ndarray] | np.ndarray:
        """The input shown; assigning a new one updates the widget."""
        arrays = self._session.arrays
        return arrays[0] if len(arrays) == 1 else arrays

    @x.setter
    def x(self, value: object) -> None:
        self._load(value, None)

    def _load(self, value: object, sample: int | None, strict: bool = False) -> None:
        """Show input ``value`` (None: a probe input) at ``sample``.

        ``sample=None`` keeps the shown sample where the new input has it, else shows 0.
        Step labels that do not fit a new input are dropped (``strict``: an error).
        """
        if value is None:
            arrays, note = probe_input(self._model)
        else:
            arrays, note = model_inputs(self._model, self._session.twin_x(value)), ""
        try:
            labels = step_labels_of(*self._label_args, arrays[0])
        except ValueError as err:
            if strict:
                raise
            labels, self._label_args = None, (None, None)
            warnings.warn(f"step labels dropped for the new x: {err}", stacklevel=3)
        self._labels = labels
        self._session.set_inputs(arrays)
        self.probe_note = note
        n = int(arrays[0].shape[0])
        if sample is None:
            sample = self.sample if self.sample < n else 0
        elif not 0 <= sample < n:
            raise ValueError(f"sample must be in 0..{n - 1} (x has {n} samples), got {sample}.")
        self.n_samples = n
        if sample != self.sample:
            self.sample = sample  # the observers recompute
        else:
            self._update(attribution=True)

    def set_step_labels(self, step_labels: object = None, vocabulary: object = None) -> None:
        """Label the time steps of the shown input (see the class parameters).

        Without arguments the time axis shows step numbers again.
        """
        arrays = self._session.arrays
        self._labels = step_labels_of(step_labels, vocabulary, arrays[0]) if arrays else None
        self._label_args = (step_labels, vocabulary)
        self._update()

    @property
    def model(self) -> keras.Model:
        """The model shown (read-only); for a tf.keras 2 model, its Keras 3 twin."""
        return self._model

    @property
    def _model(self) -> keras.Model:
        return self._session.model

    def refresh(self) -> None:
        """Recompute everything shown from the model as it is now (drops the cache).

        The explorer also does this by itself at the next interaction when it notices
        that the model's weights or stateful states changed.
        """
        self._session.clear()
        self._relist()
        self._update(attribution=True)

    def cache_info(self) -> dict[str, Any]:
        """What the kernel keeps: ``{"entries": [(kind, layer, sample, ...)], "bytes", "budget"}``.

        ``sample`` is None where a model can only run its whole batch (stateful layers or
        a fixed batch size).
        """
        s = self._session
        return {"entries": s.keys(), "bytes": s.cached_bytes, "budget": s.budget}

    def _path(self) -> tuple[str, str | None]:
        """The shown layer's path and direction (None unless Bidirectional)."""
        return self._session.path_of(self.layer)

    def current_trace(self) -> Trace | GRUTrace:
        """The trace of the shown layer (one direction) for the shown sample.

        A batch of one: ``explorer.current_trace()`` equals ``trace(model, x[[sample]], layer)``.
        """
        self._check_model()
        return self._session.baseline(self.layer, self.sample)

    def edited_trace(self) -> Trace | GRUTrace | None:
        """The shown sample's trace with :attr:`edits` applied (None without edits)."""
        self._check_model()
        return self._session.edited(self.layer, self.sample, self.edits)

    def edited_model(self) -> keras.Model:
        """A new Keras model with :attr:`edits` applied to the shown layer (direction).

        The weight edits only: interventions act inside the recurrence and no weights
        express them (a warning says so when there are some).
        """
        weights, interventions = split_edits(self.edits)
        if interventions:
            warnings.warn(
                "edited_model() applies the weight edits only; the interventions "
                f"({interventions_text(interventions)}) have no weights: use lw.intervene.",
                UserWarning,
                stacklevel=2,
            )
        return edited_model(self._model, weights, self.layer)

    def _shown(self, sample: int) -> Trace | Difference:
        return self._session.shown(self.layer, sample, self.compare, self.edits)

    # -- interactions ----------------------------------------------------------------------

    def _notify(self, message: str) -> None:
        """Say what the kernel is computing (the front end shows it if it takes a while)."""
        self.busy = f"computing {message} …"

    @contextmanager
    def _working(self) -> Iterator[None]:
        try:
            yield
        finally:
            self.busy = ""

    def _check_model(self) -> bool:
        """Recompute what is shown if the model changed since; True if it did."""
        if not self._session.sync():
            return False
        self.model_note = (
            "The model's weights or states changed since this view was computed (fit, "
            f"set_weights, ...): recomputed at {time.strftime('%H:%M:%S')}."
        )
        self._relist()
        self._refresh()
        self._attribute()
        return True

    def _relist(self) -> None:
        """Offer the model's LSTM layers as they are now (the model may have changed)."""
        names = layer_names(self._model)
        if names != self.layers:
            self.layers = names

    def _update(self, attribution: bool = False) -> None:
        """Recompute what is shown (after a check of the model)."""
        if not self._session.arrays:
            return
        with self._working():
            if not self._check_model():
                self._refresh()
                if attribution:
                    self._attribute()

    @t.observe("layer", "sample", "view", "compare")
    def _on_selection(self, change: dict[str, Any]) -> None:
        if change["name"] != "compare":
            self.query_range = []  # a range selected on another sample, layer or array
        if self._fitting:
            return
        if change["name"] == "layer":
            self._fit_kind()
        self._update(attribution=change["name"] in ("layer", "sample"))

    def _fit_kind(self) -> None:
        """Offer the shown layer's arrays and gates (an LSTM's or a GRU's)."""
        kind, kind_gates = self._session.kind(self.layer)
        views, gates = list(VIEWS[kind]), list(kind_gates)
        if views == self.views:
            return
        self._fitting = True
        try:
            with self.hold_trait_notifications():
                self.views, self.gates = views, gates
                if self.view not in views:
                    self.view = DEFAULT_VIEW[kind]
                try:
                    weights = split_edits(self.edits)[0]
                except TypeError:  # malformed interventions: shown as an error, dropped here
                    weights = {"": None}
                if any(gate not in gates for gate in weights):
                    self.edits = {}  # another kind's gates (and units)
        finally:
            self._fitting = False

    @t.observe("attribution_method")
    def _on_attribution(self, change: dict[str, Any]) -> None:
        self._update(attribution=True)

    @t.observe("edits")
    def _on_edits(self, change: dict[str, Any]) -> None:
        try:
            if not self._fitting:
                self._update()
        finally:
            self.edit_done = self.edit_version

    def _attribute(self) -> None:
        """The step attribution of the shown sample, if one is asked for."""
        method = self.attribution_method
        if method == "none":
            self.attribution = {}
            return
        try:
            values = self._session.attribution(method, self._path()[0], self.sample)
        except (TypeError, ValueError) as err:
            self.attribution = {"note": f"attribution unavailable: {err}"}
            return
        self.attribution = {"data": to_wire(downsample(values[0][:, None])[0]), "note": values.note}

    def _refresh(self) -> None:
        try:
            path = self._path()[0]
            tr = self._shown(self.sample)
            prediction = self._session.output(path, self.sample)
            ready = self._session.edited_output_ready(self.layer, self.sample, self.edits)
        except (TypeError, ValueError) as err:
            self.error = str(err)
            return
        overview = overview_of(tr, self.view)
        _, steps, units = tr.shape
        names = input_names(self._model, self.layer, tr, self._user_features)
        labels = self._labels.for_sample(self.sample) if self._labels is not None else []
        with self.hold_sync():
            self.error = ""
            self.n_steps, self.n_units = int(steps), int(units)
            self.selected_units = [u for u in self.selected_units if u < units]
            self.feature_names = names
            self.labels = labels if len(labels) == steps else []  # another time length: none
            self.label_kind = self._labels.kind if self.labels and self._labels else ""
            self.step = min(self.step, steps - 1)
            self.prediction = first_values(prediction)
            # the timeline goes first; an edited prediction not computed yet follows at once,
            # and until then none is shown (never an old one beside the new timeline)
            self.edited_prediction = self._edited_prediction() if ready else []
            self.overview = overview
        if not ready:
            self.edited_prediction = self._edited_prediction()
        self._order_by_effect()

    def _order_by_effect(self) -> None:
        """With order "effect", each unit's effect on the shown sample's prediction."""
        if self.order != "effect":
            self.unit_effect = []
            return
        try:
            effect = self._session.unit_effect(self.layer, self.sample)
        except (TypeError, ValueError) as err:
            self.unit_effect = []
            self.error = f"order by effect: {err}"
            return
        self.unit_effect = [float(v) for v in effect]

    @t.observe("order")
    def _on_order(self, change: dict[str, Any]) -> None:
        if self._session.arrays:
            with self._working():
                self._order_by_effect()

    def _edited_prediction(self) -> list[float]:
        try:
            out = self._session.edited_output(self.layer, self.sample, self.edits)
        except (TypeError, ValueError) as err:
            self.error = str(err)
            return []
        return [] if out is None else first_values(out)


__all__ = ["LSTMExplorer", "SHORT_NAMES", "WINDOW_ORDER", "probe_input"]
