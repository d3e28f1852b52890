/**
 * What-if edits in the page: the weights of a cell with a gate's kernel, recurrent kernel or
 * bias changed, as `lstm_widget/_analyses/edits.py` changes them (on copies).
 */

import type { Edits } from "../types";
import type { Cell } from "./recurrence";

export const LSTM_GATE_ORDER = ["input", "forget", "cell", "output"] as const;
export const GRU_GATE_ORDER = ["update", "reset", "candidate"] as const;

/** `cell` with `edits` applied: kernel and recurrent columns scaled, the (input) bias shifted. */
export function editCell(cell: Cell, edits: Edits): Cell {
  const gates: readonly string[] = cell.kind === "LSTM" ? LSTM_GATE_ORDER : GRU_GATE_ORDER;
  const n = cell.units;
  const width = gates.length * n;
  const kernel = Float32Array.from(cell.kernel);
  const recurrentKernel = Float32Array.from(cell.recurrentKernel);
  const bias = cell.bias === null ? null : Float32Array.from(cell.bias);
  for (const [gate, edit] of Object.entries(edits)) {
    const k = gates.indexOf(gate);
    if (k < 0 || edit === undefined) throw new Error(`unknown gate ${gate} for a ${cell.kind}`);
    const units = edit.units ?? Array.from({ length: n }, (_, u) => u);
    const ks = Math.fround(edit.kernel_scale ?? 1);
    const rs = Math.fround(edit.recurrent_scale ?? 1);
    const shift = Math.fround(edit.bias_shift ?? 0);
    for (const u of units) {
      const col = k * n + u;
      for (let r = 0; r < cell.features; r++) kernel[r * width + col] *= ks;
      for (let r = 0; r < n; r++) recurrentKernel[r * width + col] *= rs;
      if (shift !== 0) {
        if (bias === null) throw new Error("this layer has use_bias=False: there is no bias to shift");
        bias[col] += shift; // a reset_after GRU: the input bias, its first row
      }
    }
  }
  return { ...cell, kernel, recurrentKernel, bias };
}
