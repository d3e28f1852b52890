"""What an edit is: gates and fields, their checks, and edited copies of a layer's weights.

``edits`` maps a gate (an LSTM's ``"input"``, ``"forget"``, ``"cell"``, ``"output"``; a
GRU's ``"update"``, ``"reset"``, ``"candidate"``) to fields ``kernel_scale`` (multiplies W),
``recurrent_scale`` (multiplies U), ``bias_shift`` (adds to b) and ``units`` (limit the edit
to these units; None means all). A Bidirectional layer's path names both directions,
``"path/forward"`` or ``"path/backward"`` one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import keras
import numpy as np

from .._cells.gru_weights import GRU_GATES
from .._cells.recurrence import CellParams
from .._cells.weights import GATES
from .._reading.model import DIRECTIONS, LayerRef, find_recurrent, is_gru, split_direction

EDIT_FIELDS: tuple[str, ...] = ("kernel_scale", "recurrent_scale", "bias_shift", "units")
"""Fields of one gate's edit."""
_NEUTRAL = {"kernel_scale": 1.0, "recurrent_scale": 1.0, "bias_shift": 0.0}


def edits_text(edits: dict[str, dict[str, Any]]) -> str:
    """Edits in words, as the sliders label them: ``forget: bias -3, W ×0.5 (units 0, 3)``."""
    parts = []
    for gate, fields in edits.items():
        said = [
            f"{label}{fields[field]:{spec}}"
            for field, label, spec in (
                ("kernel_scale", "W ×", "g"),
                ("recurrent_scale", "U ×", "g"),
                ("bias_shift", "bias ", "+g"),
            )
            if field in fields and fields[field] != _NEUTRAL[field]
        ]
        units = fields.get("units")
        text = ", ".join(said) or "unchanged"
        if units is not None:
            text += f" (units {', '.join(str(u) for u in units)})"
        parts.append(f"{gate}: {text}")
    return "; ".join(parts)


def check_edits(
    edits: object, units: int, gates: tuple[str, ...] = GATES
) -> dict[str, dict[str, Any]]:
    """Validate ``edits`` and fill in defaults; drop gates whose edit changes nothing.

    ``gates`` are the layer's: :data:`GATES` for an LSTM, :data:`GRU_GATES` for a GRU.

    Raises
    ------
    TypeError, ValueError
        Unknown gate or field (the valid ones are listed), non-finite numbers, unit indices
        out of range.
    """
    if edits is None:
        return {}
    if not isinstance(edits, dict):
        raise TypeError(
            f"edits must be a dict {{gate: {{field: value}}}}, got {type(edits).__name__}."
        )
    out: dict[str, dict[str, Any]] = {}
    for gate, fields in edits.items():
        if gate not in gates:
            raise ValueError(f"unknown gate {gate!r}; this layer's gates are {', '.join(gates)}.")
        if not isinstance(fields, dict):
            raise TypeError(
                f"edits[{gate!r}] must be a dict of fields, got {type(fields).__name__}."
            )
        unknown = sorted(set(fields) - set(EDIT_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field(s) {unknown} in edits[{gate!r}]; "
                f"fields are {', '.join(EDIT_FIELDS)}."
            )
        edit: dict[str, Any] = dict(_NEUTRAL)
        for name in _NEUTRAL:
            if fields.get(name) is None:
                continue
            value = fields[name]
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise TypeError(f"edits[{gate!r}][{name!r}] must be a number, got {value!r}.")
            if not math.isfinite(float(value)):
                raise ValueError(f"edits[{gate!r}][{name!r}] must be finite, got {value}.")
            edit[name] = float(value)
        chosen = fields.get("units")
        if chosen is not None:
            idx = [int(u) for u in chosen]
            bad = [u for u in idx if not 0 <= u < units]
            if bad or not idx:
                raise ValueError(
                    f"edits[{gate!r}]['units'] must be unit indices in 0..{units - 1}, "
                    f"got {chosen!r}."
                )
            chosen = sorted(set(idx))
        edit["units"] = chosen
        if any(edit[k] != v for k, v in _NEUTRAL.items()):
            out[gate] = edit
    return out


def edit_arrays(
    kernel: np.ndarray,
    recurrent: np.ndarray,
    bias: np.ndarray | None,
    edits: dict[str, dict],
    gates: tuple[str, ...] = GATES,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Edited copies of a layer's kernel, recurrent kernel and bias (``edits`` checked).

    Blocks are in ``gates`` order (an LSTM's or a GRU's). A GRU with ``reset_after=True``
    has a (2, 3·units) bias, input bias then recurrent bias: ``bias_shift`` adds to the
    input bias (for the candidate, outside the reset gate's product).
    """
    n = recurrent.shape[0]
    kernel, recurrent = kernel.copy(), recurrent.copy()
    bias = None if bias is None else bias.copy()
    for gate, edit in edits.items():
        k = gates.index(gate)
        units = np.arange(n) if edit["units"] is None else np.asarray(edit["units"])
        cols = k * n + units
        kernel[:, cols] *= np.float32(edit["kernel_scale"])
        recurrent[:, cols] *= np.float32(edit["recurrent_scale"])
        if edit["bias_shift"] != 0.0:
            if bias is None:
                raise ValueError("this layer has use_bias=False: there is no bias to shift.")
            (bias[0] if bias.ndim == 2 else bias)[cols] += np.float32(edit["bias_shift"])
    return kernel, recurrent, bias


def edit_params(params: CellParams, edits: dict[str, dict]) -> CellParams:
    """A copy of ``params`` with the edits applied."""
    kernel, recurrent, bias = edit_arrays(
        params.kernel, params.recurrent_kernel, params.bias, edits
    )
    return replace(params, kernel=kernel, recurrent_kernel=recurrent, bias=bias)


@dataclass(frozen=True)
class Target:
    """The layer edits apply to: where it is, and which directions of a Bidirectional one."""

    ref: LayerRef
    directions: tuple[str, ...]  # empty for a plain layer

    def rnns(self, layer: keras.layers.Layer | None = None) -> list[keras.layers.RNN]:
        """The edited RNNs: the layer, or the chosen directions' halves.

        ``layer`` reads them from another copy of the layer (a clone's), not ``ref``'s.
        """
        layer = self.ref.layer if layer is None else layer
        if not self.ref.bidirectional:
            return [layer]
        return [getattr(layer, f"{d}_layer") for d in self.directions]


def edit_target(model: keras.Model, layer: str | None) -> Target:
    """Which layer (and directions) ``layer`` names for edits.

    A Bidirectional layer's path edits both directions alike; ``"path/forward"`` or
    ``"path/backward"`` edits one (the explorer's names for them).
    """
    split = split_direction(model, layer) if isinstance(layer, str) else None
    if split is not None:
        return Target(split[0], (split[1],))
    ref = find_recurrent(model, layer)
    return Target(ref, DIRECTIONS if ref.bidirectional else ())


def check_target_edits(target: Target, edits: object) -> dict[str, dict[str, Any]]:
    """:func:`check_edits` for the target's layer (each edited direction must take them)."""
    checked: dict[str, dict[str, Any]] = {}
    for rnn in target.rnns():
        checked = check_edits(edits, int(rnn.cell.units), gates_of(rnn))
    return checked


def gates_of(rnn: keras.layers.RNN) -> tuple[str, ...]:
    """The gates ``edits`` name for this layer: an LSTM's :data:`GATES` or a GRU's."""
    return GRU_GATES if is_gru(rnn) else GATES
