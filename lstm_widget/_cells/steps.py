"""What LSTM and GRU traces have in common: per-step arrays by name, rows, start states."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import keras
import numpy as np
import numpy.typing as npt


class StepArrays:
    """Mixin for a frozen trace dataclass (``repr=False``) of (batch, time, units) arrays.

    The dataclass has the fields named in ``ARRAYS``, and ``mask``, ``final_state``,
    ``layer``, ``go_backwards`` and ``inputs``; ``SHORT`` maps short names to fields and
    ``WHAT`` names the kind of array in messages.
    """

    ARRAYS: ClassVar[tuple[str, ...]]
    SHORT: ClassVar[dict[str, str]]
    WHAT: ClassVar[str]
    hidden_state: np.ndarray
    mask: np.ndarray | None
    final_state: tuple[np.ndarray, ...]
    layer: str
    go_backwards: bool
    inputs: np.ndarray | None

    @classmethod
    def field_of(cls, name: str) -> str:
        """The field of a per-step array given by name or short name (see ``SHORT``).

        Raises
        ------
        ValueError
            Naming the choices, for a name that is neither.
        """
        key = cls.SHORT.get(name, name)
        if key not in cls.ARRAYS:
            choices = ", ".join([*cls.ARRAYS, *cls.SHORT])
            raise ValueError(f"unknown {cls.WHAT} {name!r}; choose one of {choices}.")
        return key

    def array(self, name: str) -> np.ndarray:
        """One per-step array by name or short name (see ``SHORT``)."""
        return getattr(self, self.field_of(name))

    @property
    def shape(self) -> tuple[int, int, int]:
        """(batch, time, recorded units)."""
        b, t, u = self.hidden_state.shape
        return (b, t, u)

    def row(self, index: int) -> Any:  # noqa: ANN401 - the subclass
        """Batch row ``index`` as a trace of batch one (views, not copies)."""
        r = slice(index, index + 1)
        return replace(
            self,  # type: ignore[type-var]
            **{name: getattr(self, name)[r] for name in self.ARRAYS},
            mask=None if self.mask is None else self.mask[r],
            final_state=tuple(s[r] for s in self.final_state),
            inputs=None if self.inputs is None else self.inputs[r],
        )

    def __repr__(self) -> str:
        b, t, u = self.shape
        direction = ", backwards" if self.go_backwards else ""
        masked = "" if self.mask is None else f", {int((~self.mask).sum())} masked steps"
        kind = type(self).__name__
        return f"<{kind} {self.layer!r}: batch {b}, time {t}, units {u}{direction}{masked}>"


def start_state(
    rnn: keras.layers.RNN, given: list[np.ndarray] | None, batch: int, layout: str
) -> list[np.ndarray]:
    """The states a layer starts from: ``given``, else a stateful layer's, else zeros.

    ``layout`` names the states in the message for a stateful batch-size mismatch,
    ``"(h, c)"`` for an LSTM, ``"(h,)"`` for a GRU (whose one state is h).
    """
    if given is not None:
        return given
    count = len(rnn.cell.state_size) if isinstance(rnn.cell.state_size, list | tuple) else 1
    if rnn.stateful and getattr(rnn, "states", None) is not None:
        states = [np.array(v.numpy(), np.float32, copy=True) for v in rnn.states]
        if states[0].shape[0] != batch:
            raise ValueError(
                f"stateful layer {rnn.name!r} holds state for batch size {states[0].shape[0]}, "
                f"but x has batch size {batch}; pass x with {states[0].shape[0]} sequences "
                f"or give initial_state={layout}."
            )
        return states
    return [np.zeros((batch, int(rnn.cell.units)), np.float32) for _ in range(count)]


def step_major(steps: int, shape: tuple[int, ...], dtype: npt.DTypeLike, kept: bool) -> np.ndarray:
    """A (steps, *shape) array to record into, or, when not ``kept``, a scratch of one step.

    The scratch has stride 0 along time: every step writes the same (*shape) slab, which
    stays in cache, and nothing is recorded. The recurrences only ever read back the step
    they just wrote (an element-wise read of the same position), so results are the same.
    """
    if kept:
        return np.empty((steps, *shape), dtype)
    one = np.empty((1, *shape), dtype)
    return np.lib.stride_tricks.as_strided(one, (steps, *shape), (0, *one.strides[1:]))


def check_budget(
    arrays: int, shape: tuple[int, int, int], store: np.dtype, directions: int, budget: int
) -> None:
    """Refuse a trace of ``arrays`` recorded (batch, time, kept) arrays over ``budget`` bytes.

    Raises
    ------
    ValueError
        Saying how much it needs and how to ask for less.
    """
    batch, steps, kept = shape
    need = arrays * batch * steps * kept * store.itemsize * directions
    if need > budget:
        raise ValueError(
            f"this trace needs {need / 2**30:.2f} GiB ({arrays} arrays of ({batch}, {steps}, "
            f"{kept}) {store.name}{' per direction' if directions > 1 else ''}), over the memory "
            f"budget of {budget / 2**30:.2f} GiB. Ask for less: fewer samples (x[:n]), a subset "
            "of units (units=[...]), dtype='float16', or raise memory_budget=."
        )


@dataclass(frozen=True, eq=False)
class BidirectionalTrace:
    """Trace of a ``Bidirectional`` LSTM or GRU: ``.forward``, ``.backward``, indexed by x[:, t]."""

    forward: Any  # Trace or GRUTrace
    backward: Any
    layer: str

    @property
    def mask(self) -> np.ndarray | None:
        """(batch, time) mask shared by both directions, or None."""
        return self.forward.mask

    def row(self, index: int) -> BidirectionalTrace:
        """Batch row ``index`` of both directions, as a batch of one (views)."""
        return BidirectionalTrace(self.forward.row(index), self.backward.row(index), self.layer)

    def __repr__(self) -> str:
        return f"<BidirectionalTrace {self.layer!r}: .forward {self.forward!r}, .backward>"


@dataclass(frozen=True, eq=False)
class Clamp:
    """An intervention inside the recurrence: units of c or h set to given values.

    At each step where ``at`` is True, right after the cell computes its new state and
    before anything reads it, ``units`` of the state are set to ``values``: an LSTM's c
    before h = o * activation(c) is computed from it (so h follows), or its h; a GRU's h.
    At a masked step the cell's new state is discarded and the old one carried, as Keras
    does, so a setting there has no effect.

    Attributes
    ----------
    array : {"c", "h"}
    units : numpy.ndarray
        (k,) unit indices.
    values : numpy.ndarray
        (batch, time, k) float32, indexed by input position (also for go_backwards).
    at : numpy.ndarray
        (time,) bool: the input positions where the units are set.
    pick : numpy.ndarray, optional
        (batch,) int: the one of the units each row sets, -1 for none (default: all).
    """

    array: str
    units: np.ndarray
    values: np.ndarray
    at: np.ndarray
    pick: np.ndarray | None = None
    """(batch,) int: row i sets only unit ``units[pick[i]]`` (none where -1)."""

    def apply(self, state: np.ndarray, rows: slice, t: int) -> None:
        """Set the units of ``state`` (rows ``rows`` of the batch) at input position ``t``."""
        if not self.at[t]:
            return
        if self.pick is None:
            state[:, self.units] = self.values[rows, t]
            return
        pick = self.pick[rows]  # one unit per row (unit_effects): O(rows), not O(rows x units)
        r = np.flatnonzero(pick >= 0)
        state[r, self.units[pick[r]]] = self.values[rows, t][r, pick[r]]
