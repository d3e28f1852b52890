"""The front end's recurrence vectors are what Keras gives today (tests/make_js_vectors.py)."""

import keras
import pytest
from make_js_vectors import OUT, render


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="written with TensorFlow")
def test_the_committed_vectors_are_current():
    assert OUT.read_text() == render(), "run: .venv/bin/python tests/make_js_vectors.py"
