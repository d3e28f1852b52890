"""Notice when a model's weights or stateful states changed since we computed from them.

``fit``, ``set_weights``, ``load_weights`` and optimizer steps all change variables in
place, and compiled training steps run no Python per step, so there is nothing to hook.
Instead the watch keeps one copy of every weight and state variable (made when the
explorer computes) and compares it element by element with the live variables in the
backend: exact (any changed bit is seen, nothing hashed), and no copy of the weights is
made per check. On this project's CI machine a check of a 7.4M-parameter model takes
about 6 ms (``benchmarks/bench_explorer_scale.py`` prints it for its model).
"""

from __future__ import annotations

import keras

from .._reading.model import all_layers, state_variables


def watched_variables(model: keras.Model) -> list[keras.Variable]:
    """Weights (trainable and not) and stateful RNN states: what the numbers depend on.

    Seed-generator and optimizer variables are left out: they change without changing
    any number the tool shows.
    """
    seen: set[int] = set()
    out = []
    states = [v for _, layer in all_layers(model) for v in state_variables(layer)]
    for var in [*model.weights, *states]:
        if id(var) not in seen:
            seen.add(id(var))
            out.append(var)
    return out


class ModelWatch:
    """Exact change detection for one model's weights and stateful states.

    Call :meth:`mark` after computing from the model; :meth:`changed` then says whether
    any watched variable differs from what was marked (or variables were added, removed
    or reshaped, e.g. by rebuilding a layer).
    """

    def __init__(self, model: keras.Model) -> None:
        self._model = model
        self._saved: list[tuple[keras.Variable, object]] | None = None

    def mark(self) -> None:
        """Remember the current values (one copy, kept in the backend)."""
        self._saved = [(v, keras.ops.copy(v.value)) for v in watched_variables(self._model)]

    def changed(self) -> bool:
        """True if anything watched differs from the last :meth:`mark` (True before one)."""
        if self._saved is None:
            return True
        live = watched_variables(self._model)
        if len(live) != len(self._saved):
            return True
        for var, (old, saved) in zip(live, self._saved, strict=True):
            if var is not old or tuple(var.shape) != tuple(saved.shape):
                return True
            if not _same(var.value, saved):
                return True
        return False


def _same(a: object, b: object) -> bool:
    """Element-wise equal, NaN equal to NaN (a model with NaN weights is not 'changed')."""
    if bool(keras.ops.all(keras.ops.equal(a, b))):
        return True
    if "float" not in str(keras.backend.standardize_dtype(b.dtype)):
        return False
    both_nan = keras.ops.logical_and(keras.ops.isnan(a), keras.ops.isnan(b))
    return bool(keras.ops.all(keras.ops.logical_or(keras.ops.equal(a, b), both_nan)))
