/**
 * The visible range of the timeline (zoom and pan) and the data that draws it: the
 * overview's bins for wide ranges, a full-resolution window for narrow ones.
 */

import { binOfStep } from "./layout";
import type { Range, WindowData } from "../types";

/** A range of at least `minSpan` steps inside [0, steps). */
export function clampRange(start: number, stop: number, steps: number, minSpan = 1): Range {
  const span = Math.min(steps, Math.max(minSpan, Math.round(stop - start)));
  const s = Math.min(steps - span, Math.max(0, Math.round(start)));
  return { start: s, stop: s + span };
}

/** Zoom by `factor` (< 1 in, > 1 out) keeping step `anchor` under the same pixel. */
export function zoomAt(range: Range, steps: number, anchor: number, factor: number): Range {
  const span = range.stop - range.start;
  const next = Math.min(steps, Math.max(1, Math.round(span * factor)));
  const frac = (anchor - range.start) / Math.max(1, span);
  return clampRange(anchor - frac * next, anchor - frac * next + next, steps);
}

/** Pan the range the least so that `step` is inside it. */
export function follow(range: Range, step: number, steps: number): Range {
  const span = range.stop - range.start;
  if (step < range.start) return clampRange(step, step + span, steps);
  if (step >= range.stop) return clampRange(step - span + 1, step + 1, steps);
  return range;
}

/** The step under pixel x of a plot `width` pixels wide showing `range`. */
export function stepAt(x: number, width: number, range: Range): number {
  const span = range.stop - range.start;
  if (span <= 0 || width <= 0) return range.start;
  const s = range.start + Math.floor((x / width) * span);
  return Math.min(range.stop - 1, Math.max(range.start, s));
}

/** Centre pixel of a step in a plot `width` pixels wide showing `range`. */
export function xAt(step: number, width: number, range: Range): number {
  return ((step - range.start + 0.5) / Math.max(1, range.stop - range.start)) * width;
}

/**
 * (rows, columns) values of the range for a heatmap, row-major: from the window at full
 * resolution when it holds the whole range (array `k` of its six), else the overview's
 * bins that cover the range. `exact`: one column per step.
 */
export function rangeColumns(
  range: Range,
  steps: number,
  overview: { data: Float32Array; shape: number[] },
  win: WindowData | null,
  k: number,
): { data: Float32Array; cols: number; exact: boolean } {
  const rows = overview.shape[0];
  if (win !== null && win.start <= range.start && win.stop >= range.stop && win.units === rows) {
    const span = range.stop - range.start;
    const tw = win.stop - win.start;
    const out = new Float32Array(rows * span);
    for (let t = 0; t < span; t++) {
      const src = (k * tw + (range.start + t - win.start)) * win.units;
      for (let u = 0; u < rows; u++) out[u * span + t] = win.data[src + u];
    }
    return { data: out, cols: span, exact: true };
  }
  return binColumns(range, steps, overview);
}

/** The overview's bins that cover the range, (rows, columns) row-major. */
export function binColumns(
  range: Range,
  steps: number,
  overview: { data: Float32Array; shape: number[] },
): { data: Float32Array; cols: number; exact: boolean } {
  const [rows, bins] = overview.shape;
  const b0 = binOfStep(range.start, steps, bins);
  const b1 = binOfStep(range.stop - 1, steps, bins) + 1;
  const cols = b1 - b0;
  const out = new Float32Array(rows * cols);
  for (let u = 0; u < rows; u++) out.set(overview.data.subarray(u * bins + b0, u * bins + b1), u * cols);
  return { data: out, cols, exact: bins >= steps };
}

/** (features, columns) of the layer input for the range: as {@link rangeColumns}. */
export function inputColumns(
  range: Range,
  steps: number,
  overview: { data: Float32Array; shape: number[] },
  win: WindowData | null,
): { data: Float32Array; cols: number; exact: boolean } {
  const feats = overview.shape[0];
  if (win !== null && win.start <= range.start && win.stop >= range.stop && win.features === feats) {
    const span = range.stop - range.start;
    const out = new Float32Array(feats * span);
    for (let t = 0; t < span; t++) {
      const src = (range.start + t - win.start) * feats;
      for (let f = 0; f < feats; f++) out[f * span + t] = win.input[src + f];
    }
    return { data: out, cols: span, exact: true };
  }
  return binColumns(range, steps, overview);
}
