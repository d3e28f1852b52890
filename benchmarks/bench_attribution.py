"""Attribution speed: masks (the default), windows, integrated gradients (32 path steps), occlusion.

64 samples x 100 steps x 8 features, LSTM(64) -> Dense(1); median of repeats after a
warm-up, Keras ``predict_on_batch`` of the same input for scale. Then one sample, as the
explorer attributes it (masks and windows against 63 other samples; integrated gradients
alone).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

import lstm_widget as lw  # noqa: E402


def main() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((100, 8)), keras.layers.LSTM(64), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(64, 100, 8)).astype("float32")
    t_keras = median_time(lambda _k: model.predict_on_batch(x), 3)
    t_masks = median_time(lambda _k: lw.step_attribution(model, x), 3)
    t_win = median_time(lambda _k: lw.step_attribution(model, x, "windows"), 3)
    t_ig = median_time(lambda _k: lw.step_attribution(model, x, "integrated_gradients"), 3)
    t_occ = median_time(lambda _k: lw.step_attribution(model, x, method="occlusion"), 3)
    t_cd = median_time(lambda _k: lw.step_attribution(model, x, method="cell_decomposition"), 3)
    print(f"keras {keras.__version__}; 64 x 100 x 8, LSTM(64) -> Dense(1)")
    print(f"Keras predict_on_batch             {t_keras:8.3f} s")
    print(
        f"masks (192 run pairs)              {t_masks:8.3f} s  ({t_masks / t_keras:6.1f} x predict)"
    )
    print(f"windows (8 donors x 48 windows)    {t_win:8.3f} s  ({t_win / t_keras:6.1f} x predict)")
    print(f"integrated gradients (32 steps)    {t_ig:8.3f} s  ({t_ig / t_keras:6.1f} x predict)")
    print(f"occlusion (100 re-runs, batched)   {t_occ:8.3f} s  ({t_occ / t_keras:6.1f} x predict)")
    print(f"cell decomposition (exact)         {t_cd:8.3f} s  ({t_cd / t_keras:6.1f} x predict)")
    one, others = x[:1], x[1:]
    t1_masks = median_time(lambda _k: lw.step_attribution(model, one, background=others), 5)
    t1_win = median_time(
        lambda _k: lw.step_attribution(model, one, "windows", background=others), 5
    )
    t1_ig = median_time(lambda _k: lw.step_attribution(model, one, "integrated_gradients"), 5)
    print("one sample, as in the explorer:")
    for name, t in (("masks", t1_masks), ("windows", t1_win)):
        print(f"{name:<35}{t:8.3f} s  ({t / t1_ig:6.1f} x integrated gradients)")
    print(f"integrated gradients (32 steps)    {t1_ig:8.3f} s")


if __name__ == "__main__":
    main()
