/**
 * The colour legend under the timeline: the colour bar with its scale's ends, the data's
 * exact range (over every step, from the kernel), and which steps are masked.
 */

import { colorOf, type Scale } from "./colormap";
import { el } from "../core/dom";

/** What the legend describes. */
export interface LegendInfo {
  title: string;
  scale: Scale;
  range: number[]; // [min, max] of the shown array over every step; empty if unknown
  masked: number[][]; // [start, stop) runs of masked steps
}

/** A number for the legend: short, with the sign as a true minus. */
export function formatValue(v: number): string {
  const text = Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(3);
  return text.replace("-", "−");
}

/** "0–9, 20, 31–40" for runs of masked steps (at most `most` runs, then "…"). */
export function maskedText(runs: number[][], most = 4): string {
  const parts = runs.slice(0, most).map(([a, b]) => (b - a === 1 ? `${a}` : `${a}–${b - 1}`));
  if (runs.length > most) parts.push("…");
  return parts.join(", ");
}

/** The scale's two ends: 0..1 for gates, ±lim for signed arrays. */
export function scaleEnds(scale: Scale): [number, number] {
  return scale.kind === "sequential" ? [0, 1] : [-scale.lim, scale.lim];
}

export interface Legend {
  root: HTMLDivElement;
  update(info: LegendInfo): void;
}

/** Build the legend under `parent`. All text is set as text, never HTML. */
export function mountLegend(parent: HTMLElement): Legend {
  const root = el("div", "lstmw-legend", parent);
  const title = el("span", "lstmw-legend-title", root);
  const lo = el("span", "lstmw-legend-lo", root);
  const bar = el("canvas", "lstmw-legend-bar", root);
  const hi = el("span", "lstmw-legend-hi", root);
  const range = el("span", "lstmw-legend-range", root);
  const masked = el("span", "lstmw-legend-masked", root);
  bar.width = 120;
  bar.height = 10;

  function update(info: LegendInfo): void {
    title.textContent = `${info.title}${info.scale.kind === "diverging" ? " (0 = white)" : ""}`;
    const [a, b] = scaleEnds(info.scale);
    lo.textContent = formatValue(a);
    hi.textContent = formatValue(b);
    const ctx = bar.getContext("2d");
    if (ctx !== null) {
      for (let x = 0; x < bar.width; x++) {
        const [r, g, bl] = colorOf(a + ((b - a) * (x + 0.5)) / bar.width, info.scale);
        ctx.fillStyle = `rgb(${r},${g},${bl})`;
        ctx.fillRect(x, 0, 1, bar.height);
      }
    }
    if (info.range.length === 2) {
      range.textContent = `data ${formatValue(info.range[0])} … ${formatValue(info.range[1])}`;
      range.dataset.min = String(info.range[0]);
      range.dataset.max = String(info.range[1]);
    } else {
      range.textContent = "";
      delete range.dataset.min;
      delete range.dataset.max;
    }
    const count = info.masked.reduce((n, [s, t]) => n + (t - s), 0);
    masked.textContent = count > 0 ? `masked (state carried over): ${count} steps, ${maskedText(info.masked)}` : "";
    masked.dataset.steps = String(count);
  }

  return { root, update };
}
