"""The explorer as a still picture: the saved notebook's PNG, drawn as the widget shows it.

A mixin of :class:`lstm_widget.LSTMExplorer`: it reads the explorer's traits and its
``current_trace``, ``edited_trace`` and ``_shown``.
"""

from __future__ import annotations

import base64
from typing import Any

from .._analyses.edits import edits_text
from .._view.plot import draw_view, figure_png
from .intervening import interventions_text, split_edits
from .parts import Difference


class PictureMixin:
    """``figure()`` and the PNG beside the widget in a saved notebook."""

    def figure(self):  # noqa: ANN201
        """The view as the widget shows it, as a matplotlib Figure (the saved notebook's PNG).

        The shown array of the shown sample as :attr:`compare` shows it (baseline, edited,
        or edited minus baseline), the edits and the probe-input note under the title, the
        steps the timeline shows (:attr:`visible_range`, the zoom), the step labels and the
        playhead (see :func:`lstm_widget.plot_trace`).
        """
        base = self.current_trace()
        shown = self._shown(self.sample)
        compared = ""
        if isinstance(shown, Difference):
            compared = "edited − baseline"
        elif self.compare == "edited" and self.edited_trace() is not None:
            compared = "edited"
        weights, interventions = split_edits(self.edits)
        said = [edits_text(weights)] if weights else []
        said += [interventions_text(interventions)] if interventions else []
        lines = [f"edits: {'; '.join(said)}"] if compared else []
        lines += [self.probe_note] if self.probe_note else []
        span = tuple(self.visible_range)
        zoomed = len(span) == 2 and 0 <= span[0] < span[1] <= self.n_steps
        return draw_view(
            shown.array(self.view),
            base.SHORT.get(self.view, self.view),
            base.inputs,
            base.layer,
            0,
            self.step,
            self.feature_names,
            sample_label=self.sample,
            step_labels=self.labels or None,
            compared=compared,
            centred=isinstance(shown, Difference),
            lines=lines,
            span=span if zoomed else None,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None and not self.error:
            png = figure_png(self.figure())
            data["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle
