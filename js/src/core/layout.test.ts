import { describe, expect, it } from "vitest";
import { binOfStep, stepAfterKey, windowAround } from "./layout";
import { stepAt, xAt } from "./range";

describe("layout", () => {
  it("maps pixels to steps and back", () => {
    const all = { start: 0, stop: 10 };
    expect(stepAt(0, 100, all)).toBe(0);
    expect(stepAt(99.9, 100, all)).toBe(9);
    expect(stepAt(150, 100, all)).toBe(9);
    expect(stepAt(-5, 100, all)).toBe(0);
    for (let s = 0; s < 10; s++) expect(stepAt(xAt(s, 100, all), 100, all)).toBe(s);
  });

  it("finds the bin of a step like numpy's floor(k * steps / bins) edges", () => {
    // edges for 10 steps in 4 bins: 0, 2, 5, 7, 10
    expect([0, 1, 2, 4, 5, 6, 7, 9].map((s) => binOfStep(s, 10, 4))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(binOfStep(7, 8, 100)).toBe(7);
    expect(binOfStep(99999, 100000, 2048)).toBe(2047);
  });

  it("centres windows and keeps them inside the sequence", () => {
    expect(windowAround(50, 100, 4096)).toEqual([0, 100]);
    expect(windowAround(50000, 100000, 4096)).toEqual([47952, 52048]);
    expect(windowAround(10, 100000, 4096)).toEqual([0, 4096]);
    expect(windowAround(99999, 100000, 4096)).toEqual([95904, 100000]);
  });

  it("moves the playhead with keys", () => {
    expect(stepAfterKey("ArrowRight", 3, 10, false)).toBe(4);
    expect(stepAfterKey("ArrowRight", 3, 10, true)).toBe(9);
    expect(stepAfterKey("ArrowLeft", 0, 10, false)).toBe(0);
    expect(stepAfterKey("End", 3, 10, false)).toBe(9);
    expect(stepAfterKey("Home", 3, 10, false)).toBe(0);
    expect(stepAfterKey("a", 3, 10, false)).toBeNull();
  });
});
