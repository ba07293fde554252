// Demonstrations from the scripted expert in the sim, many short single pick-and-place episodes with random
// seeds, recorded the way the policy will see the world: measured joints, gripper effort, and the task
// observation with vision-like noise.
//
// DART (Laskey et al. 2017): the command that is executed is the expert's target plus a slowly wandering
// perturbation (an Ornstein-Uhlenbeck process on the arm joints), while the label recorded is the expert's clean
// target. The arm therefore visits states a little off the expert's path, labelled with the way back, which is
// what a cloned policy needs to recover from its own small errors. The perturbation is driven while the arm moves
// between places and left to die out while it descends to the box, closes and lets go, so the expert's own grasps
// stay clean while the recording is full of "off by a centimetre on the way down, come back".
// The open gripper is perturbed too (only ever a little closed), so the policy sees, and learns to undo, a
// half-open gripper before the grasp.
import { loadArmDescription, Kinematics } from '../../runtime/robot/index.js';
import type { ArmDescription } from '../../runtime/robot/index.js';
import { createSimWorld } from '../../sim/sim-arm-driver.js';
import { Random } from '../../sim/random.js';
import { SingleTargetExpert } from '../scripted/episode.js';
import type { PickPlaceExpertConfig } from '../scripted/pick-place-expert.js';
import { emptyTaskObservation } from '../features.js';
import { drawEpisode, type EpisodeDrawConfig } from '../episodes/episode-spec.js';
import { DEFAULT_PERCEPTION_NOISE, OracleTaskObservation, type PerceptionNoiseConfig } from '../episodes/oracle-observation.js';
import { DemoDataset, PHASES } from './demo-dataset.js';

export interface DartNoiseConfig {
  /** Stationary standard deviation of the perturbation per arm joint, rad. Default 0.02. */
  sigmaRad: number;
  /** The same for the open gripper (it is only ever closed by it), m. Default 0.004. */
  gripperSigmaM: number;
  /** Correlation time of the perturbation, s. Default 0.4. */
  tauS: number;
  /** Each episode scales sigma by a draw from U(0, maxScale)... */
  maxScale: number;
  /** ...except this fraction of episodes, which run clean. Default 0.2. */
  cleanFraction: number;
}

export const DEFAULT_DART_NOISE: Readonly<DartNoiseConfig> = Object.freeze({
  sigmaRad: 0.02, gripperSigmaM: 0.004, tauS: 0.4, maxScale: 1.5, cleanFraction: 0.2,
});

/** Phases during which the perturbation is driven; in the others it decays (descend, close until the box is held, open). */
const DRIVEN_PHASES: ReadonlySet<string> = new Set(['home', 'pre_grasp', 'lift', 'above_bin', 'lower', 'retreat']);

/**
 * Expert settings for recording. A larger squeeze makes the close target (box half-width minus squeeze) fall
 * well below every box's half-width, so a policy that cannot see the box size still closes far enough; a looser
 * settle tolerance keeps the DART perturbation from stalling the expert at each settle check.
 */
export const RECORDING_EXPERT_CONFIG: Readonly<PickPlaceExpertConfig> = Object.freeze({ squeezeM: 0.012, settleToleranceRad: 0.05 });

export interface CollectConfig {
  episodes: number;
  seed: number;
  /** First episode index (to extend a recording). Default 0. */
  startIndex?: number;
  rateHz?: number;
  /** An episode that has not finished by then is dropped, s. Default 40. */
  timeLimitS?: number;
  /**
   * Recording ends when the expert has let go of the box and retreated ('retreat'), or when it is done ('done':
   * also the way home). Default 'retreat': with the box in the bin the vision model no longer reports it, so the
   * way home and the rest there look like the start of an episode (box last seen on the table, gripper open) with
   * the opposite label, and would teach the policy to hesitate before its first move.
   */
  recordUntil?: 'retreat' | 'done';
  /** Ticks recorded after the expert is done, with recordUntil 'done'. Default 15. */
  doneTicks?: number;
  dart?: Partial<DartNoiseConfig>;
  perception?: Partial<PerceptionNoiseConfig>;
  expert?: PickPlaceExpertConfig;
  draw?: EpisodeDrawConfig;
  description?: ArmDescription;
  /** Called after each episode. */
  onEpisode?: (done: number, total: number, stats: CollectStats) => void;
}

export interface CollectStats {
  episodes: number;
  kept: number;
  dropped: number;
  rows: number;
  simTimeS: number;
  wallTimeS: number;
}

export async function collectDemonstrations(config: CollectConfig): Promise<{ dataset: DemoDataset; stats: CollectStats }> {
  const description = config.description ?? loadArmDescription();
  const kinematics = new Kinematics(description);
  const rateHz = config.rateHz ?? 30;
  const dtS = 1 / rateHz;
  const timeLimitS = config.timeLimitS ?? 40;
  const doneTicks = config.doneTicks ?? 15;
  const untilRetreat = (config.recordUntil ?? 'retreat') === 'retreat';
  const dart: DartNoiseConfig = { ...DEFAULT_DART_NOISE, ...config.dart };
  const perception: PerceptionNoiseConfig = { ...DEFAULT_PERCEPTION_NOISE, ...config.perception };
  const expertConfig: PickPlaceExpertConfig = { ...RECORDING_EXPERT_CONFIG, ...config.expert, controlRateHz: rateHz };
  const names = description.commandJointNames;
  const n = names.length, nArm = n - 1;
  const dataset = new DemoDataset({
    jointNames: [...names], rateHz, episodeStarts: [],
    info: { seed: config.seed, startIndex: config.startIndex ?? 0, episodes: config.episodes, dart, perception, expert: expertConfig, draw: config.draw ?? {} },
  });
  const stats: CollectStats = { episodes: 0, kept: 0, dropped: 0, rows: 0, simTimeS: 0, wallTimeS: 0 };
  const wallStart = performance.now();
  const task = emptyTaskObservation();
  const exec = new Float64Array(n);
  const ou = new Float64Array(n);
  const gripperOpenM = description.gripperJoint.limits.upper - 0.001;
  const command = { stampNs: 0n, positions: exec };
  dataset.beginEpisode();
  for (let k = 0; k < config.episodes; k++) {
    const spec = drawEpisode(config.seed, (config.startIndex ?? 0) + k, 'train', kinematics, config.draw);
    const sim = createSimWorld({ seed: spec.worldSeed, boxes: spec.boxes, initialPositions: spec.startPositions, description, kinematics });
    const { world, driver } = sim;
    await driver.configure();
    await driver.activate();
    const target = world.objects[spec.targetIndex];
    const expert = new SingleTargetExpert(description, { targetId: target.id, bin: spec.bin }, { ...expertConfig, homeXyzM: spec.homeXyzM }, kinematics);
    const rng = new Random(spec.noiseSeed);
    const oracle = new OracleTaskObservation(world, target.id, spec.bin, rng.fork(), perception);
    const dartRng = rng.fork();
    const scale = dartRng.next() < dart.cleanFraction ? 0 : dartRng.uniform(0, dart.maxScale);
    const kick = scale * Math.sqrt((2 * dtS) / dart.tauS);
    const gripperIndex = driver.read().name.indexOf(description.gripperJoint.name);
    ou.fill(0);
    let after = 0, retreated = false;
    while (world.timeS < timeLimitS && after < doneTicks) {
      const measured = driver.readCommandPositions();
      const state = driver.read();
      const goal = expert.step(measured, world.sceneState());
      if (expert.phase === 'retreat' && target.state === 'resting' && target.inBin === spec.bin) retreated = true;
      else if (retreated && untilRetreat) break;
      oracle.read(measured, state, task);
      dataset.push(measured, state.effort[gripperIndex], task, goal, PHASES.indexOf(expert.phase));
      // Once the box is between the fingers the grasp cannot be spoiled: perturb from there on, so "holding, a
      // little too low or off" is seen with the way back up.
      const k = DRIVEN_PHASES.has(expert.phase) || (expert.phase === 'close' && target.state === 'held') ? kick : 0;
      for (let j = 0; j < n; j++) ou[j] += (-ou[j] * dtS) / dart.tauS + k * (j < nArm ? dart.sigmaRad : dart.gripperSigmaM) * dartRng.normal();
      for (let j = 0; j < nArm; j++) exec[j] = goal[j] + ou[j];
      // Never open a closing or holding gripper: perturb it only while the expert keeps it open.
      exec[nArm] = goal[nArm] >= gripperOpenM ? goal[nArm] - Math.abs(ou[nArm]) : goal[nArm];
      command.stampNs = world.timeNs;
      driver.write(command);
      world.step(dtS);
      if (expert.done) after++;
    }
    const o = world.sceneState().objects[spec.targetIndex];
    const ok = (expert.done || (retreated && untilRetreat)) && o.in_bin === spec.bin && !o.held;
    stats.episodes++;
    stats.simTimeS += world.timeS;
    if (ok) {
      dataset.endEpisode();
      stats.kept++;
    } else {
      dataset.discardEpisode();
      stats.dropped++;
    }
    stats.rows = dataset.rows;
    stats.wallTimeS = (performance.now() - wallStart) / 1000;
    config.onEpisode?.(k + 1, config.episodes, stats);
  }
  return { dataset, stats };
}
