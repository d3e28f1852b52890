/**
 * The kernel's side of the explorer, answered in the page from the exported data: what
 * `lstm_widget/_explorer/widget.py` computes when a trait changes (the overview, the
 * predictions, the attribution strip) and its replies to window requests. The what-if edits
 * and units set run in the page (`traces.ts`); where the page cannot compute the edited
 * output it says so and shows none, never a wrong number.
 */

import type { EditsTrait, ExplorerModel } from "../types";
import { downsample, finiteRange, OVERVIEW_BINS, wire } from "./overview";
import { type SharedData, view } from "./shared";
import type { Backend, PageModel } from "./store";
import { checkQuery, findHits, onUnits, type Searched } from "./search";
import { type Arrays, splitEdits, Traces } from "./traces";

const DEFAULT_VIEW: Record<string, string> = { lstm: "c", gru: "h" };
const NEEDS_KERNEL = "needs the kernel (not in this exported file)";

/** The first output values, at most 64 (as `first_values` in Python). */
const firstValues = (out: Float32Array): number[] => Array.from(out.subarray(0, 64), Number);

const hasEdits = (edits: EditsTrait): boolean => {
  const { weights, interventions } = splitEdits(edits ?? {});
  return Object.keys(weights).length > 0 || interventions.length > 0;
};

export class PageBackend implements Backend<ExplorerModel> {
  private readonly traces: Traces;
  private readonly blob: ArrayBuffer;

  constructor(
    private readonly model: PageModel<ExplorerModel>,
    private readonly data: SharedData,
    blob: ArrayBuffer,
  ) {
    this.blob = blob;
    this.traces = new Traces(data, blob);
    model.backend = this;
  }

  /** Everything the kernel computes when the widget opens. */
  start(): void {
    this.fitKind();
    this.refresh();
    this.attribute();
    this.orderByEffect();
  }

  changed(keys: (keyof ExplorerModel)[]): void {
    const has = (k: keyof ExplorerModel): boolean => keys.includes(k);
    if (has("layer")) this.fitKind();
    if (has("layer") || has("sample") || has("view")) this.model.update({ query_range: [] });
    if (["layer", "sample", "view", "compare", "edits", "attribution_method"].some((k) => has(k as keyof ExplorerModel))) {
      this.refresh();
    }
    if (has("layer") || has("sample") || has("attribution_method")) this.attribute();
    if (has("order") || has("layer") || has("sample")) this.orderByEffect();
    if (has("edits") || has("edit_version")) this.model.update({ edit_done: this.model.get("edit_version") });
  }

  message(content: Record<string, unknown>, reply: (c: Record<string, unknown>, b?: ArrayBuffer[]) => void): void {
    if (content.type === "query" || content.type === "find") {
      try {
        if (content.sample !== this.model.get("sample")) throw new Error("the sample changed: search again.");
        const q = checkQuery(content.start, content.stop, content.threshold, this.model.get("n_steps"));
        if (content.type === "query") this.select(q);
        else this.find(q, content.units);
      } catch (err) {
        const what = content.type === "query" ? "select range" : "find similar";
        this.model.update({ pattern: { note: `${what}: ${(err as Error).message}` } });
      }
      return;
    }
    if (content.type !== "window") return;
    try {
      const w = this.window(Number(content.sample), Number(content.start), Number(content.stop), content.layer);
      reply({ ...w.content, id: content.id }, w.buffers);
    } catch (err) {
      reply({ type: "error", id: content.id, message: (err as Error).message });
    }
  }

  /** A window reply (as `window_reply` in Python): the arrays of steps [start, stop) and the layer input. */
  private window(sample: number, start: number, stop: number, layer: unknown) {
    if (layer !== undefined && layer !== this.model.get("layer")) throw new Error(`layer ${String(layer)} is not the one shown`);
    const a = this.shown(sample);
    [start, stop] = [Math.max(0, start), Math.min(a.steps, stop)];
    if (start >= stop) throw new Error(`empty window [${start}, ${stop}) for ${a.steps} steps`);
    const views = this.model.get("views");
    const n = stop - start;
    const block = new Float32Array(views.length * n * a.units);
    views.forEach((name, k) => block.set(a.values[name].subarray(start * a.units, stop * a.units), k * n * a.units));
    const input = a.input.slice(start * a.features, stop * a.features);
    const content = {
      type: "window", layer: this.model.get("layer"), sample, start, stop, views,
      shape: [views.length, n, a.units], input_shape: [n, a.features],
    };
    return { content, buffers: [block.buffer, input.buffer] };
  }

  /** The shown array of the unedited layer for sample `s` (what the search reads). */
  private searched(s: number): Searched {
    const a = this.traces.baseline(this.model.get("layer"), s);
    return { values: a.values[this.model.get("view")], steps: a.steps, units: a.units, mask: a.mask };
  }

  /** Select range: the units on at every step of the range become the selected ones. */
  private select([start, stop, thr]: [number, number, number]): void {
    const s = this.model.get("sample");
    const { units, why } = onUnits(this.searched(s), start, stop, thr);
    this.model.update({
      query_range: [start, stop],
      selected_units: units,
      pattern: {
        note: why || `units [${units.join(", ")}] on: find similar searches this file's samples for them`,
        query: [s, start, stop],
        threshold: thr,
      },
    });
  }

  /** Find similar: where else in the exported samples the units are on as in the range. */
  private find([start, stop, thr]: [number, number, number], given: unknown): void {
    const s = this.model.get("sample");
    const n = this.model.get("n_units");
    let units = Array.isArray(given) ? (given as number[]) : this.model.get("selected_units");
    const bad = units.filter((u) => !Number.isInteger(u) || u < 0 || u >= n);
    if (bad.length > 0) throw new Error(`units must be in 0..${n - 1} (the layer's), got [${bad.join(", ")}]`);
    const query: [number, number, number] = [s, start, stop];
    let note = "";
    if (units.length === 0) ({ units, why: note } = onUnits(this.searched(s), start, stop, thr));
    let hits: [number, number, number, number][] = [];
    if (units.length > 0) {
      hits = findHits(this.model.get("n_samples"), (k) => this.searched(k), units, query, thr);
      const need = Math.floor((stop - start + 1) / 2);
      if (hits.length === 0) note = `no other range of at least ${need} steps has all of them on`;
    }
    this.model.update({ pattern: { units, hits, note, query, threshold: thr } });
  }

  /** The shown layer's arrays for `sample`: baseline, edited or edited − baseline. */
  private shown(sample: number): Arrays {
    const { layer, compare, edits } = { layer: this.model.get("layer"), compare: this.model.get("compare"), edits: this.model.get("edits") ?? {} };
    const base = this.traces.baseline(layer, sample);
    if (compare === "baseline" || !hasEdits(edits)) return base;
    let edited: Arrays;
    try {
      edited = this.traces.edited(layer, sample, edits).arrays;
    } catch {
      return base; // refresh() says why (a layer the page cannot run, a bad setting)
    }
    if (compare === "edited") return edited;
    const values: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries(edited.values)) values[name] = v.map((e, k) => e - base.values[name][k]);
    return { ...base, values };
  }

  private fitKind(): void {
    const layer = this.data.layers[this.model.get("layer")];
    if (layer === undefined) return;
    const views = layer.views;
    if (JSON.stringify(views) === JSON.stringify(this.model.get("views"))) return;
    const { weights } = splitEdits(this.model.get("edits") ?? {});
    const foreign = Object.keys(weights).some((g) => !layer.gates.includes(g));
    this.model.update({
      views,
      gates: layer.gates,
      ...(views.includes(this.model.get("view")) ? {} : { view: DEFAULT_VIEW[layer.kind] }),
      ...(foreign ? { edits: {} } : {}),
    });
  }

  private refresh(): void {
    const m = this.model;
    const s = m.get("sample");
    const name = m.get("layer");
    let a: Arrays;
    let edited: number[] = [];
    let problem = "";
    try {
      a = this.traces.baseline(name, s);
    } catch (err) {
      m.update({ error: (err as Error).message });
      return;
    }
    try {
      a = this.shown(s);
      const edits = m.get("edits") ?? {};
      if (hasEdits(edits)) {
        const e = this.traces.edited(name, s, edits);
        if (e.output !== null) edited = firstValues(e.output);
        else problem = `the edited output ${NEEDS_KERNEL}: ${e.why}`;
      }
    } catch (err) {
      problem = (err as Error).message; // the baseline still shows
    }
    const sample = this.data.samples[s];
    const values = a.values[m.get("view")];
    const labels = sample.labels.length === a.steps ? sample.labels : [];
    const bins = Math.min(a.steps, OVERVIEW_BINS);
    m.update({
      error: problem,
      n_steps: a.steps,
      n_units: a.units,
      selected_units: m.get("selected_units").filter((u) => u < a.units),
      feature_names: this.data.layers[name].featureNames,
      labels,
      label_kind: (labels.length > 0 ? this.data.labelKind : "") as ExplorerModel["label_kind"],
      step: Math.min(m.get("step"), a.steps - 1),
      prediction: sample.prediction,
      edited_prediction: edited,
      overview: {
        view: m.get("view"),
        bins,
        exact: a.steps <= OVERVIEW_BINS,
        data: wire(downsample(values, a.steps, a.units), [a.units, bins]),
        input: wire(downsample(a.input, a.steps, a.features), [a.features, a.features > 0 ? bins : 0]),
        range: finiteRange(values),
        masked: sample.masked,
      },
    });
  }

  private attribute(): void {
    const method = this.model.get("attribution_method");
    if (method === "none") {
      this.model.update({ attribution: {} });
      return;
    }
    const path = this.data.layers[this.model.get("layer")]?.path ?? "";
    const key = method === "cell_decomposition" ? `${method}|${path}` : method;
    const got = this.data.samples[this.model.get("sample")].attribution[key];
    if (got === undefined) {
      this.model.update({ attribution: { note: `${method.replace(/_/g, " ")} ${NEEDS_KERNEL}: save_html(attribution=[...]) computes it at export` } });
      return;
    }
    const data = got.data === undefined ? undefined : wire(view(this.blob, got.data), got.data.shape);
    this.model.update({ attribution: data === undefined ? { note: got.note } : { data, note: got.note } });
  }

  private orderByEffect(): void {
    if (this.model.get("order") !== "effect") {
      const stale = this.model.get("error").startsWith("order by effect"); // said for the old order
      this.model.update({ unit_effect: [], ...(stale ? { error: "" } : {}) });
      return;
    }
    const effect = this.data.samples[this.model.get("sample")].effects[this.model.get("layer")];
    if (effect !== undefined) this.model.update({ unit_effect: effect });
    else this.model.update({ unit_effect: [], error: `order by effect ${NEEDS_KERNEL}: export with that order shown` });
  }

}
