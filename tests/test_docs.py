"""The docs: every public name documented, the API page current, runnable code blocks run."""

import pathlib
import re
import runpy
import warnings

import matplotlib
import pytest

import lstm_widget as lw

ROOT = pathlib.Path(__file__).resolve().parents[1]
RUNNABLE = re.compile(r"^```python runnable\n(.*?)^```", re.S | re.M)
PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    if RUNNABLE.search(page.read_text())
]


def test_every_public_name_is_documented_in_api_md():
    api = (ROOT / "docs" / "api.md").read_text()
    missing = [name for name in lw.__all__ if f"### `{name}`" not in api]
    assert not missing, f"docs/api.md does not document {missing}"


def test_api_md_is_what_its_generator_writes_from_the_docstrings():
    api = runpy.run_path(str(ROOT / "docs" / "_build" / "api.py"))
    written = (ROOT / "docs" / "api.md").read_text()
    assert written == api["render"](), "run .venv/bin/python docs/_build/api.py"


def test_the_readme_and_the_api_page_have_runnable_blocks():
    assert {p.name for p in PAGES} >= {"README.md", "api.md"}


def test_readme_is_a_front_door():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_runnable_code_blocks_run(page, tmp_path, monkeypatch):
    """Each page's ``python runnable`` blocks run in order, in one namespace."""
    blocks = RUNNABLE.findall(page.read_text())
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, code in enumerate(blocks, 1):
            try:
                exec(compile(code, f"{page.name} block {number}", "exec"), namespace)
            except Exception as err:
                raise AssertionError(
                    f"{page.name}, runnable block {number} failed: {err!r}"
                ) from err
