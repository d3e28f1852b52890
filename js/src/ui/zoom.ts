/**
 * Zoom and pan of the timeline: the wheel over the timeline zooms around the pointer,
 * dragging across the time axis (a brush) zooms to the dragged steps, a double click or
 * the reset button shows everything again.
 */

import { GUTTER } from "../draw/panels";
import { clampRange, stepAt, zoomAt } from "../core/range";
import type { Range } from "../types";

export interface ZoomHost {
  range(): Range;
  steps(): number;
  plotWidth(): number;
  /** Show a new range (the host redraws and fetches what it needs). */
  show(range: Range): void;
}

/** Attach zoom interactions; returns the cleanup function. */
export function mountZoom(overlay: HTMLElement, axis: HTMLElement, reset: HTMLButtonElement, host: ZoomHost): () => void {
  const brush = document.createElement("div");
  brush.className = "lstmw-brush";
  axis.appendChild(brush);
  let from: number | null = null;

  const stepOf = (ev: MouseEvent, target: HTMLElement): number => {
    const left = ev.clientX - target.getBoundingClientRect().left - GUTTER;
    return stepAt(left, host.plotWidth(), host.range());
  };
  const full = (): void => host.show({ start: 0, stop: host.steps() });

  const onWheel = (ev: WheelEvent): void => {
    if (ev.deltaY === 0 || ev.offsetX < GUTTER) return;
    ev.preventDefault(); // the page would scroll
    const factor = ev.deltaY > 0 ? 1.25 : 0.8;
    host.show(zoomAt(host.range(), host.steps(), stepOf(ev, overlay), factor));
  };
  const onDown = (ev: PointerEvent): void => {
    if (ev.offsetX < GUTTER) return;
    from = stepOf(ev, axis);
    axis.setPointerCapture(ev.pointerId);
    drawBrush(from, from);
  };
  const onMove = (ev: PointerEvent): void => {
    if (from !== null) drawBrush(from, stepOf(ev, axis));
  };
  const onUp = (ev: PointerEvent): void => {
    if (from === null) return;
    const to = stepOf(ev, axis);
    brush.style.display = "none";
    const [a, b] = [Math.min(from, to), Math.max(from, to)];
    from = null;
    if (b > a) host.show(clampRange(a, b + 1, host.steps()));
  };
  function drawBrush(a: number, b: number): void {
    const r = host.range();
    const per = host.plotWidth() / Math.max(1, r.stop - r.start);
    const lo = Math.min(a, b) - r.start;
    brush.style.display = "block";
    brush.style.left = `${GUTTER + lo * per}px`;
    brush.style.width = `${(Math.abs(b - a) + 1) * per}px`;
  }

  const handlers: [EventTarget, string, EventListener][] = [
    [overlay, "wheel", onWheel as EventListener],
    [overlay, "dblclick", full],
    [axis, "pointerdown", onDown as EventListener],
    [axis, "pointermove", onMove as EventListener],
    [axis, "pointerup", onUp as EventListener],
    [axis, "dblclick", full],
    [reset, "click", full],
  ];
  for (const [target, type, fn] of handlers) target.addEventListener(type, fn, { passive: false });
  return () => {
    for (const [target, type, fn] of handlers) target.removeEventListener(type, fn);
    brush.remove();
  };
}
