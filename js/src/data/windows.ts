/**
 * Full-resolution windows of one sample's arrays, fetched from the kernel by request.
 *
 * The timeline draws the kernel's downsampled overview; the bars, the line plots and a
 * zoomed-in timeline need exact values, which arrive in windows of up to
 * {@link WINDOW_STEPS} steps around the playhead (or around the zoomed range). A small
 * first window answers quickly; the full one follows once the data rests.
 */

import { decode } from "../core/codec";
import { windowAround } from "../core/layout";
import type { Requester } from "./rpc";
import type { Range, WindowData } from "../types";

/** Steps fetched per window request. */
export const WINDOW_STEPS = 4096;
/** Steps of the first, small window: values show fast, the full window follows. */
export const FIRST_WINDOW_STEPS = 128;
/** The full window follows the small one when the data has not changed for this long. */
export const FULL_WINDOW_DELAY_MS = 250;

/** Where the view is: the window must hold `step`, and `range` when it is narrow. */
export interface WindowQuery {
  layer: string;
  sample: number;
  steps: number;
  step: number;
  range: Range;
}

/** Values of the window's step `step` for each of its arrays, or null when it is not held. */
export function valuesAt(win: WindowData | null, step: number, arrays: number): Float32Array[] | null {
  if (win === null || step < win.start || step >= win.stop) return null;
  const tw = win.stop - win.start;
  const out: Float32Array[] = [];
  for (let k = 0; k < arrays; k++) {
    const off = (k * tw + (step - win.start)) * win.units;
    out.push(win.data.subarray(off, off + win.units));
  }
  return out;
}

/**
 * Whether `win` serves the view: same layer and sample, holds the playhead, holds the whole
 * range when that is narrower than `size` steps, and is `size` steps long (or the sequence).
 */
export function serves(win: WindowData | null, q: WindowQuery, size: number): boolean {
  if (win === null || win.layer !== q.layer || win.sample !== q.sample) return false;
  if (q.step < win.start || q.step >= win.stop) return false;
  const narrow = q.range.stop - q.range.start <= size;
  if (narrow && (win.start > q.range.start || win.stop < q.range.stop)) return false;
  return win.stop - win.start >= Math.min(q.steps, size);
}

/** The window held and the one being fetched; `loaded` runs when a window arrives. */
export class Windows {
  current: WindowData | null = null;
  private inFlight = "";
  private fullTimer = 0;

  constructor(
    private readonly requester: Requester,
    private readonly query: () => WindowQuery,
    private readonly loaded: (win: WindowData) => void,
    private readonly failed: (message: string) => void,
  ) {}

  /** Forget the held window (new data: its values are stale) and the pending full fetch. */
  reset(): void {
    this.current = null;
    window.clearTimeout(this.fullTimer);
  }

  /** Fetch a window of `size` steps unless the held one already serves the view. */
  ensure(size = WINDOW_STEPS): void {
    const q = this.query();
    const { layer, sample, steps: n, step, range } = q;
    if (n === 0 || serves(this.current, q, size)) return;
    // zoomed in to fewer steps than a window: the window holds the whole range (drawn exactly)
    const narrow = range.stop - range.start <= size;
    const centre = narrow ? Math.floor((range.start + range.stop) / 2) : step;
    const [start, stop] = windowAround(centre, n, size);
    const key = `${layer}|${sample}|${start}|${stop}`;
    if (this.inFlight === key) return;
    this.inFlight = key;
    this.requester
      .request({ type: "window", layer, sample, start, stop })
      .then(({ content, buffers }) => {
        if (this.inFlight === key) this.inFlight = "";
        const now = this.query();
        if (content.layer !== now.layer || content.sample !== now.sample) return; // moved on
        const shape = content.shape as number[];
        const arr = decode({ buffer: buffers[0], dtype: "float32", shape });
        const inputShape = (content.input_shape as number[] | undefined) ?? [0, 0];
        const input = decode({ buffer: buffers[1] ?? new ArrayBuffer(0), dtype: "float32", shape: inputShape });
        const [s0, s1] = [Number(content.start), Number(content.stop)];
        this.current = {
          layer,
          sample,
          start: s0,
          stop: s1,
          units: shape[2],
          features: inputShape[1],
          data: arr.data,
          input: input.data,
        };
        this.loaded(this.current);
        // The full window once the data rests (a slider drag sends new data every move,
        // and MBs of windows per move would queue ahead of the next edit); scrubbing asks
        // for it at once.
        window.clearTimeout(this.fullTimer);
        this.fullTimer = window.setTimeout(() => this.ensure(), FULL_WINDOW_DELAY_MS);
      })
      .catch((err: Error) => {
        if (this.inFlight === key) this.inFlight = "";
        this.failed(`could not load values: ${err.message}`);
      });
  }

  /** Stop: no pending full fetch, and the requester (owned here) rejects what is in flight. */
  dispose(): void {
    window.clearTimeout(this.fullTimer);
    this.requester.dispose();
  }
}
