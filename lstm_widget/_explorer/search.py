"""The explorer's pattern search, LSTMVis's way: select a range, find where else it happens.

Shift-dragging over the timeline selects a step range of the shown sample
(:meth:`SearchMixin.select_range`): the units that are on (>= threshold) at every step of
it become the selected units. "find similar" (:meth:`SearchMixin.find_similar`) then
runs :func:`lstm_widget.match_pattern` over all of x for the selected units. Messages
from the front end: ``{"type": "query", "sample", "start", "stop", "threshold"}`` and
``{"type": "find", "sample", "start", "stop", "units", "threshold"}``; a bad one becomes
the :attr:`pattern` trait's note.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._analyses.patterns import match_pattern, nothing_on, on_units
from .._reading.model import find_recurrent


class SearchMixin:
    """Pattern search methods of :class:`~lstm_widget.LSTMExplorer` (needs its traits)."""

    def select_range(self, start: int, stop: int, threshold: float = 0.3) -> list[int]:
        """Select the units on at every step of [start, stop) of the shown sample.

        A unit is on where its value in the timeline's array (:attr:`view`) is >=
        ``threshold``; masked steps are never on. The values are the unedited model's (the
        model find similar searches), also while the timeline shows edited ones. Sets
        :attr:`query_range` (drawn as a band on the timeline, the range "find similar"
        searches for) and :attr:`selected_units` (their lines are plotted); returns the
        units.
        """
        start, stop, thr = self._query_args(start, stop, threshold)
        with self._working():
            self._check_model()
            units, note = self._on_in(start, stop, thr)
        with self.hold_sync():
            self.query_range = [start, stop]
            self.selected_units = units
            self.pattern = {
                "note": note or f"units {units} on: find similar searches x for them",
                "query": [self.sample, start, stop],
                "threshold": thr,
            }
        return units

    def find_similar(
        self, start: int, stop: int, units: object = None, threshold: float = 0.3
    ) -> dict[str, Any]:
        """Find where else in x the units are on as in steps [start, stop) of the shown sample.

        :func:`lstm_widget.match_pattern` over all of x, on the shown layer and array;
        ``units`` default to the selected units, else the ones on at every step of the
        range. The widget lists the hits (:attr:`pattern`, also returned); clicking one
        shows it.
        """
        start, stop, thr = self._query_args(start, stop, threshold)
        if len(self._session.arrays) != 1:
            raise ValueError("find similar takes models with one input.")
        chosen = [int(u) for u in (self.selected_units if units is None else units)]
        bad = [u for u in chosen if not 0 <= u < self.n_units]
        if bad:
            raise ValueError(f"units must be in 0..{self.n_units - 1} (the layer's), got {bad}.")
        query = [self.sample, start, stop]
        with self._working():
            self._check_model()
            note = ""
            if not chosen:
                chosen, note = self._on_in(start, stop, thr)
            if chosen:
                found = self._search(query, chosen, thr)
            else:
                found = {"units": [], "hits": [], "note": note, "query": query, "threshold": thr}
        self.pattern = found
        return found

    def _search(self, query: list[int], units: list[int], threshold: float) -> dict[str, Any]:
        """match_pattern over x for ``units`` of the shown layer, as a :attr:`pattern` value.

        A Bidirectional layer's units are forward then backward in the search, so a
        backward direction's are shifted there and back.
        """
        path, direction = self._path()
        shift = 0
        if direction == "backward":
            shift = int(find_recurrent(self._model, path).layer.forward_layer.cell.units)
        done = [0]

        def tick(n: int) -> None:  # the busy note says how far the pass over x is
            done[0] += n
            self._notify(f"find similar: {done[0]} of {self.n_samples} samples searched")

        tick(0)
        sample, start, stop = query
        m = match_pattern(
            self._model,
            self.x,
            sample,
            start,
            stop,
            threshold,
            self.view,
            path,
            units=[u + shift for u in units],
            progress=tick,
        )
        return {
            "units": [int(u) - shift for u in m.units],
            "hits": [[int(s), int(a), int(b), float(c)] for s, a, b, c in m.hits],
            "note": m.note,
            "query": query,
            "threshold": threshold,
        }

    def _query_args(self, start: object, stop: object, threshold: object) -> tuple[int, int, float]:
        for name, value in (("start", start), ("stop", stop)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an int, got {value!r}.")
        if not 0 <= int(start) < int(stop) <= self.n_steps:
            raise ValueError(
                f"the range must be 0 <= start < stop <= {self.n_steps} (the steps), "
                f"got [{start}, {stop})."
            )
        thr = float(threshold)  # type: ignore[arg-type]
        if not np.isfinite(thr):
            raise ValueError(f"threshold must be a finite number, got {threshold!r}.")
        return int(start), int(stop), thr

    def _on_in(self, start: int, stop: int, threshold: float) -> tuple[list[int], str]:
        """The shown sample's units on at every step of [start, stop), or why there are none."""
        tr = self._session.baseline(self.layer, self.sample)
        values = tr.array(self.view)[0, start:stop]
        mask = np.ones(stop - start, bool) if tr.mask is None else tr.mask[0, start:stop]
        units = [int(u) for u in on_units(values, threshold, mask)]
        if units:
            return units, ""
        where = f"steps {start}..{stop - 1}"
        return [], nothing_on(values, threshold, mask, where, "lower the threshold")

    def _on_search_message(self, content: dict[str, Any]) -> bool:
        """Handle a "query" or "find" message; False for any other."""
        kind = content.get("type")
        if kind not in ("query", "find"):
            return False
        try:
            if content.get("sample") != self.sample:
                raise ValueError("the sample changed: search again.")
            args = (content["start"], content["stop"])
            if kind == "query":
                self.select_range(*args, content["threshold"])
            else:
                self.find_similar(*args, content.get("units"), content["threshold"])
        except (KeyError, TypeError, ValueError) as err:
            self.pattern = {
                "note": f"{'select range' if kind == 'query' else 'find similar'}: {err}"
            }
        return True
