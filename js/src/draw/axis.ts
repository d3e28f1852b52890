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

/** Steps at least this many pixels wide show text labels (tokens) one per step. */
export const TOKEN_CELL_PX = 24;

/** One step's cell of a token row: its step, text, and left edge and width in pixels. */
export interface Cell {
  step: number;
  text: string;
  left: number;
  width: number;
}

/**
 * Tokens one per step, LSTMVis-style: every step of [start, stop) gets a cell of its own
 * width (the front end clips long tokens with an ellipsis), or null when steps are
 * narrower than {@link TOKEN_CELL_PX} (then the thinned ticks of {@link timeTicks}).
 */
export function tokenCells(start: number, stop: number, width: number, labels: readonly string[]): Cell[] | null {
  const per = width / Math.max(1, stop - start);
  if (labels.length === 0 || stop <= start || per < TOKEN_CELL_PX) return null;
  return Array.from({ length: stop - start }, (_, k) => ({
    step: start + k,
    text: labels[start + k] ?? String(start + k),
    left: k * per,
    width: per,
  }));
}

const INVISIBLE: Record<string, string> = { " ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍" };

/**
 * A label as shown: a token made only of white space (a character model's " " or "\n")
 * shows each character as a visible symbol; an empty token as "∅"; others as they are.
 */
export function shownLabel(text: string): string {
  if (text === "") return "∅";
  if (text.trim() !== "") return text;
  return [...text].map((c) => INVISIBLE[c] ?? "·").join("");
}
