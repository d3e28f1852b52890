import { describe, expect, it } from "vitest";
import { TOKEN_CELL_PX, shownLabel, thinTicks, tickSteps, timeTicks, tokenCells } from "./axis";

const charWidth = (text: string): number => 6 * text.length; // a monospace stand-in

describe("tick steps", () => {
  it("puts ticks at round intervals inside the range", () => {
    expect(tickSteps(0, 365, 600, 60)).toEqual([0, 50, 100, 150, 200, 250, 300, 350]);
    expect(tickSteps(0, 2000, 600, 100)).toEqual([0, 500, 1000, 1500]);
    expect(tickSteps(120, 180, 600, 100)).toEqual([120, 130, 140, 150, 160, 170]);
  });

  it("labels every step when there is room, and never a fraction of a step", () => {
    expect(tickSteps(0, 5, 600, 50)).toEqual([0, 1, 2, 3, 4]);
    expect(tickSteps(3, 9, 60, 50).every(Number.isInteger)).toBe(true);
    expect(tickSteps(0, 0, 600, 50)).toEqual([]);
  });
});

describe("label thinning", () => {
  it("drops labels that would overlap the previous one or leave the plot", () => {
    const ticks = [0, 10, 20, 30, 40].map((x) => ({ step: x, text: "abcd", x })); // 24 px wide
    expect(thinTicks(ticks, charWidth, 100, 4).map((t) => t.step)).toEqual([10, 40]);
    const spaced = [20, 50, 80, 110].map((x) => ({ step: x, text: "ab", x }));
    expect(thinTicks(spaced, charWidth, 100, 4).map((t) => t.step)).toEqual([20, 50, 80]);
  });
});

describe("time ticks", () => {
  it("uses the step labels as tick text, spaced by the widest label", () => {
    const labels = Array.from({ length: 365 }, (_, k) => `2015-${String(k).padStart(5, "0")}`); // 10 chars
    const ticks = timeTicks(0, 365, 700, labels, charWidth, (s) => ((s + 0.5) / 365) * 700);
    expect(ticks.length).toBeGreaterThan(3);
    for (const t of ticks) expect(t.text).toBe(labels[t.step]);
    for (let k = 1; k < ticks.length; k++) expect(ticks[k].x - ticks[k - 1].x).toBeGreaterThanOrEqual(60 + 8);
  });

  it("shows every token of a short sequence", () => {
    const tokens = ["the", "cat", "sat", "on", "the", "mat"];
    const ticks = timeTicks(0, 6, 600, tokens, charWidth, (s) => ((s + 0.5) / 6) * 600);
    expect(ticks.map((t) => t.text)).toEqual(tokens);
  });

  it("keeps short tokens beside a long one, and drops only what overlaps", () => {
    const tokens = ["a", "b", "a-very-long-token-indeed", "c", "d", "e", "f", "g"]; // 144 px
    const x = (s: number): number => ((s + 0.5) / 8) * 480; // 60 px per step
    const ticks = timeTicks(0, 8, 480, tokens, charWidth, x);
    expect(ticks.map((t) => t.step)).toEqual([0, 1, 3, 4, 5, 6, 7]); // the long one overlaps "b"
    for (const t of ticks) expect(t.text).toBe(tokens[t.step]);
  });

  it("falls back to step numbers without labels", () => {
    const ticks = timeTicks(0, 1000, 600, [], charWidth, (s) => ((s + 0.5) / 1000) * 600);
    expect(ticks.map((t) => t.text)).toEqual(ticks.map((t) => String(t.step)));
    expect(ticks[0].step).toBe(0);
  });
});

describe("token cells", () => {
  const words = ["the", "cat", "extraordinarily", "sat", "on", "a", "mat"];

  it("gives every step of the range its own cell, aligned with the step", () => {
    const cells = tokenCells(2, 6, 200, words);
    expect(cells?.map((c) => [c.step, c.text])).toEqual([
      [2, "extraordinarily"],
      [3, "sat"],
      [4, "on"],
      [5, "a"],
    ]);
    expect(cells?.map((c) => c.left)).toEqual([0, 50, 100, 150]);
    expect(cells?.every((c) => c.width === 50)).toBe(true);
  });

  it("is null when steps are too narrow, or without labels", () => {
    expect(tokenCells(0, 7, 7 * TOKEN_CELL_PX - 1, words)).toBeNull();
    expect(tokenCells(0, 7, 7 * TOKEN_CELL_PX, words)).not.toBeNull();
    expect(tokenCells(0, 7, 700, [])).toBeNull();
  });
});

describe("shown labels", () => {
  it("makes white-space tokens visible and leaves others alone", () => {
    expect(shownLabel(" ")).toBe("␣");
    expect(shownLabel("\n")).toBe("↵");
    expect(shownLabel("\t ")).toBe("⇥␣");
    expect(shownLabel("")).toBe("∅");
    expect(shownLabel("New York")).toBe("New York");
    expect(shownLabel("2015-02-11 10:00")).toBe("2015-02-11 10:00");
  });
});
