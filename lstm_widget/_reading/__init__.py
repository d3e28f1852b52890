"""Reading Keras models: which layers are recurrent, what a layer is fed, models of every era.

- ``model``: finding LSTM and GRU layers (nested, Bidirectional), snapshots of states.
- ``nodes``, ``feed``: the call of a layer in a model's graph; its input, mask and initial
  state, computed by Keras.
- ``states``: stateful layers' state variables (Keras 3 and tf.keras).
- ``legacy``, ``time_major``: tf.keras 2 models and configs as Keras 3 models with the same
  numbers; time-major models as their batch-major twins.
- ``load``, ``old_configs``, ``h5_weights``, ``custom_layers``: model files of Keras 2.0-3.
- ``grad``: gradients with respect to the input from the backend Keras runs on.

May import: ``_base``.
"""
