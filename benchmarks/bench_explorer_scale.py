"""The explorer at dataset scale: every interaction against Keras on ONE sample.

Model ``Input((2000, 8)) -> LSTM(128, return_sequences=True) -> LSTM(64) -> Dense(3)``,
x = (1000, 2000, 8) float32 (a whole-batch trace of it would be 6 GiB). In one process,
each as a ratio to Keras ``predict_on_batch`` of one sample (median of repeats):

- construction to first overview (goal <= 3): the first one (compiles the layers after the
  LSTM once) and the median of later ones;
- slider move = setting ``explorer.edits`` (goal <= 1.5);
- unit set = a unit's c zeroed from the unit menu, ``edits["interventions"]`` (goal <= 1.5);
- sample switch (goal <= 1.5);
- attribution on for the shown sample, integrated gradients (goal <= 10): the first time
  (TensorFlow traces the gradient function) and the median for other samples; and the
  windows method (8 donors from the other samples; no goal set);
- the kernel's peak RSS growth over the whole scenario (goal <= 1.5 GiB);
- the model-change check run before every interaction, here and on a 12.6M-parameter
  model, against a full weight copy (``model.get_weights()``).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import resource  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

import lstm_widget as lw  # noqa: E402
from lstm_widget._explorer.watch import ModelWatch  # noqa: E402

BATCH, STEPS, FEATURES = 1000, 2000, 8


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def watch_cost(model: keras.Model) -> tuple[float, float]:
    watch = ModelWatch(model)
    watch.mark()
    check = median_time(lambda k: watch.changed(), 9)
    copy = median_time(lambda k: model.get_weights(), 5)
    return check, copy


def main() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((STEPS, FEATURES)),
            keras.layers.LSTM(128, return_sequences=True),
            keras.layers.LSTM(64),
            keras.layers.Dense(3),
        ]
    )
    x = np.random.default_rng(0).normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    one = x[:1]
    t_keras = median_time(lambda k: model.predict_on_batch(one), 7)

    start_rss = rss_bytes()
    t_first = timed(lambda: lw.LSTMExplorer(model, x))
    t_construct = median_time(lambda k: lw.LSTMExplorer(model, x, sample=10 + k), 3)
    explorer = lw.LSTMExplorer(model, x)

    def slider(k):
        explorer.edits = {"forget": {"bias_shift": -1.0 + 0.05 * k}}

    t_slider = median_time(slider, 9)
    explorer.edits = {}

    def unit_set(k):  # the unit menu: a new unit's c zeroed at every step
        explorer.edits = {"interventions": [{"units": [k + 1], "array": "c", "value": 0.0}]}

    t_unit = median_time(unit_set, 9)
    assert explorer.edited_prediction and not explorer.error, explorer.error
    explorer.edits = {}

    def switch(k):
        explorer.sample = 100 + k + 1  # a sample not shown before

    t_switch = median_time(switch, 9)

    def attribution_on(k, method="integrated_gradients"):
        explorer.attribution_method = "none"
        explorer.sample = 500 + k + 1  # not timed in a real session: a separate interaction
        t0 = time.perf_counter()
        explorer.attribution_method = method
        return time.perf_counter() - t0

    t_attr_first = attribution_on(-1)
    t_attr = float(np.median([attribution_on(k) for k in range(5)]))
    t_masks = float(np.median([attribution_on(10 + k, "masks") for k in range(5)]))
    t_win = float(np.median([attribution_on(20 + k, "windows") for k in range(5)]))
    assert explorer.attribution.get("data") is not None, explorer.attribution
    growth = peak_rss_bytes() - start_rss
    check, copy = watch_cost(model)
    info = explorer.cache_info()

    big = keras.Sequential(
        [
            keras.Input((10, 8)),
            keras.layers.LSTM(1024, return_sequences=True),
            keras.layers.LSTM(1024),
            keras.layers.Dense(3),
        ]
    )
    big_check, big_copy = watch_cost(big)

    def row(name, t, goal=None):
        ratio = f"ratio {t / t_keras:6.2f}" + (f"  (goal <= {goal})" if goal else "")
        print(f"{name:<44}{t * 1e3:9.1f} ms  {ratio}")

    print(f"keras {keras.__version__}; LSTM(128, seq) -> LSTM(64) -> Dense(3); x {x.shape}")
    print(f"{'Keras predict_on_batch, one sample':<44}{t_keras * 1e3:9.1f} ms")
    row("construction to first overview, first", t_first, 3)
    row("construction to first overview, later", t_construct, 3)
    row("slider move (edits)", t_slider, 1.5)
    row("unit set (edits['interventions'])", t_unit, 1.5)
    row("sample switch", t_switch, 1.5)
    row("attribution on (integrated gradients), first", t_attr_first, 10)
    row("attribution on (integrated gradients), later", t_attr, 10)
    row("attribution on (masks, 192 pairs), later", t_masks)
    row("attribution on (windows, 8 donors), later", t_win)
    print(f"masks / integrated gradients: {t_masks / t_attr:.1f} (goal <= 5)")
    print(
        f"peak RSS growth over the scenario: {growth / 2**30:.2f} GiB (goal <= 1.5); "
        f"cache {info['bytes'] / 2**20:.0f} MiB in {len(info['entries'])} entries"
    )
    print(
        f"model-change check: {check * 1e3:.2f} ms for {model.count_params():,} parameters "
        f"(get_weights copy {copy * 1e3:.2f} ms); {big_check * 1e3:.2f} ms for "
        f"{big.count_params():,} (copy {big_copy * 1e3:.2f} ms)"
    )


if __name__ == "__main__":
    main()
