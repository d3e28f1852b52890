"""Fixtures: one JupyterLab server and one Chromium per test session."""

import shutil
from pathlib import Path

import pytest

from .lab import CHROMIUM, CHROMIUM_ARGS, jupyter_lab

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lab-root")


@pytest.fixture(scope="session")
def lab_url(lab_root):
    with jupyter_lab(lab_root) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/setup` (it installs Debian chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def copy_notebook(src: Path, root: Path) -> str:
    shutil.copy(src, root / src.name)
    return src.name
