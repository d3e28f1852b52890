/**
 * Unit line plots: the selected units (`selected_units`) of one array over the visible
 * range, with the playhead, drawn from the full-resolution window (the part of the range
 * it holds; a zoomed range of up to 4,096 steps is held whole). Hovering reads out every
 * selected unit's exact value at the step under the pointer.
 */

import { el, labelled, setViews, sizeCanvas } from "../core/dom";
import { GUTTER } from "../draw/panels";
import { stepAt, xAt } from "../core/range";
import type { Range, WindowData } from "../types";

/** Tableau 10: distinct colours for up to ten lines (then they repeat). */
export const LINE_COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
];

export const LINES_HEIGHT = 120;

/** The steps of `range` that `win` holds (empty when none). */
export function heldRange(range: Range, win: WindowData | null): Range {
  if (win === null) return { start: range.start, stop: range.start };
  const start = Math.max(range.start, win.start);
  return { start, stop: Math.max(start, Math.min(range.stop, win.stop)) };
}

/** Value of array `k`, step `s`, unit `u` in the window (NaN outside it). */
export function windowValue(win: WindowData, k: number, s: number, u: number): number {
  if (s < win.start || s >= win.stop) return Number.NaN;
  return win.data[(k * (win.stop - win.start) + (s - win.start)) * win.units + u];
}

/** Toggle `unit` in a selection (shift: add or remove; else: select only it, or clear it). */
export function toggleUnit(selected: readonly number[], unit: number, add: boolean): number[] {
  const has = selected.includes(unit);
  if (add) return has ? selected.filter((u) => u !== unit) : [...selected, unit];
  return has && selected.length === 1 ? [] : [unit];
}

export interface LinesHost {
  range(): Range;
  window(): WindowData | null;
  step(): number;
  width(): number;
  selected(): number[];
  stepText(s: number): string;
  clear(): void;
  color(): string;
  views(): readonly string[]; // the layer's arrays in window order
}

export interface Lines {
  draw(): void;
  dispose(): void;
}

/** Build the line plot section under `parent`. */
export function mountLines(parent: HTMLElement, tooltip: HTMLElement, place: (t: string | null, ev: MouseEvent) => void, host: LinesHost): Lines {
  const root = el("div", "lstmw-lines", parent);
  const head = el("div", "lstmw-lines-head", root);
  const arraySel = document.createElement("select");
  arraySel.value = "h";
  labelled(head, "units over time:", arraySel);
  const keys = el("span", "lstmw-lines-keys", head);
  const clearBtn = el("button", "lstmw-lines-clear", head);
  clearBtn.textContent = "clear";
  const note = el("span", "lstmw-lines-note", head);
  const canvas = el("canvas", "lstmw-lines-plot", root);
  const k = (): number => host.views().indexOf(arraySel.value);

  function draw(): void {
    const views = host.views();
    const was = arraySel.value;
    setViews(arraySel, views); // rebuilt only when the layer's kind changed
    arraySel.value = views.includes(was) ? was : "h"; // every kind has h
    const units = host.selected();
    root.hidden = units.length === 0;
    if (units.length === 0) return;
    keys.replaceChildren(
      ...units.map((u, j) => {
        const key = document.createElement("span");
        key.textContent = `■ ${u}`; // text only
        key.style.color = LINE_COLORS[j % LINE_COLORS.length];
        return key;
      }),
    );
    const range = host.range();
    const win = host.window();
    const held = heldRange(range, win);
    const missing = held.stop - held.start < range.stop - range.start;
    note.textContent = missing ? `steps ${held.start}–${held.stop - 1} (zoom in to see the whole range)` : "";
    const width = host.width();
    const ctx = sizeCanvas(canvas, width, LINES_HEIGHT);
    if (ctx === null || win === null || held.stop <= held.start) return;
    const array = k();
    let lo = Infinity;
    let hi = -Infinity;
    for (const u of units) {
      for (let s = held.start; s < held.stop; s++) {
        const v = windowValue(win, array, s, u);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
    const plotW = width - GUTTER;
    const y = (v: number): number => 4 + ((hi - v) / (hi - lo)) * (LINES_HEIGHT - 8);
    ctx.fillStyle = host.color();
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(hi.toPrecision(3), GUTTER - 4, y(hi));
    ctx.fillText(lo.toPrecision(3), GUTTER - 4, y(lo));
    units.forEach((u, j) => {
      ctx.strokeStyle = LINE_COLORS[j % LINE_COLORS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let pen = false;
      for (let s = held.start; s < held.stop; s++) {
        const v = windowValue(win, array, s, u);
        if (Number.isNaN(v)) {
          pen = false; // a masked step: a gap
          continue;
        }
        const x = GUTTER + xAt(s, plotW, range);
        if (pen) ctx.lineTo(x, y(v));
        else ctx.moveTo(x, y(v));
        pen = true;
      }
      ctx.stroke();
    });
    ctx.fillStyle = host.color();
    ctx.fillRect(Math.round(GUTTER + xAt(host.step(), plotW, range)) - 1, 0, 2, LINES_HEIGHT);
  }

  const onMove = (ev: MouseEvent): void => {
    const win = host.window();
    if (win === null || ev.offsetX < GUTTER) return place(null, ev);
    const s = stepAt(ev.offsetX - GUTTER, host.width() - GUTTER, host.range());
    const name = arraySel.value;
    const parts = host.selected().map((u) => `unit ${u}: ${name} = ${windowValue(win, k(), s, u).toPrecision(7)}`);
    place(`${host.stepText(s)}\n${parts.join("\n")}`, ev);
  };
  const onLeave = (): void => {
    tooltip.style.display = "none";
  };
  const onClear = (): void => host.clear();
  canvas.addEventListener("mousemove", onMove);
  canvas.addEventListener("mouseleave", onLeave);
  arraySel.addEventListener("change", draw);
  clearBtn.addEventListener("click", onClear);
  draw();
  return {
    draw,
    dispose: () => {
      canvas.removeEventListener("mousemove", onMove);
      canvas.removeEventListener("mouseleave", onLeave);
      arraySel.removeEventListener("change", draw);
      clearBtn.removeEventListener("click", onClear);
      root.remove();
    },
  };
}
