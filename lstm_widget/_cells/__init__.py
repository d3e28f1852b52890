"""The cells: LSTM and GRU weights split into gates, and their recurrences run in numpy.

- ``split``, ``weights``, ``gru_weights``: ``gate_weights``, Keras's column blocks per gate.
- ``recurrence``: the LSTM recurrence, fast and exact to Keras.
- ``steps``: what traces have in common (per-step arrays, rows, start states).
- ``trace``, ``gru_trace``: ``trace`` — every gate and state at every step.

May import: ``_reading``, ``_base``.
"""
