// The towel's place in the World: a seeded flat placement on the table, the colliders kept in step with the loose
// boxes, one cloth step per world step (the tcp interpolated across it), and the towel's entry in SceneState.
// World owns one of these when WorldConfig.cloth is set; nothing here knows about World itself.
// The arm and the fingers do not push the cloth: only a pinch moves it (see cloth-grasp.ts).
import type { Pose } from '../../runtime/robot/arm-description.js';
import type { SceneObject } from '../../runtime/messages/index.js';
import type { GripperGeometry } from '../grasp.js';
import type { Random } from '../random.js';
import type { BinSpec, SpawnRegion, TableSpec } from '../scene-layout.js';
import type { SimObject } from '../world-objects.js';
import { Cloth } from './cloth.js';
import type { ClothConfig } from './cloth-config.js';
import { staticColliders } from './cloth-colliders.js';
import type { ClothColliders } from './cloth-colliders.js';
import type { ClothGripperInput } from './cloth-grasp.js';

export interface WorldClothConfig extends ClothConfig {
  /** SceneObject id. Default 'towel'. */
  id?: string;
  /** SceneObject color. Default 'white'. */
  color?: string;
  /** Centre and yaw on the table; drawn from the seed where absent. */
  xM?: number;
  yM?: number;
  yawRad?: number;
  /** Where the centre is drawn. Default TOWEL_SPAWN: the whole towel on the table, every corner in reach. */
  spawn?: SpawnRegion;
}

/** A 0.3 m towel anywhere in here lies wholly on the default table (its corners reach 0.21 m from the centre). */
export const TOWEL_SPAWN: SpawnRegion = { xMinM: 0.42, xMaxM: 0.56, yMinM: -0.22, yMaxM: 0.08 };

export class WorldCloth {
  readonly cloth: Cloth;
  readonly id: string;
  readonly color: string;
  readonly #colliders: ClothColliders;
  readonly #boxSlot: number;
  readonly #objects: readonly SimObject[];
  readonly #bins: readonly BinSpec[];
  readonly #gripper: ClothGripperInput;
  #particles: Float32Array | undefined;

  constructor(
    config: boolean | WorldClothConfig, rng: Random, table: TableSpec, bins: readonly BinSpec[],
    objects: readonly SimObject[], gripper: GripperGeometry,
  ) {
    const c: WorldClothConfig = config === true ? {} : config === false ? {} : config;
    const { id, color, xM, yM, yawRad, spawn, ...clothConfig } = c;
    this.id = id ?? 'towel';
    this.color = color ?? 'white';
    const s = spawn ?? TOWEL_SPAWN;
    // Always draw all three, so giving one of them does not shift the others.
    const drawX = rng.uniform(s.xMinM, s.xMaxM), drawY = rng.uniform(s.yMinM, s.yMaxM);
    const drawYaw = rng.uniform(-Math.PI / 4, Math.PI / 4);
    this.cloth = new Cloth(clothConfig);
    this.cloth.reset({ xM: xM ?? drawX, yM: yM ?? drawY, zM: table.topZM + this.cloth.radiusM, yawRad: yawRad ?? drawYaw });
    this.#colliders = staticColliders(table, bins, objects.length);
    this.#boxSlot = this.#colliders.count;
    for (let k = 0; k < objects.length; k++) this.#colliders.addBox(0, 0, 0, 0, 0, 0);
    this.#objects = objects;
    this.#bins = bins;
    this.#gripper = { tcp: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }, gapM: 0, geometry: gripper };
  }

  get colliders(): ClothColliders {
    return this.#colliders;
  }

  /** Advances the towel by dtS with the tcp pose and finger opening as they are at the end of it. */
  step(dtS: number, tcp: Pose, gapM: number): void {
    this.#syncBoxes();
    const g = this.#gripper, p = g.tcp.position, q = g.tcp.orientation;
    p.x = tcp.position.x; p.y = tcp.position.y; p.z = tcp.position.z;
    q.x = tcp.orientation.x; q.y = tcp.orientation.y; q.z = tcp.orientation.z; q.w = tcp.orientation.w;
    g.gapM = gapM;
    this.cloth.step(dtS, this.#colliders, g);
  }

  /** A new SceneObject for the towel (World appends it after the boxes). */
  makeSceneObject(): SceneObject {
    const o: SceneObject = {
      id: this.id, kind: 'cloth', color: this.color,
      size: { x: this.cloth.config.sizeM[0], y: this.cloth.config.sizeM[1], z: this.cloth.config.thicknessM },
      pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }, held: false, in_bin: 0,
    };
    return this.fillSceneObject(o);
  }

  /** Pose = particle centroid and the yaw of the towel's local +x (near edge to far edge); in_bin per isInBin. */
  fillSceneObject(o: SceneObject): SceneObject {
    const c = this.cloth, x = c.positions;
    c.centroid(o.pose.position);
    const nl = 3 * c.cornerIndex('near_left'), nr = 3 * c.cornerIndex('near_right');
    const fl = 3 * c.cornerIndex('far_left'), fr = 3 * c.cornerIndex('far_right');
    const yaw = Math.atan2(x[fl + 1] + x[fr + 1] - x[nl + 1] - x[nr + 1], x[fl] + x[fr] - x[nl] - x[nr]);
    const q = o.pose.orientation;
    q.x = 0; q.y = 0; q.z = Math.sin(yaw / 2); q.w = Math.cos(yaw / 2);
    o.held = c.held;
    o.in_bin = 0;
    if (!c.held) for (const b of this.#bins) if (c.isInBin(b)) { o.in_bin = b.number; break; }
    return o;
  }

  /** The particle positions as float32 x y z, in one reused buffer. */
  particles(): Float32Array {
    const buf = (this.#particles ??= new Float32Array(this.cloth.positions.length));
    buf.set(this.cloth.positions);
    return buf;
  }

  #syncBoxes(): void {
    const objs = this.#objects;
    for (let k = 0; k < objs.length; k++) {
      const o = objs[k], q = o.pose.orientation, p = o.pose.position;
      const yaw = Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
      this.#colliders.setBox(this.#boxSlot + k, p.x, p.y, p.z, o.size.x / 2, o.size.y / 2, o.size.z / 2, yaw);
    }
  }
}
