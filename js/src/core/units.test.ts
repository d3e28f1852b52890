import { describe, expect, it } from "vitest";
import { orderBy, parseFilter, rowVariance, shownUnits } from "./units";

describe("parseFilter", () => {
  it("shows all units for an empty filter", () => {
    expect(parseFilter("  ", 4)).toEqual([0, 1, 2, 3]);
  });
  it("reads indices, ranges and open ranges, sorted and unique", () => {
    expect(parseFilter("5, 0-2, 2, 8-", 10)).toEqual([0, 1, 2, 5, 8, 9]);
  });
  it("clips to the layer's units and explains bad input", () => {
    expect(parseFilter("3-100", 5)).toEqual([3, 4]);
    expect(parseFilter("a-b", 5)).toMatch(/cannot read "a-b"/);
    expect(parseFilter("4-2", 5)).toMatch(/backwards/);
    expect(parseFilter("9", 5)).toMatch(/no unit in 0-4/);
  });
});

describe("ordering", () => {
  it("computes per-row variance ignoring NaN", () => {
    const data = new Float32Array([1, 1, 1, 0, 2, NaN, -3, 3, 0]);
    const v = rowVariance(data, 3, 3);
    expect(v[0]).toBe(0);
    expect(v[1]).toBeCloseTo(1);
    expect(v[2]).toBeCloseTo(6);
  });
  it("sorts by descending score with index ties", () => {
    expect(orderBy([0, 1, 2, 3], [0.5, 2, 0.5, NaN])).toEqual([1, 0, 2, 3]);
  });
});

describe("shownUnits", () => {
  const overview = { data: new Float32Array([0, 0, 1, -1, 5, 5]), shape: [3, 2] }; // variances 0, 1, 0
  it("filters, then orders by variance over time or by |value| at the playhead", () => {
    expect(shownUnits("", 3, "index", overview, null)).toEqual({ units: [0, 1, 2], problem: null });
    expect(shownUnits("", 3, "variance", overview, null).units).toEqual([1, 0, 2]);
    expect(shownUnits("0, 2", 3, "activity", null, [0.1, 9, -0.5]).units).toEqual([2, 0]);
    expect(shownUnits("1-", 3, "activity", null, null).units).toEqual([1, 2]); // no values yet
  });
  it("shows every unit and names the problem of a filter that does not read", () => {
    expect(shownUnits("x", 3, "index", null, null)).toEqual({
      units: [0, 1, 2],
      problem: 'cannot read "x": use indices and ranges like 0-15, 40',
    });
  });
});

describe("order by effect", () => {
  it("orders by the kernel's effects once they cover every unit, else by index", () => {
    const effect = [0.1, 0.9, 0.0, 0.5];
    expect(shownUnits("", 4, "effect", null, null, effect).units).toEqual([1, 3, 0, 2]);
    expect(shownUnits("0, 2-3", 4, "effect", null, null, effect).units).toEqual([3, 0, 2]);
    expect(shownUnits("", 4, "effect", null, null, []).units).toEqual([0, 1, 2, 3]); // not yet
  });
});
