// One open episode: its MCAP (channels for every topic, camera and the event log), its sidecar and its stream
// accounts. Writes never throw: a failure is remembered (the first one decides the end reason), the message is
// counted as dropped, and the recorder ends the episode. Nothing is written after the sink failed, so a torn chunk
// can only be the file's last record, and recoverMcap keeps everything before it.
import { join } from 'node:path';
import type { PixelEncoding } from '../../perception/cameras/camera.js';
import type { IAppendable } from './appendable.js';
import { loadCompression } from './compression.js';
import type { EpisodeMetadata, RecorderConfig, TopicStreamConfig } from './episode-config.js';
import type { EpisodeEndReason, EpisodeSidecar } from './episode-sidecar.js';
import { SIDECAR_FORMAT, SidecarFile, episodeStem } from './episode-sidecar.js';
import { FileAppendable } from './file-appendable.js';
import { GuardedSink, classifyWriteError, type SinkFailure } from './guarded-sink.js';
import { McapEpisodeWriter, type McapEpisodeSummary } from './mcap-episode-writer.js';
import { StreamMonitor, type StreamEvent } from './stream-monitor.js';

export interface CameraSpec {
  name: string;
  width: number;
  height: number;
  fps: number;
  encoding: PixelEncoding;
}

export interface ActiveEpisodeOptions {
  index: number;
  dir: string;
  config: RecorderConfig;
  metadata: EpisodeMetadata;
  cameras: readonly CameraSpec[];
  startNs: bigint;
  startedAt: Date;
  /** Tests inject a failing sink here; default FileAppendable (refuses to replace a file). */
  openSink?: (path: string) => IAppendable;
}

interface Channel {
  id: number;
  monitor: StreamMonitor;
}

/** `/<camera>/image_raw/compressed` for JPEG, `/<camera>/image_raw` for raw frames. */
export function cameraTopic(name: string, format: 'jpeg' | 'raw'): string {
  return format === 'jpeg' ? `/${name}/image_raw/compressed` : `/${name}/image_raw`;
}

export class ActiveEpisode {
  readonly index: number;
  readonly mcapPath: string;
  readonly sidecarPath: string;
  readonly startNs: bigint;
  readonly metadata: EpisodeMetadata;
  readonly #config: RecorderConfig;
  readonly #startedAt: Date;
  readonly #writer: McapEpisodeWriter;
  readonly #sink: GuardedSink;
  readonly #sidecar: SidecarFile;
  readonly #topics = new Map<string, Channel>();
  readonly #cameras = new Map<string, Channel>();
  readonly #events: Channel;
  readonly #errors: string[] = [];
  #failure: SinkFailure | undefined;
  #closed = false;
  #summary: McapEpisodeSummary | undefined;

  private constructor(o: ActiveEpisodeOptions, writer: McapEpisodeWriter, sink: GuardedSink, sidecar: SidecarFile) {
    this.index = o.index;
    const stem = episodeStem(o.index);
    this.mcapPath = join(o.dir, `${stem}.mcap`);
    this.sidecarPath = join(o.dir, `${stem}.json`);
    this.startNs = o.startNs;
    this.metadata = o.metadata;
    this.#config = o.config;
    this.#startedAt = o.startedAt;
    this.#writer = writer;
    this.#sink = sink;
    this.#sidecar = sidecar;
    const c = o.config;
    const monitor = (topic: string, type: string, role: StreamMonitor['role'], nominalHz?: number): StreamMonitor =>
      new StreamMonitor({
        topic, type, role, nominalHz, episodeStartNs: o.startNs, gapThresholdS: c.gapThresholdS,
        rateWarnFraction: c.rateWarnFraction, rateWindowS: c.rateWindowS,
      });
    for (const t of c.topics) {
      const id = writer.addChannel(t.topic, t.type, { armstack_role: t.role });
      this.#topics.set(t.topic, { id, monitor: monitor(t.topic, t.type, t.role) });
    }
    for (const cam of o.cameras) {
      const topic = cameraTopic(cam.name, c.imageFormat);
      const type = c.imageFormat === 'jpeg' ? 'sensor_msgs/msg/CompressedImage' : 'sensor_msgs/msg/Image';
      const id = writer.addChannel(topic, type, {
        armstack_role: 'camera', camera: cam.name, nominal_hz: String(cam.fps), width: String(cam.width),
        height: String(cam.height), encoding: cam.encoding,
      });
      this.#cameras.set(cam.name, { id, monitor: monitor(topic, type, 'camera', cam.fps) });
    }
    const eventsId = writer.addChannel(c.eventsTopic, 'std_msgs/msg/String', { armstack_role: 'events' });
    this.#events = { id: eventsId, monitor: monitor(c.eventsTopic, 'std_msgs/msg/String', 'events') };
    writer.writeMetadata('episode', episodeMetadataRecord(o.index, o.metadata, o.startedAt));
    writer.writeMetadata('recorder', {
      episode_time_s: String(c.episodeTimeS), reset_time_s: String(c.resetTimeS), image_format: c.imageFormat,
      jpeg_quality: String(c.jpegQuality), cameras: JSON.stringify(o.cameras), start_time_ns: String(o.startNs),
    });
  }

  /** Creates the MCAP and the sidecar (status `recording`); both refuse to replace existing files. */
  static async open(o: ActiveEpisodeOptions): Promise<ActiveEpisode> {
    const stem = episodeStem(o.index);
    const mcapPath = join(o.dir, `${stem}.mcap`);
    if (o.config.chunkCompression === 'zstd') await loadCompression();
    const inner = o.openSink ? o.openSink(mcapPath) : FileAppendable.create(mcapPath);
    const sink = new GuardedSink(inner);
    const writer = new McapEpisodeWriter(sink, { compression: o.config.chunkCompression, zstdLevel: o.config.zstdLevel });
    let sidecar: SidecarFile | undefined;
    try {
      sidecar = SidecarFile.create(join(o.dir, `${stem}.json`), initialSidecar(o));
      return new ActiveEpisode(o, writer, sink, sidecar);
    } catch (error) {
      await writer.close().catch(() => sink.close().catch(() => undefined));
      throw error;
    }
  }

  get failure(): SinkFailure | undefined {
    return this.#failure;
  }

  get bytesWritten(): number {
    return this.#sink.bytesWritten;
  }

  get closed(): boolean {
    return this.#closed;
  }

  hasTopic(topic: string): boolean {
    return this.#topics.has(topic);
  }

  /** A graph message: counted, written with its capture stamp as log time. */
  writeTopic(topic: string, stampNs: bigint, receivedNs: bigint, msg: object): StreamEvent[] {
    const ch = this.#topics.get(topic);
    if (!ch) return [];
    const events = ch.monitor.receive(stampNs);
    this.#write(ch, stampNs, receivedNs, msg);
    return events;
  }

  /** A camera frame arrived (before encoding): counts it and checks its gap and rate. */
  receiveFrame(camera: string, stampNs: bigint, seq?: number): StreamEvent[] {
    const ch = this.#cameras.get(camera);
    return ch ? ch.monitor.receive(stampNs, seq) : [];
  }

  writeFrame(camera: string, stampNs: bigint, receivedNs: bigint, msg: object): void {
    const ch = this.#cameras.get(camera);
    if (ch) this.#write(ch, stampNs, receivedNs, msg);
  }

  dropFrame(camera: string): void {
    const ch = this.#cameras.get(camera);
    if (ch) ch.monitor.dropped++;
  }

  /** An event for the log channel: `{event, t, ...data}` as std_msgs/String JSON. */
  writeEvent(nowNs: bigint, event: string, data: Record<string, unknown> = {}): void {
    const t = Math.round(Number(nowNs - this.startNs) / 1e6) / 1e3;
    this.#events.monitor.receive(nowNs);
    this.#write(this.#events, nowNs, nowNs, { data: JSON.stringify({ event, t, ...data }) });
  }

  /** Periodic checks (gaps opening, rates) of every camera at `nowNs`. */
  check(nowNs: bigint): StreamEvent[] {
    const events: StreamEvent[] = [];
    for (const ch of this.#cameras.values()) events.push(...ch.monitor.check(nowNs));
    return events;
  }

  /** Dropped plus missed so far, over every stream. */
  dropsSoFar(): number {
    let n = 0;
    for (const ch of [...this.#topics.values(), ...this.#cameras.values()]) n += ch.monitor.dropped + ch.monitor.missed;
    return n;
  }

  noteError(message: string): void {
    if (this.#errors.length < 20) this.#errors.push(message);
  }

  /**
   * Ends the episode: closes open gaps, writes the `episode_end` metadata and the summary, and the final sidecar.
   * Returns the sidecar and the events of gaps found open at stop.
   */
  async close(stopNs: bigint, stoppedAt: Date, reason: EpisodeEndReason): Promise<{ sidecar: EpisodeSidecar; events: StreamEvent[] }> {
    if (this.#closed) throw new Error(`ActiveEpisode#close: episode ${this.index} is already closed`);
    this.#closed = true;
    const events: StreamEvent[] = [];
    for (const ch of this.#cameras.values()) events.push(...ch.monitor.finish(stopNs));
    const failure = this.#failure ?? this.#sink.failure;
    const finalReason: EpisodeEndReason = failure ? failure.kind : reason;
    let sidecar = this.#buildSidecar(stopNs, stoppedAt, finalReason);
    if (!failure) {
      try {
        this.#writer.writeMetadata('episode_end', {
          reason: finalReason, stopped_at: stoppedAt.toISOString(), duration_s: String(sidecar.durationS),
          label: sidecar.label ?? '', notes: sidecar.notes, drops_total: String(sidecar.dropsTotal),
          gaps: JSON.stringify(sidecar.gaps), streams: JSON.stringify(sidecar.streams),
        });
      } catch (error) {
        this.#fail(error);
      }
    }
    try {
      this.#summary = await this.#writer.close();
    } catch (error) {
      this.#fail(error);
      // The writer could not finish (its summary did not fit): release the file; recoverMcap salvages it.
      await this.#sink.close().catch((e: Error) => this.noteError(`closing the file: ${e.message}`));
    }
    const end = this.#failure ?? this.#sink.failure;
    sidecar = this.#buildSidecar(stopNs, stoppedAt, end ? end.kind : finalReason);
    this.#sidecar.write(sidecar);
    return { sidecar, events };
  }

  /** Rewrites the sidecar of a closed episode (label and notes set after stop). */
  rewriteSidecar(sidecar: EpisodeSidecar): void {
    this.#sidecar.write(sidecar);
  }

  #buildSidecar(stopNs: bigint, stoppedAt: Date, reason: EpisodeEndReason): EpisodeSidecar {
    const streams = [...this.#topics.values(), ...this.#cameras.values(), this.#events].map((ch) => ch.monitor.report());
    const cams = [...this.#cameras.values()].map((ch) => ch.monitor);
    const failed = this.#failure ?? this.#sink.failure;
    const hasFooter = this.#summary !== undefined;
    const complete = !failed && hasFooter && (reason === 'operator' || reason === 'time_limit');
    const s = this.#writer.statistics;
    return {
      ...initialSidecar({
        index: this.index, config: this.#config, metadata: this.metadata, startNs: this.startNs, startedAt: this.#startedAt,
      }),
      status: complete ? 'complete' : 'incomplete',
      complete,
      reason,
      stoppedAt: stoppedAt.toISOString(),
      durationS: Math.round(Number(stopNs - this.startNs) / 1e6) / 1e3,
      streams,
      dropsTotal: streams.reduce((n, r) => n + r.dropped + r.missed, 0),
      gaps: cams.flatMap((m) => m.gaps).sort((a, b) => a.startS - b.startS),
      rateWarnings: cams.flatMap((m) => m.rateWarnings),
      mcap: {
        bytes: this.#summary?.bytes ?? this.#sink.bytesWritten,
        messages: Number(this.#summary?.messageCount ?? s.messageCount),
        chunks: this.#summary?.chunkCount ?? s.chunkCount,
        hasFooter,
      },
      errors: [...this.#errors],
    };
  }

  #write(ch: Channel, logNs: bigint, publishNs: bigint, msg: object): void {
    if (this.#closed || this.#failure || this.#sink.failure) {
      ch.monitor.dropped++;
      return;
    }
    try {
      this.#writer.write(ch.id, logNs, publishNs, msg);
      ch.monitor.written++;
    } catch (error) {
      ch.monitor.dropped++;
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    const classified = this.#sink.failure ?? classifyWriteError(error);
    this.#failure ??= classified;
    this.noteError((error as Error).message ?? String(error));
  }
}

function initialSidecar(o: Pick<ActiveEpisodeOptions, 'index' | 'config' | 'metadata' | 'startNs' | 'startedAt'>): EpisodeSidecar {
  const m = o.metadata;
  return {
    format: SIDECAR_FORMAT,
    episodeIndex: o.index,
    file: `${episodeStem(o.index)}.mcap`,
    status: 'recording',
    complete: false,
    reason: null,
    task: m.task,
    operator: m.operator,
    object: m.object,
    label: m.label ?? null,
    notes: m.notes ?? '',
    extra: m.extra ?? {},
    startedAt: o.startedAt.toISOString(),
    stoppedAt: null,
    startTimeNs: String(o.startNs),
    durationS: 0,
    streams: [],
    dropsTotal: 0,
    gaps: [],
    rateWarnings: [],
    mcap: { bytes: 0, messages: 0, chunks: 0, hasFooter: false },
    errors: [],
    config: {
      episodeTimeS: o.config.episodeTimeS, resetTimeS: o.config.resetTimeS,
      imageFormat: o.config.imageFormat, jpegQuality: o.config.jpegQuality,
    },
  };
}

/** The MCAP `episode` metadata record: every value a string, as MCAP requires. */
export function episodeMetadataRecord(index: number, m: EpisodeMetadata, startedAt: Date): Record<string, string> {
  const record: Record<string, string> = {
    episode_index: String(index), task: m.task, operator: m.operator, started_at: startedAt.toISOString(),
    object_name: m.object.name, object_category: m.object.category,
  };
  if (m.object.material !== undefined) record.object_material = m.object.material;
  if (m.object.approxSizeM !== undefined) record.object_approx_size_m = JSON.stringify(m.object.approxSizeM);
  if (m.object.massKg !== undefined) record.object_mass_kg = String(m.object.massKg);
  if (m.label !== undefined) record.label = m.label;
  if (m.notes !== undefined) record.notes = m.notes;
  for (const [k, v] of Object.entries(m.extra ?? {})) record[`extra.${k}`] = v;
  return record;
}
