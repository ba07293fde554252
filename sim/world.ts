// The sim world: the arm's joint dynamics at the servo rate, a table, numbered bins and loose boxes that the
// gripper can catch, carry and let fall. Deterministic for a seed: the only randomness is the layout, drawn from
// the seeded PRNG, and stepping is fixed-rate.
//
// Simplifications (documented, deliberate): no collisions between the arm and anything; objects never move
// unless carried or falling; a falling object drops straight down and keeps only its yaw.
import { Kinematics, quatMultiply, quatRotateVec3 } from '../runtime/robot/index.js';
import type { ArmDescription, Pose, Vec3 } from '../runtime/robot/index.js';
import type { SceneBin, SceneObject, SceneState, Time } from '../runtime/messages/index.js';
import { ArmDynamics } from './arm-dynamics.js';
import { WorldCloth } from './cloth/world-cloth.js';
import type { WorldClothConfig } from './cloth/world-cloth.js';
import type { Cloth } from './cloth/cloth.js';
import type { ArmDynamicsConfig } from './arm-dynamics.js';
import { ARM6_GRIPPER, findGrasp } from './grasp.js';
import type { GraspCandidate, GripperGeometry } from './grasp.js';
import { Random } from './random.js';
import { DEFAULT_TABLE, defaultBins, placeBoxes } from './scene-layout.js';
import type { BinSpec, SceneLayoutConfig, TableSpec } from './scene-layout.js';
import { guideIntoBin, makeBox, setYaw, stepFalling, yawOf } from './world-objects.js';
import type { SimObject, Support } from './world-objects.js';

/**
 * The arm's resting pose at the start: tcp 0.3 m above the table at (0.4, 0), pointing down, gripper open
 * (IK of topDownGrasp(0.4, 0, 0.3, 0) for arm6).
 */
export const ARM6_HOME_POSITIONS: readonly number[] = [-0.3423, -1.8363, 1.9718, 1.4353, -1.5708, -1.9131, 0.04];

export interface WorldConfig {
  seed: number;
  description: ArmDescription;
  /** Shared with the caller when given (it holds per-instance scratch, so one per thread). */
  kinematics?: Kinematics;
  /** Number of boxes. Default 4. */
  boxes?: number;
  /** Servo (integration) rate of the arm and the falling objects. Default 1000 Hz. */
  servoRateHz?: number;
  dynamics?: Omit<ArmDynamicsConfig, 'servoRateHz'>;
  layout?: SceneLayoutConfig;
  /** Joint positions at the start, command order. Default ARM6_HOME_POSITIONS (gripper open). */
  initialPositions?: ArrayLike<number>;
  gripper?: GripperGeometry;
  /** frame_id of the scene messages. Default the description's base link. */
  frameId?: string;
  /** A towel (sim/cloth) flat on the table at a seeded place, SceneObject 'towel' after the boxes. Default off. */
  cloth?: boolean | WorldClothConfig;
}

export class World {
  readonly description: ArmDescription;
  readonly kinematics: Kinematics;
  readonly dynamics: ArmDynamics;
  readonly seed: number;
  readonly table: TableSpec;
  readonly bins: readonly BinSpec[];
  readonly objects: readonly SimObject[];
  readonly gripper: GripperGeometry;
  /** The towel, when WorldConfig.cloth is on. */
  readonly cloth: Cloth | undefined;

  readonly #g: number;
  readonly #towel: WorldCloth | undefined;
  readonly #scene: SceneState;
  readonly #tcp: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  readonly #fingerAxis: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #toolZ: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #unitY: Vec3 = { x: 0, y: 1, z: 0 };
  readonly #unitZ: Vec3 = { x: 0, y: 0, z: 1 };
  readonly #support: Support = { zM: 0, bin: 0 };
  readonly #grasp: GraspCandidate = { object: undefined as unknown as SimObject, widthM: 0 };
  #held: SimObject | undefined;
  #openGapM = 0;
  #steps = 0;
  #falling = false;
  #recheck = false;

  constructor(config: WorldConfig) {
    this.description = config.description;
    this.kinematics = config.kinematics ?? new Kinematics(config.description);
    this.seed = config.seed;
    this.dynamics = new ArmDynamics(config.description, { ...config.dynamics, servoRateHz: config.servoRateHz ?? 1000 });
    this.gripper = config.gripper ?? ARM6_GRIPPER;
    this.#g = this.dynamics.gripperIndex;
    const layout = config.layout ?? {};
    this.table = layout.table ?? DEFAULT_TABLE;
    this.bins = layout.bins ?? defaultBins();
    const rng = new Random(config.seed);
    const specs = placeBoxes(rng.fork(), config.boxes ?? 4, layout);
    this.objects = specs.map((b) => makeBox(b.id, b.color, b.sizeM, b.xM, b.yM, this.table.topZM, b.yawRad));
    // Cloth: its own fork, drawn after the boxes', so turning it on leaves the box layout as it was.
    this.#towel = config.cloth ? new WorldCloth(config.cloth, rng.fork(), this.table, this.bins, this.objects, this.gripper) : undefined;
    this.cloth = this.#towel?.cloth;
    const q0 = config.initialPositions ?? ARM6_HOME_POSITIONS;
    if (q0.length !== this.dynamics.dof) {
      throw new Error(`World#constructor: initialPositions has ${q0.length} values, expected ${this.dynamics.dof}`);
    }
    this.dynamics.setPositions(q0);
    this.#openGapM = this.#gap();
    this.#scene = this.#makeScene(config.frameId ?? config.description.baseLink);
  }

  /** Simulated time since the start, from whole servo steps. */
  get timeS(): number {
    return this.#steps / this.dynamics.servoRateHz;
  }

  get timeNs(): bigint {
    return BigInt(Math.round((this.#steps * 1e9) / this.dynamics.servoRateHz));
  }

  /** Sim time into a builtin_interfaces/Time without allocating (exact while steps·1e9/rate stays below 2^53). */
  fillStamp(out: Time): Time {
    const rate = this.dynamics.servoRateHz;
    const sec = Math.floor(this.#steps / rate);
    out.sec = sec;
    out.nanosec = Math.min(999_999_999, Math.round(((this.#steps - sec * rate) * 1e9) / rate));
    return out;
  }

  get objectsTotal(): number {
    return this.objects.length;
  }

  /** The object between the fingers, if any. */
  get heldObject(): SimObject | undefined {
    return this.#held;
  }

  /** Objects resting in a bin. */
  objectsPlaced(): number {
    let n = 0;
    for (const o of this.objects) if (o.state === 'resting' && o.inBin > 0) n++;
    return n;
  }

  /** Advances by dtS: whole servo steps of the arm, the grasp check and falling objects (remainder carried). */
  step(dtS: number): void {
    const n = this.dynamics.takeSteps(dtS);
    const d = this.dynamics, g = this.#g, dt = d.servoDtS;
    for (let k = 0; k < n; k++) {
      const prevGap = this.#gap();
      d.substep();
      this.#steps++;
      const gap = this.#gap();
      if (this.#held) {
        // Any opening past the stop lets go.
        if (d.position[g] > d.lowerStop(g) + 1e-4) this.#release();
      } else if (gap < prevGap) {
        this.#tryGrasp(prevGap, gap);
      } else {
        this.#openGapM = gap;
      }
      if (this.#falling || this.#recheck) {
        stepFalling(this.objects, this.table, this.bins, dt, this.#recheck, this.#support);
        this.#recheck = false;
        this.#falling = false;
        for (const o of this.objects) if (o.state === 'falling') this.#falling = true;
      }
    }
    if (this.#held) this.#carry();
    // Cloth: once per call over the whole servo steps just taken, in its own substeps (tcp interpolated across).
    if (this.#towel && n > 0) this.#towel.step(n * dt, this.tcpPose(), this.#gap());
  }

  /** The towel's particles as float32 x y z (base frame), in one reused buffer; undefined without a cloth. */
  clothParticles(): Float32Array | undefined {
    return this.#towel?.particles();
  }

  /** The tcp pose now (base frame). Reuses one object: copy it to keep it. */
  tcpPose(): Pose {
    return this.kinematics.fk(this.dynamics.position, this.#tcp);
  }

  /**
   * The scene as armstack_msgs/SceneState, stamped stampNs (default: sim time). The same object is refilled on
   * every call: copy what you keep.
   */
  sceneState(stampNs: bigint = this.timeNs): SceneState {
    const s = this.#scene;
    const ns = stampNs;
    s.header.stamp.sec = Number(ns / 1_000_000_000n);
    s.header.stamp.nanosec = Number(ns % 1_000_000_000n);
    for (let i = 0; i < this.objects.length; i++) {
      const o = this.objects[i], m = s.objects[i];
      copyPose(o.pose, m.pose);
      m.held = o.state === 'held';
      m.in_bin = o.state === 'resting' ? o.inBin : 0;
    }
    if (this.#towel) this.#towel.fillSceneObject(s.objects[this.objects.length]);
    return s;
  }

  #gap(): number {
    return this.gripper.gapPerJointM * this.dynamics.position[this.#g];
  }

  #updateTcp(): Pose {
    const tcp = this.kinematics.fk(this.dynamics.position, this.#tcp);
    quatRotateVec3(tcp.orientation, this.#unitY, this.#fingerAxis);
    quatRotateVec3(tcp.orientation, this.#unitZ, this.#toolZ);
    return tcp;
  }

  #tryGrasp(prevGap: number, gap: number): void {
    // Cheap pre-check before forward kinematics: does any object's width lie in [gap, prevGap]?
    let crossing = false;
    for (const o of this.objects) {
      if (o.state !== 'resting') continue;
      if ((o.size.x <= prevGap && o.size.x > gap) || (o.size.y <= prevGap && o.size.y > gap)) { crossing = true; break; }
    }
    if (!crossing) return;
    const tcp = this.#updateTcp();
    const hit = findGrasp(this.objects, tcp, this.#fingerAxis, this.#toolZ, this.#openGapM, prevGap, gap, this.gripper, this.#grasp);
    if (!hit) return;
    const o = hit.object;
    o.state = 'held';
    o.inBin = 0;
    o.fallSpeedMS = 0;
    this.#held = o;
    // The object in the tcp frame, pushed to the middle of the fingers (the nearer finger shoves it across).
    const inv = { x: -tcp.orientation.x, y: -tcp.orientation.y, z: -tcp.orientation.z, w: tcp.orientation.w };
    const rel = o.grip.position;
    rel.x = o.pose.position.x - tcp.position.x;
    rel.y = o.pose.position.y - tcp.position.y;
    rel.z = o.pose.position.z - tcp.position.z;
    quatRotateVec3(inv, rel, rel);
    rel.y = 0;
    quatMultiply(inv, o.pose.orientation, o.grip.orientation);
    const stop = hit.widthM / this.gripper.gapPerJointM;
    this.dynamics.setLowerStop(this.#g, stop);
    this.#recheck = true; // whatever rested on it now hangs in the air
    this.#carry();
  }

  #carry(): void {
    const o = this.#held;
    if (!o) return;
    const tcp = this.#updateTcp();
    quatRotateVec3(tcp.orientation, o.grip.position, o.pose.position);
    o.pose.position.x += tcp.position.x;
    o.pose.position.y += tcp.position.y;
    o.pose.position.z += tcp.position.z;
    quatMultiply(tcp.orientation, o.grip.orientation, o.pose.orientation);
  }

  #release(): void {
    const o = this.#held;
    if (!o) return;
    this.#carry();
    this.#held = undefined;
    this.dynamics.setLowerStop(this.#g, -Infinity);
    setYaw(o.pose, yawOf(o.pose));
    guideIntoBin(o, this.bins);
    o.state = 'falling';
    o.fallSpeedMS = 0;
    this.#falling = true;
    this.#openGapM = this.#gap();
  }

  #makeScene(frameId: string): SceneState {
    const objects: SceneObject[] = this.objects.map((o) => ({
      id: o.id, kind: o.kind, color: o.color, size: { ...o.size },
      pose: { position: { ...o.pose.position }, orientation: { ...o.pose.orientation } },
      held: false, in_bin: 0,
    }));
    if (this.#towel) objects.push(this.#towel.makeSceneObject());
    const bins: SceneBin[] = this.bins.map((b) => ({
      number: b.number,
      pose: { position: { x: b.centerXM, y: b.centerYM, z: b.baseZM + b.heightM / 2 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      size: { x: b.sizeXM, y: b.sizeYM, z: b.heightM },
    }));
    return { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: frameId }, objects, bins };
  }
}

function copyPose(from: Pose, to: Pose): void {
  to.position.x = from.position.x; to.position.y = from.position.y; to.position.z = from.position.z;
  to.orientation.x = from.orientation.x; to.orientation.y = from.orientation.y;
  to.orientation.z = from.orientation.z; to.orientation.w = from.orientation.w;
}
