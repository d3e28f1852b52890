"""Tutorial 05 exported by ``nbconvert --to html`` and opened from disk, offline: the shared
explorer in it (``explorer.share()``, an iframe's srcdoc) works without a kernel, and its
edited prediction equals Keras's for a model rebuilt from the weights the page holds."""

import base64
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import lstm_widget as lw

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_what_if.ipynb"


def _page_of(notebook: Path) -> str:
    """The srcdoc of the shared explorer in the committed notebook's outputs."""
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("data", {}).get("text/html", []))
            if "<iframe srcdoc=" in text:
                return html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))
    raise AssertionError(f"{notebook.name} has no shared explorer output")


def _rebuild(page: str):
    """The model and inputs the page holds, as a Keras model and arrays."""
    found = re.search(r'id="lstmw-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(found)
    blob = np.frombuffer(base64.b64decode(data["blob"]), "<f4")

    def arr(ref):
        return blob[ref["offset"] : ref["offset"] + int(np.prod(ref["shape"]))].reshape(
            ref["shape"]
        )

    model = data["models"][0]
    refs = model["arrays"]
    cell = model["description"]["layer"]["cell"]
    dense = model["description"]["after"][0]
    steps_features = data["samples"][0]["inputs"][model["description"]["layer"]["name"]]["shape"]
    rebuilt = keras.Sequential([
        keras.Input(tuple(steps_features)), keras.layers.LSTM(cell["units"]), keras.layers.Dense(1),
    ])  # fmt: skip
    weights = [arr(refs[cell[k]]) for k in ("kernel", "recurrentKernel", "bias")]
    weights += [arr(refs[dense["kernel"]]), arr(refs[dense["bias"]])]
    rebuilt.set_weights(weights)
    path = model["description"]["layer"]["name"]
    x = np.stack([arr(s["inputs"][path]) for s in data["samples"]])
    return rebuilt, x, data


def test_tutorial_05_exported_to_html_stays_interactive(browser, tmp_path):
    rebuilt, x, data = _rebuild(_page_of(NOTEBOOK))
    np.testing.assert_allclose(
        rebuilt.predict_on_batch(x[:1])[0], data["samples"][0]["prediction"], atol=1e-5
    )  # fmt: skip  (the page's weights are the model's)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(NOTEBOOK),
         "--output-dir", str(tmp_path), "--log-level", "WARN"],
        check=True,
    )  # fmt: skip
    exported = tmp_path / "05_what_if.html"
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    from_page = []

    def route(r):
        if r.request.frame.url == "about:srcdoc":
            from_page.append(r.request.url)
        if r.request.url == exported.as_uri():
            return r.continue_()
        return r.abort()  # nothing from the network, for the notebook's page either

    page.route("**/*", route)
    problems = []
    page.on("console", lambda m: "lstmw" in m.text and problems.append(m.text))
    page.goto(exported.as_uri())
    frame = page.frame_locator("iframe[srcdoc]")
    status = frame.locator(".lstmw-status")
    status.filter(has_text=re.compile(r"^step \d+ of 10")).wait_for()
    # the edit made in the notebook travels with the page: forget bias -3
    readout = frame.locator(".lstmw-prediction")
    readout.filter(has_text="edited:").wait_for()
    # another sample, the playhead at its end, a zoom
    sample = frame.locator(".lstmw").get_by_label("sample")
    sample.fill("4")
    sample.press("Enter")
    readout.filter(has_text="sample 4:").wait_for()
    frame.locator(".lstmw").focus()
    page.keyboard.press("End")
    status.filter(has_text=re.compile(r"^step 9 of 10")).wait_for()
    box = frame.locator(".lstmw-overlay").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 20)
    page.mouse.wheel(0, -400)
    frame.locator(".lstmw-zoom").filter(has_text="reset zoom").wait_for()
    # a forget-bias slider move, computed in the page
    slider = frame.locator(".lstmw-gate-row[data-gate=forget] input[data-field=bias_shift]")
    if not slider.is_visible():  # the box opens by itself when the page has edits
        frame.locator(".lstmw-editor summary").click()
    slider.fill("-1")
    readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for()
    page.wait_for_timeout(300)
    text = readout.inner_text()
    base, edited = (float(v) for v in re.findall(r"-?\d+\.\d+", text.split("sample 4:")[1])[:2])
    want = lw.what_if(rebuilt, x[[4]], {"forget": {"bias_shift": -1.0}})
    assert abs(base - float(want.baseline_output[0, 0])) < 1e-4
    assert abs(edited - float(want.edited_output[0, 0])) < 1e-4
    assert from_page == [] and problems == []
    context.close()
