import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Range } from "../types";
import { mountSync, REST_MS, visibleRange } from "./sync";

describe("visibleRange", () => {
  it("is [] for the whole sequence and [start, stop) for a zoom", () => {
    expect(visibleRange({ start: 0, stop: 100 }, 100)).toEqual([]);
    expect(visibleRange({ start: 25, stop: 40 }, 100)).toEqual([25, 40]);
  });
});

describe("mountSync", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(known: { step: number; range: number[] }) {
    const view = { step: 0, range: { start: 0, stop: 100 } as Range };
    const sent: [string, unknown][] = [];
    const sync = mountSync(
      { step: () => view.step, range: () => view.range, steps: () => 100 },
      { step: () => known.step, range: () => known.range },
      (key, value) => sent.push([key, value]),
    );
    return { view, sent, sync };
  }

  it("sends the playhead and the range once they rest, the last value only", () => {
    const { view, sent, sync } = setup({ step: 0, range: [] });
    for (const s of [5, 6, 7]) {
      view.step = s;
      sync.step();
      vi.advanceTimersByTime(REST_MS / 2); // still moving: nothing sent
    }
    view.range = { start: 25, stop: 40 };
    sync.range();
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(REST_MS);
    expect(sent).toEqual([
      ["step", 7],
      ["visible_range", [25, 40]],
    ]);
  });

  it("sends nothing the kernel already has, and nothing after dispose", () => {
    const { view, sent, sync } = setup({ step: 3, range: [25, 40] });
    view.step = 3;
    view.range = { start: 25, stop: 40 };
    sync.step();
    sync.range();
    vi.advanceTimersByTime(REST_MS);
    expect(sent).toEqual([]);
    view.step = 9;
    sync.step();
    sync.dispose();
    vi.advanceTimersByTime(REST_MS);
    expect(sent).toEqual([]);
  });
});
