// The towel's rest shape and its constraint graph, built once: a flat grid, structural edges (along rows and
// columns), shear edges (both diagonals of each quad) and skip-one bending edges (distance-based bending: a chord
// over two grid steps resists folding about the middle one).
export interface ClothTopology {
  rows: number;
  cols: number;
  /** Rest positions in the towel's own frame (z = 0), x y per particle. */
  rest: Float64Array;
  /** Edge endpoints, a b per edge: stretch edges (structural + shear) first, then the bending edges. */
  edges: Uint32Array;
  /** Rest length per edge, m. */
  restLength: Float64Array;
  /** Edges [0, stretchCount) are stretch edges; the rest bend. */
  stretchCount: number;
  /** Structural edges only: [0, structuralCount) (used by tests to measure stretch). */
  structuralCount: number;
}

/**
 * Particle (r, c) is index r * cols + c, at local x = (r - (rows - 1) / 2) · dx and y = ((cols - 1) / 2 - c) · dy:
 * row 0 is the near edge (local -x) and column 0 the left edge (local +y), as seen looking along local +x.
 */
export function buildTopology(rows: number, cols: number, sizeXM: number, sizeYM: number): ClothTopology {
  const dx = sizeXM / (rows - 1), dy = sizeYM / (cols - 1);
  const rest = new Float64Array(rows * cols * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      rest[2 * i] = (r - (rows - 1) / 2) * dx;
      rest[2 * i + 1] = ((cols - 1) / 2 - c) * dy;
    }
  }
  const pairs: number[] = [];
  const id = (r: number, c: number) => r * cols + c;
  // Structural, row by row, so that Gauss-Seidel sweeps propagate along the cloth.
  for (let r = 0; r < rows; r++) for (let c = 0; c + 1 < cols; c++) pairs.push(id(r, c), id(r, c + 1));
  for (let r = 0; r + 1 < rows; r++) for (let c = 0; c < cols; c++) pairs.push(id(r, c), id(r + 1, c));
  const structuralCount = pairs.length / 2;
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      pairs.push(id(r, c), id(r + 1, c + 1));
      pairs.push(id(r, c + 1), id(r + 1, c));
    }
  }
  const stretchCount = pairs.length / 2;
  for (let r = 0; r < rows; r++) for (let c = 0; c + 2 < cols; c++) pairs.push(id(r, c), id(r, c + 2));
  for (let r = 0; r + 2 < rows; r++) for (let c = 0; c < cols; c++) pairs.push(id(r, c), id(r + 2, c));
  const edges = Uint32Array.from(pairs);
  const restLength = new Float64Array(edges.length / 2);
  for (let k = 0; k < restLength.length; k++) {
    const a = edges[2 * k], b = edges[2 * k + 1];
    restLength[k] = Math.hypot(rest[2 * b] - rest[2 * a], rest[2 * b + 1] - rest[2 * a + 1]);
  }
  return { rows, cols, rest, edges, restLength, stretchCount, structuralCount };
}

/** Two triangles per grid quad, counter-clockwise seen from local +z, as a flat index list for drawing. */
export function buildTriangles(rows: number, cols: number): Uint32Array {
  const out = new Uint32Array((rows - 1) * (cols - 1) * 6);
  let k = 0;
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const a = r * cols + c, b = a + 1, d = a + cols, e = d + 1;
      // Local +x runs with r and local +y against c, so (a, b, d) winds counter-clockwise about +z.
      out[k++] = a; out[k++] = b; out[k++] = d;
      out[k++] = b; out[k++] = e; out[k++] = d;
    }
  }
  return out;
}
