"""Interventions in the explorer: ``edits["interventions"]``, beside the weight edits.

The explorer shows one layer (one direction of a Bidirectional layer), so the units of an
intervention here are that direction's (0..units-1); they are turned into the layer's
(a backward direction's units come after the forward ones) for
:func:`lstm_widget.intervene`'s machinery. ``"mean"`` is the unit's mean over the shown
sample's steps. With weight edits too, the recurrence runs on the edited clone's weights.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._analyses.after import model_after
from .._analyses.interventions import clamps_of, run_clamped
from .._reading.model import find_recurrent

KEY = "interventions"


def split_edits(edits: object) -> tuple[object, list[dict[str, Any]]]:
    """The weight edits and the interventions of an ``edits`` trait value.

    Raises
    ------
    TypeError
        If ``edits["interventions"]`` is not a list of dicts.
    """
    if not isinstance(edits, dict) or KEY not in edits:
        return edits, []
    weights = {k: v for k, v in edits.items() if k != KEY}
    found = edits[KEY]
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list | tuple) or not all(isinstance(f, dict) for f in found):
        raise TypeError(
            f'edits["{KEY}"] must be a list of dicts like {{"units": [3], "array": "c", '
            f'"value": 0.0}}, got {found!r}.'
        )
    return weights, [dict(f) for f in found]


def intervened(
    model: keras.Model,
    rows: list[np.ndarray],
    path: str,
    direction: str | None,
    interventions: list[dict[str, Any]],
    baseline: Any,  # noqa: ANN401 - the layer's trace for ``rows``, unedited
) -> tuple[Any, np.ndarray]:
    """The layer's trace and the model's output for ``rows`` with the interventions.

    ``model`` is the user's model or its weight-edited clone; ``baseline`` gives shapes
    and the means for ``"mean"``.

    Raises
    ------
    ValueError
        As :func:`lstm_widget.intervene` (units, array, value, steps; a model whose output
        cannot be computed after an intervention).
    """
    ref = find_recurrent(model, path)
    if direction == "backward":
        n = int(ref.layer.forward_layer.cell.units)
        interventions = [{**i, "units": _shifted(i.get("units"), n)} for i in interventions]
    after = model_after(model, ref)
    clamps, _ = clamps_of(interventions, baseline)
    tr = run_clamped(model, rows, ref, clamps)
    return tr, after(tr)


def _shifted(units: object, n: int) -> object:
    """A backward direction's units (0..n-1) as the Bidirectional layer's (n..2n-1)."""
    idx = np.atleast_1d(np.asarray(units))
    if idx.dtype.kind not in "iu" or idx.size == 0 or idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"units must be in 0..{n - 1} (this direction's units), got {units!r}.")
    return (idx + n).tolist()


def interventions_text(interventions: list[dict[str, Any]]) -> str:
    """In words: ``c[3, 7] = 0; h[2] = mean at steps 5-9``."""
    parts = []
    for i in interventions:
        units = ", ".join(str(u) for u in np.atleast_1d(i.get("units", [])))
        value = i.get("value", 0.0)
        said = (
            value
            if isinstance(value, str)
            else (f"{value:g}" if np.ndim(value) == 0 else "values per step")
        )
        steps = i.get("steps")
        where = (
            "" if steps is None else f" at steps {', '.join(str(s) for s in np.atleast_1d(steps))}"
        )
        parts.append(f"{i.get('array', 'c')}[{units}] = {said}{where}")
    return "; ".join(parts)
