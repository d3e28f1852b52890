"""``LSTMExplorer``: the notebook widget (kernel side).

The kernel holds the traces. The front end gets a downsampled overview of the chosen
array as a trait, and asks for full-resolution windows of all six arrays with
``{"type": "window", "id", "layer", "sample", "start", "stop"}`` messages; the reply
echoes the id and carries the window as binary float32 buffers, or is an
``{"type": "error", "id", "message"}``.
"""

from __future__ import annotations

import base64
import pathlib
from typing import Any

import anywidget
import keras
import numpy as np
import traitlets as t

from ._attribution import Attribution
from ._explorer_parts import Difference, probe_input, step_attribution_for
from ._model import find_lstm, lstm_refs, require_model
from ._overview import OVERVIEW_BINS, downsample
from ._plot import figure_png, plot_trace
from ._serialization import to_wire
from ._trace import SHORT_NAMES, BidirectionalTrace, Plan, Trace, plan_trace, run_plan
from ._validate import model_inputs
from ._whatif import check_edits, edited_model, edited_output, edited_trace, model_output

_STATIC = pathlib.Path(__file__).parent / "static"
WINDOW_ORDER = ("i", "f", "g", "o", "c", "h")
"""Order of the six arrays in a window reply."""


class LSTMExplorer(anywidget.AnyWidget):
    """Explore an LSTM layer's gates and states over time, for your input.

    Parameters
    ----------
    model : keras.Model
        A built Keras 3 model with at least one LSTM; it is never modified.
    x : array-like, optional
        Input as for ``model.predict``. Without it a seeded probe input is shown.
    layer : str, optional
        LSTM to show first (see :func:`lstm_widget.lstm_layers`); a Bidirectional layer is
        shown per direction, ``"name/forward"`` and ``"name/backward"``.
    feature_names : sequence of str, optional
        Names of the layer-input features (first LSTM layer only).
    **kwargs
        Initial values of the traits below (``sample``, ``view``, ``order``...).
    """

    _esm = _STATIC / "widget.js"

    layers = t.List(t.Unicode()).tag(sync=True)
    """Selectable layers: LSTM paths, Bidirectional ones once per direction."""
    layer = t.Unicode("").tag(sync=True)
    """The layer shown."""
    sample = t.Int(0).tag(sync=True)
    """Batch index shown."""
    view = t.Enum(list(WINDOW_ORDER), default_value="c").tag(sync=True)
    """What the timeline shows: c, h, i, f, g or o."""
    order = t.Enum(["index", "variance", "activity"], default_value="index").tag(sync=True)
    """Unit order in the timeline and panels."""
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
    """The model's output for the shown sample (first output, flattened, at most 64 values)."""
    probe_note = t.Unicode("").tag(sync=True)
    """Non-empty while a probe input stands in for real data."""
    error = t.Unicode("").tag(sync=True)
    """Last problem to show the user (empty when fine)."""
    edits = t.Dict().tag(sync=True)
    """What-if edits of the shown layer, as for :func:`lstm_widget.what_if` (saved with it)."""
    compare = t.Enum(["baseline", "edited", "difference"], default_value="baseline").tag(sync=True)
    """What the timeline and bars show when edits are active."""
    edited_prediction = t.List(t.Float()).tag(sync=True)
    """The model's output for the shown sample with the edits (empty without edits)."""
    attribution_method = t.Enum(
        ["none", "integrated_gradients", "occlusion", "cell_decomposition"], default_value="none"
    ).tag(sync=True)
    """Step attribution shown under the timeline (see :func:`lstm_widget.step_attribution`)."""
    attribution = t.Dict().tag(sync=True)
    """``{"data": wire (bins,), "note": str}`` for the shown sample, or empty."""
    edit_version = t.Int(0).tag(sync=True)
    """Bumped by the front end with each edit it sends."""
    edit_done = t.Int(0).tag(sync=True)
    """The last ``edit_version`` the kernel finished: the front end sends the next edit then."""

    def __init__(
        self,
        model: keras.Model,
        x: object = None,
        layer: str | None = None,
        *,
        feature_names: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - set(self.class_trait_names(sync=True)))
        if unknown:
            raise TypeError(f"LSTMExplorer got unexpected keyword argument(s): {unknown}.")
        self._model = require_model(model)
        refs = lstm_refs(self._model)
        find_lstm(self._model, layer)  # clear error for no LSTM / unknown name
        names = []
        for ref in refs:
            names += (
                [f"{ref.path}/forward", f"{ref.path}/backward"] if ref.bidirectional else [ref.path]
            )
        self._traces: dict[str, Trace | BidirectionalTrace] = {}
        self._plans: dict[str, Plan] = {}
        self._edited: tuple[str, str, Trace, np.ndarray] | None = None
        self._attributions: dict[tuple[str, str], Attribution] = {}  # (method, layer)
        self._user_features = list(feature_names) if feature_names is not None else None
        self._x: list[np.ndarray] = []
        self._outputs: np.ndarray | None = None
        first = self._choice(layer, names)
        sample = int(kwargs.pop("sample", 0))
        super().__init__(layers=names, layer=first, **kwargs)
        self.on_msg(self._on_message)
        self.x = x
        self.sample = sample

    @staticmethod
    def _choice(layer: str | None, names: list[str]) -> str:
        if layer is None:
            return names[0]
        matches = [n for n in names if n == layer or n.rsplit("/", 1)[-1] == layer]
        matches += [n for n in names if n.startswith(f"{layer}/") and n not in matches]
        return matches[0] if matches else names[0]

    # -- data ----------------------------------------------------------------------------

    @property
    def x(self) -> list[np.ndarray] | np.ndarray:
        """The input shown; assigning a new one updates the widget."""
        return self._x[0] if len(self._x) == 1 else self._x

    @x.setter
    def x(self, value: object) -> None:
        if value is None:
            arrays, note = probe_input(self._model)
        else:
            arrays, note = model_inputs(self._model, value), ""
        self._x = arrays
        self._traces, self._plans, self._edited = {}, {}, None
        self._attributions = {}
        self._outputs = None
        self.probe_note = note
        with self.hold_sync():
            self.n_samples = int(arrays[0].shape[0])
            if self.sample >= self.n_samples:
                self.sample = 0
            self._refresh()
            self._on_attribution({})

    @property
    def model(self) -> keras.Model:
        """The model shown (read-only)."""
        return self._model

    def _path(self) -> tuple[str, str | None]:
        """The shown layer's path and direction (None unless Bidirectional)."""
        if self.layer in {r.path for r in lstm_refs(self._model)}:
            return self.layer, None
        path, direction = self.layer.rsplit("/", 1)
        return path, direction

    def current_trace(self) -> Trace:
        """The :class:`Trace` of the shown layer (one direction for Bidirectional)."""
        path, direction = self._path()
        if path not in self._traces:
            feed = self._x[0] if len(self._x) == 1 else self._x
            self._plans[path] = plan_trace(self._model, feed, path)
            self._traces[path] = run_plan(self._plans[path])
        tr = self._traces[path]
        if isinstance(tr, BidirectionalTrace):
            return tr.forward if direction != "backward" else tr.backward
        return tr

    def edited_trace(self) -> Trace | None:
        """The shown layer's trace with :attr:`edits` applied (None without edits)."""
        if not self.edits:
            return None
        key = repr(sorted(self.edits.items()))
        if self._edited is not None and self._edited[:2] == (self.layer, key):
            return self._edited[2]
        base = self.current_trace()
        plan = self._plans[
            base.layer.rsplit("/", 1)[0] if base.layer not in self._plans else base.layer
        ]
        checked = check_edits(self.edits, int(plan.rnns[0].cell.units))
        if plan.ref.bidirectional:
            raise ValueError("what-if edits of Bidirectional layers are not supported yet.")
        edited = edited_trace(plan, checked)
        out = edited_output(self._model, plan, edited, checked, self._x)
        self._edited = (self.layer, key, edited, out)
        return edited

    def edited_model(self) -> keras.Model:
        """A new Keras model with :attr:`edits` applied to the shown layer."""
        return edited_model(self._model, self.edits, self.layer)

    def _shown(self) -> Trace | Difference:
        base = self.current_trace()
        if self.compare == "baseline" or not self.edits:
            return base
        edited = self.edited_trace()
        assert edited is not None
        return edited if self.compare == "edited" else Difference(base, edited)

    def _prediction(self) -> list[float]:
        if self._outputs is None:
            self._outputs = model_output(self._model, self._x)
        return self._row(self._outputs)

    @t.observe("layer", "sample", "view", "compare")
    def _on_selection(self, change: dict[str, Any]) -> None:
        if self._x:
            self._refresh()

    @t.observe("attribution_method", "sample", "layer")
    def _on_attribution(self, change: dict[str, Any]) -> None:
        if not self._x or self.attribution_method == "none":
            self.attribution = {}
            return
        key = (self.attribution_method, self.layer)
        try:
            if key not in self._attributions:  # the whole batch: switching samples is free
                self._attributions[key] = step_attribution_for(self, self.attribution_method)
            values = self._attributions[key]
        except (TypeError, ValueError) as err:
            self.attribution = {"note": f"attribution unavailable: {err}"}
            return
        self.attribution = {
            "data": to_wire(downsample(values[self.sample][:, None])[0]),
            "note": values.note,
        }

    @t.observe("edits")
    def _on_edits(self, change: dict[str, Any]) -> None:
        if self._x:
            self._refresh()
        self.edit_done = self.edit_version

    @t.validate("sample")
    def _valid_sample(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value < max(1, self.n_samples):
            raise t.TraitError(f"sample must be in 0..{self.n_samples - 1}, got {value}.")
        return value

    @t.validate("layer")
    def _valid_layer(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in self.layers:
            raise t.TraitError(f"layer must be one of {self.layers}, got {proposal['value']!r}.")
        return proposal["value"]

    def _refresh(self) -> None:
        try:
            tr = self._shown()
            edited = self.edited_trace()
        except (TypeError, ValueError) as err:
            self.error = str(err)
            return
        self.error = ""
        values = tr.array(self.view)[self.sample]
        steps, units = values.shape
        first = lstm_refs(self._model)[0].path
        is_first = self.layer == first or self.layer.startswith(f"{first}/")
        feats = tr.inputs.shape[2] if tr.inputs is not None else 0
        names = self._user_features if is_first else None
        if names is None or len(names) != feats:
            names = [f"{'x' if is_first else 'in'}{k}" for k in range(feats)]
        overview: dict[str, Any] = {
            "view": self.view,
            "bins": min(steps, OVERVIEW_BINS),
            "exact": steps <= OVERVIEW_BINS,
            "data": to_wire(downsample(values)),
        }
        if tr.inputs is not None:
            overview["input"] = to_wire(downsample(tr.inputs[self.sample]))
        with self.hold_sync():
            self.n_steps, self.n_units = int(steps), int(units)
            self.feature_names = names
            self.step = min(self.step, steps - 1)
            self.prediction = self._prediction()
            self.edited_prediction = [] if edited is None else self._edited_prediction()
            self.overview = overview

    def _row(self, outputs: np.ndarray) -> list[float]:
        """The shown sample's output values, flattened, at most 64."""
        row = np.asarray(outputs[self.sample], dtype=np.float64).reshape(-1)
        return [float(v) for v in row[:64]]

    def _edited_prediction(self) -> list[float]:
        assert self._edited is not None
        return self._row(self._edited[3])

    # -- messages ------------------------------------------------------------------------

    def window(self, sample: int, start: int, stop: int) -> tuple[dict[str, Any], list[bytes]]:
        """Full-resolution arrays of the shown layer for steps [start, stop) of a sample.

        Returns
        -------
        tuple
            The reply content (without id) and its two buffers: (6, steps, units) in
            :data:`WINDOW_ORDER` and the layer input (steps, features).
        """
        tr = self._shown()
        batch, steps, units = tr.shape
        if not 0 <= sample < batch:
            raise ValueError(f"sample must be in 0..{batch - 1}, got {sample}.")
        start, stop = max(0, int(start)), min(steps, int(stop))
        if start >= stop:
            raise ValueError(f"empty window [{start}, {stop}) for {steps} steps.")
        block = np.stack([tr.array(k)[sample, start:stop] for k in WINDOW_ORDER])
        block = np.ascontiguousarray(block, dtype=np.float32)
        inputs = (
            tr.inputs[sample, start:stop] if tr.inputs is not None else np.zeros((stop - start, 0))
        )
        inputs = np.ascontiguousarray(inputs, dtype=np.float32)
        content = {
            "type": "window",
            "layer": self.layer,
            "sample": sample,
            "start": start,
            "stop": stop,
            "shape": list(block.shape),
            "input_shape": list(inputs.shape),
        }
        return content, [block.tobytes(), inputs.tobytes()]

    def _on_message(self, _widget: object, content: dict[str, Any], _buffers: list) -> None:
        if not isinstance(content, dict) or content.get("type") != "window":
            return
        msg_id = content.get("id")
        try:
            if content.get("layer") not in (None, self.layer):
                raise ValueError(f"layer {content.get('layer')!r} is not the one shown.")
            reply, buffers = self.window(
                int(content["sample"]), int(content["start"]), int(content["stop"])
            )
        except (KeyError, TypeError, ValueError) as err:
            self.send({"type": "error", "id": msg_id, "message": str(err)})
            return
        self.send({**reply, "id": msg_id}, buffers)

    # -- static fallback -----------------------------------------------------------------

    def figure(self):  # noqa: ANN201
        """The current view as a matplotlib Figure (see :func:`lstm_widget.plot_trace`)."""
        return plot_trace(
            self.current_trace(), self.sample, self.view, self.step, self.feature_names
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None and not self.error:
            png = figure_png(self.figure())
            data["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle


__all__ = ["LSTMExplorer", "SHORT_NAMES", "WINDOW_ORDER", "probe_input"]
