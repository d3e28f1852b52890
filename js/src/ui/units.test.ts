import { describe, expect, it } from "vitest";
import { describeUnits, joinEdits, setUnit, splitEdits } from "./units";

describe("edits with units set", () => {
  it("splits gate edits from interventions and joins them back", () => {
    const trait = { forget: { bias_shift: -1 }, interventions: [{ units: [3], array: "c" as const, value: 0 }] };
    const { gates, units } = splitEdits(trait);
    expect(gates).toEqual({ forget: { bias_shift: -1 } });
    expect(units).toEqual([{ units: [3], array: "c", value: 0 }]);
    expect(joinEdits(gates, units)).toEqual(trait);
    expect(joinEdits(gates, [])).toEqual({ forget: { bias_shift: -1 } }); // no empty list
    expect(splitEdits(null)).toEqual({ gates: {}, units: [] });
  });

  it("sets, replaces and clears one unit's setting per array", () => {
    let list = setUnit([], 3, "c", 0);
    list = setUnit(list, 5, "h", "mean");
    list = setUnit(list, 3, "c", 0.5); // replaces c[3] = 0
    expect(list).toEqual([
      { units: [5], array: "h", value: "mean" },
      { units: [3], array: "c", value: 0.5 },
    ]);
    expect(describeUnits(list)).toBe("h[5] = mean; c[3] = 0.5");
    expect(setUnit(list, 5, "h", null)).toEqual([{ units: [3], array: "c", value: 0.5 }]);
    expect(setUnit(list, 5, "c", null)).toEqual(list); // h[5] stays
  });
});
