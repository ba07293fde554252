// The preprocessing contract (README.md), implemented for training and evaluation only: RGB8 frame → NCHW
// float32 [3, H/f, W/f], box average over f×f blocks, / 255. The run-time paths live in perception/preprocess/.

/** Fills out (length 3·(w/f)·(h/f)) from an rgb8 frame of w×h; no allocation. */
export function areaResizeToNchw(rgb: Uint8Array, width: number, height: number, factor: number, out: Float32Array): Float32Array {
  if (width % factor || height % factor) throw new Error(`areaResizeToNchw: ${width}x${height} does not divide by ${factor}`);
  const ow = width / factor, oh = height / factor, plane = ow * oh;
  if (out.length < 3 * plane) throw new Error(`areaResizeToNchw: out holds ${out.length} values, needs ${3 * plane}`);
  const scale = 1 / (factor * factor * 255);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let p = 3 * ((y * factor + dy) * width + x * factor);
        for (let dx = 0; dx < factor; dx++, p += 3) { r += rgb[p]; g += rgb[p + 1]; b += rgb[p + 2]; }
      }
      const o = y * ow + x;
      out[o] = r * scale; out[plane + o] = g * scale; out[2 * plane + o] = b * scale;
    }
  }
  return out;
}
