import { describe, expect, it } from "vitest";
import { findText, hitText } from "./similar";

describe("find similar", () => {
  it("lists a hit's sample, steps (inclusive) and score", () => {
    expect(hitText([12, 30, 35, 1])).toBe("sample 12, steps 30–34, score 1.00");
    expect(hitText([7, 20, 26, 0.8333])).toBe("sample 7, steps 20–25, score 0.83");
  });
  it("says which units it searches for, in which steps", () => {
    expect(findText([3, 5], { start: 10, stop: 20 }, false)).toBe("find similar: units 3, 5 on in steps 10–19");
    expect(findText([], { start: 10, stop: 20 }, true)).toBe(
      "find similar: the units on in the selected steps 10–19",
    );
  });
});
