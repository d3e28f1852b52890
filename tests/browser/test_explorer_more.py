"""More of LSTMExplorer in real browsers: pixels, drag, layers, theme, escaping, two views,
console errors, and a Notebook 7 smoke test."""

import re

import pytest

from .lab import ARTIFACTS, KERNEL_HEAD, TOKEN, jupyter_lab
from .test_explorer_lab import REPORT, SETUP, command, open_and_run, python_state, write_notebook

STACKED = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([
    keras.Input((10, 2)),
    keras.layers.LSTM(5, return_sequences=True, name="low"),
    keras.layers.LSTM(3, name="<img src=x onerror=alert(1)>"),
])
x = np.random.default_rng(0).normal(size=(1, 10, 2)).astype("float32")
w = LSTMExplorer(model, x)
w"""
)

NOT_BLANK = """() => {
  const c = document.querySelector('.lstmw-base');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  for (let k = 0; k < d.length; k += 4 * 97) colours.add(d[k] + ',' + d[k + 1] + ',' + d[k + 2]);
  return colours.size;
}"""


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"console: {m.text}")
            if m.type == "error"
            and "lstmw" in (m.text + str(m.location)).lower()
            or m.type == "error"
            and "widget" in m.text.lower()
            else None
        ),
    )
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}") or d.dismiss())
    return errors


@pytest.mark.browser
def test_pixels_drag_and_no_errors(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "drag.ipynb", [SETUP, REPORT])
    open_and_run(page, lab_url, name)
    assert page.evaluate(NOT_BLANK) > 10, "the timeline canvas is blank"
    box = page.locator(".lstmw-overlay").bounding_box()
    left = box["x"] + 96  # the label gutter
    page.mouse.move(left + 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(left + (box["width"] - 96) * 0.55, box["y"] + 20, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    status = page.locator(".lstmw-status").first.inner_text()
    step = int(re.match(r"step (\d+) of 12", status).group(1))
    assert 5 <= step <= 7
    assert python_state(page)["step"] == step
    page.locator(".lstmw").screenshot(path=str(ARTIFACTS / "drag.png"))
    assert errors == []


@pytest.mark.browser
def test_layer_switch_and_names_are_text(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(
        lab_root,
        "stacked.ipynb",
        [STACKED, 'print("STATE", {"layer": w.layer, "units": w.n_units})'],
    )
    page.goto(f"{lab_url}/lab/tree/{name}?reset&token={TOKEN}")
    page.get_by_text("| Idle").first.wait_for(timeout=90_000)
    command(page, "notebook:run-all-cells")
    page.wait_for_selector(".lstmw canvas.lstmw-base", timeout=90_000)
    layer_select = page.locator(".lstmw").get_by_label("layer")
    options = layer_select.locator("option").all_inner_texts()
    assert options == ["low", "<img src=x onerror=alert(1)>"]
    assert page.locator(".lstmw img").count() == 0
    layer_select.select_option(index=1)
    page.wait_for_timeout(1000)
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.last.locator(".jp-InputArea-editor").click()
    command(page, "notebook:run-cell")
    out = cells.last.locator(".jp-OutputArea-output").filter(has_text="STATE")
    out.wait_for(timeout=30_000)
    assert "'units': 3" in out.inner_text() and "onerror" in out.inner_text()
    assert errors == []


@pytest.mark.browser
def test_dark_theme_and_two_views_in_sync(page, lab_url, lab_root):
    name = write_notebook(lab_root, "views.ipynb", [SETUP, "w", REPORT])
    page.goto(f"{lab_url}/lab/tree/{name}?reset&token={TOKEN}")
    page.get_by_text("| Idle").first.wait_for(timeout=90_000)
    command(page, "notebook:run-all-cells")
    views = page.locator(".lstmw")
    page.wait_for_function("document.querySelectorAll('.lstmw canvas.lstmw-base').length === 2")
    views.nth(0).click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    page.wait_for_function(
        "[...document.querySelectorAll('.lstmw-status:not(.lstmw-attr-note)')]"
        ".every(s => s.textContent.startsWith('step 11 of 12'))"
    )
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(500)
    bg = page.evaluate("getComputedStyle(document.querySelector('.lstmw')).backgroundColor")
    rgb = [int(v) for v in re.findall(r"\d+", bg)[:3]]
    assert sum(rgb) < 3 * 80, f"background {bg} is not dark"
    # labels are redrawn in the dark theme's (light) text colour: bright pixels in the gutter
    light_text = page.evaluate(
        """() => {
      const c = document.querySelectorAll('.lstmw-panels')[1];
      const d = c.getContext('2d').getImageData(0, 0, 80 * devicePixelRatio, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0 && d[k] > 150) n++;
      return n;
    }"""
    )
    assert light_text > 50
    views.nth(1).screenshot(path=str(ARTIFACTS / "dark.png"))


@pytest.mark.browser
def test_notebook7_smoke(browser, tmp_path):
    name = write_notebook(tmp_path, "nb7.ipynb", [SETUP])
    with jupyter_lab(tmp_path, app="notebook") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(90_000)
        page.goto(f"{url}/notebooks/{name}?token={TOKEN}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')")
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status"
            " === 'idle'"
        )
        command(page, "notebook:run-all-cells")
        page.wait_for_function(
            "document.querySelector('.lstmw-status')?.textContent.startsWith('step 0 of 12')"
        )
        page.locator(".lstmw").screenshot(path=str(ARTIFACTS / "notebook7.png"))
        page.close()


GRU_FIRST = (
    KERNEL_HEAD
    + """\
model = keras.Sequential([
    keras.Input((12, 3)),
    keras.layers.GRU(6, return_sequences=True, name="g"),
    keras.layers.LSTM(4, name="l"),
    keras.layers.Dense(1),
])
x = np.random.default_rng(0).normal(size=(2, 12, 3)).astype("float32")
w = LSTMExplorer(model, x)
w"""
)


@pytest.mark.browser
def test_a_gru_layer_shows_its_gates_and_sliders(page, lab_url, lab_root):
    errors = watch_errors(page)
    report = 'print("STATE", {"layer": w.layer, "view": w.view, "edits": w.edits})'
    name = write_notebook(lab_root, "gru.ipynb", [GRU_FIRST, report])
    open_and_run(page, lab_url, name)
    widget = page.locator(".lstmw")
    timeline = widget.get_by_label("timeline")
    assert timeline.locator("option").all_inner_texts() == [
        "update gate z",
        "reset gate r",
        "candidate h~",
        "hidden h",
    ]
    assert timeline.input_value() == "h"
    panels = page.locator(".lstmw-panels")
    assert panels.bounding_box()["height"] == pytest.approx(4 * 34, abs=1)
    panels.hover(position={"x": 200, "y": 17})  # the first row: the update gate
    page.locator(".lstmw-tooltip").filter(has_text=re.compile(r": z = ")).wait_for(timeout=10_000)
    rows = page.locator(".lstmw-gate-row")
    assert [rows.nth(k).get_attribute("data-gate") for k in range(rows.count())] == [
        "update",
        "reset",
        "candidate",
    ]
    page.locator(".lstmw-editor summary").click()
    page.locator(".lstmw-gate-row[data-gate=update] input[data-field=bias_shift]").fill("2")
    readout = page.locator(".lstmw-prediction")
    readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for(timeout=30_000)
    base, edited = re.findall(r"-?\d+\.\d+", readout.inner_text().split("sample 0:")[1])[:2]
    assert base != edited
    page.wait_for_timeout(300)
    assert python_state(page)["edits"] == {"update": {"bias_shift": 2}}
    widget.get_by_label("layer").select_option("l")  # the LSTM: its arrays and sliders
    page.locator(".lstmw-gate-row[data-gate=forget]").wait_for(timeout=30_000)
    timeline.locator("option[value=c]").wait_for(state="attached", timeout=30_000)  # LSTM's
    page.wait_for_function(
        "() => document.querySelector('.lstmw-panels').getBoundingClientRect().height > 200"
    )
    assert timeline.locator("option").count() == 6 and timeline.input_value() == "h"  # kept
    assert rows.count() == 4
    page.wait_for_timeout(300)
    state = python_state(page)
    assert (state["layer"], state["view"], state["edits"]) == ("l", "h", {})
    assert errors == []


TRACKER = (
    KERNEL_HEAD
    + """\
# unit k is on (h ~ +0.76) exactly while feature k is 1 (i ~ 1, f ~ 0, o ~ 1, g = tanh(10 x - 5))
model = keras.Sequential([keras.Input((40, 3)), keras.layers.LSTM(3, name="lstm")])
kernel = np.zeros((3, 12), "float32")
for u in range(3):
    kernel[u, 6 + u] = 10.0
bias = np.repeat(np.array([10.0, -10.0, -5.0, 10.0], "float32"), 3)
model.get_layer("lstm").set_weights([kernel, np.zeros((3, 12), "float32"), bias])
x = np.zeros((20, 40, 3), "float32")
for s, a, b in [(3, 5, 10), (12, 30, 35), (7, 20, 26)]:
    x[s, a:b, 0] = 1.0
w = LSTMExplorer(model, x, sample=3, view="h")
w.selected_units = [0]
w.find_similar(5, 10)  # the hits are listed in the widget
w"""
)


@pytest.mark.browser
def test_find_similar_lists_hits_and_a_click_shows_one(page, lab_url, lab_root):
    errors = watch_errors(page)
    report = (
        'print("STATE", {"sample": w.sample, "step": w.step, "query": w.query_range, '
        '"units": w.selected_units, "zoom": w.visible_range})'
    )
    name = write_notebook(lab_root, "similar.ipynb", [TRACKER, report])
    open_and_run(page, lab_url, name, steps=40)
    hits = page.locator(".lstmw-hit")
    hits.first.wait_for(timeout=30_000)
    assert hits.all_inner_texts() == [
        "sample 12, steps 30–34, score 1.00",
        "sample 7, steps 20–25, score 1.00",
    ]
    hits.first.click()
    page.locator(".lstmw-zoom").filter(has_text="reset zoom (steps 25–39)").wait_for(timeout=30_000)
    page.wait_for_timeout(400)
    # the zoom reaches the kernel once it rests: the saved picture draws that range
    assert python_state(page) == {
        "sample": 12,
        "step": 30,
        "query": [],
        "units": [0],
        "zoom": [25, 40],
    }
    find = page.locator(".lstmw-find")
    assert find.inner_text() == "find similar: units 0 on in steps 25–39"
    find.click()  # the visible range of sample 12: unit 0 is on in 5 of its 15 steps
    page.locator(".lstmw-similar-note").filter(
        has_text="no other range of at least 8 steps has all of them on"
    ).wait_for(timeout=30_000)
    assert hits.count() == 0

    # Shift-drag over steps 30..34 of the timeline (zoomed to 25..39): the query range
    page.locator(".lstmw-lines-clear").click()  # no units selected: the range picks them
    overlay = page.locator(".lstmw-overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    per = (box["width"] - 96) / 15  # 15 steps right of the 96-pixel label gutter
    at = [box["x"] + 96 + (s - 25 + 0.5) * per for s in (30, 34)]
    y = box["y"] + box["height"] / 2
    page.keyboard.down("Shift")
    page.mouse.move(at[0], y)
    page.mouse.down()
    page.mouse.move(at[1], y, steps=6)
    page.mouse.up()
    page.keyboard.up("Shift")
    find.filter(has_text="find similar: units 0 on in the selected steps 30–34").wait_for(
        timeout=30_000
    )
    band = page.evaluate(
        """([x]) => {
          const c = document.querySelector(".lstmw-overlay");
          const r = c.getBoundingClientRect(), d = window.devicePixelRatio || 1;
          const px = c.getContext("2d").getImageData((x - r.left) * d, r.height / 2 * d, 1, 1);
          return Array.from(px.data);
        }""",
        [(at[0] + at[1]) / 2 + per / 4],  # inside the band, off the playhead at step 30
    )
    assert band[3] > 0 and band[0] > band[2], f"no amber band drawn: {band}"
    assert python_state(page) == {
        "sample": 12,
        "step": 30,
        "query": [30, 35],
        "units": [0],
        "zoom": [25, 40],
    }
    find.click()
    hits.first.wait_for(timeout=30_000)
    assert hits.all_inner_texts() == [
        "sample 3, steps 5–9, score 1.00",
        "sample 7, steps 20–25, score 1.00",
    ]
    page.locator(".lstmw-clear-query").click()
    find.filter(has_text="find similar: units 0 on in steps 25–39").wait_for(timeout=30_000)
    assert errors == []
