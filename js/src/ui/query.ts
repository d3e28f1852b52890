/**
 * Shift-drag over the timeline: select a step range of the shown sample (LSTMVis's brush).
 * The kernel answers by selecting the units that are on at every step of it; the range
 * stays drawn as a band and is what "find similar" searches for.
 */

import { GUTTER } from "../draw/panels";
import { stepAt, xAt } from "../core/range";
import type { Range } from "../types";

export interface QueryHost {
  range(): Range;
  plotWidth(): number;
  /** The dragged steps [start, stop), once the pointer is released. */
  select(start: number, stop: number): void;
  /** Redraw the band (the drag moved). */
  redraw(): void;
}

export interface Query {
  /** The range being dragged now, or null. */
  dragging(): Range | null;
  dispose(): void;
}

/** Steps [lo, hi + 1) between two dragged steps, in either order. */
export function dragged(a: number, b: number): Range {
  return { start: Math.min(a, b), stop: Math.max(a, b) + 1 };
}

/** Left pixel and width of `band` in a plot showing `range` (null: not in view). */
export function bandPixels(band: Range, range: Range, plotWidth: number): [number, number] | null {
  const start = Math.max(band.start, range.start);
  const stop = Math.min(band.stop, range.stop);
  if (stop <= start) return null;
  const per = plotWidth / Math.max(1, range.stop - range.start);
  return [GUTTER + (start - range.start) * per, (stop - start) * per];
}

/** Attach the Shift-drag to `overlay`; the host's plain drag (scrubbing) ignores Shift. */
export function mountQuery(overlay: HTMLElement, host: QueryHost): Query {
  let from: number | null = null;
  let to = 0;
  const stepOf = (ev: PointerEvent): number => stepAt(ev.offsetX - GUTTER, host.plotWidth(), host.range());
  const onDown = (ev: PointerEvent): void => {
    if (!ev.shiftKey || ev.offsetX < GUTTER) return;
    from = to = stepOf(ev);
    overlay.setPointerCapture(ev.pointerId);
    host.redraw();
  };
  const onMove = (ev: PointerEvent): void => {
    if (from === null) return;
    to = stepOf(ev);
    host.redraw();
  };
  const onUp = (): void => {
    if (from === null) return;
    const r = dragged(from, to);
    from = null;
    host.redraw();
    host.select(r.start, r.stop);
  };
  overlay.addEventListener("pointerdown", onDown as EventListener);
  overlay.addEventListener("pointermove", onMove as EventListener);
  overlay.addEventListener("pointerup", onUp);
  return {
    dragging: () => (from === null ? null : dragged(from, to)),
    dispose: () => {
      overlay.removeEventListener("pointerdown", onDown as EventListener);
      overlay.removeEventListener("pointermove", onMove as EventListener);
      overlay.removeEventListener("pointerup", onUp);
    },
  };
}

/**
 * The timeline's overlay, `width` x `height` px showing `range`: the query `band` (amber in
 * either theme) and the playhead at `step`.
 */
export function drawOverlay(
  overlay: HTMLCanvasElement,
  width: number,
  height: number,
  band: Range | null,
  range: Range,
  step: number,
  color: string,
): void {
  const ctx = overlay.getContext("2d");
  if (ctx === null) return;
  ctx.clearRect(0, 0, width, height);
  const px = band && bandPixels(band, range, width - GUTTER);
  if (px) {
    ctx.fillStyle = "rgba(255, 193, 7, 0.3)";
    ctx.fillRect(px[0], 0, px[1], height);
  }
  const x = GUTTER + xAt(step, width - GUTTER, range);
  ctx.fillStyle = color;
  ctx.fillRect(Math.round(x) - 1, 0, 2, height);
}
