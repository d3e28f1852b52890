"""lstm-widget: make trained Keras LSTM models legible.

Split an LSTM's weights into its gates (:func:`gate_weights`), recompute every gate and
state at every step exactly as Keras does (:func:`trace`), and explore them in a
notebook widget.
"""

try:
    import keras  # noqa: F401  (Keras 3 imports its backend here: TensorFlow unless told)
except ImportError as _err:
    raise ImportError(
        f"lstm-widget needs Keras 3 and a backend for it, and importing keras failed ({_err}). "
        'Install one with lstm-widget: pip install "lstm-widget[tensorflow]", or '
        'pip install "lstm-widget[jax]" and set KERAS_BACKEND=jax.'
    ) from _err

from ._analyses.attribution import Attribution, step_attribution
from ._analyses.decomposition import memory_horizon
from ._analyses.effects import UnitEffects, unit_effects
from ._analyses.interventions import Intervened, Patched, intervene, patch
from ._analyses.patterns import (
    Correlation,
    Matches,
    Saturation,
    gate_saturation,
    match_pattern,
    unit_correlation,
)
from ._analyses.whatif import WhatIf, edited_model, what_if
from ._base.activations import legacy_hard_sigmoid
from ._cells.gru_trace import GRU_TRACE_ARRAYS, GRUTrace
from ._cells.gru_weights import GRU_GATES, BidirectionalGRUGateWeights, GRUGate, GRUGateWeights
from ._cells.trace import TRACE_ARRAYS, BidirectionalTrace, Trace, trace
from ._cells.weights import GATES, BidirectionalGateWeights, Gate, GateWeights, gate_weights
from ._explorer.widget import LSTMExplorer
from ._reading.load import load_model
from ._reading.model import lstm_layers, recurrent_layers
from ._view.plot import plot_attribution, plot_gate_saturation, plot_trace

__version__ = "0.1.0"

__all__ = [
    "Attribution",
    "GATES",
    "TRACE_ARRAYS",
    "BidirectionalGateWeights",
    "BidirectionalGRUGateWeights",
    "GRU_GATES",
    "GRUGate",
    "GRUGateWeights",
    "GRU_TRACE_ARRAYS",
    "GRUTrace",
    "BidirectionalTrace",
    "Gate",
    "GateWeights",
    "LSTMExplorer",
    "Trace",
    "WhatIf",
    "gate_weights",
    "gate_saturation",
    "match_pattern",
    "unit_correlation",
    "plot_gate_saturation",
    "Correlation",
    "Matches",
    "Saturation",
    "legacy_hard_sigmoid",
    "load_model",
    "lstm_layers",
    "recurrent_layers",
    "memory_horizon",
    "plot_attribution",
    "plot_trace",
    "step_attribution",
    "trace",
    "edited_model",
    "what_if",
    "intervene",
    "Intervened",
    "patch",
    "Patched",
    "unit_effects",
    "UnitEffects",
]
