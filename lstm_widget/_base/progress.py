"""Progress bars for long batch calls (``progress=True``): tqdm's, the notebook convention.

``tqdm.auto`` draws a notebook bar in Jupyter and a text bar on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Tick = Callable[[int], object]
"""Called with how much more of the work is done."""


@contextmanager
def progress_bar(enabled: bool, total: int, desc: str, unit: str) -> Iterator[Tick | None]:
    """Yield a thread-safe ``update(n)`` of a tqdm bar, or None when ``enabled`` is False."""
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit=unit, leave=True) as bar:
        yield bar.update
