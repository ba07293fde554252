// `armstack export lerobot`: recorded episodes -> a LeRobotDataset, in the v2.1 layout (one parquet and one mp4
// per episode, JSON-lines metadata) or v3.0 (episodes concatenated into chunked files, parquet metadata).
// The dataset is built in `<out>.partial-<pid>` and renamed into place when complete, so a failed export leaves
// no half dataset behind.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { catalogEpisodes } from '../episode-catalog.js';
import { readCameraFrames } from './episode-reader.js';
import {
  datasetFeatures, episodeColumns, numericStats, prepareEpisodes,
  type DatasetSchema, type EpisodeColumns, type PreparedEpisode,
} from './lerobot-episodes.js';
import { huggingfaceFeatures, pandasStringIndex, writeParquet, type ParquetColumn } from './parquet-table.js';
import { aggregateStats, imageStatsShape, type FeatureStats } from './stats.js';
import { VideoWriter } from './video-writer.js';

export type LeRobotFormat = 'v2.1' | 'v3.0';

export interface ExportProgress {
  start(totalFrames: number): void;
  increment(frames: number): void;
  stop(): void;
}

export interface LeRobotExportOptions {
  inDir: string;
  outDir: string;
  format: LeRobotFormat;
  /** Dataset rate; default the first camera's nominal rate, else 30. */
  fps?: number;
  strict?: boolean;
  includeIncomplete?: boolean;
  robotType?: string | null;
  warn?: (line: string) => void;
  progress?: ExportProgress;
}

export interface LeRobotExportResult {
  outDir: string;
  format: LeRobotFormat;
  fps: number;
  episodes: number;
  frames: number;
  skipped: number;
  cameras: string[];
}

const CHUNKS_SIZE = 1000;
const pad3 = (n: number): string => String(n).padStart(3, '0');
const pad6 = (n: number): string => String(n).padStart(6, '0');

export async function exportLeRobot(o: LeRobotExportOptions): Promise<LeRobotExportResult> {
  const outDir = resolve(o.outDir);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new UserError(`export: ${outDir} exists and is not empty; choose a new folder`);
  }
  const warn = o.warn ?? ((line: string) => void process.stderr.write(`warning: ${line}\n`));
  const entries = await catalogEpisodes(o.inDir);
  if (entries.length === 0) throw new UserError(`export: no episodes in ${o.inDir}`);
  const { schema, episodes } = await prepareEpisodes(entries, {
    strict: o.strict ?? false, includeIncomplete: o.includeIncomplete ?? false, fps: o.fps, warn,
  });
  const work = `${outDir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'meta'), { recursive: true });
  const totalFrames = episodes.reduce((n, e) => n + e.length, 0);
  o.progress?.start(totalFrames * (schema.cameras.length + 1));
  try {
    const dataset = buildColumns(schema, episodes);
    if (o.format === 'v2.1') await writeV21(work, schema, episodes, dataset, o);
    else await writeV30(work, schema, episodes, dataset, o);
    writeJsonLines(join(work, 'meta', 'armstack_sources.jsonl'), episodes.map((ep, i) => ({
      episode_index: i, source: ep.dataPath, label: ep.entry.label, operator: ep.entry.sidecar?.operator ?? null,
      object: ep.entry.sidecar?.object ?? null, complete: ep.entry.complete, reason: ep.entry.reason,
    })));
    o.progress?.stop();
    mkdirSync(dirname(outDir), { recursive: true });
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    renameSync(work, outDir);
  } catch (error) {
    o.progress?.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  return {
    outDir, format: o.format, fps: schema.fps, episodes: episodes.length, frames: totalFrames,
    skipped: entries.length - episodes.length, cameras: schema.cameras.map((c) => c.key),
  };
}

interface DatasetColumns {
  tasks: string[];
  perEpisode: Array<{ cols: EpisodeColumns; stats: Record<string, FeatureStats>; from: number }>;
}

function buildColumns(schema: DatasetSchema, episodes: PreparedEpisode[]): DatasetColumns {
  const tasks: string[] = [];
  let from = 0;
  const perEpisode = episodes.map((ep, i) => {
    let taskIndex = tasks.indexOf(ep.task);
    if (taskIndex < 0) taskIndex = tasks.push(ep.task) - 1;
    const cols = episodeColumns(ep, schema.fps, i, from, taskIndex);
    const out = { cols, stats: numericStats(cols), from };
    from += ep.length;
    return out;
  });
  return { tasks, perEpisode };
}

function dataColumns(list: EpisodeColumns[]): ParquetColumn[] {
  const cat = <K extends keyof EpisodeColumns>(k: K): EpisodeColumns[K][number][] => list.flatMap((c) => c[k] as EpisodeColumns[K][number][]);
  return [
    { name: 'observation.state', type: 'FLOAT', listDepth: 1, data: cat('state') },
    { name: 'action', type: 'FLOAT', listDepth: 1, data: cat('action') },
    { name: 'timestamp', type: 'FLOAT', data: cat('timestamp') },
    { name: 'frame_index', type: 'INT64', data: cat('frameIndex') },
    { name: 'episode_index', type: 'INT64', data: cat('episodeIndex') },
    { name: 'index', type: 'INT64', data: cat('index') },
    { name: 'task_index', type: 'INT64', data: cat('taskIndex') },
    { name: 'next.done', type: 'BOOLEAN', data: cat('done') },
    { name: 'next.success', type: 'BOOLEAN', data: cat('success') },
  ];
}

/** Feeds one episode's resampled frames of one camera to `writer`. */
async function writeEpisodeFrames(writer: VideoWriter, ep: PreparedEpisode, cameraName: string, progress?: ExportProgress): Promise<void> {
  const track = ep.timeline.cameras.find((c) => c.name === cameraName)!;
  const wanted = ep.cameraIdx.get(cameraName)!;
  writer.startSegment(ep.length);
  const frames = readCameraFrames(ep.dataPath, track.topic);
  let current = -1;
  let data: Uint8Array | undefined;
  try {
    for (let k = 0; k < wanted.length; k++) {
      while (current < wanted[k]) {
        const next = await frames.next();
        if (next.done) throw new UserError(`export: ${ep.dataPath} has fewer ${track.topic} frames than its index says`);
        data = next.value.data;
        current++;
      }
      await writer.write(data!);
      if (k % 30 === 29 || k === wanted.length - 1) progress?.increment(k % 30 === 29 ? 30 : (k % 30) + 1);
    }
  } finally {
    await frames.return(undefined);
  }
}

async function encodeVideo(path: string, schema: DatasetSchema, camera: DatasetSchema['cameras'][number], episodes: PreparedEpisode[], progress?: ExportProgress): Promise<FeatureStats[]> {
  mkdirSync(dirname(path), { recursive: true });
  const writer = new VideoWriter({ path, fps: schema.fps, width: camera.width, height: camera.height, input: camera.pixelFormat });
  try {
    for (const ep of episodes) await writeEpisodeFrames(writer, ep, camera.name, progress);
    return await writer.finish();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

function statsRecord(numeric: Record<string, FeatureStats>, images: Map<string, FeatureStats>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...numeric };
  for (const [key, s] of images) out[key] = imageStatsShape(s);
  return out;
}

async function writeV21(work: string, schema: DatasetSchema, episodes: PreparedEpisode[], ds: DatasetColumns, o: LeRobotExportOptions): Promise<void> {
  const imageStats: Array<Map<string, FeatureStats>> = episodes.map(() => new Map());
  for (const [i, ep] of episodes.entries()) {
    const chunk = Math.floor(i / CHUNKS_SIZE);
    for (const cam of schema.cameras) {
      const path = join(work, 'videos', `chunk-${pad3(chunk)}`, cam.key, `episode_${pad6(i)}.mp4`);
      const [stats] = await encodeVideo(path, schema, cam, [ep], o.progress);
      imageStats[i].set(cam.key, stats);
    }
    const dataPath = join(work, 'data', `chunk-${pad3(chunk)}`, `episode_${pad6(i)}.parquet`);
    mkdirSync(dirname(dataPath), { recursive: true });
    writeParquet(dataPath, dataColumns([ds.perEpisode[i].cols]), { huggingface: huggingfaceFeatures(datasetFeatures(schema, false) as never) });
    o.progress?.increment(ep.length);
  }
  const total = episodes.reduce((n, e) => n + e.length, 0);
  writeJson(join(work, 'meta', 'info.json'), {
    codebase_version: 'v2.1', robot_type: o.robotType ?? null, total_episodes: episodes.length, total_frames: total,
    total_tasks: ds.tasks.length, total_videos: episodes.length * schema.cameras.length,
    total_chunks: Math.ceil(episodes.length / CHUNKS_SIZE), chunks_size: CHUNKS_SIZE, fps: schema.fps,
    splits: { train: `0:${episodes.length}` },
    data_path: 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet',
    video_path: schema.cameras.length ? 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4' : null,
    features: datasetFeatures(schema, false),
  });
  writeJsonLines(join(work, 'meta', 'episodes.jsonl'), episodes.map((ep, i) => ({ episode_index: i, tasks: [ep.task], length: ep.length })));
  writeJsonLines(join(work, 'meta', 'tasks.jsonl'), ds.tasks.map((task, i) => ({ task_index: i, task })));
  writeJsonLines(join(work, 'meta', 'episodes_stats.jsonl'), episodes.map((_, i) => ({
    episode_index: i, stats: statsRecord(ds.perEpisode[i].stats, imageStats[i]),
  })));
}

async function writeV30(work: string, schema: DatasetSchema, episodes: PreparedEpisode[], ds: DatasetColumns, o: LeRobotExportOptions): Promise<void> {
  const imageStats: Array<Map<string, FeatureStats>> = episodes.map(() => new Map());
  for (const cam of schema.cameras) {
    const path = join(work, 'videos', cam.key, 'chunk-000', 'file-000.mp4');
    const perEpisode = await encodeVideo(path, schema, cam, episodes, o.progress);
    perEpisode.forEach((s, i) => imageStats[i].set(cam.key, s));
  }
  const dataPath = join(work, 'data', 'chunk-000', 'file-000.parquet');
  mkdirSync(dirname(dataPath), { recursive: true });
  writeParquet(dataPath, dataColumns(ds.perEpisode.map((e) => e.cols)), { huggingface: huggingfaceFeatures(datasetFeatures(schema, false) as never) });
  o.progress?.increment(episodes.reduce((n, e) => n + e.length, 0));

  writeParquet(join(work, 'meta', 'tasks.parquet'), [
    { name: 'task_index', type: 'INT64', data: ds.tasks.map((_, i) => i) },
    { name: '__index_level_0__', type: 'STRING', data: ds.tasks },
  ], { pandas: pandasStringIndex('__index_level_0__', [{ name: 'task_index', pandasType: 'int64', numpyType: 'int64' }]) });

  const columns: ParquetColumn[] = [
    { name: 'episode_index', type: 'INT64', data: episodes.map((_, i) => i) },
    { name: 'tasks', type: 'STRING', listDepth: 1, data: episodes.map((ep) => [ep.task]) },
    { name: 'length', type: 'INT64', data: episodes.map((ep) => ep.length) },
    { name: 'data/chunk_index', type: 'INT64', data: episodes.map(() => 0) },
    { name: 'data/file_index', type: 'INT64', data: episodes.map(() => 0) },
    { name: 'dataset_from_index', type: 'INT64', data: ds.perEpisode.map((e) => e.from) },
    { name: 'dataset_to_index', type: 'INT64', data: ds.perEpisode.map((e, i) => e.from + episodes[i].length) },
  ];
  for (const cam of schema.cameras) {
    let t = 0;
    const from: number[] = [], to: number[] = [];
    for (const ep of episodes) {
      from.push(t);
      t += ep.length / schema.fps;
      to.push(t);
    }
    columns.push(
      { name: `videos/${cam.key}/chunk_index`, type: 'INT64', data: episodes.map(() => 0) },
      { name: `videos/${cam.key}/file_index`, type: 'INT64', data: episodes.map(() => 0) },
      { name: `videos/${cam.key}/from_timestamp`, type: 'DOUBLE', data: from },
      { name: `videos/${cam.key}/to_timestamp`, type: 'DOUBLE', data: to },
    );
  }
  const statKeys = Object.keys(ds.perEpisode[0].stats);
  for (const key of [...statKeys, ...schema.cameras.map((c) => c.key)]) {
    const image = !statKeys.includes(key);
    const get = (i: number): FeatureStats => (image ? imageStats[i].get(key)! : ds.perEpisode[i].stats[key]);
    for (const stat of ['min', 'max', 'mean', 'std'] as const) {
      const values = episodes.map((_, i) => (image ? get(i)[stat].map((v) => [[v]]) : get(i)[stat]));
      columns.push({ name: `stats/${key}/${stat}`, type: 'DOUBLE', listDepth: image ? 3 : 1, data: values });
    }
    columns.push({ name: `stats/${key}/count`, type: 'INT64', listDepth: 1, data: episodes.map((_, i) => get(i).count) });
  }
  columns.push(
    { name: 'meta/episodes/chunk_index', type: 'INT64', data: episodes.map(() => 0) },
    { name: 'meta/episodes/file_index', type: 'INT64', data: episodes.map(() => 0) },
  );
  const episodesPath = join(work, 'meta', 'episodes', 'chunk-000', 'file-000.parquet');
  mkdirSync(dirname(episodesPath), { recursive: true });
  writeParquet(episodesPath, columns);

  const aggregated: Record<string, unknown> = {};
  for (const key of statKeys) aggregated[key] = aggregateStats(ds.perEpisode.map((e) => e.stats[key]));
  for (const cam of schema.cameras) aggregated[cam.key] = imageStatsShape(aggregateStats(imageStats.map((m) => m.get(cam.key)!)));
  writeJson(join(work, 'meta', 'stats.json'), aggregated);
  writeJson(join(work, 'meta', 'info.json'), {
    codebase_version: 'v3.0', robot_type: o.robotType ?? null, total_episodes: episodes.length,
    total_frames: episodes.reduce((n, e) => n + e.length, 0), total_tasks: ds.tasks.length, chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: 100, video_files_size_in_mb: 500, fps: schema.fps, splits: { train: `0:${episodes.length}` },
    data_path: 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet',
    video_path: schema.cameras.length ? 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4' : null,
    features: datasetFeatures(schema, true),
  });
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 4) + '\n');
}

function writeJsonLines(path: string, rows: unknown[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}
