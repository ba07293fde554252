// Random overhead scenes for training and evaluating the localizer, with ground truth from the sim: the seeded
// box layout of the sim (placeBoxes), colours in random order so every colour is seen as often, the arm in a
// random pose (often hovering over a box, as during a pick), sometimes a box in the gripper and boxes in bins.
// Training-only: it drives the sim and its renderer.
import type { Kinematics, Pose } from '../../../runtime/robot/index.js';
import { quatMultiply, quatRotateVec3, topDownGrasp } from '../../../runtime/robot/index.js';
import { Random } from '../../../sim/random.js';
import { BOX_COLORS, placeBoxes } from '../../../sim/scene-layout.js';
import type { BinSpec, TableSpec } from '../../../sim/scene-layout.js';
import { ARM6_HOME_POSITIONS } from '../../../sim/world.js';
import { makeBox } from '../../../sim/world-objects.js';
import type { RenderObject } from '../../../sim/render/scene-renderer.js';

export type BoxStatus = 'table' | 'held' | 'bin';

export interface SampledBox extends RenderObject {
  readonly id: string;
  readonly color: string;
  readonly status: BoxStatus;
  readonly yawRad: number;
}

export interface SampledScene {
  seed: number;
  boxes: SampledBox[];
  /** Command order: six arm joints then the gripper (per-finger opening, m). */
  q: Float64Array;
}

export interface SceneSamplerOptions {
  /** Box count is uniform in [1, maxBoxes]. Default 8. */
  maxBoxes?: number;
  /** Chance of a box in the gripper. Default 0.25. */
  heldChance?: number;
  /** Chance of one or two boxes in bins. Default 0.3. */
  binChance?: number;
}

const GRIPPER_OPEN = 0.04;

export function sampleScene(seed: number, kinematics: Kinematics, table: TableSpec, bins: readonly BinSpec[], o: SceneSamplerOptions = {}): SampledScene {
  const rng = new Random(seed);
  const n = 1 + rng.int(o.maxBoxes ?? 8);
  const colors = [...BOX_COLORS];
  for (let i = colors.length - 1; i > 0; i--) { const j = rng.int(i + 1); [colors[i], colors[j]] = [colors[j], colors[i]]; }
  const specs = placeBoxes(rng.fork(), n);
  const boxes = specs.map((s, i) => ({ ...s, color: colors[i % colors.length], status: 'table' as BoxStatus }));

  let held = -1;
  if (rng.next() < (o.heldChance ?? 0.25)) held = rng.int(n);
  if (rng.next() < (o.binChance ?? 0.3)) {
    for (let k = 0, m = 1 + rng.int(2); k < m; k++) {
      const i = rng.int(n);
      if (i !== held) boxes[i].status = 'bin';
    }
  }
  const q = armPose(rng, kinematics, boxes.filter((b) => b.status === 'table'), held >= 0);
  const out: SampledBox[] = [];
  boxes.forEach((b, i) => {
    const id = `box_${i + 1}_${b.color}`;
    if (i === held) {
      out.push(heldBox(rng, id, b.color, b.sizeM, kinematics, q));
      return;
    }
    let x = b.xM, y = b.yM, z = table.topZM;
    if (b.status === 'bin') {
      const bin = bins[rng.int(bins.length)];
      const room = Math.max(0, Math.min(bin.sizeXM, bin.sizeYM) / 2 - bin.wallM - b.sizeM * Math.SQRT1_2);
      x = bin.centerXM + rng.uniform(-room, room);
      y = bin.centerYM + rng.uniform(-room, room);
      z = bin.baseZM + bin.floorM;
    }
    const yaw = b.status === 'bin' ? rng.uniform(-Math.PI / 4, Math.PI / 4) : b.yawRad;
    const box = makeBox(id, b.color, b.sizeM, x, y, z, yaw);
    out.push({ id, color: b.color, size: box.size, pose: box.pose, status: b.status, yawRad: yaw });
  });
  if (held < 0) q[6] = rng.next() < 0.7 ? GRIPPER_OPEN : rng.uniform(0, GRIPPER_OPEN);
  return { seed, boxes: out, q };
}

/** A top-down pose over the table (often right above a box, as in a pick), or the home pose jittered. */
function armPose(rng: Random, kin: Kinematics, onTable: { xM: number; yM: number }[], holding: boolean): Float64Array {
  const q = new Float64Array(7);
  const mode = rng.next();
  if (mode < 0.75) {
    let x = rng.uniform(0.3, 0.7), y = rng.uniform(-0.35, 0.3);
    let z = holding ? rng.uniform(0.12, 0.45) : rng.uniform(0.04, 0.45);
    if (!holding && onTable.length && rng.next() < 0.6) {
      const b = onTable[rng.int(onTable.length)];
      x = b.xM + rng.uniform(-0.03, 0.03);
      y = b.yM + rng.uniform(-0.03, 0.03);
      z = rng.uniform(0.07, 0.3);
    }
    const r = kin.ik(topDownGrasp(x, y, z, rng.uniform(-Math.PI, Math.PI)), ARM6_HOME_POSITIONS, { restarts: 4, maxIterations: 60 });
    q.set(r.q.subarray(0, 6));
  } else {
    for (let i = 0; i < 6; i++) q[i] = ARM6_HOME_POSITIONS[i] + rng.normal() * 0.35;
  }
  return q;
}

/** A box between the fingers: faces square to the finger axis (tool Y) within the grasp tolerance. */
function heldBox(rng: Random, id: string, color: string, sizeM: number, kin: Kinematics, q: Float64Array): SampledBox {
  q[6] = sizeM / 2;
  const tcp: Pose = kin.fk(q);
  const spin = rng.uniform(-0.2, 0.2);
  const rel = { x: 0, y: 0, z: rng.uniform(-0.01, 0.012) };
  const p = quatRotateVec3(tcp.orientation, rel);
  const orientation = quatMultiply(tcp.orientation, { x: 0, y: 0, z: Math.sin(spin / 2), w: Math.cos(spin / 2) });
  const pose: Pose = { position: { x: tcp.position.x + p.x, y: tcp.position.y + p.y, z: tcp.position.z + p.z }, orientation };
  const yaw = Math.atan2(2 * (orientation.w * orientation.z + orientation.x * orientation.y), 1 - 2 * (orientation.y ** 2 + orientation.z ** 2));
  return { id, color, size: { x: sizeM, y: sizeM, z: sizeM }, pose, status: 'held', yawRad: yaw };
}
