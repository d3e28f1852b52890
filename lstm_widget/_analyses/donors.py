"""Other samples' steps: the background both data-comparing attributions draw from.

:mod:`.windows` and :mod:`.masks` replace stretches of a sample with the same steps of
other samples ("donors") and re-run the model. Here: the background checked against x,
which of its rows may serve each sample (never a row equal to the sample itself), a fixed
number of donors per sample, and how many runs go into one array and one model call.
"""

from __future__ import annotations

import numpy as np

from .._base.validate import as_array

DONORS = 8
"""Donor samples per sample: with 4 the ranking of the planted steps was visibly noisier."""
CHUNK_VALUES = 2**23
"""Input values (rows x steps x features) built at once: 32 MB of float32."""
CALL_STEPS = 2**17
"""Rows x steps per model call: the layers' own activations (a sequence-returning LSTM's
output is rows x steps x units) stay in the tens of MB."""


def background_of(x: np.ndarray, background: object) -> tuple[np.ndarray, bool]:
    """The rows donors come from (``background``, checked, or ``x``) and whether given."""
    given = background is not None
    bg = x if not given else as_array(background, "background")
    if bg.ndim != x.ndim or bg.shape[1:] != x.shape[1:]:
        shape = ", ".join(map(str, x.shape[1:]))
        raise ValueError(
            f"background must hold samples shaped like x's, (n, {shape}), got {bg.shape}."
        )
    return bg.astype(x.dtype, copy=False), given


def other_rows(x: np.ndarray, bg: np.ndarray) -> list[np.ndarray]:
    """For each sample of ``x``, the indices of ``bg``'s rows that are not equal to it."""
    probe = np.random.default_rng(0).random(int(np.prod(x.shape[1:])))
    x_print = x.reshape(x.shape[0], -1).astype(np.float64) @ probe
    bg_print = bg.reshape(bg.shape[0], -1).astype(np.float64) @ probe
    rows = []
    for i in range(x.shape[0]):
        same = [j for j in np.flatnonzero(bg_print == x_print[i]) if np.array_equal(bg[j], x[i])]
        rows.append(np.setdiff1d(np.arange(bg.shape[0]), same))
    return rows


def no_donor_note(given: bool) -> str:
    """What the note says when no row other than the sample itself is there to draw from."""
    where = "the background" if given else "x"
    return f"no sample other than itself in {where} to draw from, so its steps were set to 0"


def source_note(given: bool) -> str:
    return "the background" if given else "the other samples of x"


def check_donors(donors: object) -> int:
    if isinstance(donors, bool) or not isinstance(donors, int | np.integer) or donors < 1:
        raise ValueError(f"donors must be a positive int, got {donors!r}.")
    return int(donors)


def donor_rows(x: np.ndarray, background: object, donors: int, seed: int) -> tuple[np.ndarray, str]:
    """(batch, k, time, ...) donor sequences for each sample of ``x``, and where they came from.

    Drawn without replacement (``seed``) from ``background`` (default: ``x``), leaving out
    rows equal to the sample itself. With no other row to draw from, one all-zero donor.
    """
    check_donors(donors)
    bg, given = background_of(x, background)
    rng = np.random.default_rng(seed)
    picks = [rng.choice(o, min(donors, o.size), replace=False) for o in other_rows(x, bg)]
    k = min(len(p) for p in picks)
    if k == 0:
        return np.zeros((x.shape[0], 1, *x.shape[1:]), x.dtype), no_donor_note(given)
    rows = np.stack([bg[p[:k]] for p in picks])
    return rows, f"{k} donors per sample from {source_note(given)}"
