// The demonstration recorder inside the running sim stack, driven by the MQTT intents record_start, record_stop
// and label. It taps the graph (joint states, commanded actions) and renders the sim cameras only while an
// episode runs, on each /scene (published once per tick, delivered right after it), so the control tick itself
// never waits for a render or an encode. Every intent, whatever handles it, goes into the episode's event log.
import { join, resolve } from 'node:path';
import type { CommandContext, ExecutionResult, Executive } from '../runtime/bridge/mqtt/command-processor.js';
import type { Intent } from '../runtime/bridge/intents/intent.js';
import { UserError } from '../runtime/errors.js';
import type { InProcGraph } from '../runtime/graph/index.js';
import type { Clock } from '../runtime/loop/index.js';
import { MsgTypes, nsFromTime, type SceneState } from '../runtime/messages/index.js';
import { EpisodeRecorder, type RecorderLogLevel } from '../runtime/recorder/episode-recorder.js';
import { DEFAULT_TOPICS } from '../runtime/recorder/episode-config.js';
import { episodeStem, type EpisodeSidecar } from '../runtime/recorder/episode-sidecar.js';
import { SceneRenderer } from '../sim/render/scene-renderer.js';
import type { SimWorldHandle } from '../sim/sim-arm-driver.js';
import { SimCamera } from '../sim/sim-camera.js';
import type { LaunchDescription } from './launch-description.js';
import { resolveImageFormat } from './record/image-format.js';
import { planSimObject } from './record/record-objects.js';

export type RecorderSettings = LaunchDescription['recorder'];

export interface StackRecorderHost {
  graph: InProcGraph;
  clock: Clock;
  sim: SimWorldHandle;
}

const RECORDER_INTENTS = new Set<Intent['intent']>(['record_start', 'record_stop', 'label']);

export class StackRecorder {
  readonly recorder: EpisodeRecorder;
  readonly #settings: RecorderSettings;
  readonly #host: StackRecorderHost;
  readonly #cameras: SimCamera[];
  readonly #log: (line: string) => void;

  constructor(settings: RecorderSettings, host: StackRecorderHost, log: (line: string) => void) {
    this.#settings = settings;
    this.#host = host;
    this.#log = log;
    const format = resolveImageFormat(settings.imageFormat, log, 'recorder');
    const level = (l: RecorderLogLevel): string => (l === 'info' ? '' : `${l}: `);
    this.recorder = new EpisodeRecorder(
      {
        outputDir: resolve(settings.outDir), imageFormat: format, jpegQuality: settings.jpegQuality,
        episodeTimeS: settings.episodeTimeS, resetTimeS: settings.resetTimeS, minFreeBytes: settings.minFreeBytes,
        // The scene too, so the dashboard's episode browser replays the objects with the arm.
        topics: [...DEFAULT_TOPICS, { topic: '/scene', type: MsgTypes.SceneState, role: 'other' }],
      },
      { clock: host.clock, node: host.graph.createNode('recorder'), log: (l, line) => log(`[recorder] ${level(l)}${line}`) },
    );
    const world = host.sim.world;
    const renderer = SceneRenderer.forWorld(world);
    this.#cameras = settings.cameras.map((name) => (name === 'wrist' ? SimCamera.wrist : SimCamera.overhead)(world, { fps: settings.cameraFps, renderer }));
    for (const c of this.#cameras) this.recorder.addCamera({ ...c.info });
    // A SimCamera polls only once connected (connect() is synchronous for the sim); without it no frame is recorded.
    for (const c of this.#cameras) void c.connect();
    host.graph.createNode('recorder_cameras').createSubscription<SceneState>(MsgTypes.SceneState, '/scene', (scene) => this.#onScene(scene), {
      reliability: 'best_effort', history: 'keep_last', depth: 1,
    });
  }

  get recording(): boolean {
    return this.recorder.phase === 'recording';
  }

  /** `inner` with the recorder's intents taken out, and every intent logged into a running episode. */
  executive(inner: Executive): Executive {
    return {
      handle: (intent: Intent, ctx: CommandContext): Promise<ExecutionResult> => {
        this.recorder.recordEvent('operator_command', { intent: intent.intent, operator: ctx.operator, id: ctx.id, text: ctx.text ?? null });
        if (!RECORDER_INTENTS.has(intent.intent)) return inner.handle(intent, ctx);
        return this.#handle(intent, ctx).catch((error: unknown) => {
          // A refusal (already recording, nothing to label, disk low) is the ack's reason, not a crash.
          if (error instanceof UserError) return { status: 'failed', reason: error.message.replace(/^EpisodeRecorder#\w+: /, '') };
          throw error;
        });
      },
    };
  }

  async #handle(intent: Intent, ctx: CommandContext): Promise<ExecutionResult> {
    const r = this.recorder;
    switch (intent.intent) {
      case 'record_start': {
        const world = this.#host.sim.world;
        for (const c of this.#cameras) if (!c.connected) await c.connect();
        const started = await r.start({
          task: this.#settings.task, operator: ctx.operator,
          object: planSimObject(world.cloth ? 'towel' : 'box').metadata,
          extra: { source: 'sim', started_by: 'mqtt', command_id: ctx.id },
        });
        return { status: 'done', reason: `recording episode ${started.episodeIndex} to ${started.mcapPath} (limit ${r.config.episodeTimeS} s)` };
      }
      case 'record_stop': {
        const s = await r.stop();
        return { status: 'done', reason: `${describe(s)}: ${join(r.config.outputDir, `${episodeStem(s.episodeIndex)}.mcap`)}` };
      }
      case 'label': {
        const labelled = await r.label(intent.outcome);
        const index = labelled?.episodeIndex ?? r.status().episodeIndex;
        return { status: 'done', reason: `episode ${index} labelled ${intent.outcome}${labelled ? '' : ' (still recording)'}` };
      }
      default:
        return { status: 'failed', reason: `the recorder does not handle "${intent.intent}"` };
    }
  }

  #onScene(scene: SceneState): void {
    if (!this.recording) return;
    const stampNs = nsFromTime(scene.header.stamp);
    for (const c of this.#cameras) {
      if (c.poll(stampNs)) this.recorder.pushFrame(c.info.name, c.read()!);
    }
  }

  /** Ends a running episode (incomplete, `shutdown`) and lets its files be finished. */
  async close(): Promise<void> {
    if (this.recording) this.#log('armstack: stopping: the episode being recorded ends as incomplete (shutdown)');
    await this.recorder.close();
    for (const c of this.#cameras) await c.disconnect();
  }
}

function describe(s: EpisodeSidecar): string {
  const frames = s.streams.filter((x) => x.role === 'camera').reduce((n, x) => n + x.written, 0);
  return `episode ${s.episodeIndex} ${s.status} (${s.reason}), ${s.durationS} s, ${frames} frames, ${s.dropsTotal} dropped`;
}
