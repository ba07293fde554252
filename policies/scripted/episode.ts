// One pick-and-place episode for the scripted expert: take ONE named box to ONE bin, then go home.
// The expert works on every box it sees, so it is shown a view of the scene that holds only the target box
// (the other boxes stay in the world as clutter). Used to record demonstrations and as the `scripted` baseline
// of `armstack eval`; like the expert itself it reads SceneState messages and never imports the sim.
import type { Kinematics } from '../../runtime/robot/index.js';
import type { ArmDescription } from '../../runtime/robot/index.js';
import type { SceneState } from '../../runtime/messages/index.js';
import { PickPlaceExpert } from './pick-place-expert.js';
import type { PickPlaceExpertConfig, PickPlacePhase } from './pick-place-expert.js';

export interface SingleTargetEpisode {
  /** SceneObject id of the box to move. */
  targetId: string;
  /** Bin number it goes to. */
  bin: number;
}

export class SingleTargetExpert {
  readonly expert: PickPlaceExpert;
  readonly episode: SingleTargetEpisode;
  #view: SceneState | undefined;
  #source: SceneState | undefined;

  constructor(description: ArmDescription, episode: SingleTargetEpisode, config: PickPlaceExpertConfig = {}, kinematics?: Kinematics) {
    this.episode = episode;
    this.expert = new PickPlaceExpert(description, { ...config, binFor: () => episode.bin }, kinematics);
  }

  get phase(): PickPlacePhase {
    return this.expert.phase;
  }

  get done(): boolean {
    return this.expert.done;
  }

  /** Next target (the expert's own array: copy it to keep it). */
  step(measured: ArrayLike<number>, scene: SceneState): Float64Array {
    return this.expert.step(measured, this.#viewOf(scene));
  }

  /**
   * The scene with the target box only. Scenes are refilled in place every tick, so the view is built once per
   * source object and stays current.
   */
  #viewOf(scene: SceneState): SceneState {
    if (this.#source !== scene || !this.#view) {
      const target = scene.objects.find((o) => o.id === this.episode.targetId);
      if (!target) {
        throw new Error(`SingleTargetExpert#step: no object "${this.episode.targetId}" in the scene (${scene.objects.map((o) => o.id).join(', ')})`);
      }
      if (!scene.bins.some((b) => b.number === this.episode.bin)) {
        throw new Error(`SingleTargetExpert#step: no bin ${this.episode.bin} in the scene (bins ${scene.bins.map((b) => b.number).join(', ')})`);
      }
      this.#source = scene;
      this.#view = { header: scene.header, objects: [target], bins: scene.bins };
    }
    return this.#view;
  }
}
