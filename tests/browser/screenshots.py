"""Take the README screenshots: the weather tutorial's explorer in JupyterLab, light and dark.

Run: ``.venv/bin/python -m tests.browser.screenshots`` (writes docs/*.png).
"""

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from .lab import CHROMIUM, CHROMIUM_ARGS, TOKEN, jupyter_lab
from .test_explorer_lab import command

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lstmw-shots-"))
    shutil.copy(ROOT / "notebooks" / "05_what_if.ipynb", tmp / "whatif.ipynb")
    with jupyter_lab(tmp) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1100})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/lab/tree/whatif.ipynb?reset&token={TOKEN}")
        page.get_by_text("| Idle").first.wait_for()
        command(page, "notebook:run-all-cells")
        page.wait_for_function("performance.getEntriesByName('lstmw-ready').length > 0")
        widget = page.locator(".lstmw").first
        widget.scroll_into_view_if_needed()
        widget.click(position={"x": 5, "y": 5})
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(800)
        widget.screenshot(path=str(ROOT / "docs" / "explorer-light.png"))
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:change-theme',"
            " {theme: 'JupyterLab Dark'})"
        )
        page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
        page.wait_for_timeout(1000)
        widget.screenshot(path=str(ROOT / "docs" / "explorer-dark.png"))
        browser.close()


if __name__ == "__main__":
    main()
