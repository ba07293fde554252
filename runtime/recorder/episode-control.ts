// What an operator can do to the recorder: the MQTT intents (record_start, record_stop, label), the dashboard and
// the CLI all call these same methods, so episode rules live in one place (EpisodeRecorder).
import type { EpisodeLabel, EpisodeMetadata } from './episode-config.js';
import type { EpisodeSidecar } from './episode-sidecar.js';

/** idle: ready to start; recording; stopping: finishing the files; resetting: the reset period after a stop. */
export type RecorderPhase = 'idle' | 'recording' | 'stopping' | 'resetting';

export interface EpisodeStarted {
  episodeIndex: number;
  mcapPath: string;
  sidecarPath: string;
}

export interface RecorderStatus {
  phase: RecorderPhase;
  /** The episode being recorded, or the last one stopped (until discarded or the next start). */
  episodeIndex: number | undefined;
  /** Seconds recorded so far (recording) or the last episode's duration. */
  elapsedS: number;
  /** Left of the reset period; 0 outside it. */
  resetRemainingS: number;
  /** The index the next start() will use. */
  nextEpisodeIndex: number;
  dropsTotal: number;
  /** Label and notes of the current or last episode. */
  label: EpisodeLabel | null;
  notes: string;
}

export interface EpisodeControl {
  readonly phase: RecorderPhase;
  /** Starts a new episode (ending the reset period early if it runs). Metadata defaults to the previous episode's. */
  start(metadata?: Partial<EpisodeMetadata>): Promise<EpisodeStarted>;
  /** Ends the episode as complete (reason `operator`). */
  stop(): Promise<EpisodeSidecar>;
  /** Deletes the episode being recorded, or the last one stopped; its index is used again. */
  discard(): Promise<{ episodeIndex: number }>;
  /** Discards the current or last episode and records it again with the same metadata (label cleared). */
  rerecord(): Promise<EpisodeStarted>;
  /** Sets label and notes: while recording, or after stop until the next start. */
  label(label: EpisodeLabel, notes?: string): Promise<EpisodeSidecar | undefined>;
  status(): RecorderStatus;
}
