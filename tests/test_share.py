"""explorer.save_html / share (#28): what the file holds, its safety, and bad input.

The page's numbers and interactions are tested in a real browser:
tests/browser/test_share_page.py."""

import base64
import hashlib
import html
import json
import os
import re

import keras
import numpy as np
import pytest

import lstm_widget as lw

DATA = re.compile(r'<script type="application/json" id="lstmw-data">(.*?)</script>', re.S)


def _model(name="m"):
    return keras.Sequential(
        [keras.Input((12, 2)), keras.layers.LSTM(4, name="rnn"), keras.layers.Dense(1, name="d")],
        name=name,
    )


def _data(page: str) -> dict:
    return json.loads(DATA.search(page).group(1))


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).normal(size=(40, 12, 2)).astype("float32")


def test_file_is_one_page_that_loads_nothing(tmp_path, x):
    model = _model()
    path = lw.LSTMExplorer(model, x, sample=5).save_html(tmp_path / "e.html", samples=[5, 1])
    page = path.read_text()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = re.search(r"script-src 'sha256-([^']+)'", csp).group(1)
    assert base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() == digest
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    data = _data(page)
    assert [s["index"] for s in data["samples"]] == [1, 5]
    assert data["traits"]["sample"] == 1 and data["traits"]["n_samples"] == 2
    assert "samples 1, 5 of x's 40" in data["note"]
    # weights as float32 in the blob, exactly
    blob = np.frombuffer(base64.b64decode(data["blob"]), "<f4")
    ref = data["models"][0]["arrays"][0]
    kernel = blob[ref["offset"] : ref["offset"] + 2 * 16].reshape(ref["shape"])
    np.testing.assert_array_equal(kernel, model.get_weights()[0])
    assert path.stat().st_mode & 0o044  # readable as a written file is, not mkstemp's 0600


def test_names_and_tokens_cannot_end_the_script(tmp_path):
    evil = "</script><script>window.pwned=1</script><img src=x onerror=alert(1)>"
    ids = np.array([[1, 2, 3, 1, 2, 3]])
    model = keras.Sequential([
        keras.Input((6,), dtype="int32"), keras.layers.Embedding(5, 3, name="emb"),
        keras.layers.LSTM(2, name="rnn"), keras.layers.Dense(1, name="d"),
    ])  # fmt: skip
    explorer = lw.LSTMExplorer(model, ids, vocabulary=["pad", evil, "b", "c", "d"])
    page = explorer.save_html(tmp_path / "t.html").read_text()
    assert page.count("</script>") == 2  # the data's and the code's
    assert "<img src=x" not in page
    assert _data(page)["samples"][0]["labels"][0] == evil


def test_default_samples_fit_the_budget_and_say_which(tmp_path):
    x = np.random.default_rng(1).normal(size=(300, 12, 2)).astype("float32")
    explorer = lw.LSTMExplorer(_model(), x, sample=7)
    data = _data(explorer.share(max_bytes=150_000).page)
    held = [s["index"] for s in data["samples"]]
    assert 7 in held and 5 < len(held) < 300
    assert f"samples 0–{held[-1]} of x's 300" in data["note"]
    shared = explorer.share(max_bytes=150_000)
    assert shared.nbytes <= 150_000
    frame = shared._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1)) == shared.page


def test_bad_input_is_named_and_leaves_no_file(tmp_path, x):
    explorer = lw.LSTMExplorer(_model(), x)
    target = tmp_path / "e.html"
    with pytest.raises(
        ValueError, match=r"samples must be in 0\.\.39 \(x has 40 samples\), got \[40\]"
    ):
        explorer.save_html(target, samples=[3, 40])
    with pytest.raises(TypeError, match="samples must be a non-empty list of ints"):
        explorer.save_html(target, samples=["a"])
    with pytest.raises(ValueError, match=r"over max_bytes=50000 .* fewer samples= \(it holds 2\)"):
        explorer.save_html(target, samples=[0, 1], max_bytes=50_000)
    with pytest.raises(ValueError, match="attribution must be among"):
        explorer.save_html(target, attribution="saliency")
    with pytest.raises(ValueError, match="the folder .* does not exist"):
        explorer.save_html(tmp_path / "nowhere" / "e.html")
    with pytest.raises(ValueError, match="it is a folder"):
        explorer.save_html(tmp_path)
    with pytest.raises(ValueError, match="cannot write /proc/e.html"):
        explorer.save_html("/proc/e.html")
    assert os.listdir(tmp_path) == []  # no file, no temporary left
    target.write_text("old")
    with pytest.raises(ValueError, match="over max_bytes"):
        explorer.save_html(target, max_bytes=1000)
    assert target.read_text() == "old"  # an old file stays whole


def test_attribution_at_export_and_custom_activation(tmp_path, x):
    model = keras.Sequential([
        keras.Input((12, 2)),
        keras.layers.LSTM(3, activation=lambda v: keras.ops.tanh(v) * 0.9, name="rnn"),
        keras.layers.Dense(1, name="d"),
    ])  # fmt: skip
    explorer = lw.LSTMExplorer(model, x)
    data = _data(explorer.share(samples=[0, 2], attribution=["occlusion"]).page)
    layer = data["layers"]["rnn"]
    assert "custom activation" in layer["fixed"]
    for s, index in zip(data["samples"], (0, 2), strict=True):
        assert set(s["traces"]) == {"rnn"} and s["traces"]["rnn"]["shape"] == [6, 12, 3]
        want = lw.step_attribution(model, x[[index]], "occlusion")
        assert s["attribution"]["occlusion"]["note"] == want.note


def test_a_stateful_layer_travels_as_its_traces_from_its_current_state():
    layer = keras.layers.LSTM(3, stateful=True, return_sequences=True, name="rnn")
    top = keras.layers.LSTM(2, name="top")  # named: Keras numbers unnamed layers per process
    model = keras.Sequential([keras.Input((6, 2), batch_size=2), layer, top])
    x = np.random.default_rng(3).normal(size=(2, 6, 2)).astype("float32")
    model.predict_on_batch(x)  # the state now holds the end of x
    before = [np.array(v) for v in layer.states]
    data = _data(lw.LSTMExplorer(model, x).share().page)
    assert (
        data["layers"]["rnn"]["fixed"] == "layer rnn is stateful (it starts from its current state)"
    )
    assert "inputs" in data["layers"]["top"]["source"]  # not computed from a zero state
    blob = np.frombuffer(base64.b64decode(data["blob"]), "<f4")
    ref = data["samples"][1]["traces"]["rnn"]
    got = blob[ref["offset"] : ref["offset"] + int(np.prod(ref["shape"]))].reshape(ref["shape"])
    want = lw.trace(model, x, layer="rnn")
    np.testing.assert_allclose(got[4], want.cell_state[1], atol=1e-6)
    assert all(np.array_equal(b, v) for b, v in zip(before, layer.states, strict=True))


def test_the_default_samples_shrink_to_the_budget_when_the_estimate_was_short(monkeypatch, x):
    import lstm_widget._explorer.sharing as sharing

    explorer = lw.LSTMExplorer(_model(), x, sample=30)
    monkeypatch.setattr(sharing.SharingMixin, "_samples", lambda self, *a: list(range(40)))
    full = explorer.share(max_bytes=10_000_000).nbytes
    shared = explorer.share(max_bytes=full - 5_000)  # the estimate chose all 40: too many
    held = [s["index"] for s in _data(shared.page)["samples"]]
    assert shared.nbytes <= full - 5_000 and 30 in held and len(held) < 40
