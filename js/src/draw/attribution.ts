/** The attribution strip: one signed bar per time step (or overview bin), under the timeline. */

import { decode } from "../core/codec";
import { colorOf } from "./colormap";
import { sizeCanvas } from "../core/dom";
import { binOfStep } from "../core/layout";
import { GUTTER } from "./panels";
import type { Range, WireArray } from "../types";

export const STRIP_HEIGHT = 36;

/** Draw signed values as bars around a middle line, scaled to the largest magnitude. */
export function drawAttribution(
  ctx: CanvasRenderingContext2D,
  values: Float32Array,
  left: number,
  width: number,
  textColor: string,
): void {
  ctx.clearRect(0, 0, left + width, STRIP_HEIGHT);
  ctx.fillStyle = textColor;
  ctx.font = "11px var(--jp-ui-font-family, sans-serif)";
  ctx.textBaseline = "middle";
  ctx.fillText("attribution", 4, STRIP_HEIGHT / 2);
  let lim = 0;
  for (const v of values) if (Math.abs(v) > lim) lim = Math.abs(v);
  if (lim === 0 || values.length === 0) return;
  const mid = STRIP_HEIGHT / 2;
  const bar = width / values.length;
  const scale = { kind: "diverging" as const, lim };
  values.forEach((v, k) => {
    if (Number.isNaN(v)) return;
    const [r, g, b] = colorOf(v, scale);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    const h = (v / lim) * (mid - 2);
    ctx.fillRect(left + k * bar, h >= 0 ? mid - h : mid, Math.max(1, bar - (bar > 3 ? 1 : 0)), Math.abs(h) || 1);
  });
}

/** Index of the largest |value| (the step the output owes most to), or -1. */
export function topStep(values: Float32Array): number {
  let best = -1;
  let lim = -1;
  values.forEach((v, k) => {
    if (!Number.isNaN(v) && Math.abs(v) > lim) {
      lim = Math.abs(v);
      best = k;
    }
  });
  return best;
}

/**
 * The strip for the `attribution` trait under a timeline `width` px wide showing `range`
 * of `steps`, and its note ("Largest share: step k"); the strip hides when there is none.
 */
export function drawStrip(
  strip: HTMLCanvasElement,
  note: HTMLElement,
  attribution: { data?: WireArray; note?: string },
  width: number,
  range: Range,
  steps: number,
  textColor: string,
): void {
  const data = attribution.data ? decode(attribution.data).data : null;
  strip.style.display = data === null ? "none" : "block";
  const top = data === null ? -1 : topStep(data);
  const where = top < 0 ? "" : ` Largest share: step ${Math.floor((top * steps) / Math.max(1, data?.length ?? 1))}.`;
  note.textContent = attribution.note ? `${attribution.note}.${where}` : "";
  if (data === null) return;
  const ctx = sizeCanvas(strip, width, STRIP_HEIGHT);
  const b0 = binOfStep(range.start, steps, data.length);
  const b1 = binOfStep(Math.max(range.start, range.stop - 1), steps, data.length) + 1;
  if (ctx !== null) drawAttribution(ctx, data.subarray(b0, b1), GUTTER, width - GUTTER, textColor);
}
