/** Types shared by the explorer's modules: its traits, the anywidget model API, the data.
 * Imports nothing, so every module can use them without import circles. */

/** An array as it travels over the widget comm. */
export interface WireArray {
  buffer: DataView | ArrayBuffer | Uint8Array;
  dtype: "float32";
  shape: number[];
}

/** A decoded C-contiguous float32 array. */
export interface NDArray {
  data: Float32Array;
  shape: number[];
}

/** A gate as edits name it: an LSTM's input, forget, cell, output; a GRU's update, reset, candidate. */
export type Gate = string;

export interface GateEdit {
  kernel_scale?: number;
  recurrent_scale?: number;
  bias_shift?: number;
  units?: number[] | null;
}

export type Edits = Partial<Record<Gate, GateEdit>>;

/** Units set inside the recurrence, as `lw.intervene` takes them (units of the shown direction). */
export interface Intervention {
  units: number[];
  array: "c" | "h";
  value: number | "mean";
  steps?: number[] | null;
}

/** The `edits` trait: gate edits by gate name, and the list under `interventions`. */
export type EditsTrait = { [key: string]: GateEdit | Intervention[] | undefined };

/** Steps [start, stop) shown across the timeline. */
export interface Range {
  start: number;
  stop: number;
}

/** The `pattern` trait: the last search's result. */
export interface Pattern {
  units?: number[];
  hits?: [number, number, number, number][]; // sample, start, stop, score
  note?: string;
  query?: [number, number, number]; // sample, start, stop
  threshold?: number;
}

/** Traits mirrored from `lstm_widget.LSTMExplorer`. */
export interface ExplorerModel {
  layers: string[];
  layer: string;
  sample: number;
  view: string; // one of views
  views: string[]; // the layer's arrays in window order: an LSTM's i f g o c h, a GRU's z r hh h
  gates: string[]; // the layer's gates, as edits name them
  order: "index" | "variance" | "activity" | "effect";
  unit_effect: number[]; // per unit: |change| of the prediction when it is zeroed (order "effect")
  unit_filter: string;
  step: number;
  n_samples: number;
  n_steps: number;
  n_units: number;
  feature_names: string[];
  overview: {
    view?: string;
    bins?: number;
    exact?: boolean;
    data?: WireArray;
    input?: WireArray;
    range?: number[]; // [min, max] over every step
    masked?: number[][]; // [start, stop) runs of masked steps
  };
  labels: string[];
  label_kind: "" | "dates" | "numbers" | "text";
  selected_units: number[];
  query_range: number[]; // [start, stop) Shift-dragged over the timeline, or []
  visible_range: number[]; // [start, stop) the timeline shows (the zoom), or [] for all
  prediction: number[];
  probe_note: string;
  error: string;
  edits: EditsTrait;
  edit_version: number;
  edit_done: number;
  compare: "baseline" | "edited" | "difference";
  edited_prediction: number[];
  attribution_method:
    | "none"
    | "masks"
    | "windows"
    | "integrated_gradients"
    | "occlusion"
    | "cell_decomposition";
  attribution: { data?: WireArray; note?: string };
  busy: string;
  model_note: string;
  pattern: Pattern; // the last "find similar" result
}

/** The part of anywidget's model API used here. */
export interface WidgetModel<T> {
  get<K extends keyof T>(key: K): T[K];
  set<K extends keyof T>(key: K, value: T[K]): void;
  save_changes(): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, callback: (...args: any[]) => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, callback: (...args: any[]) => void): void;
  send(content: Record<string, unknown>, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
}

export interface WindowData {
  layer: string;
  sample: number;
  start: number;
  stop: number;
  units: number;
  features: number;
  data: Float32Array; // (views, stop - start, units)
  input: Float32Array; // (stop - start, features): the layer input
}
