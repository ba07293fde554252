// Randomized single pick-and-place episodes in the sim, shared by demonstration collection and evaluation so both
// draw from one distribution: a seeded world (boxes as clutter), one target box of a random colour, a random
// target bin, and a random home-ish start pose. Episode i of a seed does not depend on how many episodes are
// drawn, and a salt keeps training and evaluation seeds apart.
import { Kinematics, topDownGrasp } from '../../runtime/robot/index.js';
import { Random } from '../../sim/random.js';
import { ARM6_HOME_POSITIONS } from '../../sim/world.js';
import { defaultBins } from '../../sim/scene-layout.js';

export interface EpisodeSpec {
  index: number;
  /** Seed of the world layout (box sizes, places and yaws). */
  worldSeed: number;
  boxes: number;
  /** Index of the target among the world's boxes. */
  targetIndex: number;
  bin: number;
  /** Start tcp position, top-down with tool yaw 0; also the expert's home. */
  homeXyzM: [number, number, number];
  /** Start joint positions (command order, gripper open). */
  startPositions: Float64Array;
  /** Seed for everything else random in the episode (perception noise, DART noise). */
  noiseSeed: number;
}

export type EpisodeSalt = 'train' | 'eval';

export interface EpisodeDrawConfig {
  /** Boxes on the table; the target is one of them. Default 4. */
  boxes?: number;
  /** Start tcp region (top-down, yaw 0). Default x 0.32..0.48, y -0.12..0.12, z 0.24..0.34 m. */
  startRegion?: { x: [number, number]; y: [number, number]; z: [number, number] };
  /** Bins to choose from. Default 3 (the sim's default layout). */
  bins?: number;
}

const SALTS: Readonly<Record<EpisodeSalt, number>> = { train: 0x7a11, eval: 0xe7a1 };
const GRIPPER_OPEN_M = 0.0395;

/** Episode `index` of `seed`. kinematics: the arm's (for the start pose's IK). */
export function drawEpisode(seed: number, index: number, salt: EpisodeSalt, kinematics: Kinematics, config: EpisodeDrawConfig = {}): EpisodeSpec {
  const rng = new Random(mix(seed, SALTS[salt], index));
  const boxes = config.boxes ?? 4;
  const bins = config.bins ?? defaultBins().length;
  const region = config.startRegion ?? { x: [0.32, 0.48], y: [-0.12, 0.12], z: [0.24, 0.34] };
  const worldSeed = Math.floor(rng.next() * 2 ** 31);
  const targetIndex = rng.int(boxes);
  const bin = 1 + rng.int(bins);
  const homeXyzM: [number, number, number] = [rng.uniform(...region.x), rng.uniform(...region.y), rng.uniform(...region.z)];
  const noiseSeed = Math.floor(rng.next() * 2 ** 31);
  const ik = kinematics.ik(topDownGrasp(homeXyzM[0], homeXyzM[1], homeXyzM[2], 0), ARM6_HOME_POSITIONS);
  if (!ik.ok) throw new Error(`drawEpisode: start pose (${homeXyzM.map((v) => v.toFixed(3)).join(', ')}) is out of reach`);
  const startPositions = new Float64Array(kinematics.dof + 1);
  startPositions.set(ik.q);
  startPositions[kinematics.dof] = GRIPPER_OPEN_M;
  return { index, worldSeed, boxes, targetIndex, bin, homeXyzM, startPositions, noiseSeed };
}

/** A 31-bit mix of three integers (splitmix-style), so nearby seeds and indices give unrelated streams. */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) & 0x7fffffff;
}
