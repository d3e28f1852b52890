/**
 * A recurrent layer and the layers after it, computed in the page (no kernel): the model
 * description `lstm_widget/_view/page_model.py` writes, run on one sample's layer input.
 * Checked against Keras's own outputs in `head.test.ts`. A layer the page cannot compute
 * (or a custom activation) gives no output and says which: never a wrong number.
 */

import type { Edits } from "../types";
import { editCell } from "./edit";
import { activation, type Cell, type Clamp, run, type Run } from "./recurrence";

export interface CellSpec {
  kind: "LSTM" | "GRU";
  units: number;
  features: number;
  activation: string;
  recurrentActivation: string;
  goBackwards: boolean;
  resetAfter: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  kernel: number; // indices into the weight arrays
  recurrentKernel: number;
  bias: number | null;
}

export type Op =
  | { op: "identity" | "flatten"; name: string }
  | { op: "activation"; name: string; activation: string }
  | { op: "dense"; name: string; kernel: number; units: number; bias: number | null; activation: string }
  | { op: "rnn"; name: string; cell: CellSpec }
  | { op: "bidirectional"; name: string; merge: string; forward: CellSpec; backward: CellSpec }
  | { op: "unsupported"; name: string; class: string };

export interface PageModel {
  layer: Op;
  after: Op[];
  note: string;
}

/** One sample's array without the batch axis: (steps, width) or (width,). */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export interface PageRun {
  output: Tensor | null;
  /** Why there is no output (a layer or activation the page does not compute), else "". */
  why: string;
  /** The recurrent layer's runs: one, or forward and backward. */
  runs: Run[];
}

function cellOf(spec: CellSpec, arrays: Float32Array[]): Cell {
  return {
    kind: spec.kind,
    units: spec.units,
    features: spec.features,
    kernel: arrays[spec.kernel],
    recurrentKernel: arrays[spec.recurrentKernel],
    bias: spec.bias === null ? null : arrays[spec.bias],
    activation: spec.activation,
    recurrentActivation: spec.recurrentActivation,
    goBackwards: spec.goBackwards,
    resetAfter: spec.resetAfter,
  };
}

/** What the page cannot compute in `op`, or null. */
function missing(op: Op): string | null {
  const acts: string[] = [];
  if (op.op === "unsupported") return `layer ${op.name} (${op.class})`;
  if (op.op === "activation" || op.op === "dense") acts.push(op.activation);
  if (op.op === "rnn") acts.push(op.cell.activation, op.cell.recurrentActivation);
  if (op.op === "bidirectional") acts.push(op.forward.activation, op.forward.recurrentActivation);
  const bad = acts.find((a) => !isSoftmax(a) && activation(a) === null);
  return bad === undefined ? null : `activation ${bad.replace(/^custom:/, "")} of layer ${op.name}`;
}

const isSoftmax = (name: string): boolean => name === "softmax" || name === "log_softmax";

/** A direction's output as Keras returns it: the h sequence or the last h. */
function directionOut(spec: CellSpec, r: Run, mask: ArrayLike<number> | null, wrapped: boolean): Tensor {
  const n = spec.units;
  if (!spec.returnSequences) return { data: r.finalH, shape: [n] };
  const steps = r.h.length / n;
  const data = new Float32Array(steps * n);
  for (let t = 0; t < steps; t++) {
    const from = spec.goBackwards && !wrapped ? steps - 1 - t : t; // Keras: processing order
    if (mask !== null && spec.zeroOutputForMask && mask[from] === 0) continue;
    data.set(r.h.subarray(from * n, (from + 1) * n), t * n);
  }
  return { data, shape: [steps, n] };
}

const MERGES: Record<string, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  ave: (a, b) => (a + b) / 2,
  mul: (a, b) => a * b,
};

/** What-if changes of the shown layer: weight edits (both directions alike) and units set. */
export interface Changes {
  edits?: Edits;
  /** Units as the layer numbers them (a Bidirectional layer's forward ones, then backward). */
  clamps?: Clamp[];
  /** A Bidirectional layer's direction the edits apply to (both when absent). */
  only?: "forward" | "backward";
}

/** The clamps of one direction (units `first`..`first + n - 1`), renumbered from 0. */
function directionClamps(clamps: readonly Clamp[], first: number, n: number): Clamp[] {
  return clamps
    .map((c) => ({ ...c, units: c.units.filter((u) => u >= first && u < first + n).map((u) => u - first) }))
    .filter((c) => c.units.length > 0);
}

function recurrent(
  op: Op,
  arrays: Float32Array[],
  x: Float32Array,
  mask: ArrayLike<number> | null,
  changes: Changes = {},
) {
  const cell = (spec: CellSpec, direction: "forward" | "backward" = "forward"): Cell => {
    const plain = cellOf(spec, arrays);
    const edited = changes.only === undefined || changes.only === direction;
    return edited && changes.edits && Object.keys(changes.edits).length > 0 ? editCell(plain, changes.edits) : plain;
  };
  const clamps = changes.clamps ?? [];
  if (op.op === "rnn") {
    const r = run(cell(op.cell), x, mask, clamps);
    return { out: directionOut(op.cell, r, mask, false), runs: [r] };
  }
  if (op.op !== "bidirectional") throw new Error(`${op.op} is not a recurrent layer`);
  const n = op.forward.units;
  const f = run(cell(op.forward), x, mask, directionClamps(clamps, 0, n));
  const b = run(cell(op.backward, "backward"), x, mask, directionClamps(clamps, n, n));
  const fo = directionOut(op.forward, f, mask, true);
  const bo = directionOut(op.backward, b, mask, true);
  const width = fo.shape[fo.shape.length - 1];
  const rows = fo.data.length / width;
  if (op.merge === "concat") {
    const data = new Float32Array(rows * 2 * width);
    for (let k = 0; k < rows; k++) {
      data.set(fo.data.subarray(k * width, (k + 1) * width), k * 2 * width);
      data.set(bo.data.subarray(k * width, (k + 1) * width), k * 2 * width + width);
    }
    return { out: { data, shape: [...fo.shape.slice(0, -1), 2 * width] }, runs: [f, b] };
  }
  const merge = MERGES[op.merge];
  return { out: { data: fo.data.map((v, k) => merge(v, bo.data[k])), shape: fo.shape }, runs: [f, b] };
}

/** Apply an activation over the last axis of `t` (softmax) or element-wise. */
function activate(name: string, t: Tensor): Tensor {
  if (!isSoftmax(name)) {
    const fn = activation(name)!;
    return { data: t.data.map(fn), shape: t.shape };
  }
  const width = t.shape[t.shape.length - 1];
  const data = new Float32Array(t.data.length);
  for (let k = 0; k < t.data.length; k += width) {
    const row = t.data.subarray(k, k + width);
    const top = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - top);
    for (let j = 0; j < width; j++) {
      const shifted = row[j] - top;
      data[k + j] = name === "softmax" ? Math.exp(shifted) / sum : shifted - Math.log(sum);
    }
  }
  return { data, shape: t.shape };
}

function dense(op: Extract<Op, { op: "dense" }>, arrays: Float32Array[], t: Tensor): Tensor {
  const kernel = arrays[op.kernel];
  const width = t.shape[t.shape.length - 1];
  const rows = t.data.length / width;
  const data = new Float32Array(rows * op.units);
  for (let k = 0; k < rows; k++) {
    for (let j = 0; j < op.units; j++) {
      let s = op.bias === null ? 0 : arrays[op.bias][j];
      for (let i = 0; i < width; i++) s += t.data[k * width + i] * kernel[i * op.units + j];
      data[k * op.units + j] = s;
    }
  }
  return activate(op.activation, { data, shape: [...t.shape.slice(0, -1), op.units] });
}

/** The layers after the recurrent one, from its output `t` (with the sequence's mask `m`). */
function after(model: PageModel, arrays: Float32Array[], t: Tensor, mask: ArrayLike<number> | null, stopAt?: string) {
  let m = t.shape.length === 2 ? mask : null; // the mask follows a sequence
  for (const op of model.after) {
    if (op.name === stopAt) return { t, m };
    if (op.op === "dense") t = dense(op, arrays, t);
    else if (op.op === "activation") t = activate(op.activation, t);
    else if (op.op === "flatten") {
      t = { data: t.data, shape: [t.data.length] };
      m = null;
    } else if (op.op === "rnn" || op.op === "bidirectional") {
      t = recurrent(op, arrays, t.data, m).out;
      if (t.shape.length === 1) m = null;
    }
  }
  return { t, m };
}

/** What the page cannot compute in `ops`, as a sentence, or null. */
function cannot(ops: Op[]): string | null {
  const what = ops.map(missing).find((m) => m !== null);
  return what === undefined ? null : `the page cannot compute ${what}`;
}

/**
 * Run the recurrent layer on one sample's layer input `x` (steps, features), with `changes`
 * (what-if edits and units set), then the layers after it.
 */
export function runPage(
  model: PageModel,
  arrays: Float32Array[],
  x: Float32Array,
  mask: ArrayLike<number> | null = null,
  changes: Changes = {},
): PageRun {
  const why = cannot([model.layer, ...model.after]);
  const first = recurrent(model.layer, arrays, x, mask, changes);
  if (why !== null) return { output: null, why, runs: first.runs };
  return { output: after(model, arrays, first.out, mask).t, why: "", runs: first.runs };
}

/**
 * The input of the layer named `name` after the recurrent one (a stacked layer's input),
 * or null with the reason when a layer before it is not one the page computes.
 */
export function inputOf(
  model: PageModel,
  arrays: Float32Array[],
  x: Float32Array,
  mask: ArrayLike<number> | null,
  name: string,
): { input: Tensor | null; why: string } {
  const at = model.after.findIndex((op) => op.name === name);
  if (at < 0) return { input: null, why: `layer ${name} does not follow ${model.layer.name}` };
  const why = cannot([model.layer, ...model.after.slice(0, at)]);
  if (why !== null) return { input: null, why };
  return { input: after(model, arrays, recurrent(model.layer, arrays, x, mask).out, mask, name).t, why: "" };
}
