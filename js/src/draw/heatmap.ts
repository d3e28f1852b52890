/** Drawing (rows x cols) float arrays as heatmaps on a canvas. */

/** RGBA pixels at data resolution. */
export interface Pixels {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

import { lookupTable, NAN_COLOR, type Scale, tableIndex } from "./colormap";

/**
 * Colour `rows` of a row-major (nRows, cols) array into RGBA pixels, one pixel per value.
 * Row 0 of the output is the first entry of `rows` (drawn at the top).
 */
export function toPixels(
  data: Float32Array,
  cols: number,
  rows: readonly number[],
  scale: Scale,
): Pixels {
  const out = new Uint8ClampedArray(rows.length * cols * 4);
  const table = lookupTable(scale);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r] * cols;
    const dst = r * cols * 4;
    for (let c = 0; c < cols; c++) {
      const v = data[src + c];
      const p = dst + 4 * c;
      if (Number.isNaN(v)) {
        out[p] = NAN_COLOR[0];
        out[p + 1] = NAN_COLOR[1];
        out[p + 2] = NAN_COLOR[2];
      } else {
        const k = 3 * tableIndex(v, scale);
        out[p] = table[k];
        out[p + 1] = table[k + 1];
        out[p + 2] = table[k + 2];
      }
      out[p + 3] = 255;
    }
  }
  return { data: out, width: cols, height: rows.length };
}

/** Draw pixels (data resolution) scaled to fill the rectangle, without smoothing. */
export function blit(
  ctx: CanvasRenderingContext2D,
  pixels: Pixels,
  x: number,
  y: number,
  width: number,
  height: number,
): void {
  if (pixels.width === 0 || pixels.height === 0) return;
  const image = new ImageData(pixels.data, pixels.width, pixels.height);
  const off = document.createElement("canvas");
  off.width = pixels.width;
  off.height = pixels.height;
  const octx = off.getContext("2d");
  if (octx === null) return;
  octx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, x, y, width, height);
}
