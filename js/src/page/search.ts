/**
 * "Select range" and "find similar" in the page, over the exported samples, as
 * `lstm_widget/_explorer/search.py` and `lw.match_pattern` do over x: a unit is on where its
 * value is >= the threshold (never at a masked step); a hit is a run of at least half the
 * query's length, outside the query, where every chosen unit is on, scored by the mean over
 * its steps of 1 - (other units on) / (other units). A Bidirectional direction's units are
 * searched within that direction (the kernel counts the other direction's too).
 */

import type { Pattern } from "../types";

/** One sample's values of the searched array: (steps, units), and its mask (null: none). */
export interface Searched {
  values: Float32Array;
  steps: number;
  units: number;
  mask: Uint8Array | null;
}

const masked = (a: Searched, t: number): boolean => a.mask !== null && a.mask[t] === 0;

/** The units on at every step of [start, stop) of `a`, or why there are none. */
export function onUnits(a: Searched, start: number, stop: number, threshold: number): { units: number[]; why: string } {
  const where = `steps ${start}..${stop - 1}`;
  for (let t = start; t < stop; t++) {
    if (masked(a, t)) return { units: [], why: `${where} include masked steps, where no unit is on: choose steps the layer ran` };
  }
  const units: number[] = [];
  let best = -Infinity;
  for (let u = 0; u < a.units; u++) {
    let low = Infinity;
    for (let t = start; t < stop; t++) low = Math.min(low, a.values[t * a.units + u]);
    if (low >= threshold) units.push(u);
    best = Math.max(best, low);
  }
  const why = units.length > 0 ? "" : `no unit is >= ${threshold} at every step of ${where} (the highest minimum there is ${best.toPrecision(3)}): lower the threshold`;
  return { units, why };
}

/** Check a query range and threshold as the kernel does; returns them or throws. */
export function checkQuery(start: unknown, stop: unknown, threshold: unknown, steps: number): [number, number, number] {
  for (const [name, v] of [["start", start], ["stop", stop]] as const) {
    if (!Number.isInteger(v)) throw new Error(`${name} must be an int, got ${JSON.stringify(v)}`);
  }
  const [a, b] = [start as number, stop as number];
  if (!(0 <= a && a < b && b <= steps)) {
    throw new Error(`the range must be 0 <= start < stop <= ${steps} (the steps), got [${a}, ${b})`);
  }
  const thr = Number(threshold);
  if (!Number.isFinite(thr)) throw new Error(`threshold must be a finite number, got ${JSON.stringify(threshold)}`);
  return [a, b, thr];
}

/** Hits of `units` in every sample (`each(s)` gives its values), best first, at most `most`. */
export function findHits(
  samples: number,
  each: (s: number) => Searched,
  units: number[],
  query: [number, number, number],
  threshold: number,
  most = 50,
): Pattern["hits"] & object {
  const [qs, qa, qb] = query;
  const need = Math.floor((qb - qa + 1) / 2);
  const hits: [number, number, number, number][] = [];
  for (let s = 0; s < samples; s++) {
    const a = each(s);
    const others = Math.max(1, a.units - units.length);
    let runStart = -1;
    let scoreSum = 0;
    for (let t = 0; t <= a.steps; t++) {
      let on = t < a.steps && !masked(a, t) && !(s === qs && t >= qa && t < qb);
      let count = 0;
      if (on) {
        for (const u of units) if (!(a.values[t * a.units + u] >= threshold)) on = false;
      }
      if (on) {
        for (let u = 0; u < a.units; u++) if (a.values[t * a.units + u] >= threshold) count++;
        if (runStart < 0) [runStart, scoreSum] = [t, 0];
        scoreSum += 1 - (count - units.length) / others;
      } else if (runStart >= 0) {
        if (t - runStart >= need) hits.push([s, runStart, t, scoreSum / (t - runStart)]);
        runStart = -1;
      }
    }
  }
  const len = qb - qa;
  hits.sort((x, y) => y[3] - x[3] || Math.abs(x[2] - x[1] - len) - Math.abs(y[2] - y[1] - len) || x[0] - y[0] || x[1] - y[1]);
  return hits.slice(0, most);
}
