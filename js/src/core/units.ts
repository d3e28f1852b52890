/** Which units to show and in what order. */

import type { NDArray } from "../types";


/** Parse "0-15, 40, 64-" style filters; returns sorted unique indices or an error message. */
export function parseFilter(text: string, n: number): number[] | string {
  const trimmed = text.trim();
  if (trimmed === "") return Array.from({ length: n }, (_, k) => k);
  const picked = new Set<number>();
  for (const part of trimmed.split(",")) {
    const p = part.trim();
    if (p === "") continue;
    const m = /^(\d+)\s*(?:-\s*(\d*))?$/.exec(p);
    if (m === null) return `cannot read "${p}": use indices and ranges like 0-15, 40`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : m[2] === "" ? n - 1 : Number(m[2]);
    if (lo > hi) return `range "${p}" runs backwards`;
    for (let k = lo; k <= Math.min(hi, n - 1); k++) picked.add(k);
  }
  if (picked.size === 0) return `no unit in 0-${n - 1} matches "${trimmed}"`;
  return [...picked].sort((a, b) => a - b);
}

/** Variance over time of each row of a (rows, cols) array, ignoring NaN. */
export function rowVariance(data: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c];
      if (Number.isNaN(v)) continue;
      n += 1;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
    }
    out[r] = n > 1 ? m2 / n : 0;
  }
  return out;
}

/** Sort `units` by descending score; ties keep index order. */
export function orderBy(units: number[], score: ArrayLike<number>): number[] {
  return [...units].sort((a, b) => {
    const sa = Number.isNaN(score[a]) ? -Infinity : score[a];
    const sb = Number.isNaN(score[b]) ? -Infinity : score[b];
    return sb - sa || a - b;
  });
}

/** The rows to show, and the filter's problem (null when it reads) — then every unit. */
export interface Shown {
  units: number[];
  problem: string | null;
}

/**
 * Units to show: the filter's (all on a bad filter), ordered by `order` — "variance" over
 * the overview (rows x time), "activity" by |value| at the playhead, "effect" by `effect`
 * (the kernel's per-unit effect on the prediction, once it has arrived), else by index.
 */
export function shownUnits(
  filter: string,
  n: number,
  order: string,
  overview: NDArray | null,
  atStep: ArrayLike<number> | null,
  effect: readonly number[] = [],
): Shown {
  const parsed = parseFilter(filter, n);
  const bad = typeof parsed === "string";
  let units = bad ? Array.from({ length: n }, (_, k) => k) : parsed;
  if (order === "variance" && overview !== null) {
    units = orderBy(units, rowVariance(overview.data, overview.shape[0], overview.shape[1]));
  } else if (order === "activity" && atStep !== null) {
    units = orderBy(units, Array.from(atStep, Math.abs));
  } else if (order === "effect" && effect.length === n) {
    units = orderBy(units, effect);
  }
  return { units, problem: bad ? parsed : null };
}
