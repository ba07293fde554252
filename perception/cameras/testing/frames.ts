// Synthetic frames for camera and preprocessing tests (imported by *.test.ts only).
import type { Frame, PixelEncoding } from '../camera.js';
import { mulberry32 } from '../../../runtime/random.js';

/** Seeded uniform numbers in [0, 1) (runtime/random.ts). */
export const rng = mulberry32;

export function randomPixels(width: number, height: number, seed: number): Uint8Array {
  const next = rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
  return data;
}

/**
 * What the sim renderer draws, roughly: a shaded table, a few flat-coloured boxes with hard edges that do not
 * fall on block boundaries, and bins. RGB order.
 */
export function simLikePixels(width: number, height: number, seed: number): Uint8Array {
  const next = rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const shade = 0.8 + 0.2 * (x / width) * (1 - y / height);
      data[i] = Math.round(150 * shade);
      data[i + 1] = Math.round(120 * shade);
      data[i + 2] = Math.round(90 * shade);
    }
  }
  const colours = [[220, 40, 40], [40, 200, 60], [40, 70, 220], [230, 210, 40], [30, 30, 30]];
  for (const [r, g, b] of colours) {
    const w = 20 + Math.floor(next() * 60), h = 20 + Math.floor(next() * 60);
    const x0 = Math.floor(next() * (width - w)), y0 = Math.floor(next() * (height - h));
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const i = (y * width + x) * 3;
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
      }
    }
  }
  return data;
}

/** The same pixels with R and B swapped (rgb8 ⇄ bgr8). */
export function swapRb(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 3) {
    out[i] = data[i + 2];
    out[i + 1] = data[i + 1];
    out[i + 2] = data[i];
  }
  return out;
}

export function frameOf(data: Uint8Array, width: number, height: number, encoding: PixelEncoding = 'rgb8', seq = 1): Frame {
  return { stampNs: BigInt(seq) * 1_000_000n, seq, width, height, encoding, data };
}

/** Solid frame of one colour (RGB), for recognisable test clips. */
export function solidPixels(width: number, height: number, rgb: readonly [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = rgb[0];
    data[i + 1] = rgb[1];
    data[i + 2] = rgb[2];
  }
  return data;
}
