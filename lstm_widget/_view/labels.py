"""Step labels: dates, numbers or tokens along the time axis, for each sample.

``step_labels`` gives one label per step (shared by all samples) or a (batch, time)
array; ``vocabulary`` turns integer token ids of the input into tokens. Labels are plain
text: the front end only ever sets them as text, never as HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np


def as_label_array(values: object) -> np.ndarray:
    """Labels as a numpy array: pandas Index/Series/DatetimeIndex, lists, arrays."""
    to_numpy = getattr(values, "to_numpy", None)
    if callable(to_numpy):  # pandas: keeps datetimes as datetime64
        values = to_numpy()
    if isinstance(values, list | tuple) and values and all(isinstance(v, dt.date) for v in values):
        values = np.asarray(values, dtype="datetime64[ns]")
    return np.asarray(values)


def format_labels(values: np.ndarray) -> np.ndarray:
    """Text of each label, same shape.

    Dates as ISO dates (with the time of day when any label has one), numbers compactly
    (``%g``), everything else with ``str``.
    """
    if values.dtype.kind == "M":
        day = values.astype("datetime64[D]")
        timed = bool(np.any(values != day.astype(values.dtype)))
        unit = "m" if timed else "D"
        text = np.datetime_as_string(values, unit=unit)
        return np.char.replace(text, "T", " ") if timed else text
    if values.dtype.kind == "f":
        return np.vectorize(lambda v: f"{v:g}", otypes=[str])(values)
    if values.dtype.kind in "iub":
        return values.astype(str)
    return np.vectorize(str, otypes=[str])(values)


def label_kind(values: np.ndarray) -> str:
    """What the labels are: ``"dates"``, ``"numbers"`` or ``"text"`` (tokens, names).

    The front end draws text labels LSTMVis-style, one per step when zoomed in enough.
    """
    if values.dtype.kind == "M":
        return "dates"
    if values.dtype.kind in "fiub":
        return "numbers"
    return "text"


def _vocabulary_lookup(vocabulary: object) -> Mapping[int, str] | list[str]:
    get = getattr(vocabulary, "get_vocabulary", None)
    if callable(get):  # keras.layers.TextVectorization, StringLookup
        vocabulary = get()
    if isinstance(vocabulary, Mapping):
        return {int(k): str(v) for k, v in vocabulary.items()}
    if isinstance(vocabulary, list | tuple | np.ndarray):
        return [str(v) for v in vocabulary]
    raise TypeError(
        "vocabulary must be a list of tokens (index = id), a dict id -> token, or an object "
        f"with get_vocabulary() such as keras.layers.TextVectorization; got {type(vocabulary)}."
    )


class StepLabels:
    """Labels for every sample of an input: ``for_sample(k)`` gives that sample's list.

    ``kind`` says what they are (see :func:`label_kind`); tokens are ``"text"``.
    """

    def __init__(
        self,
        shared: list[str] | None = None,
        table: np.ndarray | None = None,
        ids: np.ndarray | None = None,
        vocabulary: Mapping[int, str] | list[str] | None = None,
        kind: str = "text",
    ) -> None:
        self._shared, self._table, self._ids, self._vocabulary = shared, table, ids, vocabulary
        self.kind = kind

    def for_sample(self, sample: int) -> list[str]:
        """The labels of one sample's steps."""
        if self._shared is not None:
            return self._shared
        if self._table is not None:
            return self._table[sample].tolist()
        assert self._ids is not None and self._vocabulary is not None
        vocab = self._vocabulary
        if isinstance(vocab, list):
            n = len(vocab)
            return [vocab[i] if 0 <= i < n else f"[{i}]" for i in self._ids[sample].tolist()]
        return [vocab.get(i, f"[{i}]") for i in self._ids[sample].tolist()]


def step_labels(labels: object, vocabulary: object, inputs: np.ndarray) -> StepLabels | None:
    """Check and prepare step labels for ``inputs`` (the model's first input).

    Parameters
    ----------
    labels : sequence, pandas Index/Series, or array-like, optional
        One label per time step, or a (batch, time) array of labels per sample.
    vocabulary : list, dict or object with ``get_vocabulary()``, optional
        Tokens of the integer ids in ``inputs`` (batch, time); the tokens become the labels.
    inputs : numpy.ndarray
        The model's first input, (batch, time, ...).

    Returns
    -------
    StepLabels or None
        None when neither is given.
    """
    if labels is None and vocabulary is None:
        return None
    if labels is not None and vocabulary is not None:
        raise ValueError("give step_labels or vocabulary, not both.")
    batch, steps = int(inputs.shape[0]), int(inputs.shape[1])
    if vocabulary is not None:
        if inputs.dtype.kind not in "iu" or inputs.ndim != 2:
            raise ValueError(
                "vocabulary= needs integer token ids as input, shape (batch, time); x has "
                f"{inputs.dtype} values of shape {inputs.shape}. Use step_labels= for other "
                "inputs."
            )
        return StepLabels(ids=inputs, vocabulary=_vocabulary_lookup(vocabulary))
    return given_labels(labels, batch, steps)


def given_labels(labels: object, batch: int, steps: int) -> StepLabels:
    """Check and format ``step_labels``: one per step, or a (batch, time) array."""
    values = as_label_array(labels)
    kind = label_kind(values)
    if values.ndim == 1 and values.shape[0] == steps:
        return StepLabels(shared=format_labels(values).tolist(), kind=kind)
    if values.ndim == 2 and values.shape == (batch, steps):
        return StepLabels(table=format_labels(values), kind=kind)
    raise ValueError(
        f"step_labels must give one label per time step ({steps}) or a (batch, time) = "
        f"({batch}, {steps}) array of labels; got shape {values.shape}."
    )


def masked_runs(mask: np.ndarray | None) -> list[list[int]]:
    """[start, stop) of every run of masked (False) steps in a (time,) mask."""
    if mask is None or bool(np.all(mask)):
        return []
    off = np.concatenate([[False], ~np.asarray(mask, bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(off))
    return [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2], strict=True)]
