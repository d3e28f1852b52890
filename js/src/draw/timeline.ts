/** Parts of the timeline around the heatmaps: the time axis, unit indices, masked steps. */

import { shownLabel, timeTicks, tokenCells } from "./axis";
import { xAt } from "../core/range";
import { GUTTER } from "./panels";
import type { Range } from "../types";

let measurer: CanvasRenderingContext2D | null | undefined;

/** Width in pixels of `text` in the axis font of `root`. */
function measureIn(root: HTMLElement): (text: string) => number {
  if (measurer === undefined) measurer = document.createElement("canvas").getContext("2d");
  if (measurer !== null) measurer.font = `11px ${getComputedStyle(root).fontFamily}`;
  return (text) => measurer?.measureText(text).width ?? 6 * text.length;
}

/** Width of a label as shown (see {@link shownLabel}). */
function shownWidth(root: HTMLElement): (text: string) => number {
  const measure = measureIn(root);
  return (text) => measure(shownLabel(text));
}

/**
 * The time axis under a timeline `width` px wide showing `range`: tick labels as text
 * spans; text labels (tokens) one per step, each in its step's cell, when steps are wide.
 */
export function drawAxis(
  axis: HTMLElement,
  root: HTMLElement,
  range: Range,
  width: number,
  labels: readonly string[],
  kind: string,
): void {
  const plotW = width - GUTTER;
  const at = (s: number): number => xAt(s, plotW, range);
  const cells = kind === "text" ? tokenCells(range.start, range.stop, plotW, labels) : null;
  const title = document.createElement("span");
  title.className = "lstmw-axis-title";
  title.textContent = labels.length === 0 ? "step" : kind === "text" ? "token" : "step label";
  const brush = axis.querySelector(".lstmw-brush"); // the zoom brush stays
  const spans =
    cells !== null
      ? cells.map((c) => {
          const span = label("lstmw-tick lstmw-token", c.step, c.text);
          span.style.left = `${GUTTER + c.left}px`;
          span.style.width = `${c.width}px`;
          return span;
        })
      : timeTicks(range.start, range.stop, plotW, labels, shownWidth(root), at).map((t) => {
          const span = label("lstmw-tick", t.step, t.text);
          span.style.left = `${GUTTER + t.x}px`;
          return span;
        });
  axis.replaceChildren(...(brush === null ? [] : [brush]), title, ...spans);
}

/** A tick label: text, never HTML; the step in `data-step`, a token's whole text as title. */
function label(className: string, step: number, text: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = shownLabel(text);
  span.title = span.textContent;
  span.dataset.step = String(step);
  return span;
}

/**
 * Row labels beside heatmap rows (from `top`, `height` px high), right-aligned in the
 * gutter: every row when rows are at least 12 px high, else every k-th.
 */
export function drawRowLabels(ctx: CanvasRenderingContext2D, labels: readonly string[], top: number, height: number, color: string): void {
  const rowH = height / Math.max(1, labels.length);
  const every = Math.max(1, Math.ceil(12 / rowH));
  ctx.save();
  ctx.textAlign = "right";
  ctx.fillStyle = color;
  for (let r = 0; r < labels.length; r += every) {
    const text = labels[r].length > 12 ? `${labels[r].slice(0, 11)}…` : labels[r];
    ctx.fillText(text, GUTTER - 4, top + (r + 0.5) * rowH);
  }
  ctx.restore();
}

/** Shade masked steps of `range` over the timeline `height` px high (their state is carried over). */
export function drawMasked(ctx: CanvasRenderingContext2D, runs: number[][], range: Range, width: number, height: number): void {
  const plotW = width - GUTTER;
  const per = plotW / Math.max(1, range.stop - range.start);
  ctx.save();
  ctx.fillStyle = "rgba(128, 128, 128, 0.45)";
  for (const [a, b] of runs) {
    const lo = Math.max(a, range.start);
    const hi = Math.min(b, range.stop);
    if (hi <= lo) continue;
    ctx.fillRect(GUTTER + (lo - range.start) * per, 0, Math.max(1, (hi - lo) * per), height);
  }
  ctx.restore();
}
