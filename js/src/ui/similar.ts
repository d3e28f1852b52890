/**
 * "Find similar" (LSTMVis's search): ask the kernel for every other place in the data
 * where the selected units are on (>= threshold) at every step, as in the query range
 * of the shown sample (Shift-dragged over the timeline, else the visible range); list
 * the hits, best first; a click shows one.
 */

import { el } from "../core/dom";
import type { Pattern, Range } from "../types";

export interface SimilarHost {
  selected(): number[];
  range(): Range; // the visible range
  query(): Range | null; // the Shift-dragged range
  clearQuery(): void;
  sample(): number;
  find(start: number, stop: number, units: number[], threshold: number): void;
  show(sample: number, start: number, stop: number): void;
}

export interface Similar {
  /** Units or range changed: update the button's text. */
  draw(): void;
  /** The threshold typed in (0.3 if it is no number). */
  threshold(): number;
  /** A new `pattern` trait value: list its hits. */
  update(p: Pattern): void;
  dispose(): void;
}

/** The find button's text: the units searched for, in which steps. */
export function findText(units: readonly number[], r: Range, dragged: boolean): string {
  const which = units.length > 0 ? `units ${units.join(", ")}` : "the units";
  return `find similar: ${which} on in ${dragged ? "the selected " : ""}steps ${r.start}–${r.stop - 1}`;
}

/** One line of the hit list, as text. */
export function hitText([sample, start, stop, score]: [number, number, number, number]): string {
  return `sample ${sample}, steps ${start}–${stop - 1}, score ${score.toFixed(2)}`;
}

export function mountSimilar(parent: HTMLElement, host: SimilarHost): Similar {
  const root = el("div", "lstmw-similar", parent);
  const head = el("div", "lstmw-similar-head", root);
  const button = el("button", "lstmw-find", head);
  const label = el("label", "", head);
  const threshold = document.createElement("input");
  threshold.type = "number";
  threshold.step = "0.05";
  threshold.value = "0.3";
  threshold.className = "lstmw-threshold";
  label.append("on at ≥ ", threshold);
  const clear = el("button", "lstmw-clear-query", head);
  clear.textContent = "clear range";
  const note = el("span", "lstmw-similar-note", head);
  const list = el("div", "lstmw-hits", root);

  const range = (): Range => host.query() ?? host.range();
  const thresholdValue = (): number => {
    const t = Number(threshold.value);
    return threshold.value.trim() !== "" && Number.isFinite(t) ? t : 0.3;
  };
  function draw(): void {
    const units = host.selected();
    const query = host.query();
    root.hidden = units.length === 0 && query === null;
    clear.hidden = query === null;
    button.textContent = findText(units, range(), query !== null);
  }
  const onFind = (): void => {
    const r = range();
    note.textContent = "searching…";
    list.replaceChildren();
    host.find(r.start, r.stop, host.selected(), thresholdValue());
  };
  const onClear = (): void => host.clearQuery();
  function update(p: Pattern): void {
    const hits = p.hits ?? [];
    note.textContent = p.note ?? (p.hits ? `${hits.length} hits` : "");
    list.replaceChildren(
      ...hits.map((h) => {
        const row = document.createElement("button");
        row.className = "lstmw-hit";
        row.textContent = hitText(h); // text only
        row.addEventListener("click", () => host.show(h[0], h[1], h[2]));
        return row;
      }),
    );
  }
  button.addEventListener("click", onFind);
  clear.addEventListener("click", onClear);
  root.hidden = true; // until the first draw(), when the host's range exists
  return {
    draw,
    threshold: thresholdValue,
    update,
    dispose: () => {
      button.removeEventListener("click", onFind);
      clear.removeEventListener("click", onClear);
      root.remove();
    },
  };
}
