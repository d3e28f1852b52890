/**
 * What the view tells the kernel, once it rests: the playhead (`step`) and the steps the
 * timeline shows (`visible_range`, [] for all of them; the notebook's saved picture draws
 * it). Nothing is sent while the user scrubs or zooms.
 */

import type { Range } from "../types";
import type { SetTrait } from "./controls";

/** Quiet time before a position is sent. */
export const REST_MS = 150;

/** The value of `visible_range` for `range` of a sequence of `steps` steps. */
export function visibleRange(range: Range, steps: number): number[] {
  return range.start === 0 && range.stop === steps ? [] : [range.start, range.stop];
}

export interface ViewSync {
  /** Send the playhead once it rests. */
  step(): void;
  /** Send the shown range once it rests. */
  range(): void;
  dispose(): void;
}

export function mountSync(
  get: { step(): number; range(): Range; steps(): number },
  known: { step(): number; range(): number[] },
  setTrait: SetTrait,
): ViewSync {
  let stepTimer = 0;
  let rangeTimer = 0;
  return {
    step() {
      clearTimeout(stepTimer);
      stepTimer = setTimeout(() => {
        if (known.step() !== get.step()) setTrait("step", get.step());
      }, REST_MS);
    },
    range() {
      clearTimeout(rangeTimer);
      rangeTimer = setTimeout(() => {
        const shown = visibleRange(get.range(), get.steps());
        const was = known.range();
        if (shown.length !== was.length || shown.some((v, i) => v !== was[i])) {
          setTrait("visible_range", shown);
        }
      }, REST_MS);
    },
    dispose() {
      clearTimeout(stepTimer);
      clearTimeout(rangeTimer);
    },
  };
}
