// Surface colours of the rendered world (linear 0..1 RGB). Box colours are chosen far apart in chromaticity,
// and apart from the arm's URDF materials, so a colour name identifies a box; the neutral surfaces (table,
// floor, bins) are unsaturated. The orange box is a light coral orange on purpose: a saturated orange like the
// arm's links (0.95, 0.45, 0.08) made the vision model take shaded link facets for boxes, as it would a real
// camera (warehouses avoid box colours that match the robot's paint for the same reason).
export type Rgb = readonly [number, number, number];

export const BOX_RGB: Readonly<Record<string, Rgb>> = {
  red: [0.86, 0.1, 0.1],
  green: [0.12, 0.68, 0.2],
  blue: [0.12, 0.28, 0.9],
  yellow: [0.95, 0.86, 0.12],
  orange: [1.0, 0.55, 0.38],
  purple: [0.5, 0.18, 0.72],
  cyan: [0.1, 0.8, 0.85],
  magenta: [0.92, 0.2, 0.7],
};

/** Unknown colour names render as this, so a typo shows up as a grey box rather than a crash. */
export const UNKNOWN_RGB: Rgb = [0.5, 0.5, 0.5];

export const TABLE_TOP_RGB: Rgb = [0.76, 0.7, 0.6];
export const FLOOR_RGB: Rgb = [0.3, 0.31, 0.33];
export const BIN_RGB: Rgb = [0.46, 0.46, 0.5];
/** What a ray that hits nothing sees (beyond the floor). */
export const BACKGROUND_RGB: Rgb = [0.12, 0.12, 0.14];

/** Light: a fixed sun (unit vector toward it, base frame) plus ambient, so every face of a box shades differently. */
export const LIGHT_DIR: Rgb = normalize([0.35, 0.25, 1.0]);
export const AMBIENT = 0.35;
export const DIFFUSE = 0.65;

export function boxRgb(color: string): Rgb {
  return BOX_RGB[color] ?? UNKNOWN_RGB;
}

function normalize(v: Rgb): Rgb {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
