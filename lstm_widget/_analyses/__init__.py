"""Analyses built on traces: what-if edits, attribution over steps, dataset-scale patterns.

- ``edits``, ``whatif``: what an edit is; ``what_if`` and ``edited_model`` (on copies).
- ``attribution``: ``step_attribution``, which calls ``windows`` (window replacement with
  other samples' steps), ``integrated``, ``backprop``, ``bptt`` (integrated gradients with our
  own backpropagation through time) and ``decomposition`` (the cell decomposition and
  ``memory_horizon``).
- ``stream``, ``patterns``: passes over a dataset block by block; ``match_pattern``,
  ``unit_correlation``, ``gate_saturation``.

May import: ``_cells``, ``_reading``, ``_base``.
"""
