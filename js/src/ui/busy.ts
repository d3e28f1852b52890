/**
 * Progress shown while the kernel computes: the `busy` trait says what ("computing
 * sample 3: …"). Quick work shows nothing; work that lasts longer than `BUSY_DELAY_MS`
 * shows an indeterminate bar and the text, until the kernel says it is done. Everything
 * already drawn stays scrubbable meanwhile (it lives in the browser).
 */

/** Work shorter than this shows no progress (no flicker on quick interactions). */
export const BUSY_DELAY_MS = 300;

/** Timers, injectable for tests. */
export interface Clock {
  set(fn: () => void, ms: number): number;
  clear(id: number): void;
}

const windowClock: Clock = {
  set: (fn, ms) => window.setTimeout(fn, ms),
  clear: (id) => window.clearTimeout(id),
};

/** Decides when the progress line is visible; `show(text)` / `show(null)` draw it. */
export class BusyState {
  private timer = 0;
  private current = "";
  private visible = false;

  constructor(
    private readonly show: (text: string | null) => void,
    private readonly clock: Clock = windowClock,
  ) {}

  /** The kernel's `busy` trait changed. */
  update(text: string): void {
    const wasBusy = this.current !== "";
    this.current = text;
    if (text === "") {
      this.clock.clear(this.timer);
      this.visible = false;
      this.show(null);
    } else if (this.visible) {
      this.show(text); // follow the kernel's steps
    } else if (!wasBusy) {
      this.timer = this.clock.set(() => {
        this.visible = true;
        this.show(this.current);
      }, BUSY_DELAY_MS);
    }
  }

  dispose(): void {
    this.clock.clear(this.timer);
  }
}

/** Build the progress line under `parent`; returns the state and its cleanup. */
export function mountBusy(parent: HTMLElement): { state: BusyState; dispose: () => void } {
  const line = document.createElement("div");
  line.className = "lstmw-busy";
  line.setAttribute("role", "status");
  const bar = document.createElement("progress"); // no value: indeterminate
  const text = document.createElement("span");
  line.append(bar, text);
  line.hidden = true;
  parent.appendChild(line);
  const state = new BusyState((value) => {
    line.hidden = value === null;
    text.textContent = value ?? ""; // text, never HTML
  });
  return {
    state,
    dispose: () => {
      state.dispose();
      line.remove();
    },
  };
}
