"""What is shown, outside the widget: static figures and the data's shape for display.

- ``plot``: ``plot_trace``, ``plot_attribution``, ``plot_gate_saturation`` (matplotlib;
  the PNG fallback of a saved notebook).
- ``labels``: step labels (dates, tokens, vocabularies).
- ``overview``: downsampling long arrays for display.
- ``serialization``: numpy arrays as binary buffers for the front end.
- ``page_model``: a recurrent layer and the layers after it as a page without a kernel
  computes them (``js/src/core/head.ts``); ``page_file``: the exported file itself (the
  data's blob, the Content-Security-Policy, the atomic write, the iframe).

May import: ``_analyses``, ``_cells``, ``_reading``, ``_base``.
"""
