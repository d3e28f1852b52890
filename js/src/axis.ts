/**
 * The time axis: tick steps at round intervals (d3-scale's `ticks`), labelled with step
 * numbers or the user's step labels, thinned so that no two labels overlap. When every
 * step has room for its label (a short token sequence, say) every step is labelled.
 */

import { scaleLinear } from "d3-scale";

/** One labelled tick: the step, its text, and its centre in pixels from the plot's left. */
export interface Tick {
  step: number;
  text: string;
  x: number;
}

/** Space kept between two labels, in pixels. */
export const LABEL_GAP = 8;

/**
 * Integer steps at round intervals inside [start, stop), about one per `spacing` pixels
 * of a plot `width` pixels wide (never more than one per step).
 */
export function tickSteps(start: number, stop: number, width: number, spacing: number): number[] {
  if (stop <= start || width <= 0) return [];
  const count = Math.max(1, Math.floor(width / Math.max(1, spacing)));
  if (stop - start <= count) return Array.from({ length: stop - start }, (_, k) => start + k);
  const ticks = scaleLinear().domain([start, stop - 1]).ticks(count);
  return ticks.filter((t) => Number.isInteger(t) && t >= start && t < stop);
}

/**
 * Drop ticks whose labels would overlap, left to right: a tick is kept when its label
 * starts at least `gap` pixels after the previous kept label ends and fits the plot.
 */
export function thinTicks(ticks: Tick[], measure: (text: string) => number, width: number, gap = LABEL_GAP): Tick[] {
  const kept: Tick[] = [];
  let end = -Infinity;
  for (const t of ticks) {
    const w = measure(t.text);
    const left = t.x - w / 2;
    if (left < end + gap || left < -gap || t.x + w / 2 > width + gap) continue;
    kept.push(t);
    end = t.x + w / 2;
  }
  return kept;
}

/**
 * The labelled ticks of a time axis showing steps [start, stop) over `width` pixels.
 *
 * `labels[step]` names a step (empty: the step number). Ticks are spaced by the typical
 * (median) label width, so dates get as many round-interval ticks as fit and short
 * tokens are all shown; `thinTicks` then drops any label that would overlap.
 * `xOf(step)` places a step.
 */
export function timeTicks(
  start: number,
  stop: number,
  width: number,
  labels: readonly string[],
  measure: (text: string) => number,
  xOf: (step: number) => number,
): Tick[] {
  const text = (s: number): string => (labels.length > 0 ? (labels[s] ?? String(s)) : String(s));
  const widths = [measure(text(Math.max(start, stop - 1)))];
  if (labels.length > 0) {
    const every = Math.max(1, Math.floor((stop - start) / 200)); // a sample of the labels
    for (let s = start; s < stop; s += every) widths.push(measure(text(s)));
  }
  widths.sort((a, b) => a - b);
  const typical = widths[Math.floor(widths.length / 2)];
  const steps = tickSteps(start, stop, width, typical + LABEL_GAP);
  const ticks = steps.map((s) => ({ step: s, text: text(s), x: xOf(s) }));
  return thinTicks(ticks, measure, width);
}
