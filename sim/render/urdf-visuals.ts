// The arm's look, read from the URDF's <visual> elements (ArmDescription keeps joints only): per link, the
// primitives (box, cylinder, sphere) with their origin and material colour. Mesh visuals are skipped (that part
// is simply not drawn): the armstack URDF uses primitives only, and a renderer that refused a mesh-bearing URDF
// would be less useful than one that draws the rest.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { DEFAULT_URDF_PATH } from '../../runtime/robot/index.js';
import type { Rgb } from './palette.js';

export type VisualGeometry =
  | { kind: 'box'; sizeM: [number, number, number] }
  | { kind: 'cylinder'; radiusM: number; lengthM: number }
  | { kind: 'sphere'; radiusM: number };

export interface LinkVisual {
  link: string;
  originXyz: [number, number, number];
  originRpy: [number, number, number];
  geometry: VisualGeometry;
  rgb: Rgb;
}

const DEFAULT_RGB: Rgb = [0.6, 0.6, 0.6];
type Node = Record<string, unknown>;

function list(v: unknown): Node[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'object' && x !== null ? (x as Node) : {}));
}

function numbers(s: unknown, n: number, where: string): number[] {
  const parts = String(s ?? '').trim().split(/\s+/).map(Number);
  if (parts.length !== n || parts.some((x) => !Number.isFinite(x))) {
    throw new Error(`parseUrdfVisuals: ${where}: expected ${n} numbers, got "${String(s)}"`);
  }
  return parts;
}

function rgbOf(material: Node | undefined, named: Map<string, Rgb>): Rgb {
  if (!material) return DEFAULT_RGB;
  const color = list(material.color)[0];
  if (color?.['@_rgba'] !== undefined) {
    const c = numbers(color['@_rgba'], 4, 'material color');
    return [c[0], c[1], c[2]];
  }
  return named.get(String(material['@_name'] ?? '')) ?? DEFAULT_RGB;
}

/** Every primitive <visual> of every link, in document order. */
export function parseUrdfVisuals(xml: string): LinkVisual[] {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml) as Node;
  const robot = list(doc.robot)[0];
  if (!robot) throw new Error('parseUrdfVisuals: no <robot> element');
  const named = new Map<string, Rgb>();
  for (const m of list(robot.material)) named.set(String(m['@_name']), rgbOf(m, named));
  const out: LinkVisual[] = [];
  for (const link of list(robot.link)) {
    const name = String(link['@_name']);
    for (const visual of list(link.visual)) {
      const origin = list(visual.origin)[0];
      const where = `link "${name}" visual`;
      const xyz = origin?.['@_xyz'] !== undefined ? numbers(origin['@_xyz'], 3, where) : [0, 0, 0];
      const rpy = origin?.['@_rpy'] !== undefined ? numbers(origin['@_rpy'], 3, where) : [0, 0, 0];
      const g = list(visual.geometry)[0] ?? {};
      let geometry: VisualGeometry | undefined;
      const box = list(g.box)[0], cyl = list(g.cylinder)[0], sph = list(g.sphere)[0];
      if (box) {
        const s = numbers(box['@_size'], 3, `${where} box size`);
        geometry = { kind: 'box', sizeM: [s[0], s[1], s[2]] };
      } else if (cyl) {
        geometry = { kind: 'cylinder', radiusM: numbers(cyl['@_radius'], 1, where)[0], lengthM: numbers(cyl['@_length'], 1, where)[0] };
      } else if (sph) {
        geometry = { kind: 'sphere', radiusM: numbers(sph['@_radius'], 1, where)[0] };
      }
      if (!geometry) continue;
      out.push({
        link: name, originXyz: [xyz[0], xyz[1], xyz[2]], originRpy: [rpy[0], rpy[1], rpy[2]], geometry,
        rgb: rgbOf(list(visual.material)[0], named),
      });
    }
  }
  return out;
}

/** Visuals of the shipped arm6.urdf (or another file). */
export function loadUrdfVisuals(path: string = DEFAULT_URDF_PATH): LinkVisual[] {
  return parseUrdfVisuals(readFileSync(path, 'utf8'));
}
