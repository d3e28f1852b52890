/** The timeline's overview computed in the page, as `lstm_widget/_view/overview.py` does. */

import type { WireArray } from "../types";

/** Most columns of an overview (OVERVIEW_BINS in Python). */
export const OVERVIEW_BINS = 2048;

/**
 * Mean over time bins of `values` (steps, channels), ignoring NaN (masked steps):
 * (channels, min(steps, bins)); exactly the transpose when steps <= bins.
 */
export function downsample(values: Float32Array, steps: number, channels: number, bins = OVERVIEW_BINS): Float32Array {
  const count = Math.max(1, Math.min(steps, bins));
  const out = new Float32Array(channels * count);
  for (let b = 0; b < count; b++) {
    const [lo, hi] = [Math.floor((b * steps) / count), Math.floor(((b + 1) * steps) / count)];
    for (let ch = 0; ch < channels; ch++) {
      let sum = 0;
      let n = 0;
      for (let t = lo; t < hi; t++) {
        const v = values[t * channels + ch];
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      out[ch * count + b] = n > 0 ? sum / n : NaN;
    }
  }
  return out;
}

/** A float32 array as the widget's traits carry it. */
export function wire(data: Float32Array, shape: number[]): WireArray {
  return { buffer: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, dtype: "float32", shape };
}

/** [min, max] of the finite values, or [] when there are none. */
export function finiteRange(values: Float32Array): number[] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [];
}
