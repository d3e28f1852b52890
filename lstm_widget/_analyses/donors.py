"""Other samples' steps: the background both data-comparing attributions draw from.

:mod:`.windows` and :mod:`.masks` replace stretches of a sample with the same steps of
other samples ("donors") and re-run the model. Here: the background checked against x,
which of its rows may serve each sample (never a row equal to the sample itself), a fixed
number of donors per sample, and how many runs go into one array and one model call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.validate import as_array

DONORS = 8
"""Donor samples per sample: with 4 the ranking of the planted steps was visibly noisier."""
CHUNK_VALUES = 2**23
"""Input values (rows x steps x features) built at once: 32 MB of float32."""
CALL_STEPS = 2**17
"""Rows x steps per model call: the layers' own activations (a sequence-returning LSTM's
output is rows x steps x units) stay in the tens of MB."""


@dataclass
class Background:
    """The rows donors come from, and for each sample of x the ones that may serve it."""

    rows: np.ndarray
    given: bool
    """Whether the user gave them (else they are x itself)."""
    others: list[np.ndarray]
    """Per sample of x, the indices of ``rows`` that are not equal to it."""

    @property
    def empty(self) -> bool:
        """Whether some sample has no row other than itself to draw from."""
        return min(o.size for o in self.others) == 0

    def source(self) -> str:
        return "the background" if self.given else "the other samples of x"

    def none_note(self) -> str:
        """What the note says when no row other than the sample itself is there."""
        where = "the background" if self.given else "x"
        return f"no sample other than itself in {where} to draw from, so its steps were set to 0"


def background_of(x: np.ndarray, background: object) -> Background:
    """``background`` checked against x (default: x), and each sample's other rows.

    Rows equal to the sample itself are found by a random projection first, then compared
    in full.
    """
    given = background is not None
    bg = x if not given else as_array(background, "background")
    if bg.ndim != x.ndim or bg.shape[1:] != x.shape[1:]:
        shape = ", ".join(map(str, x.shape[1:]))
        raise ValueError(
            f"background must hold samples shaped like x's, (n, {shape}), got {bg.shape}."
        )
    bg = bg.astype(x.dtype, copy=False)
    probe = np.random.default_rng(0).random(int(np.prod(x.shape[1:])))
    x_print = x.reshape(x.shape[0], -1).astype(np.float64) @ probe
    bg_print = bg.reshape(bg.shape[0], -1).astype(np.float64) @ probe
    others = []
    for i in range(x.shape[0]):
        same = [j for j in np.flatnonzero(bg_print == x_print[i]) if np.array_equal(bg[j], x[i])]
        others.append(np.setdiff1d(np.arange(bg.shape[0]), same))
    return Background(bg, given, others)


def check_donors(donors: object) -> int:
    if isinstance(donors, bool) or not isinstance(donors, int | np.integer) or donors < 1:
        raise ValueError(f"donors must be a positive int, got {donors!r}.")
    return int(donors)


def donor_rows(x: np.ndarray, bg: Background, donors: int, seed: int) -> tuple[np.ndarray, str]:
    """(batch, k, time, ...) donor sequences for each sample of ``x``, and where they came from.

    Drawn without replacement (``seed``) from each sample's other rows of ``bg``. With no
    other row to draw from, one all-zero donor.
    """
    check_donors(donors)
    rng = np.random.default_rng(seed)
    picks = [rng.choice(o, min(donors, o.size), replace=False) for o in bg.others]
    k = min(len(p) for p in picks)
    if k == 0:
        return np.zeros((x.shape[0], 1, *x.shape[1:]), x.dtype), bg.none_note()
    rows = np.stack([bg.rows[p[:k]] for p in picks])
    return rows, f"{k} donors per sample from {bg.source()}"
