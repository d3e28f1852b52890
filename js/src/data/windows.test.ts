import { describe, expect, it } from "vitest";
import { serves, valuesAt } from "./windows";
import type { WindowData } from "../types";

/** A window of steps [start, stop) of 2 arrays × 3 units whose value is 100·array + 10·step + unit. */
function windowOf(start: number, stop: number): WindowData {
  const tw = stop - start;
  const data = new Float32Array(2 * tw * 3);
  for (let k = 0; k < 2; k++)
    for (let t = 0; t < tw; t++) for (let u = 0; u < 3; u++) data[(k * tw + t) * 3 + u] = 100 * k + 10 * (start + t) + u;
  return { layer: "lstm", sample: 0, start, stop, units: 3, features: 0, data, input: new Float32Array(0) };
}

describe("window values", () => {
  it("reads each array's units at a step inside the window", () => {
    const vals = valuesAt(windowOf(4, 8), 6, 2);
    expect(vals?.map((v) => Array.from(v))).toEqual([
      [60, 61, 62],
      [160, 161, 162],
    ]);
  });

  it("is null outside the window or without one", () => {
    expect(valuesAt(windowOf(4, 8), 8, 2)).toBeNull();
    expect(valuesAt(windowOf(4, 8), 3, 2)).toBeNull();
    expect(valuesAt(null, 0, 2)).toBeNull();
  });
});

describe("which window serves the view", () => {
  const q = { layer: "lstm", sample: 0, steps: 1000, step: 50, range: { start: 0, stop: 1000 } };

  it("needs the same layer and sample, the playhead, and the full size", () => {
    expect(serves(windowOf(0, 100), q, 100)).toBe(true);
    expect(serves(windowOf(0, 100), { ...q, sample: 1 }, 100)).toBe(false);
    expect(serves(windowOf(0, 100), { ...q, layer: "other" }, 100)).toBe(false);
    expect(serves(windowOf(0, 100), { ...q, step: 100 }, 100)).toBe(false);
    expect(serves(windowOf(0, 50), { ...q, step: 10 }, 100)).toBe(false); // a first, small one
    expect(serves(windowOf(0, 50), { ...q, steps: 50, step: 10, range: { start: 0, stop: 50 } }, 100)).toBe(true);
  });

  it("must hold the whole zoomed range when the range is narrower than a window", () => {
    const zoomed = { ...q, range: { start: 40, stop: 120 } };
    expect(serves(windowOf(0, 100), zoomed, 100)).toBe(false);
    expect(serves(windowOf(30, 130), zoomed, 100)).toBe(true);
  });
});
