"""The explorer's synced traits and their checks (the state shared with the front end)."""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import traitlets as t

from .._cells.weights import GATES
from .parts import WINDOW_ORDER

_STATIC = pathlib.Path(__file__).parents[1] / "static"


class ExplorerTraits(anywidget.AnyWidget):
    """The traits of :class:`lstm_widget.LSTMExplorer`, synced with its front end."""

    _esm = _STATIC / "widget.js"

    layers = t.List(t.Unicode()).tag(sync=True)
    """Selectable layers: LSTM and GRU paths, Bidirectional ones once per direction."""
    layer = t.Unicode("").tag(sync=True)
    """The layer shown."""
    sample = t.Int(0).tag(sync=True)
    """Batch index shown."""
    view = t.Unicode("c").tag(sync=True)
    """What the timeline shows: one of :attr:`views` (an LSTM's c, h, i, f, g, o)."""
    views = t.List(t.Unicode(), list(WINDOW_ORDER)).tag(sync=True)
    """The shown layer's arrays in window order: an LSTM's i f g o c h, a GRU's z r hh h."""
    gates = t.List(t.Unicode(), list(GATES)).tag(sync=True)
    """The shown layer's gates as :attr:`edits` names them (a GRU's update, reset, candidate)."""
    order = t.Enum(["index", "variance", "activity", "effect"], default_value="index").tag(
        sync=True
    )
    """Unit order in the timeline and panels ("effect": by :attr:`unit_effect`)."""
    unit_effect = t.List(t.Float()).tag(sync=True)
    """With order "effect": per unit of the shown layer (direction), the |change| of the
    shown sample's prediction (first value) when the unit's c (a GRU's h) is zeroed at every
    step, as :func:`lstm_widget.unit_effects` computes it; empty otherwise."""
    unit_filter = t.Unicode("").tag(sync=True)
    """Units to show, e.g. ``"0-15, 40"``; empty shows all."""
    step = t.Int(0).tag(sync=True)
    """Playhead position (input index t)."""
    n_samples = t.Int(1).tag(sync=True)
    n_steps = t.Int(0).tag(sync=True)
    n_units = t.Int(0).tag(sync=True)
    feature_names = t.List(t.Unicode()).tag(sync=True)
    """Labels of the layer-input features."""
    overview = t.Dict().tag(sync=True)
    """``{"view", "bins", "exact", "data": wire (units, bins), "input": wire (features, bins)}``."""
    prediction = t.List(t.Float()).tag(sync=True)
    """The model's output for the shown sample (first output, flattened, at most 64 values).

    Computed by Keras's layers after the shown LSTM, run on its trace, where that is exact
    (the layers :attr:`edited_prediction` runs too); else by the whole model.
    """
    probe_note = t.Unicode("").tag(sync=True)
    """Non-empty while a probe input stands in for real data."""
    error = t.Unicode("").tag(sync=True)
    """Last problem to show the user (empty when fine)."""
    edits = t.Dict().tag(sync=True)
    """What-if edits of the shown layer, as for :func:`lstm_widget.what_if` (saved with it),
    and under ``"interventions"`` a list of unit settings as for :func:`lstm_widget.intervene`
    (units of the shown direction; ``"mean"``: over the shown sample's steps)."""
    compare = t.Enum(["baseline", "edited", "difference"], default_value="baseline").tag(sync=True)
    """What the timeline and bars show when edits are active."""
    edited_prediction = t.List(t.Float()).tag(sync=True)
    """The model's output for the shown sample with the edits (empty without edits)."""
    attribution_method = t.Enum(
        ["none", "masks", "windows", "integrated_gradients", "occlusion", "cell_decomposition"],
        default_value="none",
    ).tag(sync=True)
    """Step attribution shown under the timeline (see :func:`lstm_widget.step_attribution`)."""
    attribution = t.Dict().tag(sync=True)
    """``{"data": wire (bins,), "note": str}`` for the shown sample, or empty."""
    edit_version = t.Int(0).tag(sync=True)
    """Bumped by the front end with each edit it sends."""
    edit_done = t.Int(0).tag(sync=True)
    """The last ``edit_version`` the kernel finished: the front end sends the next edit then."""
    busy = t.Unicode("").tag(sync=True)
    """What the kernel is computing now, e.g. "computing sample 3: ..." (empty when idle)."""
    model_note = t.Unicode("").tag(sync=True)
    """Set when the explorer noticed a changed model and recomputed (empty before)."""
    labels = t.List(t.Unicode()).tag(sync=True)
    """Step labels of the shown sample (see ``step_labels=``); empty: step numbers."""
    label_kind = t.Unicode("").tag(sync=True)
    """What the labels are: "dates", "numbers", "text" (tokens: one per step when zoomed in)."""
    pattern = t.Dict().tag(sync=True)
    """The last "find similar" result: ``{"units", "hits": [[sample, start, stop, score]],
    "note", "query": [sample, start, stop], "threshold"}`` (see :meth:`find_similar`)."""
    selected_units = t.List(t.Int()).tag(sync=True)
    """Units whose lines are plotted over time (click a unit's row label; Shift adds)."""
    query_range = t.List(t.Int()).tag(sync=True)
    """``[start, stop)`` steps of the shown sample selected by Shift-dragging over the
    timeline (empty: none); "find similar" searches for it (see :meth:`select_range`)."""
    visible_range = t.List(t.Int()).tag(sync=True)
    """``[start, stop)`` steps the timeline shows (the browser's zoom, reported when it rests),
    or ``[]`` for all of them; :meth:`LSTMExplorer.figure` draws this range."""

    @t.validate("view")
    def _valid_view(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in self.views:
            raise t.TraitError(f"view must be one of {self.views}, got {proposal['value']!r}.")
        return proposal["value"]

    @t.validate("sample")
    def _valid_sample(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value < max(1, self.n_samples):
            raise t.TraitError(f"sample must be in 0..{self.n_samples - 1}, got {value}.")
        return value

    @t.validate("selected_units")
    def _valid_units(self, proposal: dict[str, Any]) -> list[int]:
        units = [int(u) for u in proposal["value"]]
        bad = [u for u in units if not 0 <= u < max(1, self.n_units)]
        if bad:
            raise t.TraitError(f"selected_units must be in 0..{self.n_units - 1}, got {bad}.")
        return list(dict.fromkeys(units))  # in order, once each

    @t.validate("layer")
    def _valid_layer(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in self.layers:
            raise t.TraitError(f"layer must be one of {self.layers}, got {proposal['value']!r}.")
        return proposal["value"]
