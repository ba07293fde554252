// The sim task executive: runs one operator command at a time (pick, place, home, gripper, pause, resume) as its
// own CommandSource, reusing the scripted expert's motion primitives and top-down IK. PickPlaceExpert only plans
// whole "every box to a bin" runs, so single goals are planned here (the motions in task-motion.ts). While no
// command is active it delegates to a fallback source (the autonomous expert) when one is given, else it holds the
// last target.
//
// Like the expert it is privileged: it reads the sim scene to find boxes and bins. A newer motion command
// preempts the running one (the old one fails, "superseded"); an e-stop aborts it (abort(), from the latch).
import { Kinematics } from '../runtime/robot/index.js';
import type { ArmDescription } from '../runtime/robot/index.js';
import type { SceneObject, SceneState } from '../runtime/messages/index.js';
import type { JointState } from '../runtime/messages/index.js';
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/index.js';
import type { Intent } from '../runtime/bridge/intents/index.js';
import type { CommandContext, ExecutionResult, Executive } from '../runtime/bridge/mqtt/command-processor.js';
import { resolvePickPlaceConfig, type PickPlaceExpertConfig } from './scripted/pick-place-config.js';
import { TaskMotion } from './task-motion.js';

/** The autonomous source used while idle; reset() is called before it takes over again (it plans from scratch). */
export interface FallbackSource extends CommandSource {
  reset?(): void;
}

export interface TaskExecutiveDeps {
  scene: () => SceneState;
  fallback?: FallbackSource;
  kinematics?: Kinematics;
}

/** One step of a task: 'next' when it started a motion (or is instant), 'wait' to be asked again next tick. */
type Step = (measured: ArrayLike<number>, scene: SceneState) => 'next' | 'wait';

interface Task {
  label: string;
  steps: Step[];
  resolve: (r: ExecutionResult) => void;
  reject: (e: Error) => void;
}

export class TaskExecutive implements Executive, CommandSource {
  readonly name = 'task_executive';
  readonly kinematics: Kinematics;
  readonly #deps: TaskExecutiveDeps;
  readonly #m: TaskMotion;
  #task: Task | undefined;
  #paused = false;
  /** Take #cmd from the measured state on the next tick (start, after an e-stop). */
  #reseed = true;
  /** True while the fallback drives; a handback resets it. */
  #delegating = false;
  #heldId: string | undefined;
  #heldDropM = 0;

  constructor(description: ArmDescription, config: PickPlaceExpertConfig, deps: TaskExecutiveDeps) {
    this.#deps = deps;
    this.kinematics = deps.kinematics ?? new Kinematics(description);
    this.#m = new TaskMotion(description, resolvePickPlaceConfig(config), this.kinematics);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** What the executive is doing, for the retained state; null when idle. */
  get task(): string | null {
    return this.#task?.label ?? null;
  }

  /** Id of the box in the gripper after a pick, until it is placed. */
  get holding(): string | undefined {
    return this.#heldId;
  }

  handle(intent: Intent, ctx: CommandContext): Promise<ExecutionResult> {
    const scene = this.#deps.scene();
    switch (intent.intent) {
      case 'pause':
        this.#paused = true;
        return Promise.resolve('done');
      case 'resume':
        this.#paused = false;
        return Promise.resolve('done');
      case 'pick': {
        const held = scene.objects.find((o) => o.held);
        if (held) return refuse(`already holding ${held.id}; place it first`);
        if (intent.object && intent.object !== 'box' && intent.object !== 'cube') return refuse(`there is no ${intent.object} in the scene`);
        const box = scene.objects.find((o) => o.kind === 'box' && o.in_bin === 0 && (!intent.color || o.color === intent.color));
        if (!box) return refuse(`no ${intent.color ? `${intent.color} ` : ''}box outside the bins`);
        return this.#start(`pick ${box.id}`, this.#pickSteps(box.id), ctx);
      }
      case 'place': {
        const held = scene.objects.find((o) => o.held);
        if (!held) return refuse('nothing is held; pick a box first');
        if (!scene.bins.some((b) => b.number === intent.bin)) return refuse(`there is no bin ${intent.bin} (bins: ${scene.bins.map((b) => b.number).join(', ')})`);
        return this.#start(`place ${held.id} in bin ${intent.bin}`, this.#placeSteps(held.id, intent.bin), ctx);
      }
      case 'home':
        return this.#start('home', [(m) => this.#m.home()], ctx);
      case 'gripper': {
        const width = intent.action === 'open' ? this.#m.open() : this.#m.closed();
        return this.#start(`gripper ${intent.action}`, [() => this.#m.moveGripper(width)], ctx);
      }
      default:
        // record_*, label, confirm and cancel are not the arm's business.
        return refuse(`the sim executive does not handle "${intent.intent}"`);
    }
  }

  /** Fails the running task and re-plans from the measured state (the e-stop latch calls this inside trip()). */
  abort(reason: string): void {
    const task = this.#task;
    this.#task = undefined;
    this.#reseed = true;
    task?.reject(new Error(reason));
  }

  next(measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null {
    const busy = this.#task !== undefined || this.#heldId !== undefined;
    if (this.#paused) {
      // Hold the current target: the last command, unchanged, so the watchdog stays fed.
      if (this.#reseed) this.#seed(measured);
      return this.#m.cmd;
    }
    if (!busy && this.#deps.fallback) {
      if (!this.#delegating) {
        this.#deps.fallback.reset?.();
        this.#delegating = true;
      }
      const out = this.#deps.fallback.next(measured, state, tick);
      if (out) this.#m.cmd.set(out);
      this.#reseed = false;
      return out;
    }
    this.#delegating = false;
    if (this.#reseed) this.#seed(measured);
    if (this.#m.tick() && this.#task) this.#advance(measured);
    this.#m.lastGripper = measured[this.#m.g];
    return this.#m.cmd;
  }

  #seed(measured: ArrayLike<number>): void {
    this.#m.seed(measured);
    this.#reseed = false;
  }

  #start(label: string, steps: Step[], ctx: CommandContext): Promise<ExecutionResult> {
    this.#task?.reject(new Error(`superseded by ${ctx.id}`));
    return new Promise((resolve, reject) => {
      this.#task = { label, steps: [...steps], resolve, reject };
      this.#m.waitS = 0;
      // Take over from the autonomous expert where it is: plan from its last target.
      if (this.#delegating) this.#m.goal.set(this.#m.cmd);
    });
  }

  /** The motion is over: run steps until one starts a motion or waits; resolve when none are left. */
  #advance(measured: ArrayLike<number>): void {
    const task = this.#task!;
    const scene = this.#deps.scene();
    try {
      while (task.steps.length) {
        if (task.steps[0](measured, scene) === 'wait') return;
        task.steps.shift();
        this.#m.waitS = 0;
        if (!this.#m.motion.done) return;
      }
    } catch (error) {
      this.#task = undefined;
      task.reject(error as Error);
      return;
    }
    this.#task = undefined;
    task.resolve('done');
  }

  #pickSteps(id: string): Step[] {
    const box = (scene: SceneState): SceneObject => {
      const o = scene.objects.find((x) => x.id === id);
      if (!o) throw new Error(`${id} is gone from the scene`);
      return o;
    };
    return [
      (_m, s) => this.#m.preGrasp(box(s)),
      (_m, s) => this.#m.line(this.#m.graspHeight(box(s)), this.#m.cmd[this.#m.g]),
      (m) => (this.#m.settled(m) ? 'next' : 'wait'),
      (_m, s) => {
        const b = box(s);
        return this.#m.moveGripper(Math.max(this.#m.closed(), Math.min(b.size.x, b.size.y) / 2 - this.#m.c.squeezeM));
      },
      (m, s) => {
        const still = Math.abs(m[this.#m.g] - this.#m.lastGripper) < 1e-6;
        if (!still && !this.#m.waited()) return 'wait';
        const b = box(s);
        if (!b.held) throw new Error(`the grasp of ${id} missed`);
        const tcp = this.#m.fk(m);
        this.#heldDropM = tcp.position.z - (b.pose.position.z - b.size.z / 2);
        this.#heldId = id;
        return this.#m.line(this.#m.c.carryHeightM, this.#m.cmd[this.#m.g]);
      },
      (_m, s) => {
        if (!box(s).held) {
          this.#heldId = undefined;
          throw new Error(`${id} slipped out of the gripper`);
        }
        return 'next';
      },
    ];
  }

  #placeSteps(id: string, binNumber: number): Step[] {
    const bin = (s: SceneState) => s.bins.find((b) => b.number === binNumber)!;
    const check = (s: SceneState): void => {
      if (!s.objects.find((o) => o.id === id)?.held) throw new Error(`${id} is no longer held`);
    };
    return [
      (_m, s) => (check(s), this.#m.aboveBin(bin(s).pose.position)),
      (_m, s) => {
        check(s);
        const b = bin(s);
        return this.#m.line(b.pose.position.z + b.size.z / 2 + this.#m.c.releaseClearanceM + this.#heldDropM, this.#m.cmd[this.#m.g]);
      },
      (m) => (this.#m.settled(m) ? 'next' : 'wait'),
      () => this.#m.moveGripper(this.#m.open()),
      () => {
        this.#heldId = undefined;
        return this.#m.line(this.#m.c.carryHeightM, this.#m.cmd[this.#m.g]);
      },
      (_m, s) => {
        const o = s.objects.find((x) => x.id === id);
        if (!o || o.in_bin !== binNumber) throw new Error(`${id} did not land in bin ${binNumber}`);
        return 'next';
      },
    ];
  }
}

function refuse(reason: string): Promise<ExecutionResult> {
  return Promise.reject(new Error(reason));
}
