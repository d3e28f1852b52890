import { describe, expect, it } from "vitest";
import { type PageModel, runPage } from "./head";
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
