import { describe, expect, it } from "vitest";
import { stepsPerFrame } from "./play";

describe("play", () => {
  it("crosses any visible range in about 300 frames", () => {
    expect(stepsPerFrame({ start: 0, stop: 100 })).toBe(1);
    expect(stepsPerFrame({ start: 0, stop: 3000 })).toBe(10);
    expect(stepsPerFrame({ start: 1000, stop: 1600 })).toBe(2);
  });
});
