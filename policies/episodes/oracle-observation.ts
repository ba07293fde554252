// `--features oracle`: the task observation from the sim's ground truth plus noise that mimics the vision model
// (an error that stays through an episode, as a detector's bias on one scene does, plus a little per-frame
// jitter). Used to record demonstrations and as the evaluation's stand-in for the camera + vision model.
// Like the vision model, it reports a box only while the box rests on the table: a box in the gripper or in a
// bin is not detected, and the last place it was seen stands (as the deployed vision stage does).
import type { JointState } from '../../runtime/messages/index.js';
import type { Random } from '../../sim/random.js';
import type { World } from '../../sim/world.js';
import { yawOf } from '../../sim/world-objects.js';
import type { TaskObservation, TaskObservationSource } from '../features.js';

export interface PerceptionNoiseConfig {
  /** Per-episode position error, standard deviation per axis, m. Default 0.003. */
  positionBiasM: number;
  /** Per-frame position error, standard deviation per axis, m. Default 0.0015. */
  positionJitterM: number;
  /** Per-episode yaw error, standard deviation, rad. Default 2°. */
  yawBiasRad: number;
  /** Per-frame yaw error, standard deviation, rad. Default 1°. */
  yawJitterRad: number;
}

export const DEFAULT_PERCEPTION_NOISE: Readonly<PerceptionNoiseConfig> = Object.freeze({
  positionBiasM: 0.003,
  positionJitterM: 0.0015,
  yawBiasRad: (2 * Math.PI) / 180,
  yawJitterRad: (1 * Math.PI) / 180,
});

export const NO_PERCEPTION_NOISE: Readonly<PerceptionNoiseConfig> = Object.freeze({
  positionBiasM: 0, positionJitterM: 0, yawBiasRad: 0, yawJitterRad: 0,
});

export class OracleTaskObservation implements TaskObservationSource {
  readonly name = 'oracle';
  readonly #world: World;
  readonly #index: number;
  readonly #binXM: number;
  readonly #binYM: number;
  readonly #noise: PerceptionNoiseConfig;
  readonly #rng: Random;
  readonly #biasX: number;
  readonly #biasY: number;
  readonly #biasYaw: number;

  constructor(world: World, targetId: string, bin: number, rng: Random, noise: PerceptionNoiseConfig = DEFAULT_PERCEPTION_NOISE) {
    this.#world = world;
    this.#index = world.objects.findIndex((o) => o.id === targetId);
    if (this.#index < 0) throw new Error(`OracleTaskObservation#constructor: no object "${targetId}" in the world`);
    const b = world.bins.find((s) => s.number === bin);
    if (!b) throw new Error(`OracleTaskObservation#constructor: no bin ${bin} in the world`);
    this.#binXM = b.centerXM;
    this.#binYM = b.centerYM;
    this.#noise = noise;
    this.#rng = rng;
    this.#biasX = rng.normal() * noise.positionBiasM;
    this.#biasY = rng.normal() * noise.positionBiasM;
    this.#biasYaw = rng.normal() * noise.yawBiasRad;
  }

  read(_measured: Float64Array, _state: JointState, out: TaskObservation): boolean {
    const o = this.#world.objects[this.#index];
    const n = this.#noise, rng = this.#rng;
    out.binXM = this.#binXM;
    out.binYM = this.#binYM;
    if (o.state !== 'resting' || o.inBin !== 0) return out.valid;
    out.objectXM = o.pose.position.x + this.#biasX + rng.normal() * n.positionJitterM;
    out.objectYM = o.pose.position.y + this.#biasY + rng.normal() * n.positionJitterM;
    out.objectYawRad = yawOf(o.pose) + this.#biasYaw + rng.normal() * n.yawJitterRad;
    out.valid = true;
    return true;
  }
}
