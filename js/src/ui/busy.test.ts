import { describe, expect, it } from "vitest";
import { BUSY_DELAY_MS, BusyState, type Clock } from "./busy";

function fakeClock(): Clock & { fire(): void; pending: number } {
  let fn: (() => void) | null = null;
  let id = 0;
  return {
    set(f, ms) {
      expect(ms).toBe(BUSY_DELAY_MS);
      fn = f;
      return ++id;
    },
    clear(which) {
      if (which === id) fn = null;
    },
    fire() {
      const f = fn;
      fn = null;
      f?.();
    },
    get pending() {
      return fn === null ? 0 : 1;
    },
  };
}

describe("BusyState", () => {
  it("shows nothing for quick work", () => {
    const shown: (string | null)[] = [];
    const clock = fakeClock();
    const busy = new BusyState((t) => shown.push(t), clock);
    busy.update("computing sample 1 …");
    busy.update("");
    clock.fire(); // cancelled: nothing left to fire
    expect(shown).toEqual([null]);
    expect(clock.pending).toBe(0);
  });

  it("shows long work after the delay, follows its steps, hides when done", () => {
    const shown: (string | null)[] = [];
    const clock = fakeClock();
    const busy = new BusyState((t) => shown.push(t), clock);
    busy.update("computing sample 3: the input …");
    busy.update("computing sample 3: the gates …"); // before the delay: no new timer
    clock.fire();
    expect(shown).toEqual(["computing sample 3: the gates …"]);
    busy.update("computing sample 3: the output …");
    busy.update("");
    expect(shown).toEqual([
      "computing sample 3: the gates …",
      "computing sample 3: the output …",
      null,
    ]);
  });
});
