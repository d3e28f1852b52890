import { describe, expect, it } from "vitest";
import { clampRange, follow, rangeColumns, stepAt, xAt, zoomAt } from "./range";

describe("visible range", () => {
  it("zooms around the anchor step and stays inside the sequence", () => {
    expect(zoomAt({ start: 0, stop: 1000 }, 1000, 500, 0.1)).toEqual({ start: 450, stop: 550 });
    expect(zoomAt({ start: 0, stop: 1000 }, 1000, 0, 0.1)).toEqual({ start: 0, stop: 100 });
    expect(zoomAt({ start: 450, stop: 550 }, 1000, 500, 100)).toEqual({ start: 0, stop: 1000 });
    expect(zoomAt({ start: 10, stop: 12 }, 1000, 11, 0.1)).toEqual({ start: 11, stop: 12 }); // one step
  });

  it("clamps and pans to follow the playhead", () => {
    expect(clampRange(-5, 20, 100)).toEqual({ start: 0, stop: 25 });
    expect(clampRange(90, 120, 100)).toEqual({ start: 70, stop: 100 });
    expect(follow({ start: 10, stop: 20 }, 25, 100)).toEqual({ start: 16, stop: 26 });
    expect(follow({ start: 10, stop: 20 }, 3, 100)).toEqual({ start: 3, stop: 13 });
    expect(follow({ start: 10, stop: 20 }, 15, 100)).toEqual({ start: 10, stop: 20 });
  });

  it("maps pixels to steps of the range and back", () => {
    const r = { start: 100, stop: 110 };
    expect(stepAt(0, 500, r)).toBe(100);
    expect(stepAt(499, 500, r)).toBe(109);
    expect(stepAt(xAt(104, 500, r), 500, r)).toBe(104);
  });
});

describe("range columns", () => {
  // 2 units, 8 steps, 4 bins: bin value = 10 * unit + bin
  const overview = { data: Float32Array.of(0, 1, 2, 3, 10, 11, 12, 13), shape: [2, 4] };

  it("crops the overview's bins when no window holds the range", () => {
    const got = rangeColumns({ start: 2, stop: 6 }, 8, overview, null, 4);
    expect(got.cols).toBe(2);
    expect(Array.from(got.data)).toEqual([1, 2, 11, 12]);
    expect(got.exact).toBe(false);
  });

  it("takes full-resolution values from a window that holds the range", () => {
    const units = 2;
    const start = 1;
    const tw = 6; // steps 1..6
    const data = new Float32Array(6 * tw * units);
    for (let t = 0; t < tw; t++) for (let u = 0; u < units; u++) data[(4 * tw + t) * units + u] = 100 * u + start + t;
    const win = { layer: "l", sample: 0, start, stop: start + tw, units, data, features: 0, input: new Float32Array() };
    const got = rangeColumns({ start: 2, stop: 5 }, 8, overview, win, 4);
    expect(got.exact).toBe(true);
    expect(Array.from(got.data)).toEqual([2, 3, 4, 102, 103, 104]);
  });
});
