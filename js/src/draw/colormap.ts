/** Colour maps for the heatmaps: diverging (centred on 0) for states, sequential for gates. */

import { isGate } from "../core/arrays";

export type RGB = [number, number, number];

/** Blue - white - red anchors (ColorBrewer RdBu, reversed). */
const DIVERGING: RGB[] = [
  [5, 48, 97],
  [67, 147, 195],
  [247, 247, 247],
  [214, 96, 77],
  [103, 0, 31],
];

/** Viridis anchors for values in [0, 1]. */
const SEQUENTIAL: RGB[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Colour of NaN (masked steps). */
export const NAN_COLOR: RGB = [160, 160, 160];

function interpolate(anchors: RGB[], u: number): RGB {
  const pos = Math.min(1, Math.max(0, u)) * (anchors.length - 1);
  const k = Math.min(anchors.length - 2, Math.floor(pos));
  const w = pos - k;
  const a = anchors[k];
  const b = anchors[k + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * w),
    Math.round(a[1] + (b[1] - a[1]) * w),
    Math.round(a[2] + (b[2] - a[2]) * w),
  ];
}

/** How values map to colours. */
export interface Scale {
  kind: "diverging" | "sequential";
  /** Half-range for diverging (values in [-lim, lim]); ignored for sequential (0..1). */
  lim: number;
}

/**
 * Gates (an LSTM's i, f, o; a GRU's z, r) live in [0, 1]; candidates, states and any
 * difference are signed, centred on 0 with the half-range of `range` (the data's exact
 * [min, max], when known) or else of `values`.
 */
export function scaleFor(view: string, values: Float32Array, signed = false, range: readonly number[] = []): Scale {
  if (!signed && isGate(view)) {
    return { kind: "sequential", lim: 1 };
  }
  let lim = 0;
  if (range.length === 2 && Number.isFinite(range[0]) && Number.isFinite(range[1])) {
    lim = Math.max(Math.abs(range[0]), Math.abs(range[1]));
  } else {
    for (let k = 0; k < values.length; k++) {
      const v = Math.abs(values[k]);
      if (v > lim) lim = v; // NaN compares false
    }
  }
  return { kind: "diverging", lim: lim > 0 ? lim : 1 };
}

/** Colour of one value. */
export function colorOf(value: number, scale: Scale): RGB {
  if (Number.isNaN(value)) return NAN_COLOR;
  if (scale.kind === "sequential") return interpolate(SEQUENTIAL, value);
  return interpolate(DIVERGING, 0.5 + value / (2 * scale.lim));
}

/** A 256-entry lookup table, for fast colouring of big heatmaps. */
export function lookupTable(scale: Scale): Uint8ClampedArray {
  const table = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const u = k / 255;
    const v = scale.kind === "sequential" ? u : (u - 0.5) * 2 * scale.lim;
    const [r, g, b] = colorOf(v, scale);
    table.set([r, g, b], 3 * k);
  }
  return table;
}

/** Index into a lookup table for a value. */
export function tableIndex(value: number, scale: Scale): number {
  const u = scale.kind === "sequential" ? value : 0.5 + value / (2 * scale.lim);
  return Math.min(255, Math.max(0, Math.round(u * 255)));
}
