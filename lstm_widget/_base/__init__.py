"""The ground floor: what every room stands on, importing nothing of lstm_widget.

- ``validate``: user input turned into checked numpy arrays, or a clear error.
- ``inputs``: streams of batches (generators, ``tf.data``), a seeded probe input.
- ``activations``: the layer's activation functions on numpy, Keras 2's hard sigmoid.
- ``progress``: tqdm progress bars for long batch work.

May import: nothing of lstm_widget.
"""
