// The dashboard's door to the episode recorder: the same EpisodeControl the MQTT intents and the CLI use, so the
// episode rules (one at a time, labels after stop, discard reuses the index) live in the recorder alone.
import type { EpisodeControl } from '../../runtime/recorder/episode-control.js';
import type { EpisodeMetadata } from '../../runtime/recorder/episode-config.js';
import type {
  RecorderDiscardMsg, RecorderLabelMsg, RecorderRerecordMsg, RecorderStartMsg, RecorderStatusWire, RecorderStopMsg,
} from './ops-protocol.js';

export type RecorderOp = RecorderStartMsg | RecorderStopMsg | RecorderDiscardMsg | RecorderRerecordMsg | RecorderLabelMsg;

export interface RecorderPort {
  /** Runs one recorder op; resolves with a one-line summary for the operator, rejects with the reason. */
  apply(msg: RecorderOp, operator?: string): Promise<string>;
  status(): RecorderStatusWire;
}

export interface EpisodeControlPortDefaults {
  /** Metadata of the first episode when the operator gives none. */
  task: string;
  operator: string;
  object: EpisodeMetadata['object'];
}

export class EpisodeControlPort implements RecorderPort {
  readonly #control: () => EpisodeControl | undefined;
  readonly #defaults: EpisodeControlPortDefaults;
  #task: string | null = null;

  /** `control` may come and go (the recorder starts after the dashboard); undefined means unavailable. */
  constructor(control: () => EpisodeControl | undefined, defaults: EpisodeControlPortDefaults) {
    this.#control = control;
    this.#defaults = defaults;
  }

  async apply(msg: RecorderOp, operator?: string): Promise<string> {
    const control = this.#control();
    if (!control) throw new Error('the recorder is not running in this stack');
    switch (msg.op) {
      case 'recorder_start': {
        const metadata: Partial<EpisodeMetadata> = {};
        if (msg.task !== undefined) metadata.task = msg.task;
        if (msg.object !== undefined) metadata.object = { name: msg.object.name, category: msg.object.category };
        if (operator) metadata.operator = operator;
        // The recorder keeps the previous episode's metadata; the first one needs the defaults.
        const first = control.status().episodeIndex === undefined && this.#task === null;
        const started = await control.start(first ? { ...this.#defaults, ...metadata } : metadata);
        this.#task = metadata.task ?? this.#task ?? this.#defaults.task;
        return `recording episode ${started.episodeIndex}`;
      }
      case 'recorder_stop': {
        const sidecar = await control.stop();
        return `stopped episode ${sidecar.episodeIndex ?? ''}`.trim();
      }
      case 'recorder_discard': {
        const { episodeIndex } = await control.discard();
        return `discarded episode ${episodeIndex}`;
      }
      case 'recorder_rerecord': {
        const started = await control.rerecord();
        return `re-recording episode ${started.episodeIndex}`;
      }
      case 'recorder_label':
        await control.label(msg.label, msg.notes);
        return `labelled ${msg.label}`;
    }
  }

  status(): RecorderStatusWire {
    const control = this.#control();
    if (!control) {
      return {
        available: false, phase: 'unavailable', episodeIndex: null, elapsedS: 0, nextEpisodeIndex: null,
        label: null, notes: '', task: null, message: 'the recorder is not running in this stack',
      };
    }
    const s = control.status();
    return {
      available: true, phase: s.phase, episodeIndex: s.episodeIndex ?? null, elapsedS: Math.round(s.elapsedS * 10) / 10,
      nextEpisodeIndex: s.nextEpisodeIndex, label: s.label, notes: s.notes, task: this.#task,
    };
  }
}
