/** The explorer's DOM: controls, canvases and text nodes (names only ever as text). */

import { LSTM_ARRAYS, labelOf } from "./arrays";
import { CSS } from "./style";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, parent: HTMLElement): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  parent.appendChild(node);
  return node;
}

/** Size a canvas to `w` x `h` CSS pixels at the screen's pixel density; its 2-D context. */
export function sizeCanvas(c: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
  const ctx = c.getContext("2d");
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

export function labelled(parent: HTMLElement, text: string, control: HTMLElement): void {
  const label = el("label", "", parent);
  label.append(text, control);
}

export function options(select: HTMLSelectElement, values: readonly string[], labels?: readonly string[]): void {
  select.replaceChildren(
    ...values.map((v, k) => {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = labels?.[k] ?? v; // text, never HTML
      return o;
    }),
  );
}

/** Offer the shown layer's arrays (an LSTM's or a GRU's) in a `<select>`, if they changed. */
export function setViews(select: HTMLSelectElement, views: readonly string[]): void {
  const now = Array.from(select.options, (o) => o.value);
  if (now.length !== views.length || now.some((v, k) => v !== views[k])) options(select, views, views.map(labelOf));
}

/** A labelled `<select>` with the given options, appended to `parent`. */
function select(
  parent: HTMLElement,
  text: string,
  values: readonly string[],
  labels?: readonly string[],
): HTMLSelectElement {
  const node = document.createElement("select");
  options(node, values, labels);
  labelled(parent, text, node);
  return node;
}

/** Every element the explorer view uses. */
export interface Parts {
  root: HTMLDivElement;
  note: HTMLDivElement;
  modelNote: HTMLDivElement;
  busySlot: HTMLDivElement;
  error: HTMLDivElement;
  layerSel: HTMLSelectElement;
  sampleIn: HTMLInputElement;
  viewSel: HTMLSelectElement;
  orderSel: HTMLSelectElement;
  filterIn: HTMLInputElement;
  compareSel: HTMLSelectElement;
  attrSel: HTMLSelectElement;
  playBtn: HTMLButtonElement;
  zoomBtn: HTMLButtonElement;
  status: HTMLSpanElement;
  prediction: HTMLDivElement;
  editorSlot: HTMLDivElement;
  base: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  axis: HTMLDivElement;
  legendSlot: HTMLDivElement;
  strip: HTMLCanvasElement;
  attrNote: HTMLDivElement;
  panels: HTMLCanvasElement;
  linesSlot: HTMLDivElement;
  tooltip: HTMLDivElement;
}

/** Build the view under `host`. */
export function buildParts(host: HTMLElement): Parts {
  const root = el("div", "lstmw", host);
  root.tabIndex = 0;
  el("style", "", root).textContent = CSS;
  const note = el("div", "lstmw-note", root);
  const modelNote = el("div", "lstmw-model-note", root);
  const error = el("div", "lstmw-error", root);
  const controls = el("div", "lstmw-controls", root);
  const layerSel = select(controls, "layer", []);
  const sampleIn = document.createElement("input");
  sampleIn.type = "number";
  sampleIn.min = "0";
  labelled(controls, "sample", sampleIn);
  const viewSel = select(controls, "timeline", LSTM_ARRAYS, LSTM_ARRAYS.map(labelOf)); // the layer's: setViews
  const orderSel = select(controls, "order", ["index", "variance", "activity", "effect"], [
    "unit index",
    "variance",
    "activity at playhead",
    "effect on the prediction",
  ]);
  const filterIn = document.createElement("input");
  filterIn.className = "lstmw-filter";
  filterIn.placeholder = "all units, or 0-15, 40";
  labelled(controls, "units", filterIn);
  const compareSel = select(controls, "show", ["baseline", "edited", "difference"], [
    "baseline",
    "edited",
    "edited − baseline",
  ]);
  const attrSel = select(
    controls,
    "attribution",
    ["none", "masks", "windows", "integrated_gradients", "occlusion", "cell_decomposition"],
    // masks first: it found planted evidence best (docs/attribution.md)
    [
      "none",
      "random masks (best measured)",
      "windows",
      "integrated gradients",
      "occlusion",
      "cell decomposition",
    ],
  );
  const playBtn = el("button", "lstmw-play", controls);
  playBtn.textContent = "▶ play";
  const zoomBtn = el("button", "lstmw-zoom", controls);
  zoomBtn.hidden = true; // shown when zoomed in
  const status = el("span", "lstmw-status", controls);
  const info = el("div", "lstmw-info", root); // the prediction, and progress on the right
  const prediction = el("div", "lstmw-prediction", info);
  const busySlot = el("div", "lstmw-busy-slot", info);
  const editorSlot = el("div", "lstmw-editor-slot", root);
  const stack = el("div", "lstmw-stack", root);
  const base = el("canvas", "lstmw-base", stack);
  const overlay = el("canvas", "lstmw-overlay", stack);
  const axis = el("div", "lstmw-axis", root); // tick labels as text spans
  const legendSlot = el("div", "lstmw-legend-slot", root);
  const strip = el("canvas", "lstmw-attr", root);
  const attrNote = el("div", "lstmw-attr-note", root);
  const panels = el("canvas", "lstmw-panels", root);
  const linesSlot = el("div", "lstmw-lines-slot", root);
  const tooltip = el("div", "lstmw-tooltip", root);

  return {
    root, note, modelNote, busySlot, error, layerSel, sampleIn, viewSel, orderSel, filterIn, compareSel, attrSel,
    playBtn, zoomBtn, status, prediction, editorSlot, base, overlay, axis, legendSlot, strip, attrNote, panels, linesSlot, tooltip,
  };
}
