"""How much of the model's output is owed to each input time step.

Three methods, each answering "how much from t-1 vs t-5":

- ``integrated_gradients``: path integral of the output's gradient from a baseline input to
  ``x`` (all path points batched); completeness, sum = f(x) - f(baseline), is reported.
  See :mod:`.integrated`: our own backpropagation through the LSTM recurrence where it
  covers the model, else the backend's gradient.
- ``occlusion``: the output change when one step is replaced by the baseline (all steps
  batched into one model call).
- ``cell_decomposition``: exact split of the final cell state into per-step writes,
  c_T = sum_k (prod_{j>k} f_j) i_k g_k + (prod_j f_j) c_0, carried to the output through
  h_T = o_T tanh(c_T) in proportion and through the head when it is linear (said otherwise).
  For a GRU the final hidden state itself splits exactly:
  h_T = sum_k (prod_{j>k} z_j) (1 - z_k) h~_k + (prod_j z_j) h_0.
  It says *when* the final state was written, which need not be when the input
  arrived: information can travel through h for a few steps before it is written.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._base.progress import progress_bar
from .._base.validate import as_array, check_finite, model_inputs
from .._cells.gru_trace import GRUTrace
from .._cells.trace import BidirectionalTrace, Trace, trace
from .._reading.feed import first_output
from .._reading.model import find_recurrent, require_model, require_model_x
from .integrated import Completeness, integrated_gradients, predict_scalars, scalar_outputs

METHODS = ("integrated_gradients", "occlusion", "cell_decomposition")


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
    note : str
        What the numbers are a share of.
    """

    method: str
    completeness_error: float | None
    completeness: np.ndarray | None
    note: str

    def __array_finalize__(self, obj: object) -> None:
        self.method = getattr(obj, "method", "")
        self.completeness_error = getattr(obj, "completeness_error", None)
        self.completeness = getattr(obj, "completeness", None)
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


def forget_after(tr: Trace | GRUTrace) -> np.ndarray:
    """prod_{j after k} f_j for every step k, (batch, time, units), in processing order.

    The share of a write at step k that survives to the end. Masked steps forget nothing
    (f = 1); for go_backwards the steps are reversed into processing order. For a GRU the
    update gate z plays f's part (h = z h + (1 - z) h~).
    """
    keep = tr.update_gate if isinstance(tr, GRUTrace) else tr.forget_gate
    f = np.nan_to_num(keep.astype(np.float64), nan=1.0)
    if tr.go_backwards:
        f = f[:, ::-1]
    after = np.ones_like(f)
    after[:, :-1] = np.cumprod(f[:, :0:-1], axis=1)[:, ::-1]  # reverse cumprod, shifted
    return after


def write_events(tr: Trace | GRUTrace) -> tuple[np.ndarray, np.ndarray]:
    """Per-step writes to the final cell state: (batch, time, units), and the c_0 part.

    ``writes[:, k] = (prod_{j after k} f_j) * i_k * g_k`` in processing order (so reversed
    for go_backwards) and ``carry = (prod_j f_j) * c_0``; their sum over k plus carry is the
    final cell state. Masked steps write nothing and forget nothing. For a GRU the writes
    are ``(prod_{j after k} z_j) * (1 - z_k) * h~_k`` and they sum (with the h_0 part) to the
    final hidden state.
    """
    if isinstance(tr, GRUTrace):
        new = (1.0 - tr.update_gate.astype(np.float64)) * tr.candidate
        state = tr.hidden_state
    else:
        new, state = tr.input_gate * tr.cell_candidate, tr.cell_state
    ig = np.nan_to_num(new.astype(np.float64), nan=0.0)
    if tr.go_backwards:  # processing order runs from the end
        ig = ig[:, ::-1]
    writes = forget_after(tr) * ig
    c_last = state[:, -1 if not tr.go_backwards else 0].astype(np.float64)
    carry = c_last - writes.sum(axis=1)  # = (prod f) c_0, up to rounding
    if tr.go_backwards:
        writes = writes[:, ::-1]
    return writes, carry


def memory_horizon(model, x: object, layer: str | None = None) -> np.ndarray:  # noqa: ANN001
    """Per unit, how many steps back a write still holds more than 1/e of itself at the end.

    For an LSTM the forget gates decide (prod_{j>k} f_j); for a GRU the update gates
    (prod_{j>k} z_j: what of h_k is carried, not replaced).

    Returns
    -------
    numpy.ndarray
        (batch, units) integers: the count of the last steps whose product exceeds 1/e.
        A Bidirectional layer's units are forward then backward (the backward direction's
        last steps are the first ones of x).

    Raises
    ------
    ValueError
        If the model has no LSTM or GRU (or not ``layer``), or ``x`` does not fit it.
    """
    tr = trace(model, x, find_recurrent(require_model(model), layer).path)
    parts = [tr.forward, tr.backward] if isinstance(tr, BidirectionalTrace) else [tr]
    return np.concatenate([(forget_after(p) > np.exp(-1.0)).sum(axis=1) for p in parts], axis=1)


_MERGES = {
    "concat": lambda a, b: np.concatenate([a, b], axis=2),
    "sum": lambda a, b: a + b,
    "ave": lambda a, b: (a + b) / 2,
}
"""How a Bidirectional layer's merge_mode combines its directions' per-step parts."""


def _final_state_parts(tr: Trace | GRUTrace) -> np.ndarray:
    """(batch, time, units): the final hidden state split into per-step parts.

    A GRU's h_T is the sum of its writes and the h_0 part; an LSTM's h_T = o_T tanh(c_T)
    is split in proportion to c_T's writes. The initial state's part is left out.
    """
    writes, carry = write_events(tr)
    if isinstance(tr, GRUTrace):
        return writes
    h = tr.final_state[0].astype(np.float64)
    c = writes.sum(axis=1) + carry
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.abs(c) > 1e-12, h / c, 0.0)  # h_T split in proportion to c_T
    return writes * share[:, None, :]


def _cell_decomposition(model, x, layer, output_index, progress=False):  # noqa: ANN001, ANN202
    import keras

    ref = find_recurrent(model, layer)
    tr = trace(model, x, ref.path, progress=progress)
    if isinstance(tr, BidirectionalTrace):
        merge = ref.layer.merge_mode
        if merge not in _MERGES:
            raise ValueError(
                f"cell_decomposition of Bidirectional layer {ref.path!r} needs its directions "
                f"summed, concatenated or averaged (merge_mode 'concat', 'sum' or 'ave'), "
                f"got merge_mode={merge!r}."
            )
        h_parts = _MERGES[merge](_final_state_parts(tr.forward), _final_state_parts(tr.backward))
        gru = isinstance(tr.forward, GRUTrace)
    else:
        h_parts = _final_state_parts(tr)
        gru = isinstance(tr, GRUTrace)
    kind = "GRU" if gru else "LSTM"
    lstm = ref.layer
    layers = model.layers if isinstance(model, keras.Sequential) else []
    after = layers[layers.index(lstm) + 1 :] if lstm in layers else None
    linear = (
        after is not None
        and not lstm.return_sequences
        and all(
            isinstance(a, keras.layers.Dense)
            and a.activation is keras.activations.linear
            or isinstance(a, keras.layers.Dropout)
            for a in after
        )
    )
    if not linear:
        note = (
            f"the layers after the {kind} are not a linear map, so this is the split of the "
            f"{kind}'s final hidden state h_T (summed over units), not of the model output"
        )
        return h_parts.sum(axis=2), note
    w = np.eye(h_parts.shape[2])
    for a in after:
        if isinstance(a, keras.layers.Dense):
            w = w @ a.get_weights()[0].astype(np.float64)
    k = 0 if output_index is None else output_index
    if output_index is None and w.shape[1] != 1:
        raise ValueError(f"the model gives {w.shape[1]} outputs; pick one with output_index.")
    note = (
        "exact: the final cell state split into per-step writes, carried to the output "
        "through h_T = o_T tanh(c_T) in proportion and through the linear head; biases and "
        "the initial state's share are not attributed to any step. It shows when c_T was "
        "written, not when the input arrived (information can travel through h first)"
    )
    if gru:
        note = (
            "exact: the final hidden state split into per-step writes (1 - z_k) h~_k kept by "
            "the later update gates, through the linear head; biases and the initial "
            "state's share are not attributed to any step. It shows when h_T was written, "
            "not when the input arrived"
        )
    return h_parts @ w[:, k], note


def step_attribution(
    model,  # noqa: ANN001
    x: object,
    method: str = "integrated_gradients",
    output_index: int | None = None,
    layer: str | None = None,
    baseline: object = None,
    *,
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
        (batch, time, features) float input.
    method : {"integrated_gradients", "occlusion", "cell_decomposition"}
        See the module description.
    output_index : int, optional
        Which output value (flattened per sample); required when there is more than one.
    layer : str, optional
        The LSTM for ``cell_decomposition``.
    baseline : array-like, optional
        Reference input for integrated gradients and occlusion; zeros by default.
    per_feature : bool
        Return (batch, time, features) instead of summing features (gradient methods).
    path_steps : int
        Integration points for integrated gradients.
    progress : bool
        Show a progress bar (tqdm; a notebook bar in Jupyter).

    Returns
    -------
    Attribution
        (batch, time) array (or per feature) with ``.method``, ``.note`` and, for
        integrated gradients, ``.completeness_error``.

    Raises
    ------
    ValueError
        For an unknown method, a bad ``output_index`` (or none for a model with several
        output values), ``per_feature`` with occlusion or the cell decomposition, integer
        inputs for integrated gradients or occlusion, integrated gradients of a model with
        several inputs or whose input feeds an Embedding, or a Bidirectional layer whose
        directions the cell decomposition cannot merge.
    TypeError
        If ``model`` is not a Keras model or ``x`` is not array-like.
    """
    model, x = require_model_x(model, x)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    arrays = model_inputs(model, x)
    if method == "cell_decomposition":
        if per_feature:
            raise ValueError("cell_decomposition splits by step only; use per_feature=False.")
        feed = arrays[0] if len(arrays) == 1 else arrays
        values, note = _cell_decomposition(model, feed, layer, output_index, progress)
        return _wrap(values, method, note)
    seq = _sequence_input(model, arrays)
    arr = arrays[seq]
    if arr.dtype.kind != "f":
        raise ValueError(
            "integrated_gradients and occlusion need float inputs; for token ids use "
            "method='cell_decomposition'."
        )
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
    if len(arrays) > 1:
        raise ValueError(
            f"integrated gradients take single-input models; model {model.name!r} has "
            f"{len(arrays)} inputs. Use method='occlusion' or 'cell_decomposition'."
        )
    embedding = _embedding_of_input(model)
    if embedding is not None:
        raise ValueError(
            f"integrated gradients need an input the output varies with smoothly; this "
            f"model's input feeds Embedding {embedding!r} (token ids, whose gradient is "
            "none or zero). Use method='occlusion' (a step replaced by the baseline id) or "
            "'cell_decomposition'."
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
