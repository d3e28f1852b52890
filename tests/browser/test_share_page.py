"""The explorer saved as one HTML file (#28), opened from disk in Chromium with every network
request aborted: its numbers against Keras (lw.trace, lw.what_if, lw.intervene) and the
interactions a reader uses, without a kernel."""

import re

import keras
import numpy as np
import pytest

import lstm_widget as lw

pytestmark = pytest.mark.browser

STEPS = 30
EVIL = "<img src=x onerror=window.pwned=1>"  # a layer name: shown as text, never run
L, G, B, D = keras.layers.LSTM, keras.layers.GRU, keras.layers.Bidirectional, keras.layers.Dense

WINDOW = """async ([layer, sample]) => new Promise((done) => {
  const m = window.lstmwExplorer;
  const on = (c, bufs) => {
    if (c.id !== 777) return;
    m.off("msg:custom", on);
    if (c.type === "error") return done({ error: c.message });
    const b = bufs[0];
    done({ views: c.views, shape: c.shape,
           data: Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)) });
  };
  m.on("msg:custom", on);
  m.send({ type: "window", id: 777, layer, sample, start: 0, stop: m.get("n_steps") });
})"""
SET = """async (changes) => {
  const m = window.lstmwExplorer;
  for (const [k, v] of Object.entries(changes)) m.set(k, v);
  if ("edits" in changes) m.set("edit_version", m.get("edit_version") + 1);
  m.save_changes();
  await new Promise((r) => setTimeout(r, 30));
  return { error: m.get("error"), edited: m.get("edited_prediction"),
           prediction: m.get("prediction"), done: m.get("edit_done") === m.get("edit_version") };
}"""


def _models():
    keras.utils.set_random_seed(3)
    stacked = keras.Sequential([
        keras.Input((STEPS, 3)),
        keras.layers.Masking(0.0, name="mask"),
        L(5, return_sequences=True, name="rnn"),
        G(4, reset_after=False, name="gru"),
        D(2, activation="softmax", name="dense"),
    ], name="stacked")  # fmt: skip
    bi = keras.Sequential([
        keras.Input((STEPS, 3)),
        B(G(3, return_sequences=True, name="fw"), merge_mode="sum", name=EVIL),
        L(4, recurrent_activation=lw.legacy_hard_sigmoid, go_backwards=True, name="lstm"),
        D(1, name="dense"),
    ], name="bi")  # fmt: skip
    x = np.random.default_rng(4).normal(size=(4, STEPS, 3)).astype("float32")
    x[1, -7:] = 0.0  # masked steps in the stacked model
    return {"stacked": stacked, "bi": bi}, x


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    models, x = _models()
    root = tmp_path_factory.mktemp("share")
    out = {}
    for name, model in models.items():
        explorer = lw.LSTMExplorer(model, x, attribution_method="occlusion")
        out[name] = (model, x, explorer.save_html(root / f"{name}.html"))
    return out


def _open(browser, path, scheme="light"):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(20_000)
    asked, problems = [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri() else (
        asked.append(r.request.url), r.abort()))  # fmt: skip
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.goto(path.as_uri())
    page.locator(".lstmw-status").filter(has_text=re.compile(r"^step \d+ of \d+")).wait_for()
    return context, page, asked, problems


def _direction(tr, layer):
    if isinstance(tr, lw.BidirectionalTrace):
        return tr.backward if layer.endswith("/backward") else tr.forward
    return tr


@pytest.mark.parametrize("name", ["stacked", "bi"])
def test_page_numbers_equal_keras(browser, files, name):
    model, x, path = files[name]
    context, page, asked, problems = _open(browser, path)
    try:
        for layer in page.evaluate("window.lstmwExplorer.get('layers')"):
            keras_path = layer.removesuffix("/forward").removesuffix("/backward")
            assert page.evaluate(SET, {"layer": layer})["error"] == ""
            for sample in (0, 1):
                got = page.evaluate(WINDOW, [layer, sample])
                assert "error" not in got, got
                want = _direction(lw.trace(model, x[[sample]], layer=keras_path), layer)
                data = np.asarray(got["data"]).reshape(got["shape"])
                for k, view in enumerate(got["views"]):
                    np.testing.assert_allclose(
                        data[k], want.array(view)[0], atol=1e-4, err_msg=f"{layer} {view}"
                    )
            # a weight edit and a unit set, each against Keras's
            gate = "forget" if "lstm" in layer or layer == "rnn" else "update"
            edits = {gate: {"bias_shift": -1.5, "recurrent_scale": 0.5}}
            state = page.evaluate(SET, {"layer": layer, "sample": 1, "edits": edits})
            assert state["done"] and state["error"] == ""
            want = lw.what_if(model, x[[1]], edits, layer=layer).edited_output
            np.testing.assert_allclose(state["edited"], want.reshape(-1)[:64], atol=1e-4)
            offset = 3 if layer.endswith("/backward") else 0
            spec = {"units": [1], "array": "h", "value": 0.4, "steps": [2, 3, 4, 20]}
            state = page.evaluate(SET, {"edits": {"interventions": [spec]}})
            want = lw.intervene(model, x[[1]], {**spec, "units": [1 + offset]}, keras_path)
            np.testing.assert_allclose(state["edited"], want.edited_output.reshape(-1), atol=1e-4)
            assert not np.allclose(state["edited"], state["prediction"], atol=1e-6)
            page.evaluate(SET, {"edits": {}, "sample": 0})
        assert page.evaluate("window.pwned") is None
        names = page.locator(".lstmw").get_by_label("layer").locator("option").all_inner_texts()
        assert names == page.evaluate("window.lstmwExplorer.get('layers')")
        assert asked == [] and problems == []
    finally:
        context.close()


def test_page_interactions_offline(browser, files):
    model, x, path = files["stacked"]
    context, page, asked, problems = _open(browser, path)
    try:
        status = page.locator(".lstmw-status")
        # drag the playhead
        box = page.locator(".lstmw-overlay").bounding_box()
        left = box["x"] + 96
        page.mouse.move(left + 2, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(left + (box["width"] - 96) * 0.5, box["y"] + 20, steps=6)
        page.mouse.up()
        step = int(re.match(r"step (\d+) of 30", status.inner_text()).group(1))
        assert 13 <= step <= 16
        # another sample, then keys move the playhead: its last steps are masked, and said so
        sample = page.locator(".lstmw").get_by_label("sample")
        sample.fill("1")
        sample.press("Enter")
        page.locator(".lstmw-prediction").filter(has_text="sample 1:").wait_for()
        page.locator(".lstmw").focus()
        page.keyboard.press("End")
        status.filter(has_text=re.compile(r"^step 29 of 30 \(masked\)$")).wait_for()
        # zoom with the wheel over the timeline
        page.mouse.move(left + 100, box["y"] + 20)
        page.mouse.wheel(0, -300)
        page.locator(".lstmw-zoom").filter(has_text="reset zoom").wait_for()
        # the forget-gate slider: the page computes the edited prediction
        page.locator(".lstmw-editor summary").click()
        page.locator(".lstmw-gate-row[data-gate=forget] input[data-field=bias_shift]").fill("-2")
        readout = page.locator(".lstmw-prediction")
        readout.filter(has_text=re.compile(r"edited: -?\d")).wait_for()
        text = readout.inner_text().split("edited:")[1]
        shown = [float(v) for v in re.findall(r"-?\d+\.\d+", text)]
        edits = {"forget": {"bias_shift": -2.0}}
        want = lw.what_if(model, x[[1]], edits, layer="rnn").edited_output
        np.testing.assert_allclose(shown, want[0], atol=1e-4)
        # hovering a bar reads out the exact value; clicking it plots that unit over time
        page.locator(".lstmw-panels").hover(position={"x": 300, "y": 34 * 4 + 17})
        tip = page.locator(".lstmw-tooltip")
        tip.filter(has_text=re.compile(r"^unit \d, step \d+")).wait_for()
        unit = int(tip.inner_text().split(",")[0].removeprefix("unit "))
        page.locator(".lstmw-panels").click(position={"x": 300, "y": 34 * 4 + 17})
        page.locator(".lstmw-lines-keys").filter(has_text=f"■ {unit}").wait_for()
        assert page.evaluate("window.lstmwExplorer.get('selected_units')") == [unit]
        # the attribution computed at export is drawn; another method needs the kernel
        strip = page.locator(".lstmw-attr-note")
        assert "Largest share: step" in strip.inner_text()
        page.locator(".lstmw").get_by_label("attribution").select_option("windows")
        strip.filter(has_text="windows needs the kernel").wait_for()
        # order by effect was not shown at export: the page says so, and forgets it after
        order = page.locator(".lstmw").get_by_label("order")
        order.select_option("effect")
        page.locator(".lstmw-error").filter(has_text="order by effect needs the kernel").wait_for()
        order.select_option("index")
        page.locator(".lstmw-error").filter(has_text="order by effect").wait_for(state="hidden")
        # play runs the playhead to the end (of the whole sequence, once the zoom is reset)
        page.locator(".lstmw-zoom").click()
        page.locator(".lstmw").focus()
        page.keyboard.press("Home")
        page.keyboard.press(" ")
        status.filter(has_text=re.compile(r"^step 29 of 30")).wait_for()
        assert asked == [] and problems == []
    finally:
        context.close()


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_page_light_and_dark(browser, files, scheme, dark):
    context, page, _, _ = _open(browser, files["bi"][2], scheme)
    try:
        colours = page.evaluate(
            "(() => { const s = getComputedStyle(document.querySelector('.lstmw'));"
            " return [s.backgroundColor, s.color]; })()"
        )
        lum = [sum(map(int, re.findall(r"\d+", c)[:3])) / 3 for c in colours]
        assert (lum[0] < 60 and lum[1] > 180) if dark else (lum[0] > 240 and lum[1] < 60)
    finally:
        context.close()


def test_page_says_what_needs_the_kernel_and_shows_text_as_text(browser, tmp_path):
    evil = "<img src=x onerror=window.pwned=1>"
    ids = np.array([[1, 2, 3, 1, 2, 3, 4, 1]])
    custom = keras.Sequential([
        keras.Input((8,), dtype="int32"), keras.layers.Embedding(5, 3, name="emb"),
        L(3, activation=lambda v: keras.ops.tanh(v) * 0.9, return_sequences=True, name="odd"),
        L(2, name="rnn"), keras.layers.Lambda(lambda t: t * 2.0, name="double"), D(1, name="d"),
    ], name="custom")  # fmt: skip
    explorer = lw.LSTMExplorer(custom, ids, vocabulary=["pad", evil, "b", "c", "d"])
    context, page, asked, problems = _open(browser, explorer.save_html(tmp_path / "c.html"))
    try:
        # a layer with a custom activation: the baseline shows, what-if needs the kernel
        got = page.evaluate(WINDOW, ["odd", 0])
        want = lw.trace(custom, ids, layer="odd")
        np.testing.assert_allclose(np.asarray(got["data"]).reshape(got["shape"])[4],
                                   want.array("c")[0], atol=1e-6)  # fmt: skip
        state = page.evaluate(SET, {"edits": {"forget": {"bias_shift": 1.0}}})
        assert (
            "what-if needs the kernel here: layer odd uses the custom activation"
            in (state["error"])
            and state["edited"] == []
        )
        # the next layer runs in the page; the Lambda after it does not: no edited output
        state = page.evaluate(SET, {"layer": "rnn", "edits": {}})
        state = page.evaluate(SET, {"edits": {"forget": {"bias_shift": 1.0}}})
        assert state["edited"] == []
        assert "cannot compute layer double (Lambda)" in state["error"]
        page.locator(".lstmw-error").filter(has_text="needs the kernel").wait_for()
        # tokens are text: zoomed in, the axis shows them, nothing runs
        page.locator(".lstmw-axis").filter(has_text="<img").first.wait_for()
        assert page.evaluate("window.pwned") is None
        assert asked == [] and problems == []
    finally:
        context.close()


def test_page_find_similar_equals_the_kernels(browser, tmp_path):
    # unit k is on (h ~ +0.76) exactly while feature k is 1 (test_explorer_more's tracker)
    model = keras.Sequential([keras.Input((40, 3)), L(3, name="lstm")])
    kernel = np.zeros((3, 12), "float32")
    for u in range(3):
        kernel[u, 6 + u] = 10.0
    bias = np.repeat(np.array([10.0, -10.0, -5.0, 10.0], "float32"), 3)
    model.get_layer("lstm").set_weights([kernel, np.zeros((3, 12), "float32"), bias])
    x = np.zeros((20, 40, 3), "float32")
    for s, a, b in [(3, 5, 10), (12, 30, 35), (7, 20, 26), (9, 0, 3)]:
        x[s, a:b, 0] = 1.0
    x[9, 0:3, 1] = 1.0  # a hit with another unit on too: a lower score
    explorer = lw.LSTMExplorer(model, x, sample=3, view="h")
    path = explorer.save_html(tmp_path / "t.html", samples=range(20))
    context, page, asked, problems = _open(browser, path)
    try:
        ask = """async (msg) => { const m = window.lstmwExplorer; m.send(msg);
          await new Promise((r) => setTimeout(r, 50)); return m.get("pattern"); }"""
        query = {"type": "query", "sample": 3, "start": 5, "stop": 10, "threshold": 0.3}
        assert page.evaluate(ask, query)["note"].startswith("units [0] on")
        assert explorer.select_range(5, 10) == [0]
        got = page.evaluate(ask, {**query, "type": "find", "units": [0]})
        want = explorer.find_similar(5, 10, units=[0])
        assert [h[:3] for h in got["hits"]] == [h[:3] for h in want["hits"]]
        assert len(want["hits"]) == 3 and want["hits"][-1][0] == 9
        np.testing.assert_allclose([h[3] for h in got["hits"]], [h[3] for h in want["hits"]])
        # the list is shown and a click shows the hit
        page.locator(".lstmw-hit").first.click()
        page.locator(".lstmw-zoom").filter(has_text="reset zoom (steps 25–39)").wait_for()
        bad = page.evaluate(ask, {**query, "type": "find", "sample": 12, "stop": 99})
        assert bad["note"] == (
            "find similar: the range must be 0 <= start < stop <= 40 (the steps), got [5, 99)"
        )
        assert asked == [] and problems == []
    finally:
        context.close()
