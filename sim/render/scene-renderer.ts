// Renders the sim world through a SimView: floor, table, bins, boxes and the arm (URDF primitive visuals), with
// a fixed sun plus ambient light. Optionally writes an id buffer (which object each pixel shows) for labels.
//
// Deterministic: the same scene, arm configuration and view give the same bytes. Sensor noise, when enabled,
// comes from a seeded PRNG and advances once per rendered frame, so a run is repeatable from its seed.
import type { ArmDescription, Pose, Vec3 } from '../../runtime/robot/index.js';
import { mat3FromQuat, mat3FromRpy, mat3Multiply } from '../../runtime/robot/transforms.js';
import { Random } from '../random.js';
import { DEFAULT_TABLE, defaultBins } from '../scene-layout.js';
import type { BinSpec, TableSpec } from '../scene-layout.js';
import type { World } from '../world.js';
import { ArmLinkPoses } from './arm-links.js';
import { unitBox, unitCylinder, unitSphere } from './meshes.js';
import type { Mesh } from './meshes.js';
import { CLOTH_RGB, ClothMesh, type ClothView } from './cloth-mesh.js';
import { AMBIENT, BACKGROUND_RGB, BIN_RGB, DIFFUSE, FLOOR_RGB, LIGHT_DIR, TABLE_TOP_RGB, boxRgb } from './palette.js';
import type { Rgb } from './palette.js';
import { Rasterizer } from './rasterizer.js';
import type { SimView } from './sim-views.js';
import { loadUrdfVisuals } from './urdf-visuals.js';
import type { LinkVisual } from './urdf-visuals.js';

/** What the renderer needs of an object (SimObject and armstack_msgs/SceneObject both fit). */
export interface RenderObject {
  readonly color: string;
  /** Full extents, m. */
  readonly size: Vec3;
  /** Centre pose, base frame. */
  readonly pose: Pose;
}

export interface SensorNoiseConfig {
  seed: number;
  /** Standard deviation of the additive noise, in 8-bit levels. */
  stddevLevels: number;
}

export interface SceneRendererConfig {
  description: ArmDescription;
  table?: TableSpec;
  bins?: readonly BinSpec[];
  /** Default: the visuals of the shipped arm6.urdf. */
  visuals?: readonly LinkVisual[];
  /** Off by default. */
  noise?: SensorNoiseConfig;
}

/** Id buffer values: 0 = floor, table, bins or nothing; 1 = the arm; object k (0-based) = 2 + 2k, its top face 3 + 2k. */
export const ARM_ID = 1;
export const objectId = (k: number): number => 2 + 2 * k;
export const objectTopId = (k: number): number => 3 + 2 * k;
export const MAX_RENDERED_OBJECTS = 126;

const IDENTITY_MODEL: readonly number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];

interface Instance {
  mesh: Mesh;
  /** base-from-local for static instances; link-from-local for arm visuals. */
  model: Float64Array;
  scale: [number, number, number];
  rgb: Rgb;
  link: number;
}

const NOISE_TABLE_SIZE = 1 << 20;

export class SceneRenderer {
  readonly links: ArmLinkPoses;
  readonly table: TableSpec;
  readonly bins: readonly BinSpec[];
  readonly #static: Instance[] = [];
  readonly #arm: Instance[] = [];
  readonly #box = unitBox();
  #cloth: ClothMesh | undefined;
  readonly #rasterizers: Rasterizer[] = [];
  readonly #model = new Float64Array(12);
  readonly #noise: Int8Array | undefined;
  readonly #noiseRng: Random | undefined;

  constructor(config: SceneRendererConfig) {
    this.links = new ArmLinkPoses(config.description);
    this.table = config.table ?? DEFAULT_TABLE;
    this.bins = config.bins ?? defaultBins();
    this.#buildStatic();
    const cylinder = unitCylinder(16), sphere = unitSphere();
    for (const v of config.visuals ?? loadUrdfVisuals()) {
      const link = this.links.indexOf(v.link);
      if (link < 0) continue;
      const model = new Float64Array(12);
      mat3FromRpy(v.originRpy[0], v.originRpy[1], v.originRpy[2], model, 0);
      model.set(v.originXyz, 9);
      const g = v.geometry;
      const [mesh, scale]: [Mesh, [number, number, number]] = g.kind === 'box' ? [this.#box, g.sizeM]
        : g.kind === 'cylinder' ? [cylinder, [g.radiusM, g.radiusM, g.lengthM]] : [sphere, [g.radiusM, g.radiusM, g.radiusM]];
      this.#arm.push({ mesh, model, scale, rgb: v.rgb, link });
    }
    if (config.noise && config.noise.stddevLevels > 0) {
      const rng = new Random(config.noise.seed);
      this.#noise = new Int8Array(NOISE_TABLE_SIZE);
      for (let i = 0; i < NOISE_TABLE_SIZE; i++) this.#noise[i] = Math.max(-127, Math.min(127, Math.round(rng.normal() * config.noise.stddevLevels)));
      this.#noiseRng = rng.fork();
    }
  }

  /** A renderer for a world's table and bins. */
  static forWorld(world: World, options: Omit<SceneRendererConfig, 'description' | 'table' | 'bins'> = {}): SceneRenderer {
    return new SceneRenderer({ ...options, description: world.description, table: world.table, bins: world.bins });
  }

  /** Poses the arm: q in command order (arm joints, then the gripper joint). */
  setArm(q: ArrayLike<number>): void {
    this.links.update(q);
  }

  /** Renders the world as it stands now. */
  renderWorld(world: World, view: SimView, out: Uint8Array, ids?: Uint8Array): void {
    this.setArm(world.dynamics.position);
    this.render(view, world.objects, out, ids, world.cloth);
  }

  /** Renders objects and the arm as last set by setArm into out (RGB8, row-major), and ids when given. */
  render(view: SimView, objects: readonly RenderObject[], out: Uint8Array, ids?: Uint8Array, cloth?: ClothView): void {
    if (objects.length + (cloth ? 1 : 0) > MAX_RENDERED_OBJECTS) {
      throw new Error(`SceneRenderer#render: ${objects.length} objects, at most ${MAX_RENDERED_OBJECTS} fit the id buffer`);
    }
    view.follow(this.links);
    const r = this.#rasterizer(view);
    r.begin(view.camera, out, ids);
    const M = this.#model, T = this.links.transforms;
    // The arm first: it is nearest the overhead camera, so later surfaces fail the depth test early.
    for (const a of this.#arm) {
      const o = 12 * a.link;
      mat3Multiply(T, o, a.model, 0, M, 0);
      for (let k = 0; k < 3; k++) M[9 + k] = T[o + 9 + k] + T[o + 3 * k] * a.model[9] + T[o + 3 * k + 1] * a.model[10] + T[o + 3 * k + 2] * a.model[11];
      r.drawMesh(a.mesh, M, a.scale[0], a.scale[1], a.scale[2], a.rgb, ARM_ID);
    }
    for (let k = 0; k < objects.length; k++) {
      const o = objects[k];
      mat3FromQuat(o.pose.orientation, M, 0);
      M[9] = o.pose.position.x; M[10] = o.pose.position.y; M[11] = o.pose.position.z;
      r.drawMesh(this.#box, M, o.size.x, o.size.y, o.size.z, boxRgb(o.color), objectId(k), objectTopId(k));
    }
    if (cloth) {
      // The towel comes after the boxes, as in SceneState, and takes the next object id.
      const mesh = (this.#cloth?.rows === cloth.rows && this.#cloth.cols === cloth.cols ? this.#cloth : (this.#cloth = new ClothMesh(cloth.rows, cloth.cols)));
      mesh.update(cloth);
      r.drawMesh(mesh, IDENTITY_MODEL, 1, 1, 1, CLOTH_RGB, objectId(objects.length));
    }
    for (const s of this.#static) r.drawMesh(s.mesh, s.model, s.scale[0], s.scale[1], s.scale[2], s.rgb, 0);
    if (this.#noise) this.#addNoise(out, 3 * view.camera.intrinsics.width * view.camera.intrinsics.height);
  }

  /** One rasterizer per frame size, made on first use (the lookup itself allocates nothing). */
  #rasterizer(view: SimView): Rasterizer {
    const k = view.camera.intrinsics;
    for (const r of this.#rasterizers) if (r.width === k.width && r.height === k.height) return r;
    // Room for the largest mesh: a 20x20 towel has 400 vertices (the arm's primitives have under 64).
    const r = new Rasterizer(k.width, k.height, { lightDir: LIGHT_DIR, ambient: AMBIENT, diffuse: DIFFUSE }, BACKGROUND_RGB, 1024);
    this.#rasterizers.push(r);
    return r;
  }

  #addNoise(out: Uint8Array, n: number): void {
    const table = this.#noise!, mask = NOISE_TABLE_SIZE - 1;
    const start = this.#noiseRng!.int(NOISE_TABLE_SIZE);
    for (let i = 0; i < n; i++) {
      const v = out[i] + table[(start + i) & mask];
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }

  /** Floor, table and bins: axis-aligned boxes that never move. */
  #buildStatic(): void {
    const t = this.table;
    const add = (cx: number, cy: number, cz: number, sx: number, sy: number, sz: number, rgb: Rgb) => {
      const model = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, cx, cy, cz]);
      this.#static.push({ mesh: this.#box, model, scale: [sx, sy, sz], rgb, link: -1 });
    };
    const floorZ = t.topZM - t.heightM;
    // Nearest first, floor last: hidden surfaces then fail the depth test instead of being drawn over.
    add((t.xMinM + t.xMaxM) / 2, (t.yMinM + t.yMaxM) / 2, t.topZM - t.heightM / 2, t.xMaxM - t.xMinM, t.yMaxM - t.yMinM, t.heightM, TABLE_TOP_RGB);
    for (const b of this.bins) {
      const z0 = b.baseZM;
      add(b.centerXM, b.centerYM, z0 + b.floorM / 2, b.sizeXM, b.sizeYM, b.floorM, BIN_RGB);
      const wz = z0 + b.heightM / 2, hx = b.sizeXM / 2 - b.wallM / 2, hy = b.sizeYM / 2 - b.wallM / 2;
      add(b.centerXM + hx, b.centerYM, wz, b.wallM, b.sizeYM, b.heightM, BIN_RGB);
      add(b.centerXM - hx, b.centerYM, wz, b.wallM, b.sizeYM, b.heightM, BIN_RGB);
      add(b.centerXM, b.centerYM + hy, wz, b.sizeXM - 2 * b.wallM, b.wallM, b.heightM, BIN_RGB);
      add(b.centerXM, b.centerYM - hy, wz, b.sizeXM - 2 * b.wallM, b.wallM, b.heightM, BIN_RGB);
      // A bin that stands on the floor beside the table would otherwise float: give it a pedestal down to the floor.
      if (z0 > floorZ + 1e-6 && !(b.centerXM >= t.xMinM && b.centerXM <= t.xMaxM && b.centerYM >= t.yMinM && b.centerYM <= t.yMaxM)) {
        add(b.centerXM, b.centerYM, (z0 + floorZ) / 2, b.sizeXM, b.sizeYM, z0 - floorZ, FLOOR_RGB);
      }
    }
    add(0, 0, floorZ - 0.05, 8, 8, 0.1, FLOOR_RGB);
  }
}
