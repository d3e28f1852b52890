import { describe, expect, it } from "vitest";
import { hitText } from "./similar";

describe("find similar", () => {
  it("lists a hit's sample, steps (inclusive) and score", () => {
    expect(hitText([12, 30, 35, 1])).toBe("sample 12, steps 30–34, score 1.00");
    expect(hitText([7, 20, 26, 0.8333])).toBe("sample 7, steps 20–25, score 0.83");
  });
});
