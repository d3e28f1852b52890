"""LSTMExplorer in a real JupyterLab, driven by headless Chromium."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from .lab import ARTIFACTS, KERNEL_HEAD, TOKEN

SETUP = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([keras.Input((12, 3)), keras.layers.LSTM(6, name="rnn"),
                          keras.layers.Dense(1)])
x = np.random.default_rng(0).normal(size=(2, 12, 3)).astype("float32")
w = LSTMExplorer(model, x)
w"""
)
REPORT = 'print("STATE", {"step": w.step, "sample": w.sample, "view": w.view})'


def write_notebook(root: Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, root / name)
    return name


def command(page, name: str) -> None:
    """Start a JupyterLab command without awaiting it (run-all resolves only when done)."""
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute({name!r}); }}")


def open_and_run(page, lab_url: str, name: str, steps: int = 12) -> None:
    """Open a notebook, run all cells, and wait for its explorer of ``steps`` steps."""
    page.goto(f"{lab_url}/lab/tree/{name}?reset&token={TOKEN}")  # reset: no tabs restored
    page.wait_for_function(
        "window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000
    )
    # the kernel is connected and idle (the status bar says so)
    page.get_by_text("| Idle").first.wait_for(timeout=90_000)
    command(page, "notebook:run-all-cells")
    page.wait_for_selector(".lstmw canvas.lstmw-base", timeout=90_000)
    page.wait_for_function(
        f"document.querySelector('.lstmw-status')?.textContent.startsWith('step 0 of {steps}')",
        timeout=30_000,
    )


def python_state(page) -> dict:
    """Run the last cell again and read the widget's Python traits from its output."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.last.locator(".jp-InputArea-editor").click()
    command(page, "notebook:run-cell")
    out = cells.last.locator(".jp-OutputArea-output")
    out.filter(has_text="STATE").wait_for(timeout=30_000)
    text = out.inner_text()
    return json.loads(re.search(r"STATE (.*)", text).group(1).replace("'", '"'))


@pytest.mark.browser
def test_keyboard_scrub_reaches_python(page, lab_url, lab_root):
    name = write_notebook(lab_root, "explorer.ipynb", [SETUP, REPORT])
    open_and_run(page, lab_url, name)
    widget = page.locator(".lstmw")
    widget.click(position={"x": 5, "y": 5})
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")  # +10, clamped to the last step
    page.wait_for_function(
        "document.querySelector('.lstmw-status').textContent.startsWith('step 11 of 12')"
    )
    page.keyboard.press("ArrowLeft")
    status = page.locator(".lstmw-status")
    assert status.inner_text().startswith("step 10 of 12")
    # the notebook did not take the arrow keys: still one widget, no cell moved
    assert page.locator(".lstmw").count() == 1
    page.wait_for_timeout(300)  # the playhead syncs to the kernel at most every 100 ms
    assert python_state(page)["step"] == 10
    widget.click(position={"x": 5, "y": 5})
    page.keyboard.press("Home")
    page.keyboard.press(" ")  # play: the playhead runs to the end, then the button says play
    page.wait_for_function(
        "document.querySelector('.lstmw-status').textContent.startsWith('step 11 of 12')"
    )
    page.locator(".lstmw-play").filter(has_text="▶ play").wait_for(timeout=5_000)
    page.wait_for_timeout(300)
    assert python_state(page)["step"] == 11


@pytest.mark.browser
def test_selectors_and_hover(page, lab_url, lab_root):
    name = write_notebook(lab_root, "selectors.ipynb", [SETUP, REPORT])
    open_and_run(page, lab_url, name)
    page.locator(".lstmw select").nth(1).select_option("f")
    page.locator(".lstmw").get_by_role("spinbutton", name="sample").fill("1")
    page.locator(".lstmw").get_by_role("spinbutton", name="sample").press("Enter")
    page.wait_for_function(
        "document.querySelector('.lstmw-prediction').textContent.includes('sample 1')"
    )
    state = python_state(page)
    assert state["view"] == "f" and state["sample"] == 1
    panels = page.locator(".lstmw-panels")
    box = panels.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + 34 * 1 + 17)  # forget gate row
    tip = page.locator(".lstmw-tooltip")
    tip.wait_for(state="visible")
    assert re.match(r"unit 5, step 0: f = 0\.\d+", tip.inner_text())
    page.locator(".lstmw").screenshot(path=str(ARTIFACTS / "explorer.png"))


LONG = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([keras.Input((None, 2)), keras.layers.LSTM(4)])
x = np.random.default_rng(0).normal(size=(1, 100_000, 2)).astype("float32")
w = LSTMExplorer(model, x)
w"""
)


@pytest.mark.browser
def test_long_sequence_fetches_windows_on_demand(page, lab_url, lab_root):
    name = write_notebook(lab_root, "long.ipynb", [LONG, REPORT])
    page.goto(f"{lab_url}/lab/tree/{name}?reset&token={TOKEN}")
    page.get_by_text("| Idle").first.wait_for(timeout=90_000)
    command(page, "notebook:run-all-cells")
    status = page.locator(".lstmw-status")
    status.filter(has_text=re.compile(r"^step 0 of 100000$")).wait_for(timeout=90_000)
    page.locator(".lstmw").click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    # far outside the first window: values load on request, then the status says so
    status.filter(has_text=re.compile(r"^step 99999 of 100000$")).wait_for(timeout=30_000)
    page.locator(".lstmw-panels").hover(position={"x": 200, "y": 34 * 5 + 17})
    assert re.match(r"unit \d, step 99999: h = -?\d", page.locator(".lstmw-tooltip").inner_text())
    page.wait_for_timeout(300)
    assert python_state(page)["step"] == 99999


@pytest.mark.browser
def test_gate_slider_recomputes_prediction(page, lab_url, lab_root):
    report = 'print("STATE", {"step": w.step, "edits": w.edits, "done": w.edit_done})'
    name = write_notebook(lab_root, "whatif.ipynb", [SETUP, report])
    open_and_run(page, lab_url, name)
    page.locator(".lstmw-editor summary").click()
    slider = page.locator(".lstmw-gate-row[data-gate=forget] input[data-field=bias_shift]")
    slider.fill("-2")
    readout = page.locator(".lstmw-prediction")
    # "edited: …" while the kernel computes it, then the number
    readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for(timeout=30_000)
    base, edited = re.findall(r"-?\d+\.\d+", readout.inner_text().split("sample 0:")[1])[:2]
    assert base != edited
    page.wait_for_timeout(300)
    state = python_state(page)
    assert state["edits"] == {"forget": {"bias_shift": -2}} and state["done"] >= 1


@pytest.mark.browser
def test_attribution_strip(page, lab_url, lab_root):
    name = write_notebook(lab_root, "attr.ipynb", [SETUP, REPORT])
    open_and_run(page, lab_url, name)
    assert not page.locator(".lstmw-attr").is_visible()
    page.locator(".lstmw").get_by_label("attribution").select_option("occlusion")
    note = page.locator(".lstmw-attr-note")
    note.filter(has_text="Largest share: step").wait_for(timeout=60_000)
    assert page.locator(".lstmw-attr").is_visible()
    assert "replaced by the baseline" in note.inner_text()
    # the method that found planted evidence best is offered first, and named so
    attribution = page.locator(".lstmw").get_by_label("attribution")
    assert attribution.locator("option").nth(1).inner_text() == "random masks (best measured)"
    attribution.select_option("masks")
    note.filter(has_text="rather than another sample's").wait_for(timeout=60_000)
    assert "Largest share: step" in note.inner_text()


@pytest.mark.browser
def test_unit_menu_sets_a_unit_inside_the_recurrence(page, lab_url, lab_root):
    """Right-click a unit's bar: "c = 0" there is lw.intervene's, prediction included."""
    report = (
        "import json\nimport lstm_widget as lw\nunits = w.edits.get('interventions')\n"
        "ref = lw.intervene(model, x[[w.sample]], units).edited_output if units else None\n"
        'print("STATE", json.dumps({"edits": w.edits, "pred": w.edited_prediction, '
        '"ref": None if ref is None else float(ref[0, 0])}))'
    )
    name = write_notebook(lab_root, "units.ipynb", [SETUP, report])
    open_and_run(page, lab_url, name)
    page.locator(".lstmw-panels").click(position={"x": 200, "y": 34 * 5 + 17}, button="right")
    menu = page.locator(".lstmw-unit-menu")
    menu.wait_for(timeout=5_000)
    unit = int(re.search(r"unit (\d+)", menu.inner_text()).group(1))
    menu.locator("[data-array=c] button", has_text="c = 0").click()
    assert not menu.is_visible()
    readout = page.locator(".lstmw-prediction")
    readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for(timeout=30_000)
    assert page.locator(".lstmw-units-set").inner_text().count(f"c[{unit}] = 0") == 1
    page.wait_for_timeout(300)
    state = python_state(page)
    assert state["edits"] == {"interventions": [{"units": [unit], "array": "c", "value": 0}]}
    assert abs(state["pred"][0] - state["ref"]) < 1e-5
    # dragged: h of the same unit follows the menu's slider
    page.locator(".lstmw-panels").click(position={"x": 200, "y": 34 * 5 + 17}, button="right")
    menu.locator("[data-array=h] input[type=range]").fill("0.5")
    page.locator(".lstmw-units-set").filter(has_text=f"h[{unit}] = 0.5").wait_for(timeout=30_000)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    state = python_state(page)
    assert state["edits"]["interventions"][1] == {"units": [unit], "array": "h", "value": 0.5}
    assert abs(state["pred"][0] - state["ref"]) < 1e-5
    page.locator(".lstmw-units-set button", has_text="clear units").click()
    readout.filter(has_not_text="edited").wait_for(timeout=30_000)
