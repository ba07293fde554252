// Demonstration episodes: one MCAP + sidecar per episode, with start/stop/discard/re-record/label, a time limit
// and a reset period (as LeRobot's record: episode_time_s, reset_time_s). A side tap: graph messages are written
// in their subscription callbacks, camera frames are copied into a bounded queue and JPEG-encoded off the main
// thread (libuv's pool); when the queue is full the frame is dropped and counted, never waited for.
import { mkdirSync } from 'node:fs';
import type { Camera, Frame } from '../../perception/cameras/camera.js';
import type { GraphNode, Subscription } from '../graph/index.js';
import { UserError } from '../errors.js';
import { nsFromTime, type Time } from '../messages/index.js';
import { ActiveEpisode, type CameraSpec } from './active-episode.js';
import type { IAppendable } from './appendable.js';
import { CameraStreams, type PushResult } from './camera-streams.js';
import { DiskGuard, formatBytes, type DiskCheck, type StatFsFn } from './disk-guard.js';
import type { EpisodeControl, EpisodeStarted, RecorderPhase, RecorderStatus } from './episode-control.js';
import {
  parseEpisodeLabel, parseEpisodeMetadata, parseRecorderConfig,
  type EpisodeLabel, type EpisodeMetadata, type RecorderConfig, type RecorderConfigInput,
} from './episode-config.js';
import { nextFreeEpisodeIndex, removeEpisodeFiles } from './episode-files.js';
import type { EpisodeEndReason, EpisodeSidecar } from './episode-sidecar.js';
import type { FrameEncoder } from './frame-encoder.js';
import { describeStreamEvent, type StreamEvent } from './stream-monitor.js';

export type RecorderLogLevel = 'info' | 'warn' | 'error';

export type RecorderEvent =
  | { kind: 'phase'; phase: RecorderPhase }
  | { kind: 'stream'; event: StreamEvent }
  | { kind: 'disk_low'; check: DiskCheck }
  | { kind: 'episode_started'; started: EpisodeStarted }
  | { kind: 'episode_stopped'; sidecar: EpisodeSidecar };

export interface EpisodeRecorderDeps {
  /** The stack's clock: frame and header stamps are on it. */
  clock: { nowNs(): bigint };
  /** Subscribes to config.topics on it. */
  node?: GraphNode;
  /** Default: an OpenCvJpegEncoder (libuv thread pool), created on the first JPEG episode. */
  encoder?: FrameEncoder;
  statfs?: StatFsFn;
  openSink?: (path: string) => IAppendable;
  log?: (level: RecorderLogLevel, line: string) => void;
  /** Wall time for the sidecar's dates. */
  now?: () => Date;
}

export class EpisodeRecorder implements EpisodeControl {
  readonly config: RecorderConfig;
  readonly #deps: EpisodeRecorderDeps;
  readonly #log: (level: RecorderLogLevel, line: string) => void;
  readonly #guard: DiskGuard;
  readonly #cameras: CameraStreams;
  readonly #subscriptions: Subscription[] = [];
  readonly #listeners = new Set<(e: RecorderEvent) => void>();
  #phase: RecorderPhase = 'idle';
  #episode: ActiveEpisode | undefined;
  #last: { episode: ActiveEpisode; sidecar: EpisodeSidecar } | undefined;
  #lastMetadata: Partial<EpisodeMetadata> = {};
  #nextIndex: number;
  #stopping: Promise<EpisodeSidecar> | undefined;
  #done: { promise: Promise<EpisodeSidecar>; resolve: (s: EpisodeSidecar) => void; reject: (e: Error) => void } | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  #resetTimer: ReturnType<typeof setTimeout> | undefined;
  #resetEndsMs = 0;
  #diskChecking = false;
  #closed = false;

  constructor(config: RecorderConfigInput | RecorderConfig, deps: EpisodeRecorderDeps) {
    this.config = parseRecorderConfig(config);
    this.#deps = deps;
    this.#log = deps.log ?? ((level, line) => void process.stderr.write(`[recorder] ${level}: ${line}\n`));
    this.#guard = new DiskGuard({ dir: this.config.outputDir, minFreeBytes: this.config.minFreeBytes, statfs: deps.statfs });
    this.#nextIndex = nextFreeEpisodeIndex(this.config.outputDir, 0);
    this.#cameras = new CameraStreams(this.config, deps.encoder);
    for (const t of this.config.topics) {
      if (!deps.node) break;
      this.#subscriptions.push(deps.node.createSubscription<object>(t.type, t.topic, (msg) => this.#onMessage(t.topic, msg), {
        reliability: 'best_effort', history: 'keep_last', depth: 1000,
      }));
    }
  }

  get phase(): RecorderPhase {
    return this.#phase;
  }

  onEvent(listener: (e: RecorderEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Registers a camera whose frames arrive through pushFrame; takes effect from the next episode. */
  addCamera(spec: CameraSpec): void {
    this.#cameras.add(spec);
  }

  /** Registers a Camera and pulls its fresh frames (a side tap) into the episode being recorded. */
  attachCamera(camera: Camera): void {
    this.#cameras.attach(camera, (frame) => void this.pushFrame(camera.info.name, frame));
  }

  /** A frame of camera `name` (stamped at capture). Never blocks: 'dropped' when its encode queue is full. */
  pushFrame(name: string, frame: Frame): PushResult {
    const episode = this.#episode;
    if (this.#phase !== 'recording' || !episode || !this.#cameras.has(name)) return 'ignored';
    if (this.#pastLimit(episode, frame.stampNs)) return 'ignored';
    this.#handle(episode, episode.receiveFrame(name, frame.stampNs, frame.seq));
    return this.#cameras.push(episode, name, frame, this.#deps.clock.nowNs(), () => this.#afterWrite(episode));
  }

  /** Resolves when every camera's encode queue has room: sim-time producers wait on it, a real camera never does. */
  whenCapacity(): Promise<void> {
    return this.#cameras.whenCapacity();
  }

  /** An operator command or event, into the episode's event log (std_msgs/String JSON). */
  recordEvent(event: string, data: Record<string, unknown> = {}): void {
    if (this.#phase === 'recording' && this.#episode) this.#episode.writeEvent(this.#deps.clock.nowNs(), event, data);
  }

  async start(metadata: Partial<EpisodeMetadata> = {}): Promise<EpisodeStarted> {
    this.#checkOpen('start');
    if (this.#phase === 'recording' || this.#phase === 'stopping') {
      throw new UserError(`EpisodeRecorder#start: already recording episode ${this.#episode?.index}; stop it first`);
    }
    const { label: _l, notes: _n, ...carried } = this.#lastMetadata;
    const meta = parseEpisodeMetadata({ ...carried, ...metadata }, 'EpisodeRecorder#start: episode metadata');
    try {
      mkdirSync(this.config.outputDir, { recursive: true });
    } catch (e) {
      throw new UserError(`EpisodeRecorder#start: cannot create the output folder ${this.config.outputDir}: ${(e as Error).message}`);
    }
    const disk = await this.#guard.check(0);
    if (disk.low) {
      throw new UserError(`EpisodeRecorder#start: only ${formatBytes(disk.freeBytes)} free in ${this.config.outputDir}; ` +
        `an episode needs at least ${formatBytes(disk.thresholdBytes)} (minFreeBytes). Free some space or record elsewhere.`);
    }
    await this.#cameras.prepare();
    if (this.#phase === 'resetting') this.#log('info', 'reset period ended early by start()');
    this.#clearReset();
    const index = nextFreeEpisodeIndex(this.config.outputDir, this.#nextIndex);
    const episode = await ActiveEpisode.open({
      index, dir: this.config.outputDir, config: this.config, metadata: meta, startNs: this.#deps.clock.nowNs(),
      startedAt: this.#now(), cameras: this.#cameras.specs(), openSink: this.#deps.openSink,
    });
    this.#episode = episode;
    this.#last = undefined;
    this.#lastMetadata = meta;
    this.#nextIndex = index + 1;
    let resolve!: (s: EpisodeSidecar) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<EpisodeSidecar>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    this.#done = { promise, resolve, reject };
    this.#setPhase('recording');
    episode.writeEvent(episode.startNs, 'episode_start', { episode_index: index, task: meta.task, operator: meta.operator });
    this.#startTimers();
    this.#cameras.startTaps();
    const started: EpisodeStarted = { episodeIndex: index, mcapPath: episode.mcapPath, sidecarPath: episode.sidecarPath };
    this.#log('info', `episode ${index} started: ${episode.mcapPath} (limit ${this.config.episodeTimeS} s)`);
    this.#emit({ kind: 'episode_started', started });
    return started;
  }

  stop(): Promise<EpisodeSidecar> {
    if (this.#stopping) return this.#stopping;
    if (this.#phase !== 'recording') return Promise.reject(new UserError('EpisodeRecorder#stop: no episode is being recorded'));
    return this.#stopWith('operator');
  }

  /** Resolves with the sidecar when the episode being recorded ends, however it ends (stop, time limit, disk). */
  whenStopped(): Promise<EpisodeSidecar> {
    if (!this.#done) return Promise.reject(new UserError('EpisodeRecorder#whenStopped: no episode was started'));
    return this.#done.promise;
  }

  async discard(): Promise<{ episodeIndex: number }> {
    if (this.#phase === 'recording' || this.#phase === 'stopping') await (this.#stopping ?? this.#stopWith('operator', false));
    const last = this.#last;
    if (!last) throw new UserError('EpisodeRecorder#discard: no episode to discard (only the current or last one can be)');
    this.#last = undefined;
    removeEpisodeFiles(this.config.outputDir, last.episode.index);
    this.#nextIndex = Math.min(this.#nextIndex, last.episode.index);
    last.episode.noteError('discarded');
    this.#log('info', `episode ${last.episode.index} discarded`);
    return { episodeIndex: last.episode.index };
  }

  async rerecord(): Promise<EpisodeStarted> {
    const { label: _l, notes: _n, ...meta } = this.#episode?.metadata ?? this.#last?.episode.metadata ?? this.#lastMetadata;
    await this.discard();
    return this.start(meta);
  }

  async label(label: EpisodeLabel, notes?: string): Promise<EpisodeSidecar | undefined> {
    const checked = parseEpisodeLabel(label, 'EpisodeRecorder#label');
    if (notes !== undefined && typeof notes !== 'string') throw new UserError('EpisodeRecorder#label: notes must be a string');
    if (this.#phase === 'stopping') await this.#stopping;
    if (this.#phase === 'recording' && this.#episode) {
      this.#episode.metadata.label = checked;
      if (notes !== undefined) this.#episode.metadata.notes = notes;
      this.recordEvent('label', { label: checked, notes: notes ?? null });
      return undefined;
    }
    const last = this.#last;
    if (!last) {
      throw new UserError('EpisodeRecorder#label: no episode to label: a label applies to the episode being recorded, ' +
        'or to the last one stopped until the next start');
    }
    last.sidecar.label = checked;
    if (notes !== undefined) last.sidecar.notes = notes;
    last.episode.metadata.label = checked;
    if (notes !== undefined) last.episode.metadata.notes = notes;
    last.episode.rewriteSidecar(last.sidecar);
    return last.sidecar;
  }

  status(): RecorderStatus {
    const ep = this.#episode ?? this.#last?.episode;
    const recording = this.#episode !== undefined;
    return {
      phase: this.#phase,
      episodeIndex: ep?.index,
      elapsedS: recording ? Number(this.#deps.clock.nowNs() - this.#episode!.startNs) / 1e9 : this.#last?.sidecar.durationS ?? 0,
      resetRemainingS: this.#phase === 'resetting' ? Math.max(0, (this.#resetEndsMs - performance.now()) / 1000) : 0,
      nextEpisodeIndex: this.#nextIndex,
      dropsTotal: recording ? this.#episode!.dropsSoFar() : this.#last?.sidecar.dropsTotal ?? 0,
      label: ep?.metadata.label ?? null,
      notes: ep?.metadata.notes ?? '',
    };
  }

  /** Gaps, rates and the time limit, now; the monitor timer calls it (tests with a fake clock call it directly). */
  poll(): void {
    const episode = this.#episode;
    if (this.#phase !== 'recording' || !episode) return;
    const nowNs = this.#deps.clock.nowNs();
    this.#handle(episode, episode.check(nowNs));
    this.#checkLimit(episode, nowNs);
  }

  /** Asks the filesystem for free space now; ends the episode (`disk_low`) when below the line. */
  async checkDisk(): Promise<DiskCheck | undefined> {
    const episode = this.#episode;
    if (this.#phase !== 'recording' || !episode || this.#diskChecking) return undefined;
    this.#diskChecking = true;
    try {
      const elapsedS = Number(this.#deps.clock.nowNs() - episode.startNs) / 1e9;
      if (elapsedS > 1) this.#guard.setWriteRate(episode.bytesWritten / elapsedS);
      const check = await this.#guard.check(episode.bytesWritten);
      if (check.low && this.#episode === episode && this.#phase === 'recording') {
        this.#log('error', `disk low: ${formatBytes(check.freeBytes)} free in ${this.config.outputDir} ` +
          `(need ${formatBytes(check.thresholdBytes)}); ending episode ${episode.index} as incomplete`);
        this.#emit({ kind: 'disk_low', check });
        episode.writeEvent(this.#deps.clock.nowNs(), 'disk_low', { free_bytes: check.freeBytes, threshold_bytes: check.thresholdBytes });
        void this.#stopWith('disk_low').catch((e: Error) => this.#log('error', e.message));
      }
      return check;
    } catch (error) {
      this.#log('warn', `disk check of ${this.config.outputDir} failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      this.#diskChecking = false;
    }
  }

  /** Ends a running episode (reason `shutdown`, incomplete), stops taps and timers and the encoder it created. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#phase === 'recording') await this.#stopWith('shutdown').catch((e: Error) => this.#log('error', e.message));
    else if (this.#stopping) await this.#stopping.catch(() => undefined);
    this.#closed = true;
    this.#clearReset();
    for (const s of this.#subscriptions) s.destroy();
    await this.#cameras.close();
  }

  #stopWith(reason: EpisodeEndReason, resetAfter = true): Promise<EpisodeSidecar> {
    if (this.#stopping) return this.#stopping;
    const episode = this.#episode!;
    let stopNs = this.#deps.clock.nowNs();
    if (reason === 'time_limit' && stopNs > episode.startNs + this.#limitNs) stopNs = episode.startNs + this.#limitNs;
    this.#setPhase('stopping');
    this.#stopTimers();
    this.#stopping = (async () => {
      this.#cameras.pauseTaps();
      episode.writeEvent(stopNs, 'episode_stop', { reason });
      // Frames already in the encoder belong to the episode: let them land (bounded by the queue depth).
      await this.#cameras.drain(5000);
      let closed: Awaited<ReturnType<ActiveEpisode['close']>>;
      try {
        closed = await episode.close(stopNs, this.#now(), reason);
      } catch (error) {
        // The files could not be finished (the sidecar did not fit): the recorder must still be usable.
        this.#episode = undefined;
        this.#setPhase('idle');
        const e = new Error(`EpisodeRecorder#stop: finishing episode ${episode.index} failed: ${(error as Error).message}`);
        this.#log('error', e.message);
        this.#done?.reject(e);
        throw e;
      }
      const { sidecar, events } = closed;
      this.#handle(episode, events);
      this.#episode = undefined;
      this.#last = { episode, sidecar };
      const drops = sidecar.dropsTotal ? `, ${sidecar.dropsTotal} dropped` : '';
      const level = sidecar.complete ? 'info' : 'warn';
      this.#log(level, `episode ${episode.index} ${sidecar.status} (${sidecar.reason}) after ${sidecar.durationS} s: ` +
        `${sidecar.mcap.messages} messages${drops}, ${sidecar.gaps.length} camera gap(s)`);
      if (resetAfter && this.config.resetTimeS > 0 && !this.#closed) this.#startReset();
      else this.#setPhase('idle');
      this.#emit({ kind: 'episode_stopped', sidecar });
      this.#done?.resolve(sidecar);
      return sidecar;
    })().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  #onMessage(topic: string, msg: object): void {
    const episode = this.#episode;
    if (this.#phase !== 'recording' || !episode) return;
    const nowNs = this.#deps.clock.nowNs();
    const stamp = (msg as { header?: { stamp?: Time } }).header?.stamp;
    let stampNs = stamp ? nsFromTime(stamp) : nowNs;
    // A zero stamp means "not stamped" from most drivers, but is a real time at the start of a sim clock.
    if (stampNs === 0n && nowNs > 10_000_000_000n) stampNs = nowNs;
    if (this.#pastLimit(episode, stampNs)) return;
    this.#handle(episode, episode.writeTopic(topic, stampNs, nowNs, msg));
    this.#afterWrite(episode);
  }

  /** Data captured after the time limit ends the episode and is not recorded: every stream ends at the limit. */
  #pastLimit(episode: ActiveEpisode, stampNs: bigint): boolean {
    if (stampNs - episode.startNs <= this.#limitNs) return false;
    void this.#stopWith('time_limit').catch((e: Error) => this.#log('error', e.message));
    return true;
  }

  get #limitNs(): bigint {
    return BigInt(Math.round(this.config.episodeTimeS * 1e9));
  }

  #afterWrite(episode: ActiveEpisode): void {
    if (episode !== this.#episode || this.#phase !== 'recording') return;
    if (episode.failure) {
      this.#log('error', `episode ${episode.index}: writing failed (${episode.failure.message}); ending it as incomplete`);
      void this.#stopWith(episode.failure.kind).catch((e: Error) => this.#log('error', e.message));
    } else if (this.#guard.estimateLow(episode.bytesWritten)) {
      void this.checkDisk();
    }
  }

  #checkLimit(episode: ActiveEpisode, nowNs: bigint): void {
    if (this.#phase !== 'recording' || episode !== this.#episode) return;
    this.#pastLimit(episode, nowNs);
  }

  #handle(episode: ActiveEpisode, events: StreamEvent[]): void {
    for (const e of events) {
      this.#emit({ kind: 'stream', event: e });
      const { level, line, record } = describeStreamEvent(e, this.config.rateWarnFraction);
      this.#log(level, line);
      if (record && !episode.closed) episode.writeEvent(this.#deps.clock.nowNs(), record.event, record.data);
    }
  }

  #startTimers(): void {
    const c = this.config;
    if (c.monitorIntervalMs > 0) this.#timers.push(setInterval(() => this.poll(), c.monitorIntervalMs));
    this.#timers.push(setInterval(() => void this.checkDisk(), c.diskCheckIntervalMs));
    for (const t of this.#timers) t.unref();
  }

  #stopTimers(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  #startReset(): void {
    this.#setPhase('resetting');
    this.#resetEndsMs = performance.now() + this.config.resetTimeS * 1000;
    this.#resetTimer = setTimeout(() => {
      this.#resetTimer = undefined;
      if (this.#phase === 'resetting') this.#setPhase('idle');
    }, this.config.resetTimeS * 1000);
    this.#resetTimer.unref();
  }

  #clearReset(): void {
    if (this.#resetTimer) clearTimeout(this.#resetTimer);
    this.#resetTimer = undefined;
  }

  #setPhase(phase: RecorderPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#emit({ kind: 'phase', phase });
  }

  #emit(event: RecorderEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (error) {
        this.#log('error', `event listener failed: ${(error as Error).message}`);
      }
    }
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw new Error(`EpisodeRecorder#${method}: the recorder is closed`);
  }
}
