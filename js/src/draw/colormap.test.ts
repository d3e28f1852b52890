import { describe, expect, it } from "vitest";
import { colorOf, lookupTable, NAN_COLOR, scaleFor, tableIndex } from "./colormap";
import { toPixels } from "./heatmap";

describe("colour maps", () => {
  it("centres the diverging map on zero", () => {
    const s = scaleFor("c", new Float32Array([-2, 0.5, NaN, 1]));
    expect(s).toEqual({ kind: "diverging", lim: 2 });
    expect(colorOf(0, s)).toEqual([247, 247, 247]);
    expect(colorOf(-2, s)).toEqual([5, 48, 97]);
    expect(colorOf(2, s)).toEqual([103, 0, 31]);
    expect(colorOf(NaN, s)).toEqual(NAN_COLOR);
  });

  it("puts gates on a fixed 0..1 scale", () => {
    const s = scaleFor("f", new Float32Array([0.2, 0.3]));
    expect(s.kind).toBe("sequential");
    expect(colorOf(0, s)).toEqual([68, 1, 84]);
    expect(colorOf(1, s)).toEqual([253, 231, 37]);
  });

  it("agrees with its lookup table", () => {
    const s = { kind: "diverging" as const, lim: 3 };
    const table = lookupTable(s);
    const k = tableIndex(-3, s);
    expect(Array.from(table.slice(3 * k, 3 * k + 3))).toEqual(colorOf(-3, s));
  });

  it("colours rows in the requested order, one pixel per value", () => {
    const data = new Float32Array([0, 1, NaN, -1]); // 2 rows x 2 cols
    const px = toPixels(data, 2, [1, 0], { kind: "diverging", lim: 1 });
    expect(px.width).toBe(2);
    expect(px.height).toBe(2);
    expect(Array.from(px.data.slice(0, 4))).toEqual([...NAN_COLOR, 255]); // row 1 first
    // row 0, value 0: near-white (the table quantizes to 256 levels)
    Array.from(px.data.slice(8, 11)).forEach((c) => expect(Math.abs(c - 247)).toBeLessThanOrEqual(2));
    expect(Array.from(px.data.slice(12, 15))).toEqual([103, 0, 31]); // value 1 = top of the range
  });
});

describe("differences", () => {
  it("puts gate differences on a signed scale", () => {
    expect(scaleFor("f", new Float32Array([-0.5, 0.25]), true)).toEqual({ kind: "diverging", lim: 0.5 });
  });
});
