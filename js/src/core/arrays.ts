/** The arrays the explorer shows per layer kind: names in window order, labels, which are gates. */

/** An LSTM's arrays in window order (`VIEWS["lstm"]` in Python); a GRU's are z, r, hh, h. */
export const LSTM_ARRAYS: readonly string[] = ["i", "f", "g", "o", "c", "h"];

const LABELS: Record<string, string> = {
  i: "input gate i",
  f: "forget gate f",
  g: "candidate g",
  o: "output gate o",
  c: "cell state c",
  h: "hidden h",
  z: "update gate z",
  r: "reset gate r",
  hh: "candidate h~",
};

/** Arrays that are gates: values in [0, 1], drawn on a sequential scale. */
const GATES: ReadonlySet<string> = new Set(["i", "f", "o", "z", "r"]);

/** The label of an array (its short name if unknown). */
export function labelOf(name: string): string {
  return LABELS[name] ?? name;
}

/** Whether an array is a gate (in [0, 1]). */
export function isGate(name: string): boolean {
  return GATES.has(name);
}
