"""Which call of a layer belongs to a model's graph, and the tensors it was called with."""

from __future__ import annotations

import keras


def node_in(container: keras.Model, layer: keras.layers.Layer) -> object:
    """Find the call of ``layer`` that belongs to ``container``'s graph."""
    graph = getattr(container, "_functional", None) or container
    own = {id(op) for op in getattr(graph, "_operations", ())} or None
    nodes = list(layer._inbound_nodes)
    for node in nodes:
        tensors = node.arguments.keras_tensors
        if not tensors:
            continue
        if own is None or all(
            id(t._keras_history.operation) in own or is_input(container, t) for t in tensors
        ):
            return node
    if nodes:
        return nodes[0]
    raise ValueError(f"layer {layer.name!r} has never been called, so its input is unknown.")


def is_input(container: keras.Model, tensor: object) -> bool:
    """Whether ``tensor`` is one of ``container``'s inputs."""
    return any(tensor is t for t in container.inputs)


def call_tensors(node: object) -> tuple[object, object | None, list[object] | None]:
    """The sequence, mask and initial-state tensors a layer's call ``node`` received."""
    args, kwargs = node.arguments.args, node.arguments.kwargs
    sequence = args[0] if args else kwargs.get("sequences", kwargs.get("inputs"))
    mask = kwargs.get("mask", args[1] if len(args) > 1 else None)
    if mask is None:  # Keras passes the sequence's own mask when the call names none
        mask = getattr(sequence, "_keras_mask", None)  # (not recorded with initial_state=)
    state = kwargs.get("initial_state")
    if state is not None and not isinstance(state, list | tuple):
        state = [state]
    if isinstance(mask, list | tuple):  # Bidirectional / nested calls may pass [mask]
        mask = mask[0] if mask else None
    return sequence, mask, None if state is None else list(state)
