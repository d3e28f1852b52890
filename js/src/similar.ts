/**
 * "Find similar" (LSTMVis's search): with units selected, ask the kernel for every other
 * place in the data where those units are on (>= threshold) at every step, as in the
 * visible range of the shown sample; list the hits, best first; a click shows one.
 */

import { el } from "./dom";
import type { Range } from "./range";

/** The `pattern` trait: the last search's result. */
export interface Pattern {
  units?: number[];
  hits?: [number, number, number, number][]; // sample, start, stop, score
  note?: string;
  query?: [number, number, number]; // sample, start, stop
  threshold?: number;
}

export interface SimilarHost {
  selected(): number[];
  range(): Range;
  sample(): number;
  find(start: number, stop: number, units: number[], threshold: number): void;
  show(sample: number, start: number, stop: number): void;
}

export interface Similar {
  /** Units or range changed: update the button's text. */
  draw(): void;
  /** A new `pattern` trait value: list its hits. */
  update(p: Pattern): void;
  dispose(): void;
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
  const note = el("span", "lstmw-similar-note", head);
  const list = el("div", "lstmw-hits", root);

  function draw(): void {
    const units = host.selected();
    root.hidden = units.length === 0;
    const r = host.range();
    button.textContent = `find similar: units ${units.join(", ")} on in steps ${r.start}–${r.stop - 1}`;
  }
  const onFind = (): void => {
    const r = host.range();
    const t = Number(threshold.value);
    note.textContent = "searching…";
    list.replaceChildren();
    host.find(r.start, r.stop, host.selected(), Number.isFinite(t) ? t : 0.3);
  };
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
  root.hidden = true; // until the first draw(), when the host's range exists
  return {
    draw,
    update,
    dispose: () => {
      button.removeEventListener("click", onFind);
      root.remove();
    },
  };
}
