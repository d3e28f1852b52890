"""The explorer as one offline, interactive HTML file: ``save_html`` and ``share``.

A mixin of :class:`lstm_widget.LSTMExplorer`. What the file holds: each layer's weights and
the layers after it (:func:`lstm_widget._view.page_model.page_model`), each exported
sample's layer input, masked steps, step labels and the model's prediction (Keras's), and
the attributions computed at export. The page (``js/src/page/``) computes the traces, the
what-if edits, the units set and find similar (over the exported samples) in the browser;
order by effect (unless shown at export) needs the kernel, and the page says so.
"""

from __future__ import annotations

import math
import os
import pathlib
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from .._analyses.attribution import METHODS
from .._reading.model import recurrent_refs
from .._view.labels import masked_runs
from .._view.overview import downsample
from .._view.page_file import Blob, page_html, page_script, srcdoc_iframe, write_atomic
from .._view.page_model import page_model
from .parts import VIEWS, first_values, input_names, layer_names
from .traits import ExplorerTraits

MAX_BYTES = 5_000_000
"""Default size budget of a file (bytes)."""
_COMPUTED = ("overview", "attribution", "prediction", "edited_prediction", "unit_effect",
             "pattern", "query_range", "busy", "error")  # fmt: skip
"""Traits the page computes itself (or starts empty)."""


class SharedExplorer:
    """The exported explorer shown as a notebook output: an iframe whose ``srcdoc`` is the page.

    nbconvert, nbviewer, Jupyter Book and mkdocs-jupyter keep it interactive (no network).
    """

    def __init__(self, page: str, height: int, note: str) -> None:
        self.page, self.height, self.note = page, int(height), note

    @property
    def nbytes(self) -> int:
        """Size of the page in bytes (UTF-8)."""
        return len(self.page.encode("utf-8"))

    def _repr_html_(self) -> str:
        return srcdoc_iframe(self.page, self.height)

    def __repr__(self) -> str:
        return f"<SharedExplorer: {self.nbytes / 1e6:.2f} MB; {self.note}>"


def _missing(op: dict[str, Any]) -> str:
    """What the page cannot compute in ``op``, else "" (``missing`` in ``js/src/core/head.ts``)."""
    if op["op"] == "unsupported":
        return f"layer {op['name']} ({op['class']})"
    cells = [op.get("cell"), op.get("forward"), op.get("backward")]
    acts = [op.get("activation")] + [a for c in cells if c for a in
                                     (c["activation"], c["recurrentActivation"])]  # fmt: skip
    custom = [a for a in acts if isinstance(a, str) and a.startswith("custom:")]
    return f"the custom activation {custom[0].removeprefix('custom:')}" if custom else ""


def _computable(ops: list[dict[str, Any]]) -> bool:
    """Whether the page computes every op."""
    return not any(_missing(op) for op in ops)


def _fixed(layer: dict[str, Any], stateful: bool = False) -> str:
    """Why the page cannot run this recurrent layer, else "".

    A custom activation, or a stateful layer (it starts from its current state). Such a
    layer's baseline arrays travel in the file; what-if on it needs the kernel.
    """
    if stateful:
        return f"layer {layer['name']} is stateful (it starts from its current state)"
    missing = _missing(layer)
    return f"layer {layer['name']} uses {missing}" if missing else ""


def _span(samples: list[int]) -> str:
    """``[0, 1, 2, 3, 7]`` as "0–3, 7" (runs of consecutive samples; at most 8 runs named)."""
    runs: list[list[int]] = []
    for s in samples:
        if runs and s == runs[-1][1] + 1:
            runs[-1][1] = s
        else:
            runs.append([s, s])
    text = [f"{a}–{b}" if b > a else str(a) for a, b in runs]
    return ", ".join(text[:8]) + (" …" if len(text) > 8 else "")


class SharingMixin:
    """``save_html`` and ``share`` of :class:`~lstm_widget.LSTMExplorer` (needs its session)."""

    def save_html(
        self,
        path: str | os.PathLike[str],
        samples: object = None,
        *,
        attribution: object = None,
        max_bytes: int = MAX_BYTES,
    ) -> pathlib.Path:
        """Write the explorer as one self-contained HTML file that works without a kernel.

        Opened from disk, offline, it is the same explorer for the exported samples: the
        timeline, zoom, selectors, read-outs, unit lines, step labels and the what-if
        sliders and unit settings (the edited trace and prediction are computed in the
        page). Find similar and order by effect need the kernel; the page says so.

        Parameters
        ----------
        path : str or path-like
            The file to write (written whole, through a temporary file).
        samples : sequence of int, optional
            Samples of x to include. Default: the shown sample and as many more (0, 1, ...)
            as fit ``max_bytes``; the page says which it holds.
        attribution : str or sequence of str, optional
            Attribution methods computed at export for the strip (default: the one shown,
            if any): ``"masks"``, ``"windows"``, ``"integrated_gradients"``, ``"occlusion"``,
            ``"cell_decomposition"``.
        max_bytes : int
            Size budget of the file (5 MB by default).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        page, _ = self._page(samples, attribution, max_bytes)
        return write_atomic(path, page)

    def share(
        self,
        samples: object = None,
        *,
        attribution: object = None,
        max_bytes: int = 1_500_000,
        height: int = 820,
    ) -> SharedExplorer:
        """The explorer as a notebook output that stays interactive without a kernel.

        Display the result (the last line of a cell): an iframe holding the page of
        :meth:`save_html`, which exported notebooks (nbconvert, nbviewer, Jupyter Book)
        keep working offline. The budget is smaller than a file's, to keep notebooks
        small; the arguments are :meth:`save_html`'s.
        """
        page, note = self._page(samples, attribution, max_bytes)
        return SharedExplorer(page, height, note)

    # -- the page's data --------------------------------------------------------------------

    def _page(self, samples: object, attribution: object, max_bytes: int) -> tuple[str, str]:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int | np.integer):
            raise TypeError(f"max_bytes must be an int (bytes), got {max_bytes!r}.")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}.")
        methods = self._methods(attribution)
        self._check_model()
        refs = recurrent_refs(self._model)
        models, blob, sources = self._models(refs)
        chosen = self._samples(samples, refs, sources, blob.nbytes, max_bytes)
        while True:
            with self._working():
                data = self._data(chosen, refs, models, sources, blob, methods)
            page = page_html(data, blob, f"LSTM explorer: {self._model.name}")
            size = len(page.encode("utf-8"))
            if size <= max_bytes:
                return page, data["note"]
            if samples is not None or len(chosen) == 1:
                raise ValueError(
                    f"the page would be {size / 1e6:.2f} MB, over max_bytes={max_bytes} "
                    f"({max_bytes / 1e6:.2f} MB): pass fewer samples= (it holds "
                    f"{len(chosen)}) or a larger max_bytes=."
                )
            # the default's estimate was short: fewer samples, in proportion
            fewer = max(1, min(len(chosen) - 1, int(len(chosen) * max_bytes / size * 0.95)))
            chosen = self._with_shown(chosen, fewer)
            models, blob, sources = self._models(refs)

    def _methods(self, attribution: object) -> list[str]:
        if attribution is None:
            shown = self.attribution_method
            return [] if shown == "none" else [shown]
        given = [attribution] if isinstance(attribution, str) else list(attribution)  # type: ignore[call-overload]
        bad = [m for m in given if m not in METHODS]
        if bad:
            raise ValueError(f"attribution must be among {list(METHODS)}, got {bad}.")
        return list(dict.fromkeys(given))

    def _name_of(self, path: str) -> str:
        """The first explorer layer name of a layer path (a Bidirectional's forward)."""
        return next(n for n in layer_names(self._model) if self._session.path_of(n)[0] == path)

    def _models(self, refs: list) -> tuple[list[dict[str, Any]], Blob, dict[str, Any]]:
        """Each recurrent layer's page model, and where its input comes from."""
        blob, models, sources = Blob(), [], {}
        for k, ref in enumerate(refs):
            description, arrays = page_model(self._model, ref.path)
            models.append({"description": description, "arrays": [blob.add(a) for a in arrays]})
            sources[ref.path] = {"inputs": True}
            if k == 0:
                continue
            after = models[k - 1]["description"]["after"]
            names = [op["name"] for op in after]
            if ref.layer.name in names and not self._session.rnn(refs[k - 1].path).stateful:
                before = after[: names.index(ref.layer.name)]
                if _computable([models[k - 1]["description"]["layer"], *before]):
                    sources[ref.path] = {"model": k - 1, "name": ref.layer.name}
        return models, blob, sources

    def _samples(
        self, samples: object, refs: list, sources: dict[str, Any], fixed: int, budget: int
    ) -> list[int]:
        """The samples to export: the given ones, checked, or as many as fit the budget."""
        n = self.n_samples
        if samples is not None:
            chosen = np.atleast_1d(np.asarray(samples))
            if chosen.ndim != 1 or chosen.size == 0 or chosen.dtype.kind not in "iu":
                raise TypeError(f"samples must be a non-empty list of ints, got {samples!r}.")
            bad = [int(s) for s in chosen if not 0 <= s < n]
            if bad:
                raise ValueError(f"samples must be in 0..{n - 1} (x has {n} samples), got {bad}.")
            return sorted({int(s) for s in chosen})
        per = 0  # bytes per sample: its shipped layer inputs, as base64
        for ref in refs:
            if "inputs" in sources[ref.path]:
                tr = self._session.baseline(self._name_of(ref.path), self.sample)
                per += math.ceil(tr.inputs[0].size * 4 * 4 / 3) if tr.inputs is not None else 0
        per += 20 * self.n_steps if self._labels is not None else 0  # step labels as JSON
        per += 300  # its prediction, notes and keys in the JSON
        code = len(page_script()) + 20_000  # the page's code, styles, the traits
        room = max(0, int(budget * 0.95) - math.ceil(fixed * 4 / 3) - code)
        most = max(1, room // max(1, per))
        return self._with_shown(range(n), most)

    def _with_shown(self, pool: Iterable[int], most: int) -> list[int]:
        """The shown sample and the first ``most - 1`` others of ``pool``, in order."""
        others = [s for s in pool if s != self.sample][: most - 1]
        return sorted([self.sample, *others])

    def _data(
        self,
        chosen: list[int],
        refs: list,
        models: list[dict[str, Any]],
        sources: dict[str, Any],
        blob: Blob,
        methods: list[str],
    ) -> dict[str, Any]:
        names = layer_names(self._model)
        layers: dict[str, Any] = {}
        for name in names:
            path, direction = self._session.path_of(name)
            index = [r.path for r in refs].index(path)
            kind, gates = self._session.kind(name)
            tr = self._session.baseline(name, self.sample)
            layers[name] = {
                "path": path,
                "kind": kind,
                "views": list(VIEWS[kind]),
                "gates": list(gates),
                "model": index,
                "direction": direction,
                "source": sources[path],
                "featureNames": input_names(self._model, name, tr, self._user_features),
                "fixed": _fixed(
                    models[index]["description"]["layer"], self._session.rnn(path).stateful
                ),
            }
        shown_path = self._path()[0]
        out = []
        for k, s in enumerate(chosen):
            self._notify(f"the page's data: sample {s} ({k + 1} of {len(chosen)})")
            out.append(self._sample(s, refs, layers, sources, blob, methods, shown_path))
        position = chosen.index(self.sample)
        traits = {
            key: getattr(self, key)
            for key in ExplorerTraits.class_own_traits(sync=True)
            if key not in _COMPUTED
        }
        note = (
            f"Exported {time.strftime('%Y-%m-%d')}: samples {_span(chosen)} of x's "
            f"{self.n_samples}, computed in this page without a kernel"
            + (
                ""
                if chosen == list(range(len(chosen)))
                else f" (numbered 0–{len(chosen) - 1} here)"
            )
            + "; find similar searches these samples."
        )
        traits.update(
            layers=names, sample=position, n_samples=len(chosen), model_note=note,
            edit_done=self.edit_version, busy="", error="", pattern={}, query_range=[],
            overview={}, attribution={}, prediction=[], edited_prediction=[], unit_effect=[],
        )  # fmt: skip
        return {
            "version": 1,
            "traits": traits,
            "layers": layers,
            "models": models,
            "samples": out,
            "labelKind": self._labels.kind if self._labels is not None else "",
            "note": note,
        }

    def _sample(
        self,
        s: int,
        refs: list,
        layers: dict[str, Any],
        sources: dict[str, Any],
        blob: Blob,
        methods: list[str],
        shown_path: str,
    ) -> dict[str, Any]:
        inputs, masked = {}, []
        for ref in refs:
            if "inputs" in sources[ref.path]:
                tr = self._session.baseline(self._name_of(ref.path), s)
                feats = tr.inputs[0] if tr.inputs is not None else np.zeros((tr.shape[1], 0))
                inputs[ref.path] = blob.add(feats)
                if ref is refs[0]:
                    masked = masked_runs(None if tr.mask is None else tr.mask[0])
        traces = {}
        for name, layer in layers.items():  # the ones the page cannot run: their arrays
            if layer["fixed"]:
                tr = self._session.baseline(name, s)
                traces[name] = blob.add(np.stack([tr.array(v)[0] for v in layer["views"]]))
        attribution: dict[str, Any] = {}
        for method in methods:
            for path in [r.path for r in refs] if method == "cell_decomposition" else [shown_path]:
                key = f"{method}|{path}" if method == "cell_decomposition" else method
                try:
                    values = self._session.attribution(method, path, s)
                except (TypeError, ValueError) as err:
                    attribution[key] = {"note": f"attribution unavailable: {err}"}
                    continue
                row = downsample(values[0][:, None])[0]
                attribution[key] = {"data": blob.add(row), "note": values.note}
        prediction = [v if math.isfinite(v) else None for v in
                      first_values(self._session.output(shown_path, s))]  # fmt: skip
        labels = self._labels.for_sample(s) if self._labels is not None else []
        effects = {}
        if self.order == "effect" and s == self.sample:
            effects[self.layer] = [float(v) for v in self._session.unit_effect(self.layer, s)]
        return {
            "index": s,
            "inputs": inputs,
            "masked": masked,
            "labels": [str(v) for v in labels],
            "prediction": prediction,
            "attribution": attribution,
            "effects": effects,
            "traces": traces,
        }
