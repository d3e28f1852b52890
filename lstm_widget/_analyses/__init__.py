"""Analyses built on traces: what-if edits, attribution over steps, dataset-scale patterns.

- ``edits``, ``whatif``: what an edit is; ``what_if`` and ``edited_model`` (on copies).
- ``attribution``: ``step_attribution``, which calls ``masks`` (random halves of the
  windows exchanged with other samples' steps, the default) and ``windows`` (one window
  at a time), both drawing from ``donors``; ``integrated``, ``backprop``, ``bptt``
  (integrated gradients with our own backpropagation through time) and ``decomposition``
  (the cell decomposition and ``memory_horizon``).
- ``interventions``, ``effects``, ``after``: ``intervene`` and ``patch`` (units of c or h
  set inside the recurrence), ``unit_effects`` (every unit ablated in one batched run), and
  the layers after a recurrent layer run in Keras on a trace.
- ``stream``, ``patterns``: passes over a dataset block by block; ``match_pattern``,
  ``unit_correlation``, ``gate_saturation``.

May import: ``_cells``, ``_reading``, ``_base``.
"""
