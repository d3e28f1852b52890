/**
 * The recurrence of an exported explorer's layers, computed in the page: each layer's input
 * (exported, or run through the layers before it), the baseline arrays of a sample and the
 * arrays and output with what-if edits and units set (as `lw.what_if` / `lw.intervene`).
 */

import { type Changes, inputOf, type PageModel as Description, runPage } from "../core/head";
import type { Clamp, Run } from "../core/recurrence";
import type { Edits, EditsTrait, Intervention } from "../types";
import { type SharedData, type SharedLayer, view } from "./shared";

/** One direction's arrays for one sample: (steps, units) each by name, and its input. */
export interface Arrays {
  values: Record<string, Float32Array>;
  steps: number;
  units: number;
  input: Float32Array; // (steps, features)
  features: number;
  mask: Uint8Array | null;
}

export interface Edited {
  arrays: Arrays;
  output: Float32Array | null;
  why: string; // why there is no output, else ""
}

/** The mask of `steps` steps with the `masked` runs set to 0 (null: nothing masked). */
function maskOf(steps: number, masked: number[][]): Uint8Array | null {
  if (masked.length === 0) return null;
  const mask = new Uint8Array(steps).fill(1);
  for (const [start, stop] of masked) mask.fill(0, start, stop);
  return mask;
}

/** The weight edits and the unit settings of the `edits` trait. */
export function splitEdits(edits: EditsTrait): { weights: Edits; interventions: Intervention[] } {
  const { interventions, ...weights } = edits;
  return { weights: weights as Edits, interventions: (interventions ?? []) as Intervention[] };
}

/** `lw.intervene`'s settings as the recurrence's clamps (units of the shown direction). */
export function clampsOf(list: Intervention[], base: Arrays, kind: "lstm" | "gru", offset: number): Clamp[] {
  const clamps: Clamp[] = [];
  for (const spec of list) {
    const array = spec.array ?? (kind === "gru" ? "h" : "c");
    if (array !== "h" && !(array === "c" && kind === "lstm")) {
      throw new Error(`array must be ${kind === "gru" ? "'h'" : "'c' or 'h'"}, got '${String(array)}'`);
    }
    const units = Array.isArray(spec.units) ? spec.units : [spec.units as unknown as number];
    const bad = units.filter((u) => !Number.isInteger(u) || u < 0 || u >= base.units);
    if (bad.length > 0) throw new Error(`units must be in 0..${base.units - 1}, got ${bad.join(", ")}`);
    let at: boolean[] | null = null;
    if (spec.steps != null) {
      at = new Array<boolean>(base.steps).fill(false);
      for (const t of spec.steps) {
        if (!Number.isInteger(t) || t < 0 || t >= base.steps) throw new Error(`steps must be in 0..${base.steps - 1}, got ${t}`);
        at[t] = true;
      }
    }
    const values = base.values[array];
    for (const u of units) {
      let value: number;
      if (spec.value === "mean") {
        let [sum, n] = [0, 0];
        for (let t = 0; t < base.steps; t++) {
          if (base.mask !== null && base.mask[t] === 0) continue;
          sum += values[t * base.units + u];
          n++;
        }
        value = n > 0 ? sum / n : 0;
      } else if (typeof spec.value === "number" && Number.isFinite(spec.value)) value = spec.value;
      else throw new Error(`value must be a number or "mean", got ${JSON.stringify(spec.value)}`);
      clamps.push({ array, units: [u + offset], value, at });
    }
  }
  return clamps;
}

/** Computes and keeps (a few) layer inputs and baseline arrays of an exported explorer. */
export class Traces {
  private readonly arrays: Float32Array[][];
  private readonly inputs = new Map<string, { data: Float32Array; features: number } | string>();
  private readonly runs = new Map<string, Run[]>();

  constructor(
    private readonly data: SharedData,
    private readonly blob: ArrayBuffer,
  ) {
    this.arrays = data.models.map((m) => m.arrays.map((ref) => view(blob, ref)));
  }

  layer(name: string): SharedLayer {
    const layer = this.data.layers[name];
    if (layer === undefined) throw new Error(`layer ${name} is not in this file`);
    return layer;
  }

  private description(layer: SharedLayer): Description {
    return this.data.models[layer.model].description;
  }

  /** The layer input of `layer` for sample `s` (steps, features), or why the page has none. */
  input(layer: SharedLayer, s: number): { data: Float32Array; features: number } | string {
    const key = `${layer.model}|${s}`;
    const held = this.inputs.get(key);
    if (held !== undefined) return held;
    const sample = this.data.samples[s];
    let got: { data: Float32Array; features: number } | string;
    const src = layer.source;
    if ("inputs" in src) {
      const ref = sample.inputs[layer.path];
      got = ref === undefined ? `no input of ${layer.path} in the file` : { data: view(this.blob, ref), features: ref.shape[1] };
    } else {
      const source = this.data.models[src.model];
      const before = Object.values(this.data.layers).find((l) => l.model === src.model && l.direction !== "backward");
      const x = before === undefined ? "no layer before" : this.input(before, s);
      if (typeof x === "string") got = x;
      else {
        const steps = x.data.length / Math.max(1, x.features);
        const r = inputOf(source.description, this.arrays[src.model], x.data, maskOf(steps, sample.masked), src.name);
        got = r.input === null ? r.why : { data: r.input.data, features: r.input.shape[r.input.shape.length - 1] };
      }
    }
    this.inputs.set(key, got);
    return got;
  }

  private assemble(layer: SharedLayer, s: number, runs: Run[], x: { data: Float32Array; features: number }): Arrays {
    const r = runs[layer.direction === "backward" ? 1 : 0];
    const units = this.cellUnits(layer);
    const steps = x.data.length / Math.max(1, x.features);
    const values: Record<string, Float32Array> = {};
    for (const name of layer.views) values[name] = r[name];
    return { values, steps, units, input: x.data, features: x.features, mask: maskOf(steps, this.data.samples[s].masked) };
  }

  private cellUnits(layer: SharedLayer): number {
    const op = this.description(layer).layer;
    if (op.op === "rnn") return op.cell.units;
    if (op.op === "bidirectional") return op.forward.units;
    throw new Error(`layer ${layer.path} is not recurrent`);
  }

  private layerInput(layer: SharedLayer, s: number): { data: Float32Array; features: number } {
    const x = this.input(layer, s);
    if (typeof x === "string") throw new Error(`this file cannot compute the input of ${layer.path}: ${x}`);
    return x;
  }

  /** The baseline arrays of a layer the page cannot run, as exported. */
  private exported(layer: SharedLayer, name: string, s: number): Arrays {
    const ref = this.data.samples[s].traces[name];
    if (ref === undefined) throw new Error(`no arrays of ${name} in the file`);
    const [count, steps, units] = ref.shape;
    const all = view(this.blob, ref);
    const values: Record<string, Float32Array> = {};
    layer.views.forEach((v, k) => (values[v] = all.subarray(k * steps * units, (k + 1) * steps * units)));
    const x = this.input(layer, s);
    const input = typeof x === "string" ? { data: new Float32Array(0), features: 0 } : x;
    if (count !== layer.views.length) throw new Error(`the file's arrays of ${name} do not match its views`);
    return { values, steps, units, input: input.data, features: input.features, mask: maskOf(steps, this.data.samples[s].masked) };
  }

  /** The baseline arrays of `name` for sample `s` (the last few are kept). */
  baseline(name: string, s: number): Arrays {
    const layer = this.layer(name);
    if (layer.fixed !== "") return this.exported(layer, name, s);
    const x = this.layerInput(layer, s);
    const key = `${layer.model}|${s}`;
    let runs = this.runs.get(key);
    if (runs === undefined) {
      const steps = x.data.length / Math.max(1, x.features);
      runs = runPage(this.description(layer), this.arrays[layer.model], x.data, maskOf(steps, this.data.samples[s].masked)).runs;
      if (this.runs.size >= 4) this.runs.delete(this.runs.keys().next().value as string);
      this.runs.set(key, runs);
    }
    return this.assemble(layer, s, runs, x);
  }

  /** The arrays and the model's output of `name` for sample `s` with `edits`. */
  edited(name: string, s: number, edits: EditsTrait): Edited {
    const key = JSON.stringify([name, s, edits]);
    if (this.last?.key !== key) this.last = { key, value: this.compute(name, s, edits) };
    return this.last.value;
  }

  private last: { key: string; value: Edited } | null = null;

  private compute(name: string, s: number, edits: EditsTrait): Edited {
    const layer = this.layer(name);
    if (layer.fixed !== "") throw new Error(`what-if needs the kernel here: ${layer.fixed}`);
    const x = this.layerInput(layer, s);
    const base = this.baseline(name, s);
    const { weights, interventions } = splitEdits(edits);
    const offset = layer.direction === "backward" ? base.units : 0;
    const changes: Changes = { edits: weights, clamps: clampsOf(interventions, base, layer.kind, offset) };
    if (layer.direction !== null) changes.only = layer.direction;
    const r = runPage(this.description(layer), this.arrays[layer.model], x.data, base.mask, changes);
    return { arrays: this.assemble(layer, s, r.runs, x), output: r.output?.data ?? null, why: r.why };
  }
}
