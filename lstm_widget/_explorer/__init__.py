"""The explorer widget: ``LSTMExplorer`` and the kernel side of what it shows.

- ``widget``: the anywidget; ``traits``: its synced traits and their checks.
- ``session``: per-sample results in a bounded cache; ``watch``: exact detection of a
  changed model; ``parts``: layer choices, overviews, window replies; ``search``:
  ``select_range`` and ``find_similar``; ``edited``, ``intervening``: edited computations
  and units set; ``messages``: window requests; ``picture``: the saved PNG; ``sharing``:
  ``save_html`` and ``share``.

May import: every other room.
"""
