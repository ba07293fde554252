// The scripted experts as command sources for recording. They are privileged (they read the sim's scene, the
// towel also its particles), so they are built here, next to the world, and the control pipeline sees only a
// CommandSource.
import type { CommandSource } from '../../runtime/loop/control-pipeline.js';
import { PickPlaceExpert } from '../../policies/scripted/pick-place-expert.js';
import { TowelExpert } from '../../policies/scripted/towel/towel-expert.js';
import type { SimWorldHandle } from '../../sim/sim-arm-driver.js';

export interface RecordingExpert extends CommandSource {
  readonly done: boolean;
  /** How the demonstration went, once done; undefined while running or when the expert cannot tell. */
  readonly outcome: 'success' | 'failure' | undefined;
}

export function towelExpertSource(sim: SimWorldHandle, rateHz: number): RecordingExpert {
  const expert = new TowelExpert(sim.description, { controlRateHz: rateHz }, sim.kinematics);
  const { world } = sim;
  if (!world.cloth) throw new Error('towelExpertSource: the world has no cloth (SimStack cloth override missing)');
  return {
    name: 'towel_expert',
    next: (measured) => expert.step(measured, world.sceneState(), world.clothParticles()!),
    get done() {
      return expert.done;
    },
    get outcome() {
      return expert.result === 'success' ? 'success' : expert.result === 'failed' ? 'failure' : undefined;
    },
  };
}

export function pickPlaceExpertSource(sim: SimWorldHandle, rateHz: number): RecordingExpert {
  const expert = new PickPlaceExpert(sim.description, { controlRateHz: rateHz }, sim.kinematics);
  const { world } = sim;
  return {
    name: 'pick_place_expert',
    next: (measured) => expert.step(measured, world.sceneState()),
    get done() {
      return expert.done;
    },
    get outcome() {
      return expert.done ? (world.objectsPlaced() === world.objectsTotal ? 'success' : 'failure') : undefined;
    },
  };
}
