"""The explorer at dataset scale in a real JupyterLab: progress while the kernel works,
scrubbing meanwhile, and a 1,000-sample input that is traced one sample at a time."""

import re

import pytest

from .lab import ARTIFACTS, KERNEL_HEAD, TOKEN
from .test_explorer_lab import command, python_state, write_notebook
from .test_explorer_more import watch_errors

BIG_BATCH = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([keras.Input((300, 3)), keras.layers.LSTM(16, return_sequences=True),
                          keras.layers.LSTM(8), keras.layers.Dense(1)])
x = np.random.default_rng(0).normal(size=(1000, 300, 3)).astype("float32")
w = LSTMExplorer(model, x)
w"""
)
REPORT = """\
print("STATE", {"sample": w.sample, "step": w.step, "busy": w.busy,
                "samples": sorted({k[2] for k in w.cache_info()["entries"]})})"""


# Kernel work that lasts until the test has looked: the session's attribution waits at a
# gate (a file the test writes, 60 s at most) before it computes. A computation that merely
# takes a while ended before the checks on a loaded machine.
RELEASE = "release-attribution"
GATED_ATTRIBUTION = (
    BIG_BATCH
    + f"""
import pathlib, time
import lstm_widget._explorer.session as session_module
_attribution = session_module.step_attribution
def _gated(*args, **kwargs):
    deadline = time.monotonic() + 60
    while not pathlib.Path({RELEASE!r}).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return _attribution(*args, **kwargs)
session_module.step_attribution = _gated
w"""
)


def open_big(page, lab_url, lab_root, name, cell=BIG_BATCH):
    name = write_notebook(lab_root, name, [cell, REPORT])
    page.goto(f"{lab_url}/lab/tree/{name}?reset&token={TOKEN}")
    page.get_by_text("| Idle").first.wait_for(timeout=90_000)
    command(page, "notebook:run-all-cells")
    status = page.locator(".lstmw-status")
    status.filter(has_text=re.compile(r"^step 0 of 300$")).wait_for(timeout=90_000)
    return status


@pytest.mark.browser
def test_thousand_samples_scrub_and_switch(page, lab_url, lab_root):
    errors = watch_errors(page)
    status = open_big(page, lab_url, lab_root, "big.ipynb")
    sample = page.locator(".lstmw").get_by_role("spinbutton", name="sample")
    sample.fill("999")
    sample.press("Enter")
    page.locator(".lstmw-prediction").filter(has_text="sample 999").wait_for(timeout=30_000)
    page.locator(".lstmw").click(position={"x": 5, "y": 5})
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")
    status.filter(has_text=re.compile(r"^step 40 of 300$")).wait_for(timeout=10_000)
    page.locator(".lstmw-panels").hover(position={"x": 200, "y": 34 * 5 + 17})
    assert re.match(r"unit \d+, step 40: h = -?\d", page.locator(".lstmw-tooltip").inner_text())
    page.wait_for_timeout(300)
    state = python_state(page)
    assert state["sample"] == 999 and state["step"] == 40
    assert state["samples"] == [0, 999]  # traced: what was shown, not the batch
    assert errors == []


@pytest.mark.browser
def test_progress_shows_while_the_kernel_works_and_scrubbing_goes_on(page, lab_url, lab_root):
    errors = watch_errors(page)
    (lab_root / RELEASE).unlink(missing_ok=True)
    status = open_big(page, lab_url, lab_root, "progress.ipynb", GATED_ATTRIBUTION)
    busy = page.locator(".lstmw-busy")
    assert busy.is_hidden()
    # integrated gradients: held at the gate until the checks below are done
    page.locator(".lstmw").get_by_label("attribution").select_option("integrated_gradients")
    busy.wait_for(state="visible", timeout=10_000)
    assert "integrated gradients" in busy.inner_text()
    assert page.locator(".lstmw-busy progress").count() == 1
    page.locator(".lstmw").screenshot(path=str(ARTIFACTS / "busy.png"))
    # the browser has the data: scrubbing works while the kernel computes
    page.locator(".lstmw").click(position={"x": 5, "y": 5})
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert re.match(r"^step 3 of 300", status.inner_text())
    assert busy.is_visible()  # the kernel is still at work (held at the gate)
    (lab_root / RELEASE).write_text("go")
    busy.wait_for(state="hidden", timeout=120_000)
    note = page.locator(".lstmw-attr-note")
    note.filter(has_text="Largest share: step").wait_for(timeout=30_000)
    assert "integrated gradients" in note.inner_text()
    page.wait_for_timeout(300)
    assert python_state(page)["busy"] == ""
    assert errors == []
