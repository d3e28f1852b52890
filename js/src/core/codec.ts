/**
 * Decoding of the binary arrays the kernel sends: `{buffer, dtype, shape}`.
 * Mirrors `lstm_widget/_view/serialization.py`.
 */

import type { NDArray, WireArray } from "../types";

/** Number of elements of an array of the given shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Decode a wire array; throws on a dtype or length mismatch instead of showing wrong numbers. */
export function decode(wire: WireArray): NDArray {
  if (wire.dtype !== "float32") {
    throw new Error(`expected dtype float32, got ${String(wire.dtype)}`);
  }
  const buf = wire.buffer;
  const bytes =
    buf instanceof ArrayBuffer
      ? new Uint8Array(buf)
      : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = size(wire.shape);
  if (bytes.byteLength !== n * 4) {
    throw new Error(`shape [${wire.shape.join(", ")}] needs ${n * 4} bytes, got ${bytes.byteLength}`);
  }
  // Copy when unaligned: Float32Array views need a 4-byte aligned offset.
  const data =
    bytes.byteOffset % 4 === 0
      ? new Float32Array(bytes.buffer, bytes.byteOffset, n)
      : new Float32Array(bytes.slice().buffer);
  return { data, shape: [...wire.shape] };
}
