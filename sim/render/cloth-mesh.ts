// The towel for the camera renderer: a triangle mesh over the cloth's particle grid whose vertices are refilled
// from the particles every frame. Both windings of every triangle are kept, because a cloth has no inside: the
// rasterizer culls back faces, and a folded or hanging towel shows either side to the camera.
import { buildTriangles } from '../cloth/cloth-topology.js';
import type { Mesh } from './meshes.js';
import type { Rgb } from './palette.js';

/** A white cotton towel under the shading model: brighter than the table top, so the two stay apart in images. */
export const CLOTH_RGB: Rgb = [0.95, 0.95, 0.92];

/** What the renderer needs of a cloth: its grid (particle (r, c) is index r * cols + c) and positions x y z. */
export interface ClothView {
  readonly rows: number;
  readonly cols: number;
  readonly positions: ArrayLike<number>;
}

export class ClothMesh implements Mesh {
  readonly positions: Float64Array;
  readonly indices: Uint16Array;
  readonly topFace: Uint8Array;
  readonly vertexCount: number;
  readonly triangleCount: number;

  constructor(readonly rows: number, readonly cols: number) {
    this.vertexCount = rows * cols;
    if (this.vertexCount > 0xffff) throw new Error(`ClothMesh: ${rows}x${cols} particles exceed 16-bit indices`);
    const one = buildTriangles(rows, cols);
    const both = new Uint16Array(2 * one.length);
    both.set(one);
    for (let t = 0; t < one.length; t += 3) {
      both[one.length + t] = one[t];
      both[one.length + t + 1] = one[t + 2];
      both[one.length + t + 2] = one[t + 1];
    }
    this.indices = both;
    this.triangleCount = both.length / 3;
    this.topFace = new Uint8Array(this.triangleCount);
    this.positions = new Float64Array(3 * this.vertexCount);
  }

  /** Takes the cloth's current particle positions (base frame). */
  update(cloth: ClothView): void {
    if (cloth.rows !== this.rows || cloth.cols !== this.cols) {
      throw new Error(`ClothMesh#update: cloth is ${cloth.rows}x${cloth.cols}, the mesh ${this.rows}x${this.cols}`);
    }
    for (let i = 0; i < this.positions.length; i++) this.positions[i] = cloth.positions[i];
  }
}
