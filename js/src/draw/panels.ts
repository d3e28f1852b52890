/**
 * The per-step panel: one row of bars per array of the layer (an LSTM's i, f, g, o, c, h;
 * a GRU's z, r, h~, h) for every shown unit at the playhead.
 */

import { isGate, labelOf } from "../core/arrays";
import { colorOf, type Scale } from "./colormap";

export const GUTTER = 96;
export const ROW_HEIGHT = 34;

/** Values of one step: `values[k][u]` for array k and unit u (all units). */
export type StepValues = Float32Array[];

/** Geometry of a bar hit: which array and which shown unit. */
export interface PanelHit {
  array: string;
  unit: number;
  value: number;
}

function scaleOf(name: string, values: Float32Array, units: readonly number[], signed: boolean): Scale {
  if (!signed && isGate(name)) return { kind: "sequential", lim: 1 };
  let lim = 0;
  for (const u of units) lim = Math.max(lim, Math.abs(values[u]) || 0);
  return { kind: "diverging", lim: lim > 0 ? lim : 1 };
}

/** Draw one row of bars per array (`names`, in window order). */
export function drawPanels(
  ctx: CanvasRenderingContext2D,
  width: number,
  names: readonly string[],
  step: StepValues | null,
  units: readonly number[],
  textColor: string,
  difference = false,
): void {
  ctx.clearRect(0, 0, width, names.length * ROW_HEIGHT);
  ctx.font = "11px var(--jp-ui-font-family, sans-serif)";
  ctx.textBaseline = "middle";
  const plotW = Math.max(1, width - GUTTER);
  const barW = plotW / Math.max(1, units.length);
  names.forEach((name, k) => {
    const top = k * ROW_HEIGHT;
    ctx.fillStyle = textColor;
    ctx.fillText(labelOf(name), 4, top + ROW_HEIGHT / 2);
    if (step === null) return;
    const values = step[k];
    const scale = scaleOf(name, values, units, difference);
    const signed = scale.kind === "diverging";
    const mid = signed ? top + ROW_HEIGHT / 2 : top + ROW_HEIGHT - 3;
    const half = signed ? ROW_HEIGHT / 2 - 3 : ROW_HEIGHT - 6;
    units.forEach((u, j) => {
      const v = values[u];
      if (Number.isNaN(v)) return;
      const [r, g, b] = colorOf(v, scale);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      const h = (signed ? v / scale.lim : v) * half;
      const x = GUTTER + j * barW;
      ctx.fillRect(x, h >= 0 ? mid - h : mid, Math.max(1, barW - (barW > 3 ? 1 : 0)), Math.abs(h) || 1);
    });
    ctx.strokeStyle = textColor;
    ctx.globalAlpha = 0.25;
    ctx.beginPath();
    ctx.moveTo(GUTTER, mid + 0.5);
    ctx.lineTo(width, mid + 0.5);
    ctx.stroke();
    ctx.globalAlpha = 1;
  });
}

/** Which bar is under (x, y), if any. */
export function hitPanel(
  x: number,
  y: number,
  width: number,
  names: readonly string[],
  step: StepValues | null,
  units: readonly number[],
): PanelHit | null {
  if (step === null || x < GUTTER || units.length === 0) return null;
  const k = Math.floor(y / ROW_HEIGHT);
  if (k < 0 || k >= names.length) return null;
  const j = Math.floor(((x - GUTTER) / Math.max(1, width - GUTTER)) * units.length);
  if (j < 0 || j >= units.length) return null;
  const unit = units[j];
  return { array: names[k], unit, value: step[k][unit] };
}
