import { describe, expect, it } from "vitest";
import { GUTTER } from "../draw/panels";
import { predictionText, timelineText, type TimelineView } from "./tips";

// 4 steps, 3 units, exact overview: value = 10 * unit + step
const overview = { data: Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)), shape: [3, 4] };
const base: TimelineView = {
  width: GUTTER + 400, // 100 px per step
  steps: 4,
  overview,
  input: null,
  exact: true,
  inputH: 0,
  unitsH: 30, // 10 px per row
  shown: [2, 0, 1],
  view: "c",
  views: ["i", "f", "g", "o", "c", "h"],
  window: null,
  featureNames: [],
  range: { start: 0, stop: 4 },
  labels: [],
  masked: [],
};

describe("timeline read-out", () => {
  it("adds the step's label and marks masked steps", () => {
    const view = { ...base, labels: ["a", "<b>", "c", "d"], masked: [[1, 3]] };
    expect(timelineText(GUTTER + 150, 5, view)).toBe("unit 2, step 1 · <b> (masked): c = 21.00000");
    expect(timelineText(GUTTER + 350, 5, view)).toBe("unit 2, step 3 · d: c = 23.00000");
  });

  it("reads the unit of the row and the step of the column", () => {
    expect(timelineText(GUTTER + 250, 5, base)).toBe("unit 2, step 2: c = 22.00000");
    expect(timelineText(GUTTER + 50, 25, base)).toBe("unit 1, step 0: c = 10.00000");
    expect(timelineText(GUTTER - 1, 5, base)).toBeNull();
  });

  it("marks binned values approximate unless the full-resolution window has the step", () => {
    const binned = { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }; // 2 units, 2 bins
    const view = { ...base, overview: binned, exact: false, shown: [0, 1], unitsH: 20 };
    expect(timelineText(GUTTER + 350, 15, view)).toBe("unit 1, step 3: c = ≈ 4.000000");
    // window over steps 2..3 for 2 units; arrays i, f, g, o, c, h: c is index 4
    const data = new Float32Array(6 * 2 * 2);
    data[(4 * 2 + 1) * 2 + 1] = 7.5; // c, step 3, unit 1
    const window = { layer: "l", sample: 0, start: 2, stop: 4, units: 2, data, features: 0, input: new Float32Array() };
    expect(timelineText(GUTTER + 350, 15, { ...view, window })).toBe("unit 1, step 3: c = 7.500000");
  });

  it("names the input feature above the units", () => {
    const input = { data: Float32Array.of(0.5, 0.25, 1, 2, 3, 4, 5, 6), shape: [2, 4] };
    const view = { ...base, input, inputH: 20, featureNames: ["temp"] };
    expect(timelineText(GUTTER + 150, 2, view)).toBe("temp, step 1: 0.2500000");
    expect(timelineText(GUTTER + 150, 12, view)).toBe("x1, step 1: 4.000000");
    expect(timelineText(GUTTER + 150, 21, view)).toBeNull(); // the gap under the input
  });
});

describe("predictionText", () => {
  it("shows the edited output, or says it is on its way, never an old one", () => {
    expect(predictionText(3, [0.5], [], false)).toBe("model prediction for sample 3: 0.50000");
    expect(predictionText(3, [0.5], [0.25], false)).toBe(
      "model prediction for sample 3: 0.50000   edited: 0.25000",
    );
    expect(predictionText(3, [0.5], [], true)).toBe("model prediction for sample 3: 0.50000   edited: …");
    expect(predictionText(3, [], [], true)).toBe("");
  });
});
