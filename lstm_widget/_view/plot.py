"""Static figure of a trace: the picture shared notebooks show in place of the live widget."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .._cells.gru_trace import GRUTrace
from .._cells.trace import BidirectionalTrace, Trace
from .labels import given_labels
from .overview import downsample

_TITLES = {
    "input_gate": "input gate i",
    "forget_gate": "forget gate f",
    "cell_candidate": "cell candidate g",
    "output_gate": "output gate o",
    "cell_state": "cell state c",
    "hidden_state": "hidden state h",
    "update_gate": "update gate z",
    "reset_gate": "reset gate r",
    "candidate": "candidate h~",
}
_GATES = ("input_gate", "forget_gate", "output_gate", "update_gate", "reset_gate")


def _heatmap(  # noqa: ANN001
    ax, fig, values: np.ndarray, key: str, label: str, centred: bool = False
) -> None:
    """Draw (channels, time) values; gates on 0..1 unless ``centred``, states centred on 0."""
    if key in _GATES and not centred:
        kw = {"cmap": "viridis", "vmin": 0.0, "vmax": 1.0}
    else:
        finite = values[np.isfinite(values)]
        lim = float(np.abs(finite).max()) if finite.size else 1.0
        kw = {"cmap": "RdBu_r", "vmin": -(lim or 1.0), "vmax": lim or 1.0}
    img = ax.imshow(values, aspect="auto", interpolation="nearest", origin="lower", **kw)
    ax.set_ylabel(label)
    fig.colorbar(img, ax=ax, pad=0.01, fraction=0.04)


def plot_trace(
    trace: Trace | GRUTrace | BidirectionalTrace,
    sample: int = 0,
    view: str | None = None,
    step: int | None = None,
    feature_names: Sequence[str] | None = None,
    *,
    sample_label: int | None = None,
    step_labels: object = None,
) -> Figure:
    """Plot the layer input and one trace array over time, for one sample.

    Parameters
    ----------
    trace : Trace, GRUTrace or BidirectionalTrace
        From :func:`lstm_widget.trace` (a Bidirectional trace shows its forward half).
    sample : int
        Batch index.
    view : str, optional
        A short or full array name: an LSTM's ``"c"`` (the default), ``"h"``, ``"i"``,
        ``"f"``, ``"g"``, ``"o"``; a GRU's ``"h"`` (the default), ``"z"``, ``"r"``, ``"hh"``.
    step : int, optional
        Draw a playhead at this step.
    feature_names : sequence of str, optional
        Labels of the input features.
    sample_label : int, optional
        The sample's number in the title, when it differs from ``sample`` (a trace of
        one sample taken from a larger batch).
    step_labels : sequence, pandas Index/Series or array, optional
        Labels of the time steps (dates, numbers, tokens) for the time axis: one per step,
        or (batch, time) per sample, as for :class:`lstm_widget.LSTMExplorer`.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot: display it, or ``fig.savefig(...)``.
    """
    if isinstance(trace, BidirectionalTrace):
        trace = trace.forward
    if view is None:
        view = "h" if isinstance(trace, GRUTrace) else "c"
    key = trace.SHORT.get(view, view)
    return draw_view(
        trace.array(view),
        key,
        trace.inputs,
        trace.layer,
        sample,
        step,
        feature_names,
        sample_label=sample_label,
        step_labels=step_labels,
    )


def draw_view(
    values: np.ndarray,
    key: str,
    inputs: np.ndarray | None,
    layer: str,
    sample: int = 0,
    step: int | None = None,
    feature_names: Sequence[str] | None = None,
    *,
    sample_label: int | None = None,
    step_labels: object = None,
    compared: str = "",
    centred: bool = False,
    lines: Sequence[str] = (),
    span: tuple[int, int] | None = None,
) -> Figure:
    """Draw ``values`` (batch, time, units) of array ``key`` under the layer input.

    ``compared`` ("edited", "edited − baseline") follows the array's name in the title;
    ``centred`` puts a gate's colours on a scale centred on 0 (a difference); ``lines`` are
    printed under the title (edits, the probe-input note); ``span`` = (start, stop) draws
    only those steps (the zoom).
    """
    batch, steps, units = values.shape
    start, stop = span if span is not None else (0, steps)
    if not 0 <= sample < batch:
        raise ValueError(f"sample must be in 0..{batch - 1}, got {sample}.")
    named = sample if sample_label is None else sample_label
    what = _TITLES[key] + (f", {compared}" if compared else "")
    rows = 2 if inputs is not None else 1
    fig = Figure(figsize=(9, 1.6 + 1.8 * rows + 0.25 * len(lines)), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    title = f"{layer}: {what}, sample {named}"
    if inputs is not None:
        feats = inputs.shape[2]
        _heatmap(axes[0], fig, downsample(inputs[sample, start:stop]), "inputs", "input feature")
        if feature_names is not None and len(feature_names) == feats and feats <= 16:
            axes[0].set_yticks(range(feats), [str(n) for n in feature_names])
        title = f"{layer}: layer input and {what}, sample {named}"
    axes[0].set_title("\n".join([title, *lines]), fontsize="medium")
    _heatmap(axes[-1], fig, downsample(values[sample, start:stop]), key, "unit", centred)
    shown = stop - start
    bins = min(shown, 2048)
    ticks = _time_ticks(shown)
    text = [str(start + t) for t in ticks]
    if step_labels is not None:
        labels = given_labels(step_labels, batch, steps).for_sample(sample)
        text = [labels[start + t] for t in ticks]
    axes[-1].set_xticks([(t + 0.5) * bins / shown - 0.5 for t in ticks], text)
    where = f"of {steps}" if shown == steps else f"{start}–{stop - 1} of {steps}"
    axes[-1].set_xlabel(f"time step ({where}; {units} units)")
    if step is not None and start <= step < stop:
        for ax in axes:
            ax.axvline((step - start) * bins / shown, color="black", linewidth=1.0)
    return fig


def _time_ticks(steps: int, most: int = 6) -> list[int]:
    """Steps at round intervals (1, 2 or 5 times a power of ten), at most ``most`` + 1."""
    span = max(1, steps - 1)
    raw = span / most
    power = 10 ** np.floor(np.log10(raw)) if raw >= 1 else 1
    nice = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return list(range(0, steps, max(1, int(nice))))


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_attribution(attr: np.ndarray, sample: int | None = None, title: str = "") -> Figure:
    """Bar chart of a step attribution: one sample, or the mean over samples with |mean| spread.

    For one sample of a ``masks`` attribution, the bars carry ±2 standard errors: a bar
    whose range crosses 0 is not told apart from 0 by the runs.

    Parameters
    ----------
    attr : numpy.ndarray
        (batch, time) from :func:`lstm_widget.step_attribution`.
    sample : int, optional
        Batch index; the mean over the batch if omitted.
    title : str
        Figure title; the attribution's method and note by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(attr, dtype=np.float64)
    if values.ndim == 3:
        values = values.sum(axis=2)
    if values.ndim != 2:
        raise ValueError(f"expected a (batch, time) attribution, got shape {values.shape}.")
    steps = values.shape[1]
    fig = Figure(figsize=(8, 2.8), layout="constrained")
    ax = fig.subplots()
    if sample is None:
        shown, label = values.mean(axis=0), f"mean over {values.shape[0]} samples"
        ax.errorbar(np.arange(steps), shown, yerr=values.std(axis=0), fmt="none", ecolor="0.5")
    else:
        shown, label = values[sample], f"sample {sample}"
        error = getattr(attr, "standard_error", None)  # masks: how sure each value is
        if error is not None and np.shape(error) == values.shape:
            ax.errorbar(np.arange(steps), shown, yerr=2 * error[sample], fmt="none", ecolor="0.3")
            label += ", ±2 standard errors"
    ax.bar(np.arange(steps), shown, color=np.where(shown >= 0, "#b2182b", "#2166ac"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("time step")
    ax.set_ylabel("share of the output")
    method = getattr(attr, "method", "")
    ax.set_title(title or f"{method.replace('_', ' ')} ({label})")
    return fig


def plot_gate_saturation(sat: object) -> Figure:
    """Karpathy et al.'s saturation plot: per unit, left- vs right-saturated fraction per gate.

    Parameters
    ----------
    sat : Saturation
        From :func:`lstm_widget.gate_saturation`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per gate, one point per unit; a point near the top right corner is a gate
        that is almost always saturated, at (0, 0) one that never is.
    """
    gates = getattr(sat, "gates", None)
    if gates is None:
        raise TypeError(f"expected a Saturation from gate_saturation, got {type(sat).__name__}.")
    fig = Figure(figsize=(3.2 * len(gates), 3.3), layout="constrained")
    axes = fig.subplots(1, len(gates), squeeze=False)[0]
    for ax, name, lo, hi in zip(axes, gates, sat.left, sat.right, strict=True):
        ax.plot([0, 1], [1, 0], color="0.8", linewidth=0.8)  # lo + hi <= 1
        ax.scatter(lo, hi, s=12, alpha=0.7)
        ax.set(xlim=(0, 1), ylim=(0, 1), title=f"{name} gate", xlabel="fraction < 0.1")
        ax.set_aspect("equal")
    axes[0].set_ylabel("fraction > 0.9")
    fig.suptitle(f"gate saturation of {sat.layer!r} over {sat.steps} steps")
    return fig
