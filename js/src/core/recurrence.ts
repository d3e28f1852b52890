/**
 * The LSTM and GRU recurrences in the page, one sequence at a time, as Keras computes them:
 * for a page that must answer without a kernel (an exported explorer, #28). Checked against
 * Keras's own outputs in `recurrence.test.ts` (vectors written by tests/make_js_vectors.py).
 *
 * Arrays are row-major Float32Array: x (steps, features), kernel (features, k * units),
 * recurrent kernel (units, k * units), bias (k * units), or (2, 3 * units) for a GRU with
 * reset_after; gate columns in Keras's order (LSTM i | f | g | o, GRU z | r | h~). Results
 * are (steps, units) by input position (also for go_backwards); a masked step carries the
 * state and its gates are NaN, as the kernel's traces have them.
 */

/** An activation by Keras's name, or null where the page has none (a custom function). */
export function activation(name: string): ((v: number) => number) | null {
  switch (name) {
    case "sigmoid":
      return (v) => 1 / (1 + Math.exp(-v));
    case "tanh":
      return Math.tanh;
    case "relu":
      return (v) => Math.max(v, 0);
    case "relu6":
      return (v) => Math.min(Math.max(v, 0), 6);
    case "hard_sigmoid": // Keras 3: relu6(x + 3) / 6
      return (v) => Math.min(Math.max(v + 3, 0), 6) / 6;
    case "legacy_hard_sigmoid": // Keras 2: clip(0.2 x + 0.5, 0, 1)
      return (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    case "hard_silu":
    case "hard_swish":
      return (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
    case "linear":
      return (v) => v;
    case "softsign":
      return (v) => v / (1 + Math.abs(v));
    case "silu":
    case "swish":
      return (v) => v / (1 + Math.exp(-v));
    case "exponential":
      return Math.exp;
    case "elu":
      return (v) => (v < 0 ? Math.expm1(v) : v);
    default:
      return null;
  }
}

export interface Cell {
  kind: "LSTM" | "GRU";
  units: number;
  features: number;
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array | null;
  activation: string;
  recurrentActivation: string;
  goBackwards: boolean;
  resetAfter: boolean; // a GRU's convention
}

/**
 * Units set inside the loop (lw.intervene's semantics): at each step where `at` is true (all
 * steps if null), right after the cell computes its new state, `units` of c (an LSTM's, before
 * h is computed from it) or of h get `value` (one number, or one per step by input position).
 */
export interface Clamp {
  array: "c" | "h";
  units: number[];
  value: number | ArrayLike<number>;
  at: ArrayLike<boolean> | null;
}

function setUnits(state: Float64Array, clamps: readonly Clamp[], array: "c" | "h", t: number): void {
  for (const cl of clamps) {
    if (cl.array !== array || (cl.at !== null && !cl.at[t])) continue;
    const v = typeof cl.value === "number" ? cl.value : cl.value[t];
    for (const u of cl.units) state[u] = v;
  }
}

/** Every per-step array, (steps, units) each, by name (an LSTM's i f g o c h, a GRU's z r hh h). */
export type Run = Record<string, Float32Array> & { finalH: Float32Array; finalC?: Float32Array };

function act(name: string): (v: number) => number {
  const fn = activation(name);
  if (fn === null) throw new Error(`activation ${name} is not available in the page`);
  return fn;
}

/** The (cols, rows) transpose of an (rows, cols) matrix: each output column's weights in a row. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let k = 0; k < rows; k++) for (let j = 0; j < cols; j++) t[j * rows + k] = m[k * cols + j];
  return t;
}

/**
 * out[j] += sum_k v[k] * m[k, from + j] for j < out.length, with `mt` the transpose of m
 * (rows = v.length): a dot product per column, summed in a local (fast in JS engines).
 */
function addProduct(v: Float64Array, mt: Float32Array, from: number, out: Float64Array): void {
  const rows = v.length;
  for (let j = 0; j < out.length; j++) {
    const base = (from + j) * rows;
    let s0 = 0; // four sums: the additions need not wait on each other
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < rows; k += 4) {
      s0 += v[k] * mt[base + k];
      s1 += v[k + 1] * mt[base + k + 1];
      s2 += v[k + 2] * mt[base + k + 2];
      s3 += v[k + 3] * mt[base + k + 3];
    }
    for (; k < rows; k++) s0 += v[k] * mt[base + k];
    out[j] += s0 + s1 + (s2 + s3);
  }
}

/** Run one sequence `x` (steps, features) through the cell; `mask` (steps) 0 skips a step. */
export function run(
  cell: Cell,
  x: Float32Array,
  mask: ArrayLike<number> | null = null,
  clamps: readonly Clamp[] = [],
): Run {
  return cell.kind === "LSTM" ? runLSTM(cell, x, mask, clamps) : runGRU(cell, x, mask, clamps);
}

function order(steps: number, backwards: boolean): number[] {
  const idx = Array.from({ length: steps }, (_, t) => t);
  return backwards ? idx.reverse() : idx;
}

function runLSTM(cell: Cell, x: Float32Array, mask: ArrayLike<number> | null, clamps: readonly Clamp[]): Run {
  const n = cell.units;
  const f = cell.features;
  const steps = x.length / f;
  const cols = 4 * n;
  const [g, rg] = [act(cell.activation), act(cell.recurrentActivation)];
  const names = ["i", "f", "g", "o", "c", "h"];
  const out: Record<string, Float32Array> = {};
  for (const name of names) out[name] = new Float32Array(steps * n);
  const [oi, of, og, oo] = [out.i, out.f, out.g, out.o];
  const kt = transpose(cell.kernel, f, cols);
  const xt = new Float64Array(f); // the step's input (one array type for addProduct)
  const rt = transpose(cell.recurrentKernel, n, cols);
  let h: Float64Array = new Float64Array(n);
  let c: Float64Array = new Float64Array(n);
  const z = new Float64Array(cols);
  for (const t of order(steps, cell.goBackwards)) {
    const on = mask === null || mask[t] !== 0;
    if (on) {
      for (let j = 0; j < cols; j++) z[j] = cell.bias === null ? 0 : cell.bias[j];
      xt.set(x.subarray(t * f, (t + 1) * f));
      addProduct(xt, kt, 0, z);
      addProduct(h, rt, 0, z);
      const nc = new Float64Array(n);
      const nh = new Float64Array(n);
      const os = new Float64Array(n);
      for (let u = 0; u < n; u++) {
        const i = rg(z[u]);
        const fg = rg(z[n + u]);
        const cand = g(z[2 * n + u]);
        const o = rg(z[3 * n + u]);
        nc[u] = fg * c[u] + i * cand;
        os[u] = o;
        const at = t * n + u;
        oi[at] = i;
        of[at] = fg;
        og[at] = cand;
        oo[at] = o;
      }
      setUnits(nc, clamps, "c", t);
      for (let u = 0; u < n; u++) nh[u] = os[u] * g(nc[u]);
      setUnits(nh, clamps, "h", t);
      c = nc;
      h = nh;
    } else {
      for (const name of ["i", "f", "g", "o"]) out[name].fill(NaN, t * n, (t + 1) * n);
    }
    out.c.set(c, t * n);
    out.h.set(h, t * n);
  }
  return Object.assign(out, { finalH: Float32Array.from(h), finalC: Float32Array.from(c) });
}

function runGRU(cell: Cell, x: Float32Array, mask: ArrayLike<number> | null, clamps: readonly Clamp[]): Run {
  const n = cell.units;
  const f = cell.features;
  const steps = x.length / f;
  const cols = 3 * n;
  const [g, rg] = [act(cell.activation), act(cell.recurrentActivation)];
  const out: Record<string, Float32Array> = {};
  for (const name of ["z", "r", "hh", "h"]) out[name] = new Float32Array(steps * n);
  const bIn = cell.bias === null ? null : cell.bias.subarray(0, cols);
  const bRec = cell.bias !== null && cell.resetAfter ? cell.bias.subarray(cols, 2 * cols) : null;
  let h: Float64Array = new Float64Array(n);
  const kt = transpose(cell.kernel, f, cols);
  const xt = new Float64Array(f); // the step's input (one array type for addProduct)
  const rt = transpose(cell.recurrentKernel, n, cols);
  const xs = new Float64Array(cols);
  const rec = new Float64Array(cols);
  for (const t of order(steps, cell.goBackwards)) {
    const on = mask === null || mask[t] !== 0;
    if (on) {
      for (let j = 0; j < cols; j++) xs[j] = bIn === null ? 0 : bIn[j];
      xt.set(x.subarray(t * f, (t + 1) * f));
      addProduct(xt, kt, 0, xs);
      rec.fill(0);
      if (bRec !== null) rec.set(bRec);
      const zr = new Float64Array(2 * n); // h @ U for z and r
      addProduct(h, rt, 0, rec); // all three blocks (h~'s used with reset_after)
      for (let j = 0; j < 2 * n; j++) zr[j] = rec[j];
      const nh = new Float64Array(n);
      const zs = new Float64Array(n);
      const rs = new Float64Array(n);
      for (let u = 0; u < n; u++) {
        zs[u] = rg(xs[u] + zr[u]);
        rs[u] = rg(xs[n + u] + zr[n + u]);
      }
      let hh: Float64Array;
      if (cell.resetAfter) {
        hh = new Float64Array(n);
        for (let u = 0; u < n; u++) hh[u] = g(xs[2 * n + u] + rs[u] * rec[2 * n + u]);
      } else {
        const rh = new Float64Array(n);
        for (let u = 0; u < n; u++) rh[u] = rs[u] * h[u];
        const part = new Float64Array(n);
        addProduct(rh, rt, 2 * n, part);
        hh = new Float64Array(n);
        for (let u = 0; u < n; u++) hh[u] = g(xs[2 * n + u] + part[u]);
      }
      for (let u = 0; u < n; u++) {
        nh[u] = zs[u] * h[u] + (1 - zs[u]) * hh[u];
        const at = t * n + u;
        out.z[at] = zs[u];
        out.r[at] = rs[u];
        out.hh[at] = hh[u];
      }
      setUnits(nh, clamps, "h", t);
      h = nh;
    } else {
      for (const name of ["z", "r", "hh"]) out[name].fill(NaN, t * n, (t + 1) * n);
    }
    out.h.set(h, t * n);
  }
  return Object.assign(out, { finalH: Float32Array.from(h) });
}
