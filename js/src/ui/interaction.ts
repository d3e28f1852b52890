/**
 * Pointer, keyboard and hover on the timeline and the step panels: drag (or click) to move
 * the playhead, click a row label or a bar to select its unit (right-click: its menu,
 * `units.ts`), arrows/Home/End/space, and the tooltips. What they act on is read from the host at event time.
 */

import { stepAfterKey } from "../core/layout";
import { GUTTER, hitPanel } from "../draw/panels";
import { stepAt } from "../core/range";
import { placeTip } from "./tips";
import type { Range } from "../types";

/** Where the timeline's rows are and what the panels show, as drawn now. */
export interface Geometry {
  width: number;
  /** Heights of the input band and of the units' rows (the units start below the input). */
  inputH: number;
  unitsH: number;
  /** Units in row order. */
  shown: number[];
  step: number;
  steps: number;
  range: Range;
}

export interface InteractionHost {
  geometry(): Geometry;
  /** The step's values of every array, in window order (null until they arrive). */
  values(): Float32Array[] | null;
  views(): readonly string[];
  /** The timeline's tooltip at (x, y), or null. */
  timelineTip(x: number, y: number): string | null;
  /** The playhead's step in words (with its label). */
  where(): string;
  /** Move the playhead (the host draws and tells the kernel). */
  setStep(next: number): void;
  /** Select a unit for the line plot; `add` keeps the others. */
  selectUnit(unit: number, add: boolean): void;
  /** Open a unit's menu (a right-click on its row label or bar). */
  unitMenu(unit: number, ev: MouseEvent): void;
  togglePlay(): void;
}

export interface InteractionParts {
  root: HTMLElement;
  overlay: HTMLCanvasElement;
  panels: HTMLCanvasElement;
  tooltip: HTMLElement;
}

/** Listen on the parts; returns what removes the listeners. */
export function mountInteraction(parts: InteractionParts, host: InteractionHost): () => void {
  const { root, overlay, panels, tooltip } = parts;
  let dragging = false;
  const hideTip = (): void => {
    tooltip.style.display = "none";
  };
  const stepAtPointer = (ev: PointerEvent, g: Geometry): number =>
    stepAt(ev.offsetX - GUTTER, g.width - GUTTER, g.range);
  const panelHit = (ev: MouseEvent) => {
    const g = host.geometry();
    return hitPanel(ev.offsetX, ev.offsetY, g.width, host.views(), host.values(), g.shown);
  };

  /** The unit of the row label under the pointer, or null. */
  const labelUnit = (ev: MouseEvent): number | null => {
    const g = host.geometry();
    const top = g.inputH > 0 ? g.inputH + 4 : 0;
    if (ev.offsetX >= GUTTER || ev.offsetY < top || g.shown.length === 0) return null;
    const r = Math.min(g.shown.length - 1, Math.floor(((ev.offsetY - top) / g.unitsH) * g.shown.length));
    return g.shown[r];
  };
  const onPointerDown = (ev: PointerEvent): void => {
    if (ev.button === 2) return; // the context menu's
    const g = host.geometry();
    const unit = labelUnit(ev);
    if (unit !== null) {
      host.selectUnit(unit, ev.shiftKey);
      return;
    }
    if (ev.shiftKey) return; // Shift-drag selects a query range (query.ts)
    dragging = true;
    overlay.setPointerCapture(ev.pointerId);
    root.focus({ preventScroll: true });
    host.setStep(stepAtPointer(ev, g));
  };
  const onPointerMove = (ev: PointerEvent): void => {
    if (dragging) host.setStep(stepAtPointer(ev, host.geometry()));
    placeTip(tooltip, root, host.timelineTip(ev.offsetX, ev.offsetY), ev);
  };
  const onPointerUp = (): void => {
    dragging = false;
  };
  const onPanelMove = (ev: MouseEvent): void => {
    const hit = panelHit(ev);
    const text = hit && `unit ${hit.unit}, ${host.where()}: ${hit.array} = ${hit.value.toPrecision(7)}`;
    placeTip(tooltip, root, text, ev);
  };
  const onPanelClick = (ev: MouseEvent): void => {
    const hit = panelHit(ev);
    if (hit !== null) host.selectUnit(hit.unit, ev.shiftKey);
  };
  const onLabelMenu = (ev: MouseEvent): void => {
    const unit = labelUnit(ev);
    if (unit === null) return;
    ev.preventDefault();
    host.unitMenu(unit, ev);
  };
  const onPanelMenu = (ev: MouseEvent): void => {
    const hit = panelHit(ev);
    if (hit === null) return;
    ev.preventDefault();
    host.unitMenu(hit.unit, ev);
  };
  const onKey = (ev: KeyboardEvent): void => {
    ev.stopPropagation(); // JupyterLab would take arrows, Home/End and space in command mode
    if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
    if (ev.key === " ") {
      ev.preventDefault();
      host.togglePlay();
      return;
    }
    const g = host.geometry();
    const next = stepAfterKey(ev.key, g.step, g.steps, ev.shiftKey);
    if (next !== null) {
      ev.preventDefault();
      host.setStep(next);
    }
  };

  const listeners: [EventTarget, string, EventListener][] = [
    [overlay, "pointerdown", onPointerDown as EventListener],
    [overlay, "pointermove", onPointerMove as EventListener],
    [overlay, "pointerup", onPointerUp],
    [overlay, "pointerleave", hideTip],
    [panels, "mousemove", onPanelMove as EventListener],
    [panels, "mouseleave", hideTip],
    [panels, "click", onPanelClick as EventListener],
    [overlay, "contextmenu", onLabelMenu as EventListener],
    [panels, "contextmenu", onPanelMenu as EventListener],
    [root, "keydown", onKey as EventListener],
  ];
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn);
  return () => {
    for (const [target, type, fn] of listeners) target.removeEventListener(type, fn);
  };
}
