/**
 * Units set inside the recurrence from the widget: zero a unit, hold it at its mean, or set
 * it to a typed or dragged value. A right-click on a unit's row label or bar opens a small menu; the
 * settings travel in the `edits` trait under `interventions`, beside the gate edits.
 */

import type { Edits, EditsTrait, GateEdit, Intervention } from "../types";

export const KEY = "interventions";

/** The gate edits and the interventions of an `edits` trait value. */
export function splitEdits(trait: EditsTrait | null | undefined): { gates: Edits; units: Intervention[] } {
  const gates: Edits = {};
  let units: Intervention[] = [];
  for (const [key, value] of Object.entries(trait ?? {})) {
    if (key === KEY) units = Array.isArray(value) ? value : [];
    else if (value !== undefined && !Array.isArray(value)) gates[key] = value as GateEdit;
  }
  return { gates, units };
}

/** An `edits` trait value from gate edits and interventions (none: no `interventions` key). */
export function joinEdits(gates: Edits, units: readonly Intervention[]): EditsTrait {
  const out: EditsTrait = { ...gates };
  if (units.length > 0) out[KEY] = [...units];
  return out;
}

/** `list` with unit `unit`'s `array` set to `value` (replacing its setting), or cleared (null). */
export function setUnit(
  list: readonly Intervention[],
  unit: number,
  array: "c" | "h",
  value: number | "mean" | null,
): Intervention[] {
  const kept = list.filter((i) => !(i.array === array && i.units.length === 1 && i.units[0] === unit));
  return value === null ? kept : [...kept, { units: [unit], array, value }];
}

/** The settings in words: `c[3] = 0; h[5] = mean`. */
export function describeUnits(list: readonly Intervention[]): string {
  return list
    .map((i) => `${i.array}[${i.units.join(", ")}] = ${typeof i.value === "number" ? String(i.value) : i.value}`)
    .join("; ");
}

export type UnitAction = (unit: number, array: "c" | "h", value: number | "mean" | null) => void;

/** The right-click menu of a unit, under `root`. */
export function mountUnitMenu(
  root: HTMLElement,
  arrays: () => readonly ("c" | "h")[],
  act: UnitAction,
): { open(unit: number, ev: MouseEvent): void; unmount(): void } {
  const menu = document.createElement("div");
  menu.className = "lstmw-unit-menu";
  menu.hidden = true;
  root.appendChild(menu);
  const close = (): void => {
    menu.hidden = true;
  };
  const button = (parent: HTMLElement, text: string, fn: () => void): void => {
    const b = document.createElement("button");
    b.textContent = text;
    b.addEventListener("click", () => {
      fn();
      close();
    });
    parent.appendChild(b);
  };
  const open = (unit: number, ev: MouseEvent): void => {
    menu.replaceChildren();
    const title = document.createElement("div");
    title.className = "lstmw-unit-menu-title";
    title.textContent = `unit ${unit}: set inside the recurrence`;
    menu.appendChild(title);
    for (const array of arrays()) {
      const row = document.createElement("div");
      row.className = "lstmw-unit-menu-row";
      row.dataset.array = array;
      button(row, `${array} = 0`, () => act(unit, array, 0));
      button(row, `${array} = mean`, () => act(unit, array, "mean"));
      const input = document.createElement("input");
      input.type = "number";
      input.step = "0.05";
      input.value = "0.5";
      input.setAttribute("aria-label", `value for ${array}`);
      // dragged: the unit follows the slider (the menu stays open; the newest value wins)
      const slider = document.createElement("input");
      slider.type = "range";
      slider.min = array === "c" ? "-3" : "-1";
      slider.max = array === "c" ? "3" : "1";
      slider.step = "0.05";
      slider.value = input.value;
      slider.setAttribute("aria-label", `drag ${array}`);
      slider.addEventListener("input", () => {
        input.value = slider.value;
        act(unit, array, Number(slider.value));
      });
      row.append(slider, input);
      button(row, `set ${array}`, () => {
        const v = Number(input.value);
        if (Number.isFinite(v)) act(unit, array, v);
      });
      button(row, `clear ${array}`, () => act(unit, array, null));
      menu.appendChild(row);
    }
    const box = root.getBoundingClientRect();
    menu.style.left = `${ev.clientX - box.left}px`;
    menu.style.top = `${ev.clientY - box.top}px`;
    menu.hidden = false;
  };
  const onKey = (ev: KeyboardEvent): void => {
    if (ev.key === "Escape") close();
  };
  const onDown = (ev: PointerEvent): void => {
    if (!menu.hidden && !menu.contains(ev.target as Node)) close();
  };
  root.addEventListener("keydown", onKey);
  document.addEventListener("pointerdown", onDown, true);
  return {
    open,
    unmount: () => {
      root.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onDown, true);
      menu.remove();
    },
  };
}
