"""What-if speed: one slider move vs Keras ``predict_on_batch`` of the same sample.

Model LSTM(128) -> Dense -> Dense over T=500 steps, one sample. Measured in one process,
median of repeats after a warm-up:

- explorer recompute: ``explorer.edits = {...}`` with the baseline cached (what a slider
  move costs in the kernel: edited trace, downstream layers in Keras, overview);
- ``what_if``: both traces and both outputs from scratch.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

import lstm_widget as lw  # noqa: E402


def main() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((500, 8)),
            keras.layers.LSTM(128),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    x = np.random.default_rng(0).normal(size=(1, 500, 8)).astype("float32")
    explorer = lw.LSTMExplorer(model, x)

    def keras_predict(k):
        model.predict_on_batch(x)

    def slider_move(k):
        explorer.edits = {"forget": {"bias_shift": -1.0 + 0.01 * k}}

    def what_if(k):
        lw.what_if(model, x, {"forget": {"bias_shift": -1.0 + 0.01 * k}})

    t_keras = median_time(keras_predict, 15)
    t_move = median_time(slider_move, 15)
    t_whatif = median_time(what_if, 15)
    print(f"keras {keras.__version__}; LSTM(128) -> Dense -> Dense, T=500, one sample")
    print(f"Keras predict_on_batch     {t_keras * 1e3:8.2f} ms")
    print(
        f"explorer slider move       {t_move * 1e3:8.2f} ms  "
        f"ratio {t_move / t_keras:5.2f} (goal <= 1.0)"
    )
    print(
        f"what_if (both traces)      {t_whatif * 1e3:8.2f} ms  "
        f"ratio {t_whatif / t_keras:5.2f} (goal <= 2.0)"
    )


if __name__ == "__main__":
    main()
