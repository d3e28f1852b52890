import { describe, expect, it } from "vitest";
import { activation, type Cell, run } from "./recurrence";
import { ACTIVATIONS, BATCH, VECTORS } from "./recurrence.vectors";

/** Largest |a - b| (NaN in `a` must be -999 in `b`: the vectors' NaN). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    if (Number.isNaN(a[k])) {
      expect(b[k]).toBe(-999);
      continue;
    }
    worst = Math.max(worst, Math.abs(a[k] - b[k]));
  }
  return worst;
}

const TRACE_NAMES: Record<string, string> = {
  input_gate: "i",
  forget_gate: "f",
  cell_candidate: "g",
  output_gate: "o",
  cell_state: "c",
  update_gate: "z",
  reset_gate: "r",
  candidate: "hh",
};

describe("activations", () => {
  for (const [name, ys] of Object.entries(ACTIVATIONS.y)) {
    it(`${name} equals Keras's`, () => {
      const fn = activation(name);
      expect(fn).not.toBeNull();
      const ours = ACTIVATIONS.x.map((v) => fn!(v));
      expect(maxDiff(ours, ys) / Math.max(1, ...ys.map(Math.abs))).toBeLessThan(1e-6);
    });
  }
  it("has none for a name it does not know (a custom activation)", () => {
    expect(activation("my_custom")).toBeNull();
  });
});

describe("the recurrence against Keras", () => {
  for (const [name, v] of Object.entries(VECTORS)) {
    it(name, () => {
      const cell: Cell = {
        kind: v.kind,
        units: v.units,
        features: v.features,
        kernel: Float32Array.from(v.kernel),
        recurrentKernel: Float32Array.from(v.recurrentKernel),
        bias: v.bias === null ? null : Float32Array.from(v.bias),
        activation: v.activation,
        recurrentActivation: v.recurrentActivation,
        goBackwards: v.goBackwards,
        resetAfter: v.resetAfter,
      };
      const { steps, units } = v;
      const per = steps * units;
      for (let b = 0; b < BATCH; b++) {
        const x = Float32Array.from(v.x.slice(b * steps * v.features, (b + 1) * steps * v.features));
        const mask = v.mask.slice(b * steps, (b + 1) * steps);
        const got = run(cell, x, mask);
        // Keras's outputs: the h sequence in processing order, the final states
        const seq: number[] = v.kerasSequence.slice(b * per, (b + 1) * per);
        const ours = Array.from({ length: steps }, (_, k) => (v.goBackwards ? steps - 1 - k : k)).flatMap(
          (t) => Array.from(got.h.subarray(t * units, (t + 1) * units)),
        );
        const masked = mask.map((m: number) => m === 0);
        const keep = (k: number): boolean => {
          const t = Math.floor(k / units);
          return !masked[v.goBackwards ? steps - 1 - t : t];
        };
        // at a masked step Keras repeats the previous output; our trace carries the state too
        expect(maxDiff(ours.filter((_, k) => keep(k)), seq.filter((_, k) => keep(k)))).toBeLessThan(1e-4);
        expect(maxDiff(got.finalH, v.kerasFinalH.slice(b * units, (b + 1) * units))).toBeLessThan(1e-4);
        if (v.kerasFinalC !== null) {
          expect(maxDiff(got.finalC!, v.kerasFinalC.slice(b * units, (b + 1) * units))).toBeLessThan(1e-4);
        }
        // every gate and state per step, as lw.trace has them
        for (const [field, values] of Object.entries(v.trace as Record<string, number[]>)) {
          const key = TRACE_NAMES[field];
          expect(maxDiff(got[key], values.slice(b * per, (b + 1) * per))).toBeLessThan(1e-4);
        }
        expect(maxDiff(got.h, v.traceH.slice(b * per, (b + 1) * per))).toBeLessThan(1e-4);
      }
    });
  }
});
