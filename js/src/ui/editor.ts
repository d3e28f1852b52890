/**
 * What-if editor: per-gate sliders for kernel scale, recurrent scale and bias shift, and the
 * list of units set inside the recurrence (from the unit menu, `units.ts`).
 * Edits go to the kernel through the `edits` trait. Latest value wins: while the kernel
 * is recomputing (edit_version > edit_done) new values are held, and only the newest
 * is sent when it finishes; intermediate slider positions are dropped.
 */

import type { Edits, EditsTrait, Gate, GateEdit, Intervention } from "../types";
import { describeUnits, joinEdits, setUnit, splitEdits } from "./units";

/** An LSTM's gates; a GRU's are update, reset, candidate (the `gates` trait says which). */
export const LSTM_GATES: readonly string[] = ["input", "forget", "cell", "output"];

export type Field = "kernel_scale" | "recurrent_scale" | "bias_shift";

const FIELDS: { field: Field; label: string; min: number; max: number }[] = [
  { field: "kernel_scale", label: "W ×", min: 0, max: 2 },
  { field: "recurrent_scale", label: "U ×", min: 0, max: 2 },
  { field: "bias_shift", label: "b +", min: -3, max: 3 },
];

/** The value of each field that changes nothing. */
const NEUTRAL: Record<Field, number> = { kernel_scale: 1, recurrent_scale: 1, bias_shift: 0 };

/** The model traits the editor reads and writes. */
export interface EditorModel {
  edits: EditsTrait;
  edit_version: number;
  edit_done: number;
}

/** Drop neutral fields, empty gates and gates not in `gates`, so "no change" is `{}`. */
export function normalize(edits: Edits, gates: readonly string[] = LSTM_GATES): Edits {
  const out: Edits = {};
  for (const gate of gates) {
    const e = edits[gate];
    if (e === undefined) continue;
    const kept: GateEdit = {};
    for (const f of FIELDS) {
      const v = e[f.field];
      if (v !== undefined && v !== NEUTRAL[f.field]) kept[f.field] = v;
    }
    if (Object.keys(kept).length > 0) {
      if (e.units) kept.units = e.units;
      out[gate] = kept;
    }
  }
  return out;
}

/** Sends edits one at a time; the newest pending edit replaces older pending ones. */
export class LatestWins {
  private queued: EditsTrait | null = null;

  constructor(
    private readonly get: () => { version: number; done: number },
    private readonly push: (edits: EditsTrait, version: number) => void,
  ) {}

  /** Offer an edit: sent now if the kernel is idle, else held (replacing any held one). */
  offer(edits: EditsTrait): void {
    const { version, done } = this.get();
    if (done < version) {
      this.queued = edits;
      return;
    }
    this.push(edits, version + 1);
  }

  /** The kernel finished an edit: send the held one, if any. */
  finished(): void {
    const next = this.queued;
    this.queued = null;
    if (next !== null) this.offer(next);
  }

  get holding(): boolean {
    return this.queued !== null;
  }
}

interface Slider {
  gate: Gate;
  field: Field;
  input: HTMLInputElement;
  readout: HTMLSpanElement;
}

/** The mounted editor: its cleanup, and the way to set a unit from the unit menu. */
export interface Editor {
  unmount(): void;
  setUnit(unit: number, array: "c" | "h", value: number | "mean" | null): void;
}

/** Build the editor under `parent`. */
export function mountEditor(
  model: {
    get<K extends keyof EditorModel>(key: K): EditorModel[K];
    set<K extends keyof EditorModel>(key: K, value: EditorModel[K]): void;
    save_changes(): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    on(event: string, cb: (...args: any[]) => void): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    off(event: string, cb: (...args: any[]) => void): void;
  },
  parent: HTMLElement,
  selectedUnits: () => number[] | null,
  gates: readonly string[] = LSTM_GATES,
): Editor {
  const box = document.createElement("details");
  box.className = "lstmw-editor";
  const summary = document.createElement("summary");
  summary.textContent = "what if… (edit gate weights on a copy)";
  box.appendChild(summary);
  parent.appendChild(box);
  const sliders: Slider[] = [];
  const onlySelected = new Map<Gate, HTMLInputElement>();
  const sender = new LatestWins(
    () => ({ version: model.get("edit_version"), done: model.get("edit_done") }),
    (edits, version) => {
      model.set("edits", edits);
      model.set("edit_version", version);
      model.save_changes();
    },
  );
  let units: Intervention[] = []; // units set inside the recurrence (the unit menu)
  const current = (): EditsTrait => {
    const edits: Edits = {};
    for (const s of sliders) {
      const e = (edits[s.gate] ??= {});
      e[s.field] = Number(s.input.value);
      if (onlySelected.get(s.gate)?.checked) e.units = selectedUnits();
    }
    return joinEdits(normalize(edits, gates), units);
  };
  const listeners: [EventTarget, string, EventListener][] = [];
  const listen = (t: EventTarget, type: string, fn: EventListener): void => {
    t.addEventListener(type, fn);
    listeners.push([t, type, fn]);
  };
  const onInput = (): void => {
    for (const s of sliders) s.readout.textContent = Number(s.input.value).toFixed(2);
    sender.offer(current());
  };
  const grid = document.createElement("div");
  grid.className = "lstmw-gates"; // one row per gate, columns aligned
  box.appendChild(grid);
  for (const gate of gates) {
    const row = document.createElement("div");
    row.className = "lstmw-gate-row";
    row.dataset.gate = gate;
    const name = document.createElement("span");
    name.className = "lstmw-gate-name";
    name.textContent = gate;
    row.appendChild(name);
    for (const f of FIELDS) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "range";
      input.min = String(f.min);
      input.max = String(f.max);
      input.step = "0.05";
      input.value = String(NEUTRAL[f.field]);
      input.dataset.field = f.field;
      const readout = document.createElement("span");
      readout.className = "lstmw-readout";
      readout.textContent = NEUTRAL[f.field].toFixed(2);
      label.append(f.label, input, readout);
      row.appendChild(label);
      sliders.push({ gate, field: f.field, input, readout });
      listen(input, "input", onInput);
    }
    const sel = document.createElement("label");
    const check = document.createElement("input");
    check.type = "checkbox";
    sel.append(check, "shown units only");
    row.appendChild(sel);
    onlySelected.set(gate, check);
    listen(check, "change", onInput);
    const reset = document.createElement("button");
    reset.textContent = "reset";
    listen(reset, "click", () => {
      for (const s of sliders) if (s.gate === gate) s.input.value = String(NEUTRAL[s.field]);
      onInput();
    });
    row.appendChild(reset);
    grid.appendChild(row);
  }
  const resetAll = document.createElement("button");
  resetAll.textContent = "reset all";
  listen(resetAll, "click", () => {
    for (const s of sliders) s.input.value = String(NEUTRAL[s.field]);
    for (const c of onlySelected.values()) c.checked = false;
    onInput();
  });
  box.appendChild(resetAll);
  const unitLine = document.createElement("div");
  unitLine.className = "lstmw-units-set";
  const unitText = document.createElement("span");
  const clearUnits = document.createElement("button");
  clearUnits.textContent = "clear units";
  unitLine.append("units set (right-click a row label or bar): ", unitText, clearUnits);
  box.appendChild(unitLine);
  const showUnits = (): void => {
    unitText.textContent = units.length > 0 ? describeUnits(units) : "none";
    clearUnits.hidden = units.length === 0;
  };
  listen(clearUnits, "click", () => {
    units = [];
    showUnits();
    onInput();
  });

  /** Show the trait's edits (e.g. restored with the notebook, or set from Python). */
  const fromTrait = (): void => {
    if (sender.holding || model.get("edit_done") < model.get("edit_version")) return;
    const split = splitEdits(model.get("edits"));
    const edits = split.gates;
    units = split.units;
    showUnits();
    for (const s of sliders) {
      const neutral = NEUTRAL[s.field];
      const v = edits[s.gate]?.[s.field];
      s.input.value = String(v ?? neutral);
      s.readout.textContent = Number(s.input.value).toFixed(2);
    }
    if (Object.keys(edits).length > 0 || units.length > 0) box.open = true;
  };
  const onDone = (): void => sender.finished();
  model.on("change:edit_done", onDone);
  model.on("change:edits", fromTrait);
  fromTrait();
  return {
    unmount: () => {
      for (const [t, type, fn] of listeners) t.removeEventListener(type, fn);
      model.off("change:edit_done", onDone);
      model.off("change:edits", fromTrait);
      box.remove();
    },
    setUnit: (unit, array, value) => {
      units = setUnit(units, unit, array, value);
      showUnits();
      box.open = true;
      onInput();
    },
  };
}
