import { describe, expect, it } from "vitest";
import { type PageModel, runPage } from "./head";
import type { Clamp } from "./recurrence";
import { BATCH, MODELS } from "./recurrence.vectors";

describe("the recurrent layer and the layers after it, against Keras", () => {
  for (const [name, v] of Object.entries(MODELS)) {
    it(name, () => {
      const model = v.model as PageModel;
      const arrays = (v.arrays as number[][]).map((a) => Float32Array.from(a));
      const per = v.x.length / BATCH;
      const outPer = v.output === null ? 0 : v.output.length / BATCH;
      for (let b = 0; b < BATCH; b++) {
        const x = Float32Array.from(v.x.slice(b * per, (b + 1) * per));
        const steps = v.mask.length / BATCH;
        const mask = v.mask.slice(b * steps, (b + 1) * steps);
        const got = runPage(model, arrays, x, mask);
        if (v.output === null) {
          // a custom activation: no number, and the reason names it
          expect(got.output).toBeNull();
          expect(got.why).toMatch(/activation .* of layer dense/);
          continue;
        }
        expect(got.why).toBe("");
        expect(got.output!.shape).toEqual(v.outputShape);
        const want: number[] = v.output.slice(b * outPer, (b + 1) * outPer);
        const worst = Math.max(...Array.from(got.output!.data, (g, k) => Math.abs(g - want[k])));
        expect(worst).toBeLessThan(1e-4);
      }
    });
  }
});

interface PyClamp {
  units: number[];
  array: "c" | "h";
  value: number;
  steps?: number[];
}

describe("what-if in the page: lw.what_if's and lw.intervene's outputs", () => {
  for (const [name, v] of Object.entries(MODELS)) {
    if (v.edits === undefined) continue;
    it(name, () => {
      const model = v.model as PageModel;
      const arrays = (v.arrays as number[][]).map((a) => Float32Array.from(a));
      const per = v.x.length / BATCH;
      const steps = v.mask.length / BATCH;
      const outPer = v.output.length / BATCH;
      const clamps: Clamp[] = (v.clamps as PyClamp[]).map((c) => ({
        array: c.array,
        units: c.units,
        value: c.value,
        at: c.steps === undefined ? null : Array.from({ length: steps }, (_, t) => c.steps!.includes(t)),
      }));
      for (let b = 0; b < BATCH; b++) {
        const x = Float32Array.from(v.x.slice(b * per, (b + 1) * per));
        const mask = v.mask.slice(b * steps, (b + 1) * steps);
        for (const [changes, want] of [
          [{ edits: v.edits }, v.editedOutput],
          [{ clamps }, v.intervenedOutput],
        ] as const) {
          const got = runPage(model, arrays, x, mask, changes).output!;
          const expected: number[] = want.slice(b * outPer, (b + 1) * outPer);
          const worst = Math.max(...Array.from(got.data, (g, k) => Math.abs(g - expected[k])));
          expect(worst).toBeLessThan(1e-4);
        }
        // and the change did something
        const plain = runPage(model, arrays, x, mask).output!;
        expect(Math.max(...Array.from(plain.data, (p, k) => Math.abs(p - v.editedOutput[b * outPer + k])))).toBeGreaterThan(1e-5);
      }
    });
  }
});
