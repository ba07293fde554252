// The localizer's spatial layers as features, computed in plain JS for training: the tfjs CPU backend trains
// convolutions very slowly (its Slice/SplitV/Conv2D gradients dominate) but matrix products fast. So each
// sampled cell gets the raw input patches its output depends on, and the network (localizer-net.ts) is written
// with matrix products only; the ONNX export applies the same weights as convolutions over the whole image:
//
//   fine:    per-pixel 1×1 Conv + ReLU, then Conv 6×6, stride 2, pads 2      → 6·6 pixels (RGB + in-image mask)
//   context: AveragePool 3×3 (stride 1, pads 1, pads not counted), then
//            Conv 5×5, dilation 3, stride 2, pads 6                          → 3·5·5 = 75 values
//   mask:    per input pixel, the per-pixel features of its 3×3 neighbourhood → 3·3 pixels (RGB + mask)
//
// Cell (I, J) of the 80×60 output grid covers input pixels 2I..2I+1 × 2J..2J+1 (input = 160×120).
export const INPUT_W = 160;
export const INPUT_H = 120;
export const CELLS_X = 80;
export const CELLS_Y = 60;
export const FINE_K = 6;
export const FINE_PAD = 2;
export const FINE_PIXELS = FINE_K * FINE_K;
export const CTX_K = 5;
export const CTX_DILATION = 3;
export const CTX_PAD = 6;
export const CTX_FEATURES = 3 * CTX_K * CTX_K;
/** The top-face mask head: per input pixel, a 3×3 Conv (pads 1) over the per-pixel features. */
export const MASK_K = 3;
export const MASK_PIXELS = MASK_K * MASK_K;

const PLANE = INPUT_W * INPUT_H;

export class CellFeatureExtractor {
  readonly #pooled = new Float32Array(3 * PLANE);
  #input: Float32Array | undefined;

  /** Sets the image ([3, 120, 160] NCHW, preprocessed per the contract) and pools it once. */
  setImage(input: Float32Array): void {
    if (input.length < 3 * PLANE) throw new Error(`CellFeatureExtractor#setImage: input holds ${input.length} values, needs ${3 * PLANE}`);
    this.#input = input;
    const p = this.#pooled;
    for (let c = 0; c < 3; c++) {
      const o = c * PLANE;
      for (let y = 0; y < INPUT_H; y++) {
        for (let x = 0; x < INPUT_W; x++) {
          let s = 0, n = 0;
          for (let dy = -1; dy <= 1; dy++) {
            const yy = y + dy;
            if (yy < 0 || yy >= INPUT_H) continue;
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              if (xx < 0 || xx >= INPUT_W) continue;
              s += input[o + yy * INPUT_W + xx];
              n++;
            }
          }
          p[o + y * INPUT_W + x] = s / n;
        }
      }
    }
  }

  /**
   * Writes cell (row, col)'s inputs: fine RGB at rgb[3·FINE_PIXELS·slot..] (pixel-major: row, column, then
   * R, G, B), 1/0 for pixels inside/outside the image at mask[FINE_PIXELS·slot..], and the context values at
   * ctx[CTX_FEATURES·slot..].
   */
  cell(row: number, col: number, slot: number, rgb: Float32Array, mask: Float32Array, ctx: Float32Array): void {
    const input = this.#input;
    if (!input) throw new Error('CellFeatureExtractor#cell: call setImage() first');
    let k = 3 * FINE_PIXELS * slot, m = FINE_PIXELS * slot;
    const y0 = 2 * row - FINE_PAD, x0 = 2 * col - FINE_PAD;
    for (let ky = 0; ky < FINE_K; ky++) {
      const y = y0 + ky;
      for (let kx = 0; kx < FINE_K; kx++) {
        const x = x0 + kx;
        const inside = y >= 0 && y < INPUT_H && x >= 0 && x < INPUT_W;
        const o = y * INPUT_W + x;
        rgb[k++] = inside ? input[o] : 0;
        rgb[k++] = inside ? input[PLANE + o] : 0;
        rgb[k++] = inside ? input[2 * PLANE + o] : 0;
        mask[m++] = inside ? 1 : 0;
      }
    }
    const p = this.#pooled, cy0 = 2 * row - CTX_PAD, cx0 = 2 * col - CTX_PAD;
    let c = CTX_FEATURES * slot;
    for (let ch = 0; ch < 3; ch++) {
      const o = ch * PLANE;
      for (let ty = 0; ty < CTX_K; ty++) {
        const y = cy0 + CTX_DILATION * ty;
        for (let tx = 0; tx < CTX_K; tx++) {
          const x = cx0 + CTX_DILATION * tx;
          ctx[c++] = y >= 0 && y < INPUT_H && x >= 0 && x < INPUT_W ? p[o + y * INPUT_W + x] : 0;
        }
      }
    }
  }

  /** Writes input pixel (y, x)'s 3×3 neighbourhood for the mask head: RGB pixel-major, and in-image flags. */
  pixel(y: number, x: number, slot: number, rgb: Float32Array, valid: Float32Array): void {
    const input = this.#input;
    if (!input) throw new Error('CellFeatureExtractor#pixel: call setImage() first');
    let k = 3 * MASK_PIXELS * slot, m = MASK_PIXELS * slot;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy, xx = x + dx;
        const inside = yy >= 0 && yy < INPUT_H && xx >= 0 && xx < INPUT_W;
        const o = yy * INPUT_W + xx;
        rgb[k++] = inside ? input[o] : 0;
        rgb[k++] = inside ? input[PLANE + o] : 0;
        rgb[k++] = inside ? input[2 * PLANE + o] : 0;
        valid[m++] = inside ? 1 : 0;
      }
    }
  }
}
