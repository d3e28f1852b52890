"""LSTMExplorer in a real browser: first render, redraw per playhead move, bytes per move.

Starts JupyterLab and headless Chromium (like the browser tests), shows an explorer of an
LSTM(256) over 2,000 steps and measures inside the page:

- first render: from ``render()`` to the first full draw with step values (performance marks);
- redraw: the synchronous work of one ArrowRight (timeline playhead + six panels), 200 moves;
- bytes per move: kernel -> browser WebSocket bytes while moving, and how many of the
  window replies (the only data messages) were among them;
- slider drag at dataset scale: the model of ``bench_explorer_scale.py`` (LSTM(128) ->
  LSTM(64) -> Dense(3)) on x = (1000, 2000, 8), showing the edited trace; from a what-if
  slider's input event to the redrawn timeline, over 10 slider positions.

Run: ``.venv/bin/python benchmarks/bench_widget_browser.py`` (needs ``bash .ci/setup``).
"""

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, KERNEL_HEAD, TOKEN, jupyter_lab  # noqa: E402
from tests.browser.test_explorer_lab import command, write_notebook  # noqa: E402

UNITS, STEPS, FEATURES = 256, 2000, 8
SETUP = (
    KERNEL_HEAD
    + f"""\
model = keras.Sequential([keras.Input(({STEPS}, {FEATURES})), keras.layers.LSTM({UNITS})])
x = np.random.default_rng(0).normal(size=(1, {STEPS}, {FEATURES})).astype("float32")
w = LSTMExplorer(model, x)
w"""
)

MOVES = """async (n) => {
  const root = document.querySelector('.lstmw');
  root.focus();
  const times = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    root.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
    times.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => r()));
  }
  return times;
}"""


SCALE = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([keras.Input((2000, 8)), keras.layers.LSTM(128, return_sequences=True),
                          keras.layers.LSTM(64), keras.layers.Dense(3)])
x = np.random.default_rng(0).normal(size=(1000, 2000, 8)).astype("float32")
w = LSTMExplorer(model, x, compare="edited")
w"""
)

DRAG = """async (n) => {
  const slider = document.querySelector(
    '.lstmw-gate-row[data-gate=forget] input[data-field=bias_shift]');
  const drawn = () => performance.getEntriesByName('lstmw-overview-drawn').length;
  const times = [];
  for (let k = 1; k <= n; k++) {
    const before = drawn();
    const t0 = performance.now();
    slider.value = String(-0.25 * k);
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    while (drawn() === before) await new Promise((r) => setTimeout(r, 2));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def slider_drag(page, url: str, root: Path) -> list[float]:
    """Milliseconds from a slider's input event to the redrawn timeline, 10 positions."""
    name = write_notebook(root, "scale.ipynb", [SCALE])
    page.goto(f"{url}/lab/tree/{name}?reset&token={TOKEN}")
    page.get_by_text("| Idle").first.wait_for()
    command(page, "notebook:run-all-cells")
    page.wait_for_function("performance.getEntriesByName('lstmw-ready').length > 0")
    page.locator(".lstmw-editor summary").click()
    return sorted(page.evaluate(DRAG, 10))


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="lstmw-bench-"))
    name = write_notebook(root, "bench.ipynb", [SETUP])
    with jupyter_lab(root) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        received: list[int] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda f: received.append(len(f if isinstance(f, bytes) else f.encode())),
            ),
        )
        page.goto(f"{url}/lab/tree/{name}?reset&token={TOKEN}")
        page.get_by_text("| Idle").first.wait_for()
        command(page, "notebook:run-all-cells")
        page.wait_for_function("performance.getEntriesByName('lstmw-ready').length > 0")
        first = page.evaluate(
            "performance.getEntriesByName('lstmw-ready')[0].startTime"
            " - performance.getEntriesByName('lstmw-render-start')[0].startTime"
        )
        page.wait_for_timeout(1500)  # let trailing kernel messages arrive
        before_frames, before_bytes = len(received), sum(received)
        times = page.evaluate(MOVES, 200)
        page.wait_for_timeout(1500)
        moved_bytes = sum(received) - before_bytes
        frames = received[before_frames:]
        big = [b for b in frames if b > 100_000]  # a window reply for 256 units is MBs
        status = page.locator(".lstmw-status").inner_text()
        drag = slider_drag(browser.new_page(viewport={"width": 1400, "height": 1000}), url, root)
        browser.close()
    times.sort()
    print(f"explorer of LSTM({UNITS}) over {STEPS} steps, {FEATURES} features; {status}")
    print(
        f"first render (render() -> timeline and step values drawn): {first:.0f} ms  (goal <= 500)"
    )
    print(
        f"redraw per playhead move: median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(0.95 * len(times))]:.2f} ms, max {times[-1]:.2f} ms  (goal <= 16)"
    )
    print(
        f"kernel -> browser while moving 200 steps: {len(frames)} frames, {moved_bytes} bytes "
        f"({moved_bytes / 200:.0f} per move; the playhead reaches the kernel once it rests), "
        f"data windows: {len(big)}  (goal: none)"
    )
    print(
        "slider drag, LSTM(128) -> LSTM(64) -> Dense(3) on x (1000, 2000, 8), input event -> "
        f"redrawn timeline: median {statistics.median(drag):.0f} ms, max {drag[-1]:.0f} ms  "
        "(goal: median <= 250)"
    )


if __name__ == "__main__":
    main()
