"""The tutorial notebooks run top to bottom without errors (and their claims hold)."""

import json
import runpy
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert '"output_type": "error"' not in text
    # each tutorial ends in an answer: "What we found", then a cell that asserts its claims
    # from the notebook's own numbers (an assert that fails is an error above) and prints them
    heading, found = nb.cells[-2], nb.cells[-1]
    assert heading.cell_type == "markdown" and heading.source.startswith("## What we found")
    printed = [o for o in found.outputs if o.get("name") == "stdout"]
    assert "assert " in found.source and printed and "".join(o["text"] for o in printed).strip()
    if path.name.startswith("02"):
        assert "largest difference to Keras: " in text


def test_committed_notebooks_have_outputs_with_static_pictures():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        assert outputs, f"{path.name} is committed without outputs"
        widgets = [
            o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        assert all("image/png" in o["data"] for o in widgets), f"{path.name}: widget without PNG"
        # weights and inputs, not traces: a committed tutorial stays small
        assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size} bytes"
        shared = [
            "<iframe srcdoc=" in "".join(o.get("data", {}).get("text/html", [])) for o in outputs
        ]
        if path.name.startswith(("01", "05")):  # the tutorials that share their explorer
            assert any(shared), f"{path.name} has no shared explorer (explorer.share())"


def test_only_tensorflows_start_up_log_is_stripped_from_the_tutorials():
    strip = runpy.run_path(str(NOTEBOOKS[0].parent / "_build" / "strip_stderr.py"))["strip"]
    start_up = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796113249.325890    7119 port.cc:153] oneDNN custom operations are on.\n"
        "I0000 00:00:1796113249.326561    7119 cudart_stub.cc:31] Could not find cuda drivers\n"
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild "
        "TensorFlow with the appropriate compiler flags.\n"
    )
    ours = "/x.py:3: UserWarning: lstm_widget.load_model('a.h5') rewrote the Keras 2 config\n"
    nb = {
        "cells": [
            {"outputs": [{"name": "stderr", "output_type": "stream", "text": start_up}]},
            {"outputs": [{"name": "stderr", "output_type": "stream", "text": start_up + ours}]},
            {"outputs": [{"name": "stdout", "output_type": "stream", "text": start_up}]},
        ]
    }
    cells = strip(nb)["cells"]
    assert cells[0]["outputs"] == []  # nothing but the start-up log: dropped
    assert cells[1]["outputs"][0]["text"] == ours  # a warning of ours stays
    assert cells[2]["outputs"][0]["text"] == start_up  # stdout is never touched
