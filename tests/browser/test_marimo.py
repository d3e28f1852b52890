"""The live explorer in marimo (``mo.ui.anywidget(explorer)``), driven in Chromium: the
kernel's traits, the window messages and a what-if slider work through marimo's host."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import keras
import numpy as np
import pytest

import lstm_widget as lw

from .lab import free_port

pytestmark = pytest.mark.browser

APP = """\
import marimo

app = marimo.App()


@app.cell
def _():
    import os

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    import marimo as mo
    import numpy as np

    import lstm_widget as lw

    model = keras.saving.load_model({model!r})
    x = np.load({x!r})
    widget = mo.ui.anywidget(lw.LSTMExplorer(model, x, sample=1))
    widget
    return


if __name__ == "__main__":
    app.run()
"""


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("marimo")
    keras.utils.set_random_seed(5)
    model = keras.Sequential([
        keras.Input((20, 3)), keras.layers.LSTM(5, name="rnn"), keras.layers.Dense(1, name="d"),
    ])  # fmt: skip
    x = np.random.default_rng(5).normal(size=(3, 20, 3)).astype("float32")
    model.save(root / "model.keras")
    np.save(root / "x.npy", x)
    app = root / "app.py"
    app.write_text(APP.format(model=str(root / "model.keras"), x=str(root / "x.npy")))
    port = free_port()
    cmd = [sys.executable, "-m", "marimo", "run", str(app), "--headless", "--no-token",
           "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    log = open(root / "marimo.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail(f"marimo did not start: {(root / 'marimo.log').read_text()}")
                time.sleep(0.5)
        yield url, model, x
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_live_explorer_in_marimo(page, marimo_app):
    url, model, x = marimo_app
    page.goto(url)
    status = page.locator(".lstmw-status")
    status.filter(has_text="step 0 of 20").wait_for(timeout=90_000)
    # the window messages reach the kernel and back: the bars' values arrive
    page.locator(".lstmw-panels").hover(position={"x": 200, "y": 34 * 4 + 17})
    tip = page.locator(".lstmw-tooltip")
    tip.filter(has_text="step 0: c = ").wait_for()
    unit = int(tip.inner_text().split(",")[0].removeprefix("unit "))
    shown = float(tip.inner_text().split("= ")[1])
    want = lw.trace(model, x[[1]]).cell_state[0, 0, unit]
    assert abs(shown - want) < 1e-5
    # keys move the playhead (marimo does not take them)
    page.locator(".lstmw").focus()
    page.keyboard.press("End")
    status.filter(has_text="step 19 of 20").wait_for()
    # a what-if slider: the kernel recomputes the edited prediction
    page.locator(".lstmw-editor summary").click()
    page.locator(".lstmw-gate-row[data-gate=forget] input[data-field=bias_shift]").fill("-2")
    readout = page.locator(".lstmw-prediction")
    readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for(timeout=60_000)
    edited = float(re.findall(r"-?\d+\.\d+", readout.inner_text().split("edited:")[1])[0])
    want = lw.what_if(model, x[[1]], {"forget": {"bias_shift": -2.0}}).edited_output[0, 0]
    assert abs(edited - want) < 1e-4
