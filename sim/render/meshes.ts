// Unit primitives as indexed triangle meshes: a box [-0.5, 0.5]³, a cylinder of radius 1 and length 1 along z,
// and a sphere of radius 1. Instances scale and place them. Triangles are wound so that (b − a) × (c − a)
// points out of the solid; the renderer relies on it for back-face culling and shading.

export interface Mesh {
  readonly positions: Float64Array;
  readonly indices: Uint16Array;
  /** Per triangle: 1 when it belongs to the local +z face (a box's top), else 0. */
  readonly topFace: Uint8Array;
  readonly vertexCount: number;
  readonly triangleCount: number;
}

function build(positions: number[], tris: number[], topZ?: number): Mesh {
  // Fix winding against the centroid: every primitive here is convex and centred on the origin.
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]].map((i) => positions.slice(3 * i, 3 * i + 3));
    const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
    const m = [(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3, (a[2] + b[2] + c[2]) / 3];
    if (n[0] * m[0] + n[1] * m[1] + n[2] * m[2] < 0) { const s = tris[t + 1]; tris[t + 1] = tris[t + 2]; tris[t + 2] = s; }
  }
  const topFace = new Uint8Array(tris.length / 3);
  if (topZ !== undefined) {
    for (let t = 0; t < topFace.length; t++) {
      topFace[t] = [0, 1, 2].every((k) => Math.abs(positions[3 * tris[3 * t + k] + 2] - topZ) < 1e-12) ? 1 : 0;
    }
  }
  return {
    positions: Float64Array.from(positions), indices: Uint16Array.from(tris), topFace,
    vertexCount: positions.length / 3, triangleCount: tris.length / 3,
  };
}

export function unitBox(): Mesh {
  const p: number[] = [];
  for (let i = 0; i < 8; i++) p.push(i & 1 ? 0.5 : -0.5, i & 2 ? 0.5 : -0.5, i & 4 ? 0.5 : -0.5);
  const quads = [[0, 2, 6, 4], [1, 5, 7, 3], [0, 4, 5, 1], [2, 3, 7, 6], [0, 1, 3, 2], [4, 6, 7, 5]];
  const tris: number[] = [];
  for (const [a, b, c, d] of quads) tris.push(a, b, c, a, c, d);
  return build(p, tris, 0.5);
}

/** Cylinder along z: `segments` around, capped. */
export function unitCylinder(segments = 16): Mesh {
  const p: number[] = [];
  for (let i = 0; i < segments; i++) {
    const a = (2 * Math.PI * i) / segments;
    p.push(Math.cos(a), Math.sin(a), -0.5, Math.cos(a), Math.sin(a), 0.5);
  }
  const bottom = p.length / 3, top = bottom + 1;
  p.push(0, 0, -0.5, 0, 0, 0.5);
  const tris: number[] = [];
  for (let i = 0; i < segments; i++) {
    const j = (i + 1) % segments;
    const b0 = 2 * i, t0 = 2 * i + 1, b1 = 2 * j, t1 = 2 * j + 1;
    tris.push(b0, b1, t1, b0, t1, t0, bottom, b1, b0, top, t0, t1);
  }
  return build(p, tris, 0.5);
}

export function unitSphere(rings = 6, segments = 10): Mesh {
  const p: number[] = [0, 0, -1];
  for (let r = 1; r < rings; r++) {
    const phi = -Math.PI / 2 + (Math.PI * r) / rings;
    for (let s = 0; s < segments; s++) {
      const a = (2 * Math.PI * s) / segments;
      p.push(Math.cos(phi) * Math.cos(a), Math.cos(phi) * Math.sin(a), Math.sin(phi));
    }
  }
  p.push(0, 0, 1);
  const north = p.length / 3 - 1;
  const ring = (r: number, s: number) => 1 + (r - 1) * segments + (s % segments);
  const tris: number[] = [];
  for (let s = 0; s < segments; s++) {
    tris.push(0, ring(1, s), ring(1, s + 1));
    tris.push(north, ring(rings - 1, s), ring(rings - 1, s + 1));
    for (let r = 1; r < rings - 1; r++) {
      tris.push(ring(r, s), ring(r + 1, s), ring(r + 1, s + 1), ring(r, s), ring(r + 1, s + 1), ring(r, s + 1));
    }
  }
  return build(p, tris);
}
