// Recorded episodes for the dashboard's browser: the catalog, an episode's joint and camera timeline for replay,
// and single camera frames on request (scrubbing asks for the frame nearest a time, so only what is looked at is
// read). Names are checked against the catalog, never joined into paths as given.
import { McapIndexedReader } from '@mcap/core';
import { catalogEpisodes, type EpisodeEntry } from '../../runtime/recorder/episode-catalog.js';
import { readEpisodeTimeline, type EpisodeTimeline } from '../../runtime/recorder/lerobot/episode-reader.js';
import { decompressHandlers, loadCompression } from '../../runtime/recorder/compression.js';
import { FileReadable } from '../../runtime/recorder/file-readable.js';
import { cdrCodecFor } from '../../runtime/messages/cdr/index.js';
import { encodeFrame } from './camera-stream.js';
import type { EpisodeMsg, EpisodeSummaryWire } from './ops-protocol.js';
import type { SceneBinWire, SceneObjectWire } from './protocol.js';

/** The joint track sent to a browser is thinned to at most this many samples (a 10 min episode at 30 Hz). */
const MAX_TRACK_SAMPLES = 20_000;
const CACHE_SIZE = 4;
/** Scene samples closer than this are skipped: objects move slowly, and the track stays small. */
const SCENE_MIN_GAP_NS = 100_000_000n;
const MAX_SCENE_SAMPLES = 6000;

interface SceneTrack {
  stampsNs: bigint[];
  objects: SceneObjectWire[][];
  bins: SceneBinWire[];
}

interface Loaded {
  entry: EpisodeEntry;
  timeline: EpisodeTimeline;
  scene: SceneTrack | undefined;
  startNs: bigint;
}

function nearestIndex(stamps: readonly bigint[], target: bigint): number {
  let lo = 0;
  let hi = stamps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stamps[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && target - stamps[lo - 1] < stamps[lo] - target) return lo - 1;
  return lo;
}

export class EpisodeLibrary {
  readonly dir: string;
  readonly #cache = new Map<string, Loaded>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async list(): Promise<EpisodeSummaryWire[]> {
    let entries: EpisodeEntry[];
    try {
      entries = await catalogEpisodes(this.dir);
    } catch {
      return []; // no folder yet: nothing recorded
    }
    return entries.map((e) => ({
      name: e.name,
      index: e.index ?? null,
      complete: e.complete,
      durationS: e.durationS ?? null,
      task: e.task ?? null,
      label: e.label,
      cameras: Object.keys(e.messagesByTopic)
        .filter((t) => /\/image_raw(\/compressed)?$/.test(t))
        .map((t) => t.replace(/^\//, '').replace(/\/image_raw(\/compressed)?$/, '').replace(/\//g, '_')),
      problems: e.problems,
    }));
  }

  /** The replay track of one episode. Throws (an Error naming it) for an unknown or unreadable episode. */
  async load(name: string): Promise<EpisodeMsg> {
    const { timeline, scene, startNs } = await this.#load(name);
    const state = timeline.state;
    const n = state?.stampsNs.length ?? 0;
    const step = Math.max(1, Math.ceil(n / MAX_TRACK_SAMPLES));
    const t: number[] = [];
    const positions: number[][] = [];
    for (let i = 0; i < n; i += step) {
      t.push(Number(state!.stampsNs[i] - startNs) / 1e9);
      positions.push(Array.from(state!.values[i], (v) => Math.round(v * 1e5) / 1e5));
    }
    let endNs = startNs;
    if (state && n) endNs = state.stampsNs[n - 1];
    for (const c of timeline.cameras) if (c.stampsNs.length && c.stampsNs[c.stampsNs.length - 1] > endNs) endNs = c.stampsNs[c.stampsNs.length - 1];
    return {
      op: 'episode',
      name,
      jointNames: state?.names ?? [],
      t,
      positions,
      cameras: timeline.cameras.map((c) => ({ name: c.name, t: c.stampsNs.map((s) => Number(s - startNs) / 1e9) })),
      durationS: Number(endNs - startNs) / 1e9,
      decimated: step > 1,
      ...(scene ? {
        scenes: scene.stampsNs.map((s, i) => ({ t: Number(s - startNs) / 1e9, objects: scene.objects[i] })),
        bins: scene.bins,
      } : {}),
    };
  }

  /** The binary replay frame of `camera` nearest `timeS`; undefined when the episode has no such camera. */
  async frame(name: string, camera: string, timeS: number): Promise<Buffer | undefined> {
    const { entry, timeline, startNs } = await this.#load(name);
    const track = timeline.cameras.find((c) => c.name === camera);
    if (!track || track.stampsNs.length === 0 || !entry.dataPath) return undefined;
    if (track.kind !== 'jpeg') throw new Error(`camera ${camera} was recorded raw; replay shows JPEG cameras only`);
    const index = nearestIndex(track.stampsNs, startNs + BigInt(Math.round(timeS * 1e9)));
    const stampNs = track.stampsNs[index];
    const jpeg = await readOneMessage(entry.dataPath, track.topic, stampNs);
    if (!jpeg) return undefined;
    return encodeFrame({
      kind: 'replay', camera, seq: index, stampNs: stampNs.toString(), width: track.width, height: track.height, episode: name,
    }, jpeg);
  }

  async #load(name: string): Promise<Loaded> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const entries = await catalogEpisodes(this.dir);
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`no episode named ${name} in ${this.dir}`);
    if (!entry.dataPath) throw new Error(`episode ${name} has no readable data: ${entry.problems.join('; ') || 'unknown'}`);
    const timeline = await readEpisodeTimeline(entry.dataPath);
    let startNs = timeline.state?.stampsNs[0];
    for (const c of timeline.cameras) if (c.stampsNs.length && (startNs === undefined || c.stampsNs[0] < startNs)) startNs = c.stampsNs[0];
    const scene = await readSceneTrack(entry.dataPath);
    const loaded = { entry, timeline, scene, startNs: startNs ?? 0n };
    this.#cache.set(name, loaded);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return loaded;
  }
}

/** The CompressedImage payload logged on `topic` at exactly `stampNs`, through the MCAP's chunk index. */
async function readOneMessage(path: string, topic: string, stampNs: bigint): Promise<Uint8Array | undefined> {
  const file = FileReadable.open(path);
  try {
    await loadCompression();
    const reader = await McapIndexedReader.Initialize({ readable: file, decompressHandlers: decompressHandlers() });
    const ch = [...reader.channelsById.values()].find((c) => c.topic === topic);
    if (!ch) return undefined;
    const codec = cdrCodecFor(reader.schemasById.get(ch.schemaId)?.name ?? '');
    for await (const m of reader.readMessages({ topics: [topic], startTime: stampNs, endTime: stampNs })) {
      return (codec.read(m.data) as { data: Uint8Array }).data;
    }
    return undefined;
  } finally {
    file.close();
  }
}

/** The episode's /scene, thinned to SCENE_MIN_GAP_NS; undefined when it has none. */
async function readSceneTrack(path: string): Promise<SceneTrack | undefined> {
  const file = FileReadable.open(path);
  try {
    await loadCompression();
    const reader = await McapIndexedReader.Initialize({ readable: file, decompressHandlers: decompressHandlers() });
    const ch = [...reader.channelsById.values()].find((c) => c.topic === '/scene');
    if (!ch) return undefined;
    const codec = cdrCodecFor(reader.schemasById.get(ch.schemaId)?.name ?? '');
    const track: SceneTrack = { stampsNs: [], objects: [], bins: [] };
    let last = -SCENE_MIN_GAP_NS;
    for await (const m of reader.readMessages({ topics: ['/scene'] })) {
      if (m.logTime - last < SCENE_MIN_GAP_NS || track.stampsNs.length >= MAX_SCENE_SAMPLES) continue;
      last = m.logTime;
      const msg = codec.read(m.data) as { objects: SceneObjectWire[]; bins: SceneBinWire[] };
      if (track.stampsNs.length === 0) {
        track.bins = msg.bins.map((b) => ({ number: b.number, pose: { position: { ...b.pose.position }, orientation: { ...b.pose.orientation } }, size: { ...b.size } }));
      }
      track.stampsNs.push(m.logTime);
      track.objects.push(msg.objects.map((o) => ({
        id: String(o.id), kind: o.kind, color: o.color, size: { ...o.size },
        pose: { position: { ...o.pose.position }, orientation: { ...o.pose.orientation } }, held: Boolean(o.held), in_bin: o.in_bin,
      })));
    }
    return track.stampsNs.length ? track : undefined;
  } finally {
    file.close();
  }
}
