import { describe, expect, it } from "vitest";
import { decode, size } from "./codec";

describe("decode", () => {
  it("reads float32 values in C order", () => {
    const src = new Float32Array([0.5, -1, 2.25, 3, 4, 5]);
    const arr = decode({ buffer: new DataView(src.buffer), dtype: "float32", shape: [2, 3] });
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data)).toEqual([0.5, -1, 2.25, 3, 4, 5]);
  });

  it("handles unaligned byte offsets", () => {
    const raw = new Uint8Array(13);
    new DataView(raw.buffer).setFloat32(1, 1.5, true);
    new DataView(raw.buffer).setFloat32(5, -2, true);
    new DataView(raw.buffer).setFloat32(9, 7, true);
    const arr = decode({ buffer: raw.subarray(1), dtype: "float32", shape: [3] });
    expect(Array.from(arr.data)).toEqual([1.5, -2, 7]);
  });

  it("rejects a length that does not match the shape", () => {
    const src = new Float32Array(5);
    expect(() => decode({ buffer: src.buffer, dtype: "float32", shape: [2, 3] })).toThrow(/24 bytes/);
  });

  it("computes sizes", () => {
    expect(size([2, 3, 4])).toBe(24);
    expect(size([])).toBe(1);
  });
});
