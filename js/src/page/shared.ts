/**
 * The data an exported explorer carries (written by `lstm_widget/_share/export.py`): the
 * model per recurrent layer (weights, see `core/head.ts`), each exported sample's layer input,
 * mask runs, labels, the kernel's prediction and the attributions computed at export. Arrays
 * travel in one base64 blob of little-endian float32, each starting at an 8-byte boundary.
 */

import type { ExplorerModel } from "../types";
import type { PageModel as Description } from "../core/head";

/** A float32 array in the blob: its first element and shape. */
export interface ArrayRef {
  offset: number; // in float32 elements
  shape: number[];
}

/** One of the explorer's layer choices (a Bidirectional layer's direction is one). */
export interface SharedLayer {
  path: string; // the layer's path (attribution and models are per path)
  kind: "lstm" | "gru";
  views: string[];
  gates: string[];
  model: number; // index into `models`
  direction: "forward" | "backward" | null;
  /** Its input: the exported inputs, or the output of an earlier model's layers up to `name`. */
  source: { inputs: true } | { model: number; name: string };
  featureNames: string[];
  /** Why the page cannot run this layer (a custom activation): its baseline arrays are in
   * the samples' `traces` and what-if on it needs the kernel. Empty when it runs here. */
  fixed: string;
}

export interface SharedAttribution {
  data?: ArrayRef; // (bins,)
  note: string;
}

export interface SharedSample {
  index: number; // the sample's index in the explorer's x
  /** By layer path: (steps, features), the layer's input where the page cannot compute it. */
  inputs: Record<string, ArrayRef>;
  masked: number[][]; // [start, stop) runs of masked steps
  labels: string[];
  prediction: number[];
  /** By method (the cell decomposition's by "cell_decomposition|path"). */
  attribution: Record<string, SharedAttribution>;
  /** Order "effect" computed at export: per explorer layer, each unit's effect. */
  effects: Record<string, number[]>;
  /** By explorer layer: (views, steps, units), for layers the page cannot run (`fixed`). */
  traces: Record<string, ArrayRef>;
}

export interface SharedData {
  version: 1;
  traits: Partial<ExplorerModel>;
  layers: Record<string, SharedLayer>;
  models: { description: Description; arrays: ArrayRef[] }[];
  samples: SharedSample[];
  labelKind: string;
  /** What the file holds, said once (which samples of how many). */
  note: string;
  blob: string; // base64
}

/** The blob's bytes in a fresh (so aligned) buffer. */
export function decodeBlob(base64: string): ArrayBuffer {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
  return bytes.buffer;
}

/** The float32 array `ref` points to (a view into the blob, no copy). */
export function view(blob: ArrayBuffer, ref: ArrayRef): Float32Array {
  const n = ref.shape.reduce((a, b) => a * b, 1);
  if ((ref.offset + n) * 4 > blob.byteLength) throw new Error(`array at ${ref.offset} runs past the data`);
  return new Float32Array(blob, ref.offset * 4, n);
}
