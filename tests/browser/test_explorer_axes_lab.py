"""The explorer's axes and legend in a real JupyterLab: dates and tokens as tick labels,
tokens as text, the colour bar's data range, masked steps."""

import datetime as dt
import re

import pytest

from .lab import ARTIFACTS, KERNEL_HEAD
from .test_explorer_lab import open_and_run, python_state, write_notebook
from .test_explorer_more import watch_errors

DATES = (
    KERNEL_HEAD
    + """\
import pandas as pd
model = keras.Sequential([keras.Input((365, 3)), keras.layers.LSTM(6), keras.layers.Dense(1)])
x = np.random.default_rng(0).normal(size=(2, 365, 3)).astype("float32")
w = LSTMExplorer(model, x, step_labels=pd.date_range("2015-01-01", periods=365))
w"""
)
DATES_REPORT = """\
tr = w.current_trace()
c = tr.cell_state[0]
print("STATE", {"min": float(c.min()), "max": float(c.max()), "step": w.step,
                "h": [float(v) for v in tr.hidden_state[0, w.step]]})"""

TOKENS = (
    KERNEL_HEAD
    + """\
vocab = ["<pad>", "the", "cat", "<img src=x onerror=alert(1)>", "sat"]
model = keras.Sequential([
    keras.Input((8,), dtype="int32"),
    keras.layers.Embedding(5, 4, mask_zero=True),
    keras.layers.LSTM(3),
])
x = np.array([[1, 2, 3, 4, 0, 0, 0, 0]], dtype="int32")
w = LSTMExplorer(model, x, vocabulary=vocab)
w"""
)

TICKS = """() => [...document.querySelectorAll('.lstmw-axis .lstmw-tick')].map((t) => {
  const b = t.getBoundingClientRect();
  return {step: Number(t.dataset.step), text: t.textContent, left: b.left, right: b.right};
})"""


@pytest.mark.browser
def test_dates_on_the_time_axis_and_the_data_range(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "dates.ipynb", [DATES, DATES_REPORT])
    open_and_run(page, lab_url, name, 365)
    ticks = page.evaluate(TICKS)
    assert len(ticks) >= 3, ticks
    first = dt.date(2015, 1, 1)
    for t in ticks:
        assert t["text"] == (first + dt.timedelta(days=t["step"])).isoformat(), t
    for a, b in zip(ticks, ticks[1:], strict=False):
        assert a["right"] <= b["left"], (a, b)  # thinned: no two labels overlap
    page.wait_for_function(  # once the step's values are in: no "(loading values…)"
        "document.querySelector('.lstmw-status').textContent === 'step 0 of 365 · 2015-01-01'"
    )
    page.locator(".lstmw").first.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.querySelector('.lstmw-status').textContent === 'step 40 of 365 · 2015-02-10'"
    )
    state = python_state(page)
    legend = page.locator(".lstmw-legend-range").first
    low, high = float(legend.get_attribute("data-min")), float(legend.get_attribute("data-max"))
    assert low == pytest.approx(state["min"], rel=1e-6, abs=1e-7)
    assert high == pytest.approx(state["max"], rel=1e-6, abs=1e-7)
    assert legend.inner_text().startswith("data ")
    assert errors == []


@pytest.mark.browser
def test_tokens_are_text_and_masked_steps_are_marked(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "tokens.ipynb", [TOKENS])
    open_and_run(page, lab_url, name, 8)
    tokens = ["the", "cat", "<img src=x onerror=alert(1)>", "sat"] + ["<pad>"] * 4
    ticks = page.evaluate(TICKS)
    assert len(ticks) >= 6, ticks  # at this width, (nearly) every token has room
    for t in ticks:
        assert t["text"] == tokens[t["step"]], t  # each token under its own step
    page.locator(".lstmw").first.focus()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    status = page.locator(".lstmw-status").first
    page.wait_for_function(
        "document.querySelector('.lstmw-status').textContent"
        " === 'step 2 of 8 · <img src=x onerror=alert(1)>'"
    )
    assert status.inner_text() == "step 2 of 8 · <img src=x onerror=alert(1)>"
    assert page.locator(".lstmw img").count() == 0  # the token is text, not an element
    masked = page.locator(".lstmw-legend-masked").first
    assert masked.get_attribute("data-steps") == "4"
    assert "4–7" in masked.inner_text()
    box = page.locator(".lstmw-overlay").bounding_box()
    plot = box["width"] - 96
    page.mouse.move(box["x"] + 96 + plot * 5.5 / 8, box["y"] + box["height"] - 5)
    tip = page.locator(".lstmw-tooltip").first
    tip.wait_for(state="visible")
    assert "step 5 · <pad> (masked)" in tip.inner_text()
    assert errors == []


def gap(ticks: list[dict]) -> int:
    """The largest number of steps between two neighbouring ticks."""
    steps = [t["step"] for t in ticks]
    return max(b - a for a, b in zip(steps, steps[1:], strict=False))


def wheel_in(page, box: dict, notches: int) -> None:
    """Wheel ``notches`` times (zoom in) over the middle of the timeline's plot ``box``."""
    page.mouse.move(box["x"] + 96 + (box["width"] - 96) / 2, box["y"] + box["height"] / 2)
    for _ in range(notches):
        page.mouse.wheel(0, -100)
        page.wait_for_timeout(50)


def zoom_range(page) -> tuple[int, int]:
    text = page.locator(".lstmw-zoom").first.inner_text()
    a, b = re.search(r"steps (\d+)–(\d+)", text).groups()
    return int(a), int(b)


def check_date_ticks(page, start: int, stop: int) -> list[dict]:
    ticks = page.evaluate(TICKS)
    assert len(ticks) >= 2, ticks
    for t in ticks:
        assert start <= t["step"] <= stop, (t, start, stop)
        assert t["text"] == (dt.date(2015, 1, 1) + dt.timedelta(days=t["step"])).isoformat()
    return ticks


@pytest.mark.browser
def test_zoom_and_pan_down_to_single_steps(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "zoom.ipynb", [DATES, DATES_REPORT])
    open_and_run(page, lab_url, name, 365)
    zoom = page.locator(".lstmw-zoom").first
    assert zoom.is_hidden()
    box = page.locator(".lstmw-overlay").bounding_box()
    plot = box["width"] - 96
    wheel_in(page, box, 8)  # 0.8 ** 8: about 61 steps around the middle
    zoom.wait_for(state="visible")
    a, b = zoom_range(page)
    assert 40 <= b - a + 1 <= 80 and a <= 182 <= b, (a, b)
    wide = check_date_ticks(page, a, b)
    # brush across the axis: the middle third of the range
    axis = page.locator(".lstmw-axis").bounding_box()
    y = axis["y"] + axis["height"] / 2
    page.mouse.move(axis["x"] + 96 + plot / 3, y)
    page.mouse.down()
    page.mouse.move(axis["x"] + 96 + plot * 2 / 3, y, steps=5)
    page.mouse.up()
    page.wait_for_function(
        f"!document.querySelector('.lstmw-zoom').textContent.includes('{a}–{b}')"
    )
    c, d = zoom_range(page)
    assert a <= c < d <= b and d - c + 1 <= (b - a + 1) / 2 + 2, (a, b, c, d)
    narrow = check_date_ticks(page, c, d)
    assert len(narrow) >= len(wide) / 2  # labels stay readable, now at finer steps
    assert gap(narrow) <= gap(wide)  # finer steps between ticks
    # a click inside the zoomed timeline: the bars show that step's exact values
    page.mouse.click(box["x"] + 96 + plot * 0.5, box["y"] + box["height"] / 2)
    status = page.locator(".lstmw-status").first
    page.wait_for_function(
        "!document.querySelector('.lstmw-status').textContent.includes('loading')"
    )
    step = int(re.match(r"step (\d+) of 365", status.inner_text()).group(1))
    assert c <= step <= d
    page.wait_for_timeout(400)  # the step reaches Python
    state = python_state(page)
    assert state["step"] == step
    page.locator(".lstmw-panels").hover(position={"x": 200, "y": 34 * 5 + 17})
    tip = page.locator(".lstmw-tooltip").first.inner_text()
    unit, at, value = re.match(r"unit (\d+), step (\d+) · [\d-]+: h = (\S+)", tip).groups()
    assert int(at) == step
    assert float(value) == pytest.approx(state["h"][int(unit)], rel=1e-6, abs=1e-7)
    page.locator(".lstmw-overlay").dblclick(position={"x": 96 + plot / 2, "y": 10})
    zoom.wait_for(state="hidden")
    check_date_ticks(page, 0, 364)
    assert errors == []


LINES_REPORT = """\
h = w.current_trace().hidden_state[0]
print("STATE", {"units": w.selected_units,
                "h": {str(u): [float(v) for v in h[:, u]] for u in w.selected_units}})"""


@pytest.mark.browser
def test_unit_line_plots_show_the_trace(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "lines.ipynb", [DATES, LINES_REPORT])
    open_and_run(page, lab_url, name, 365)
    lines = page.locator(".lstmw-lines").first
    assert lines.is_hidden()
    box = page.locator(".lstmw-overlay").bounding_box()
    row = 80 / 6  # six units over the 80-px timeline, under the 24-px input and a 4-px gap
    page.mouse.click(box["x"] + 60, box["y"] + 28 + 2.5 * row)  # the label of row 2: unit 2
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + 60, box["y"] + 28 + 4.5 * row)  # Shift: unit 4 too
    page.keyboard.up("Shift")
    lines.wait_for(state="visible")
    keys = page.locator(".lstmw-lines-keys span").all_inner_texts()
    assert keys == ["■ 2", "■ 4"]
    page.wait_for_function("document.querySelector('.lstmw-lines-note').textContent === ''")
    page.wait_for_timeout(300)
    state = python_state(page)
    assert state["units"] == [2, 4]
    plot = page.locator(".lstmw-lines-plot").first
    pbox = plot.bounding_box()
    plot.hover(position={"x": 96 + (pbox["width"] - 96) * 100.5 / 365, "y": 30})
    tip = page.locator(".lstmw-tooltip").first.inner_text().splitlines()
    assert tip[0] == "step 100 · 2015-04-11"
    for line in tip[1:]:
        unit, value = re.match(r"unit (\d+): h = (\S+)", line).groups()
        assert float(value) == pytest.approx(state["h"][unit][100], rel=1e-6, abs=1e-7)
    assert len(tip) == 3
    assert errors == []


VOCAB = ["", "[UNK]", " ", "the", "cat", "sat", "on", "a", "extraordinarily"]
IDS = [3, 2, 4, 2, 5, 2, 6, 2, 3, 2, 7, 2, 8] * 3 + [0] * 6  # 45 steps, the last 6 padding
WORDS = (
    KERNEL_HEAD
    + f"""\
vocab = {VOCAB!r}
model = keras.Sequential([
    keras.Input((45,), dtype="int32"),
    keras.layers.Embedding(len(vocab), 4, mask_zero=True),
    keras.layers.LSTM(8),
    keras.layers.Dense(1),
])
x = np.array([{IDS!r}], dtype="int32")
w = LSTMExplorer(model, x, vocabulary=vocab)
w"""
)
SHOWN = {"": "∅", " ": "␣"}  # white space and empty tokens are drawn visibly

OVERFLOW = """() => {
  const w = document.querySelector('.lstmw');
  const out = w.closest('.jp-OutputArea-output');
  const right = w.getBoundingClientRect().right;
  const past = [...w.querySelectorAll('*')]
    .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > right + 0.5)
    .map((e) => e.className || e.tagName);
  return {out: out.scrollWidth - out.clientWidth, widget: w.scrollWidth - w.clientWidth, past};
}"""

CELLS = """() => [...document.querySelectorAll('.lstmw-axis .lstmw-token')].map((t) => {
  const b = t.getBoundingClientRect();
  return {step: Number(t.dataset.step), text: t.textContent, title: t.title, left: b.left,
          width: b.width, clipped: t.scrollWidth > t.clientWidth};
})"""


def luminance(css: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


@pytest.mark.browser
def test_a_700px_cell_tokens_per_step_and_the_dark_theme(page, lab_url, lab_root):
    errors = watch_errors(page)
    name = write_notebook(lab_root, "narrow.ipynb", [WORDS])
    open_and_run(page, lab_url, name, 45)
    page.evaluate(
        """() => { const o = document.querySelector('.lstmw').closest('.jp-OutputArea-output');
        o.style.flex = '0 0 700px'; o.style.width = '700px'; }"""
    )
    page.locator(".lstmw-editor summary").click()  # the what-if sliders open too
    page.wait_for_timeout(600)  # the resize observer redraws
    assert page.locator(".lstmw").bounding_box()["width"] == pytest.approx(700, abs=1)
    assert page.evaluate(OVERFLOW) == {"out": 0, "widget": 0, "past": []}
    for gate in ("input", "forget", "cell", "output"):  # one line per gate, no wrapping
        tops = page.evaluate(
            f"""() => [...document.querySelectorAll('.lstmw-gate-row[data-gate={gate}] > *')]
            .map((e) => Math.round(e.getBoundingClientRect().top + e.offsetHeight / 2))"""
        )
        assert len(tops) == 6 and max(tops) - min(tops) <= 3, (gate, tops)
    # at 45 steps over ~590 px the tokens are thinned ticks; zoom in: one cell per step
    assert page.locator(".lstmw-axis .lstmw-token").count() == 0
    box = page.locator(".lstmw-overlay").bounding_box()
    plot = box["width"] - 96
    wheel_in(page, box, 3)
    page.locator(".lstmw-axis .lstmw-token").first.wait_for()
    a, b = zoom_range(page)
    cells = page.evaluate(CELLS)
    assert [c["step"] for c in cells] == list(range(a, b + 1))
    per = plot / (b - a + 1)
    assert per >= 24
    for c in cells:
        token = VOCAB[IDS[c["step"]]]
        assert c["text"] == c["title"] == SHOWN.get(token, token), c
        assert c["width"] == pytest.approx(per, abs=0.5)
        assert c["left"] == pytest.approx(box["x"] + 96 + (c["step"] - a) * per, abs=0.5)
        assert c["clipped"] == (token == "extraordinarily"), c  # long tokens: an ellipsis
    assert page.locator(".lstmw-axis-title").first.inner_text() == "token"
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(500)
    colour = "(s) => getComputedStyle(document.querySelector(s)).{}"
    for selector in (".lstmw-token", ".lstmw-legend-title", ".lstmw-gate-name", ".lstmw select"):
        assert luminance(page.evaluate(colour.format("color"), selector)) > 0.6, selector
    for selector in (".lstmw", ".lstmw select", ".lstmw button"):
        assert luminance(page.evaluate(colour.format("backgroundColor"), selector)) < 0.3, selector
    assert page.evaluate(OVERFLOW) == {"out": 0, "widget": 0, "past": []}
    page.locator(".lstmw").first.screenshot(path=str(ARTIFACTS / "narrow-dark.png"))
    assert errors == []
