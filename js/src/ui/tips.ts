/** Hover read-outs: what the timeline shows under the pointer, and placing the tooltip. */

import { shownLabel } from "../draw/axis";
import { binOfStep } from "../core/layout";
import { stepAt } from "../core/range";
import { GUTTER } from "../draw/panels";
import type { NDArray, Range, WindowData } from "../types";

/** What the timeline draws, as needed to read a value back from a pixel. */
export interface TimelineView {
  width: number;
  steps: number;
  overview: NDArray; // (units, bins)
  input: NDArray | null; // (features, bins)
  exact: boolean; // one bin per step
  inputH: number;
  unitsH: number;
  shown: number[]; // unit of each row
  view: string;
  views: readonly string[]; // the layer's arrays in window order
  window: WindowData | null; // full-resolution values near the playhead
  featureNames: string[];
  range: Range; // the steps shown across the plot
  labels: readonly string[]; // step labels (empty: none)
  masked: number[][]; // [start, stop) runs of masked steps
}

/** " · 2015-02-11 (masked)": a step's label and whether it is masked (may be empty). */
export function stepSuffix(s: number, labels: readonly string[], masked: number[][]): string {
  const label = labels[s] !== undefined ? ` · ${shownLabel(labels[s])}` : "";
  const skip = masked.some(([a, b]) => s >= a && s < b) ? " (masked)" : "";
  return `${label}${skip}`;
}

/** "step 41 · 2015-02-11 (masked)". */
export function stepText(s: number, labels: readonly string[], masked: number[][]): string {
  return `step ${s}${stepSuffix(s, labels, masked)}`;
}

/**
 * The read-out under pixel (x, y) of the timeline, or null over empty space. Values of
 * a binned overview are marked "≈" unless the full-resolution window holds that step.
 */
export function timelineText(x: number, y: number, v: TimelineView): string | null {
  if (x < GUTTER) return null;
  const s = stepAt(x - GUTTER, v.width - GUTTER, v.range);
  const bin = binOfStep(s, v.steps, v.overview.shape[1]);
  const top = v.inputH > 0 ? v.inputH + 4 : 0;
  if (v.input !== null && y < v.inputH) {
    const f = Math.min(v.input.shape[0] - 1, Math.floor((y / v.inputH) * v.input.shape[0]));
    const name = v.featureNames[f] ?? `x${f}`;
    const value = v.input.data[f * v.input.shape[1] + bin];
    return `${name}, ${stepText(s, v.labels, v.masked)}: ${v.exact ? "" : "≈ "}${value.toPrecision(7)}`;
  }
  if (y < top || v.shown.length === 0) return null;
  const r = Math.min(v.shown.length - 1, Math.floor(((y - top) / v.unitsH) * v.shown.length));
  const unit = v.shown[r];
  let value = v.overview.data[unit * v.overview.shape[1] + bin];
  let approx = !v.exact;
  const w = v.window;
  if (approx && w !== null && s >= w.start && s < w.stop) {
    const span = w.stop - w.start;
    value = w.data[(v.views.indexOf(v.view) * span + (s - w.start)) * w.units + unit];
    approx = false;
  }
  return `unit ${unit}, ${stepText(s, v.labels, v.masked)}: ${v.view} = ${approx ? "≈ " : ""}${value.toPrecision(7)}`;
}

/** Show `text` next to the pointer (hide the tooltip when null). */
export function placeTip(tooltip: HTMLElement, root: HTMLElement, text: string | null, ev: MouseEvent): void {
  if (text === null) {
    tooltip.style.display = "none";
    return;
  }
  tooltip.textContent = text;
  tooltip.style.display = "block";
  const box = root.getBoundingClientRect();
  tooltip.style.left = `${ev.clientX - box.left + 12}px`;
  tooltip.style.top = `${ev.clientY - box.top + 12}px`;
}

/**
 * The prediction line: the model's output for the sample and, with edits, the edited one.
 * `pending`: the kernel is computing the edited output (the new timeline is already shown):
 * "edited: …" rather than an old number.
 */
export function predictionText(sample: number, pred: number[], edited: number[], pending: boolean): string {
  if (pred.length === 0) return "";
  const fmt = (p: number[]): string => p.map((v) => v.toPrecision(5)).join(", ");
  const tail = edited.length > 0 ? `   edited: ${fmt(edited)}` : pending ? "   edited: …" : "";
  return `model prediction for sample ${sample}: ${fmt(pred)}${tail}`;
}
