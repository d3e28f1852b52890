import { describe, expect, it } from "vitest";
import { topStep } from "./attribution";

describe("topStep", () => {
  it("finds the largest magnitude, sign ignored, NaN skipped", () => {
    expect(topStep(new Float32Array([0.1, -0.9, NaN, 0.5]))).toBe(1);
    expect(topStep(new Float32Array([]))).toBe(-1);
  });
});
