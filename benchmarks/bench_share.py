"""The explorer saved as one HTML file (#28): its size, opening it, a slider move in it.

Model ``Input((2000, 8)) -> LSTM(128) -> Dense(1)``, x = (20, 2000, 8) float32, all 20
samples exported (``explorer.save_html(path, samples=range(20))``). Opened from disk in
headless Chromium with every network request aborted:

- file size (goal <= 5 MB: weights and inputs travel, the page computes the traces);
- open -> timeline drawn: from navigation start to the first overview drawn (goal <= 1 s),
  and to the step values drawn;
- slider move -> redrawn timeline, showing the edited trace: from a what-if slider's input
  event to the redrawn timeline, 10 positions (goal <= 250 ms, the kernel path's goal);
- for scale, Keras ``predict_on_batch`` of one sample in this process, and the kernel
  explorer's slider move (setting ``explorer.edits``) on the same model and sample.

Run: ``.venv/bin/python benchmarks/bench_share.py`` (needs ``bash .ci/setup``).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402
from bench_widget_browser import DRAG  # noqa: E402  (a slider's input event -> redrawn)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

import lstm_widget as lw  # noqa: E402
from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SAMPLES, STEPS, FEATURES, UNITS = 20, 2000, 8, 128


def main() -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), keras.layers.LSTM(UNITS), keras.layers.Dense(1)]
    )
    x = np.random.default_rng(0).normal(size=(SAMPLES, STEPS, FEATURES)).astype("float32")
    explorer = lw.LSTMExplorer(model, x, compare="edited")
    path = Path(tempfile.mkdtemp(prefix="lstmw-share-")) / "explorer.html"
    t0 = time.perf_counter()
    explorer.save_html(path, samples=range(SAMPLES))
    export = time.perf_counter() - t0
    size = path.stat().st_size

    predict = median_time(lambda k: model.predict_on_batch(x[:1]), 9)
    kernel_slider = median_time(
        lambda k: setattr(explorer, "edits", {"forget": {"bias_shift": -0.25 * (k + 2)}}), 5
    )

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opens, drags, asked = [], [], []
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri()
                       else (asked.append(r.request.url), r.abort()))  # fmt: skip
            page.goto(path.as_uri())
            page.wait_for_function("performance.getEntriesByName('lstmw-ready').length > 0")
            opens.append(page.evaluate(
                "[performance.getEntriesByName('lstmw-overview-drawn')[0].startTime,"
                " performance.getEntriesByName('lstmw-ready')[0].startTime]"
            ))  # fmt: skip
            page.locator(".lstmw-editor summary").click()
            drags += page.evaluate(DRAG, 10)
            page.close()
        browser.close()
    drawn = statistics.median(o[0] for o in opens)
    ready = statistics.median(o[1] for o in opens)
    drags.sort()
    print(f"LSTM({UNITS}) -> Dense(1), {SAMPLES} samples x {STEPS} steps x {FEATURES} features")
    print(f"file: {size / 1e6:.2f} MB (goal <= 5), written in {export:.1f} s")
    print(
        f"open from disk -> timeline drawn: {drawn:.0f} ms (goal <= 1000); step values "
        f"drawn: {ready:.0f} ms  (median of 3 openings)"
    )
    print(
        f"slider move -> edited timeline redrawn in the page: median "
        f"{statistics.median(drags):.0f} ms, max {drags[-1]:.0f} ms (goal <= 250; 30 moves)"
    )
    print(
        f"for scale: Keras predict_on_batch of one sample {predict * 1e3:.0f} ms; the kernel "
        f"explorer's slider move {kernel_slider * 1e3:.0f} ms "
        f"({kernel_slider / predict:.2f} x predict)"
    )
    print(f"network requests attempted: {len(asked)} (goal: none)")


if __name__ == "__main__":
    main()
