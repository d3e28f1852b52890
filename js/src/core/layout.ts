/** Time steps and overview bins, window placement, and keyboard steps (pixels: range.ts). */

/** The overview bin that holds a step (bin k starts at floor(k * steps / bins)). */
export function binOfStep(step: number, steps: number, bins: number): number {
  if (bins >= steps) return step;
  let lo = 0;
  let hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Math.floor((mid * steps) / bins) <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The window [start, stop) of `size` steps centred on `step`, inside [0, steps). */
export function windowAround(step: number, steps: number, size: number): [number, number] {
  if (steps <= size) return [0, steps];
  const start = Math.min(steps - size, Math.max(0, step - (size >> 1)));
  return [start, start + size];
}

/** Clamp a step after a key press. */
export function stepAfterKey(key: string, step: number, steps: number, shift: boolean): number | null {
  const jump = shift ? 10 : 1;
  switch (key) {
    case "ArrowRight":
      return Math.min(steps - 1, step + jump);
    case "ArrowLeft":
      return Math.max(0, step - jump);
    case "Home":
      return 0;
    case "End":
      return steps - 1;
    default:
      return null;
  }
}
