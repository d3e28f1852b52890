"""The front end's recurrence vectors are what Keras gives today (tests/make_js_vectors.py).

Compared as numbers, to 1e-5: Keras's last bits vary with its threads from run to run.
"""

import json
import math

import keras
import pytest
from make_js_vectors import OUT, render


def _constants(text: str) -> dict:
    """The exported constants of the vectors file, parsed."""
    out = {}
    for line in text.splitlines():
        if line.startswith("export const "):
            name, _, value = line[len("export const ") :].partition(" = ")
            out[name.split(":")[0]] = json.loads(value.rstrip(";"))
    return out


def _close(a: object, b: object, where: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{k}]")
    elif isinstance(a, float) and isinstance(b, int | float):
        assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="written with TensorFlow")
def test_the_committed_vectors_are_current():
    committed, fresh = _constants(OUT.read_text()), _constants(render())
    assert committed.keys() == fresh.keys() == {"BATCH", "VECTORS", "ACTIVATIONS", "MODELS"}
    _close(committed, fresh)  # else run: .venv/bin/python tests/make_js_vectors.py
