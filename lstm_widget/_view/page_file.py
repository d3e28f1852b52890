"""One self-contained HTML file: the explorer's page, its data and a strict CSP.

The page (``static/page.js``, built from ``js/src/page/``) is inlined and allowed by its
hash; the data travels as JSON in a ``<script type="application/json">`` with the float32
arrays in one base64 blob (each array 8-byte aligned, little-endian). The Content-Security-
Policy forbids every network request: the file works from disk, offline, in an iframe's
``srcdoc``. Written to a temporary file and renamed, so no half-written file is left.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import pathlib
import tempfile
from typing import Any

import numpy as np

PAGE_JS = pathlib.Path(__file__).parents[1] / "static" / "page.js"

PAGE_CSS = """
:root { color-scheme: light dark; }
body { margin: 0; padding: 8px; background: #fff; font-family: sans-serif; }
@media (prefers-color-scheme: dark) {
  body { background: #161616; }
  .lstmw {
    --lstmw-layout-color0: #161616; --lstmw-layout-color1: #1f1f1f; --lstmw-layout-color2: #2b2b2b;
    --lstmw-ui-font-color0: #fff; --lstmw-ui-font-color1: #e3e3e3; --lstmw-ui-font-color2: #a8a8a8;
    --lstmw-border-color1: #5a5a5a; --lstmw-border-color2: #3a3a3a;
    --lstmw-warn-color1: #d08a1c; --lstmw-warn-color3: #3d3212; --lstmw-error-color1: #ff7b7b;
    --lstmw-brand-color1: #6cb6ff; --lstmw-brand-color3: rgba(108, 182, 255, 0.3);
    --lstmw-content-link-color: #6cb6ff;
  }
}
"""


class Blob:
    """Float32 arrays packed one after another, each at an 8-byte boundary."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0  # bytes
        self._seen: dict[bytes, dict[str, Any]] = {}

    def add(self, array: np.ndarray) -> dict[str, Any]:
        """Pack ``array`` (as float32); returns ``{"offset": in float32 elements, "shape"}``.

        The same bytes packed twice are stored once (shared weights of stacked layers).
        """
        data = np.ascontiguousarray(array, dtype="<f4")
        raw = data.tobytes()
        key = hashlib.sha1(raw).digest() + str(data.shape).encode()
        if key in self._seen:
            return self._seen[key]
        ref = {"offset": self._size // 4, "shape": [int(d) for d in data.shape]}
        pad = (-len(raw)) % 8
        self._parts.append(raw + b"\0" * pad)
        self._size += len(raw) + pad
        self._seen[key] = ref
        return ref

    @property
    def nbytes(self) -> int:
        """Bytes packed so far (before base64)."""
        return self._size

    def base64(self) -> str:
        """The packed arrays as base64 text."""
        return base64.b64encode(b"".join(self._parts)).decode("ascii")


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` early (every ``<`` escaped)."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_script() -> str:
    """The page's code (``static/page.js``); a clear error when the front end is not built."""
    if not PAGE_JS.exists():
        raise FileNotFoundError(
            f"{PAGE_JS} is missing: build the front end (pip install -e . runs npm run build)."
        )
    code = PAGE_JS.read_text(encoding="utf-8")
    return code.replace("</script", "<\\/script")  # inside a string or regex: the same


def page_html(data: dict[str, Any], blob: Blob, title: str) -> str:
    """The whole file: the explorer's page with ``data`` (its ``"blob"`` set from ``blob``)."""
    code = page_script()
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    csp = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "img-src data: blob:; base-uri 'none'; form-action 'none'"
    )
    payload = _script_json({**data, "blob": blob.base64()})
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head><body>\n"
        '<div id="lstmw-app"></div>\n'
        f'<script type="application/json" id="lstmw-data">{payload}</script>\n'
        f"<script>{code}</script>\n</body></html>\n"
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], text: str) -> pathlib.Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    Raises
    ------
    ValueError
        When the folder does not exist or cannot be written (nothing is left behind).
    """
    target = pathlib.Path(path).expanduser()
    folder = target.parent if str(target.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise ValueError(f"cannot write {target}: the folder {folder} does not exist.")
    if target.is_dir():
        raise ValueError(f"cannot write {target}: it is a folder; give a file name (.html).")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise ValueError(f"cannot write {target}: {err.strerror} ({folder}).") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # as a file opened for writing would be, not 0600
        os.replace(tmp, target)
    except OSError as err:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise ValueError(f"cannot write {target}: {err.strerror}.") from err
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return target


def srcdoc_iframe(page: str, height: int) -> str:
    """An iframe showing ``page`` from its ``srcdoc`` (kept by nbconvert, nbviewer, docs sites)."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
        f'style="width: 100%; height: {int(height)}px; border: 0;" '
        'title="LSTM explorer (exported)" loading="lazy"></iframe>'
    )
