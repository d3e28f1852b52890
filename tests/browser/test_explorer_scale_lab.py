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


# Integrated gradients through TensorFlow's gradient take seconds here: long work to watch.
# (A Masking layer, which never masks here, keeps them off our faster backward pass.)
SLOW_ATTRIBUTION = BIG_BATCH.replace(
    "keras.Input((300, 3)), ", "keras.Input((300, 3)), keras.layers.Masking(99.0), "
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
    status = open_big(page, lab_url, lab_root, "progress.ipynb", SLOW_ATTRIBUTION)
    busy = page.locator(".lstmw-busy")
    assert busy.is_hidden()
    # integrated gradients: TensorFlow traces the gradient of two LSTMs first (seconds)
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
    assert busy.is_visible(), "the computation ended too soon to test scrubbing during it"
    busy.wait_for(state="hidden", timeout=120_000)
    note = page.locator(".lstmw-attr-note")
    note.filter(has_text="Largest share: step").wait_for(timeout=30_000)
    assert "integrated gradients" in note.inner_text()
    page.wait_for_timeout(300)
    assert python_state(page)["busy"] == ""
    assert errors == []
