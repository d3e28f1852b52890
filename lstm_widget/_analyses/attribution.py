"""How much of the model's output is owed to each input time step.

Five methods, each answering "how much from t-1 vs t-5":

- ``masks`` (the default): random halves of the sequence's windows exchanged with another
  sample's steps, many times (:mod:`.masks`): the mean output change a stretch makes when
  it is x's own rather than another sample's. Measured on planted evidence, it ranks the
  steps that carry the evidence first on four of five layouts (docs/attribution.md).
- ``windows``: the output change when one window of steps is replaced by the same steps
  of other samples (:mod:`.windows`): the same comparison, one stretch at a time.
- ``integrated_gradients``: path integral of the output's gradient from a baseline input to
  ``x`` (all path points batched); completeness, sum = f(x) - f(baseline), is reported.
  See :mod:`.integrated`: our own backpropagation through the LSTM recurrence where it
  covers the model, else the backend's gradient.
- ``occlusion``: the output change when one step is replaced by the baseline (all steps
  batched into one model call).
- ``cell_decomposition``: exact split of the final state into per-step writes
  (:mod:`.decomposition`). It says *when* the final state was written, which need not be
  when the input arrived.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._base.progress import progress_bar
from .._base.validate import as_array, check_finite, model_inputs
from .._reading.feed import first_output
from .._reading.model import require_model_x
from .decomposition import cell_decomposition
from .donors import DONORS, background_of, check_donors, donor_rows
from .integrated import Completeness, integrated_gradients, predict_scalars, scalar_outputs
from .masks import PAIRS, check_pairs, mask_plan, random_masks
from .windows import feature_split, window_of, window_replacement

METHODS = ("masks", "windows", "integrated_gradients", "occlusion", "cell_decomposition")
COMPARING = ("masks", "windows")
"""The methods that compare x with other samples' steps (a background)."""


class Attribution(np.ndarray):
    """An attribution array (batch, time) or (batch, time, features) with notes.

    Attributes
    ----------
    method : str
    completeness_error : float or None
        Integrated gradients: the median over samples of |sum - (f(x) - f(baseline))|
        relative to |f(x) - f(baseline)|, leaving out samples where f(x) - f(baseline) is
        too small to judge by (NaN if that is all of them).
    completeness : numpy.ndarray or None
        Integrated gradients: that error per sample (NaN where it cannot be judged).
    standard_error : numpy.ndarray or None
        ``masks``: (batch, time) standard error of each step's value over the run pairs.
        A step whose |value| is below about twice it is not told apart from 0 by these
        runs (more ``pairs`` narrow it as 1/sqrt(pairs)).
    note : str
        What the numbers are a share of.
    """

    method: str
    completeness_error: float | None
    completeness: np.ndarray | None
    standard_error: np.ndarray | None
    note: str

    def __array_finalize__(self, obj: object) -> None:
        self.method = getattr(obj, "method", "")
        self.completeness_error = getattr(obj, "completeness_error", None)
        self.completeness = getattr(obj, "completeness", None)
        self.standard_error = getattr(obj, "standard_error", None)
        self.note = getattr(obj, "note", "")


def _wrap(
    values: np.ndarray, method: str, note: str, check: Completeness | None = None
) -> Attribution:
    out = np.asarray(values, dtype=np.float64).view(Attribution)
    out.method, out.note = method, note
    if check is not None:
        out.completeness_error, out.completeness = check.error, check.errors
    return out


def _check_output_index(model, x: list[np.ndarray], output_index: int | None) -> None:  # noqa: ANN001
    """Raise the clear error of :func:`_scalar_outputs` for a bad ``output_index``.

    From the model's declared output shape when it is fully known; else from a
    prediction of ``x`` (one sample of each input).
    """
    try:
        shape = tuple(first_output(model.outputs).shape[1:])
    except (AttributeError, TypeError, ValueError):  # a subclassed model declares none
        shape = (None,)
    if any(dim is None for dim in shape):
        predict_scalars(model, x, output_index)
        return
    scalar_outputs(np.zeros((1, int(np.prod(shape)))), output_index)


def _sequence_input(model, arrays: list[np.ndarray]) -> int:  # noqa: ANN001
    """Which input occlusion and integrated gradients attribute.

    The only one, or the one (batch, time, features) input of a multi-input model (the
    others are held as given).
    """
    if len(arrays) == 1:
        return 0
    sequences = [i for i, a in enumerate(arrays) if a.ndim >= 3]
    if len(sequences) != 1:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(
            f"occlusion and integrated gradients attribute one (batch, time, features) input; "
            f"model {model.name!r} takes {shapes}. Use method='cell_decomposition'."
        )
    return sequences[0]


def _occlusion(
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    seq: int,
    base: np.ndarray,
    output_index: int | None,
    progress: bool = False,
) -> np.ndarray:
    """Output change when step t of input ``seq`` is the baseline's (others as given)."""
    x = arrays[seq]
    b, t = x.shape[:2]
    full = predict_scalars(model, arrays, output_index)
    occluded = np.repeat(x[:, None], t, axis=1)  # (b, t copies, t, f)
    steps = np.arange(t)
    occluded[:, steps, steps] = base[:, steps]
    feed = [np.repeat(a, t, axis=0) for a in arrays]  # sample i's copies, in order
    feed[seq] = occluded.reshape(b * t, *x.shape[1:])
    with progress_bar(progress, b * t, "occlusion", "run") as tick:
        out = predict_scalars(model, feed, output_index, tick=tick).reshape(b, t)
    return full[:, None] - out


def step_attribution(
    model,  # noqa: ANN001
    x: object,
    method: str = "masks",
    output_index: int | None = None,
    layer: str | None = None,
    baseline: object = None,
    *,
    background: object = None,
    window: int | None = None,
    donors: int = DONORS,
    pairs: int = PAIRS,
    seed: int = 0,
    per_feature: bool = False,
    path_steps: int = 32,
    progress: bool = False,
) -> Attribution:
    """Signed share of one model output owed to each input time step.

    Parameters
    ----------
    model : keras.Model
        Never modified.
    x : array-like
        (batch, time, features) input.
    method : {"masks", "windows", "integrated_gradients", "occlusion", "cell_decomposition"}
        See the module description; docs/attribution.md says what each finds.
    output_index : int, optional
        Which output value (flattened per sample); required when there is more than one.
    layer : str, optional
        The LSTM for ``cell_decomposition``.
    baseline : array-like, optional
        Reference input for integrated gradients and occlusion; zeros by default.
    background : array-like, optional
        ``masks`` and ``windows``: the samples whose steps replace x's (n, time,
        features); by default the other samples of ``x``. With a single sample and no
        background, steps are set to 0 instead (the note says so).
    window : int, optional
        ``masks`` and ``windows``: steps exchanged together. Default: a fifth of the
        sequence, at most 10, but long enough that 48 windows cover it.
    donors : int
        ``windows``: background samples compared with each sample (default 8); the
        feature split of both draws as many.
    pairs : int
        ``masks``: run pairs per sample (default 192, so 384 model runs).
    seed : int
        ``masks`` and ``windows``: which donors (and masks) are drawn.
    per_feature : bool
        Return (batch, time, features) instead of summing features (``masks``,
        ``windows`` and integrated gradients).
    path_steps : int
        Integration points for integrated gradients; for the feature split of ``masks``
        and ``windows``, the points per sample, shared among its donors.
    progress : bool
        Show a progress bar (tqdm; a notebook bar in Jupyter).

    Returns
    -------
    Attribution
        (batch, time) array (or per feature) with ``.method``, ``.note``, for integrated
        gradients ``.completeness_error``, for masks ``.standard_error``.

    Raises
    ------
    ValueError
        For an unknown method, a bad ``output_index`` (or none for a model with several
        output values), ``per_feature`` with occlusion or the cell decomposition, integer
        inputs for integrated gradients, occlusion or a feature split, gradients of a model
        with several inputs or whose input feeds an Embedding, a background that does not
        fit x, a window out of range, ``donors`` or ``pairs`` not a positive int, or a
        Bidirectional layer whose directions the cell decomposition cannot merge.
    TypeError
        If ``model`` is not a Keras model, ``x`` is not array-like or ``window`` is not an
        int.
    """
    model, x = require_model_x(model, x)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    arrays = model_inputs(model, x)
    if method == "cell_decomposition":
        if per_feature:
            raise ValueError("cell_decomposition splits by step only; use per_feature=False.")
        feed = arrays[0] if len(arrays) == 1 else arrays
        values, note = cell_decomposition(model, feed, layer, output_index, progress)
        return _wrap(values, method, note)
    seq = _sequence_input(model, arrays)
    arr = arrays[seq]
    if method in COMPARING:
        return _comparing(
            model, arrays, seq, method, background, window, donors, pairs, seed,
            output_index, per_feature, path_steps, progress,
        )  # fmt: skip
    _check_gradient_input(model, arrays, arr, method, gradient=method != "occlusion")
    base = np.zeros_like(arr) if baseline is None else as_array(baseline, "baseline")
    base = np.broadcast_to(base, arr.shape).astype(arr.dtype)
    check_finite(base, "baseline")
    _check_output_index(model, [a[:1] for a in arrays], output_index)  # before any work
    if method == "occlusion":
        if per_feature:
            raise ValueError("occlusion replaces whole steps; use per_feature=False.")
        return _wrap(
            _occlusion(model, arrays, seq, base, output_index, progress),
            method,
            "output change when a step is replaced by the baseline",
        )
    attr, check = integrated_gradients(model, arr, base, output_index, path_steps, progress)
    note = (
        f"integrated gradients, {path_steps} path steps; completeness error {check.error:.2%} "
        "(median over samples)"
    )
    for remark in check.remarks:
        warnings.warn(f"step_attribution: {remark}.", UserWarning, stacklevel=2)
    note = "; ".join([note, *check.remarks])
    return _wrap(attr if per_feature else attr.sum(axis=2), method, note, check)


def _comparing(
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    seq: int,
    method: str,
    background: object,
    window: int | None,
    donors: int,
    pairs: int,
    seed: int,
    output_index: int | None,
    per_feature: bool,
    path_steps: int,
    progress: bool,
) -> Attribution:
    """``masks`` or ``windows``: x against other samples' steps, optionally split by feature."""
    arr = arrays[seq]
    check_donors(donors)
    if per_feature:
        _check_gradient_input(model, arrays, arr, f"the {method}' feature split", gradient=True)
    w = window_of(arr.shape[1], window)
    stretch = "a step is" if w == 1 else f"the {w} steps around a step are"
    bg = background_of(arr, background)
    plan = mask_plan(arr, bg, w, check_pairs(pairs), seed) if method == "masks" else None
    if method == "windows" or per_feature:
        donor, source = donor_rows(arr, bg, donors, seed)
    _check_output_index(model, [a[:1] for a in arrays], output_index)  # before any work
    if plan is not None:
        values, error = random_masks(model, arrays, seq, plan, output_index, progress)
        note = (
            f"mean output change when {stretch} x's own rather than another sample's, "
            f"with a random half of the other steps exchanged too ({plan.note}): how much "
            "this stretch moved the output compared with typical data"
        )
        out_of_noise = int((np.abs(values) > 2 * error).sum())
        note += (
            f"; {out_of_noise:,} of {values.size:,} step values stand out of the sampling "
            "noise (more than 2 standard errors from 0)"
            if error.size and not np.isnan(error).all()
            else "; one run pair gives no standard error"
        )
    else:
        values = window_replacement(model, arrays, seq, donor, w, output_index, progress)
        note = (
            f"output change when {stretch} replaced by the same steps of other samples "
            f"({source}), averaged: how much this stretch moved the output compared with "
            "typical data"
        )
    note += "" if w == 1 else f"; resolution {w} steps"
    if per_feature:
        per_donor = max(1, path_steps // donor.shape[1])
        values = feature_split(model, arr, donor, values, output_index, per_donor, progress)
        note += "; split over features in proportion to |expected gradients|"
    out = _wrap(values, method, note)
    if plan is not None:
        out.standard_error = error
    return out


def _check_gradient_input(
    model,  # noqa: ANN001
    arrays: list[np.ndarray],
    arr: np.ndarray,
    what: str,
    gradient: bool,
) -> None:
    """Float input; for gradients also a single input that feeds no Embedding."""
    if arr.dtype.kind != "f":
        raise ValueError(
            f"{what.replace('_', ' ')} needs float inputs; for token ids use method='masks', "
            "'windows' or 'cell_decomposition'."
        )
    if not gradient:
        return
    if len(arrays) > 1:
        raise ValueError(
            f"gradients ({what.replace('_', ' ')}) take single-input models; model "
            f"{model.name!r} has {len(arrays)} inputs. Use method='masks' (per step), "
            "'windows', 'occlusion' or 'cell_decomposition'."
        )
    embedding = _embedding_of_input(model)
    if embedding is not None:
        raise ValueError(
            f"gradients ({what.replace('_', ' ')}) need an input the output varies with "
            f"smoothly; this model's input feeds Embedding {embedding!r} (token ids, whose "
            "gradient is none or zero). Use method='masks', 'windows' or 'occlusion' per step, or "
            "'cell_decomposition'."
        )


def _embedding_of_input(model) -> str | None:  # noqa: ANN001
    """The name of an Embedding layer that reads the model's input directly, if any.

    Keras 2 models declared token-id inputs as float32, so the dtype does not tell.
    """
    inputs = {id(t) for t in model.inputs}
    for layer in model.layers:
        if type(layer).__name__ != "Embedding":
            continue
        for node in getattr(layer, "_inbound_nodes", []):
            if any(id(t) in inputs for t in node.input_tensors):
                return layer.name
    return None
