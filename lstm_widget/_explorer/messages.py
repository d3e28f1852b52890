"""The explorer's request/response messages with its front end: windows of full resolution.

A mixin of :class:`lstm_widget.LSTMExplorer`. The front end asks for steps [start, stop) of
a sample with ``{"type": "window", "id", "layer", "sample", "start", "stop"}``; the reply
echoes the id and carries the arrays as binary float32 buffers, or is
``{"type": "error", "id", "message"}``. Search messages go to :mod:`.search`.
"""

from __future__ import annotations

from typing import Any

from .parts import window_reply


class MessagesMixin:
    """``window()`` and the handler of the front end's messages."""

    def window(self, sample: int, start: int, stop: int) -> tuple[dict[str, Any], list[bytes]]:
        """Full-resolution arrays of the shown layer for steps [start, stop) of a sample.

        Returns
        -------
        tuple
            The reply content (without id) and its two buffers: (6, steps, units) in
            :data:`WINDOW_ORDER` and the layer input (steps, features) (see
            :func:`~lstm_widget._explorer.parts.window_reply`).
        """
        with self._working():
            self._check_model()
            tr = self._shown(int(sample))
        return window_reply(tr, self.layer, int(sample), int(start), int(stop))

    def _on_message(self, _widget: object, content: dict[str, Any], _buffers: list) -> None:
        if isinstance(content, dict) and self._on_search_message(content):
            return
        if not isinstance(content, dict) or content.get("type") != "window":
            return
        msg_id = content.get("id")
        try:
            if content.get("layer") not in (None, self.layer):
                raise ValueError(f"layer {content.get('layer')!r} is not the one shown.")
            reply, buffers = self.window(
                int(content["sample"]), int(content["start"]), int(content["stop"])
            )
        except (KeyError, TypeError, ValueError) as err:
            self.send({"type": "error", "id": msg_id, "message": str(err)})
            return
        self.send({**reply, "id": msg_id}, buffers)
