import { describe, expect, it } from "vitest";
import { GUTTER } from "../draw/panels";
import { bandPixels, dragged } from "./query";

describe("query range (Shift-drag)", () => {
  it("covers both dragged steps, in either direction", () => {
    expect(dragged(12, 7)).toEqual({ start: 7, stop: 13 });
    expect(dragged(7, 12)).toEqual({ start: 7, stop: 13 });
    expect(dragged(4, 4)).toEqual({ start: 4, stop: 5 }); // a click: one step
  });
  it("is drawn where its steps are, clipped to the visible range", () => {
    const range = { start: 100, stop: 200 }; // 100 steps over 500 px: 5 px a step
    expect(bandPixels({ start: 110, stop: 120 }, range, 500)).toEqual([GUTTER + 50, 50]);
    expect(bandPixels({ start: 90, stop: 105 }, range, 500)).toEqual([GUTTER, 25]);
    expect(bandPixels({ start: 190, stop: 260 }, range, 500)).toEqual([GUTTER + 450, 50]);
    expect(bandPixels({ start: 0, stop: 100 }, range, 500)).toBeNull();
  });
});
