/** Play: the playhead runs across the visible range, about 300 frames from start to end. */

import type { Range } from "../types";


export interface PlayHost {
  step(): number;
  range(): Range;
  /** Move the playhead (the host draws and tells the kernel). */
  setStep(next: number): void;
}

export interface Play {
  toggle(): void;
  dispose(): void;
}

/** Steps per frame: a range of any length plays in about 300 frames. */
export function stepsPerFrame(range: Range): number {
  return Math.max(1, Math.round((range.stop - range.start) / 300));
}

export function mountPlay(button: HTMLButtonElement, host: PlayHost): Play {
  let frame = 0;
  const stop = (): void => {
    cancelAnimationFrame(frame);
    frame = 0;
    button.textContent = "▶ play";
  };
  function toggle(): void {
    if (frame) return stop();
    button.textContent = "❚❚ pause";
    const range = host.range();
    if (host.step() >= range.stop - 1) host.setStep(range.start); // from the start again
    const per = stepsPerFrame(range);
    const tick = (): void => {
      host.setStep(host.step() + per);
      if (host.step() >= host.range().stop - 1) stop();
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
  }
  button.addEventListener("click", toggle);
  return {
    toggle,
    dispose: () => {
      cancelAnimationFrame(frame);
      button.removeEventListener("click", toggle);
    },
  };
}
