// Turns recorded episodes into LeRobot frames: picks the episodes to export (complete ones; incomplete or corrupt
// ones are skipped with a warning, or refused with --strict), checks that they share one schema (state and
// action names, cameras and sizes), resamples each onto the dataset clock, and builds the frame columns and the
// numeric feature stats. Video is done by the format writers.
import { UserError } from '../../errors.js';
import type { EpisodeEntry } from '../episode-catalog.js';
import { readEpisodeTimeline, type CameraTrack, type EpisodeTimeline } from './episode-reader.js';
import { commonSpanNs, frameTimesNs, holdIndices, nearestIndices } from './resample.js';
import { StatsAccumulator, scalarStats, type FeatureStats } from './stats.js';
import { evenSize } from './video-writer.js';

export interface DatasetCamera {
  name: string;
  /** `observation.images.<name>` */
  key: string;
  width: number;
  height: number;
  pixelFormat: CameraTrack['pixelFormat'];
}

export interface DatasetSchema {
  fps: number;
  stateNames: string[];
  actionNames: string[];
  cameras: DatasetCamera[];
}

export interface PreparedEpisode {
  entry: EpisodeEntry;
  /** Path of the MCAP the data comes from. */
  dataPath: string;
  timeline: EpisodeTimeline;
  length: number;
  stateIdx: Int32Array;
  actionIdx: Int32Array;
  /** Source frame index for each dataset frame, per camera name. */
  cameraIdx: Map<string, Int32Array>;
  task: string;
  success: boolean;
}

export interface SelectOptions {
  strict: boolean;
  includeIncomplete: boolean;
  fps?: number;
  warn: (line: string) => void;
}

/** Chooses and resamples the episodes; returns them with the dataset schema. */
export async function prepareEpisodes(entries: readonly EpisodeEntry[], o: SelectOptions): Promise<{ schema: DatasetSchema; episodes: PreparedEpisode[] }> {
  const skip = (entry: EpisodeEntry, why: string): void => {
    const line = `${entry.name}: ${why}`;
    if (o.strict) throw new UserError(`export: ${line} (--strict refuses to skip episodes)`);
    o.warn(`skipping ${line}`);
  };
  let schema: DatasetSchema | undefined;
  const episodes: PreparedEpisode[] = [];
  for (const entry of entries) {
    if (!entry.dataPath) {
      if (entry.reason === 'recording') {
        skip(entry, 'is being recorded now');
      } else if (entry.reason === 'truncated' || entry.reason === 'interrupted') {
        skip(entry, `incomplete (${entry.reason}); \`armstack recover ${entry.mcapPath}\` salvages it, then --include-incomplete exports it`);
      } else {
        skip(entry, `unreadable (${entry.problems.join('; ') || 'no data'})`);
      }
      continue;
    }
    if (!entry.complete && !o.includeIncomplete) {
      skip(entry, `incomplete (${entry.reason ?? 'unknown reason'}; ${entry.problems.join('; ')}); --include-incomplete exports it`);
      continue;
    }
    let timeline: EpisodeTimeline;
    try {
      timeline = await readEpisodeTimeline(entry.dataPath);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      skip(entry, e.message);
      continue;
    }
    if (!timeline.state || !timeline.action) {
      skip(entry, `has no ${!timeline.state ? 'state (/joint_states)' : 'action (/arm_controller/joint_trajectory)'} stream`);
      continue;
    }
    const fps = schema?.fps ?? o.fps ?? timeline.cameras.find((c) => c.nominalHz)?.nominalHz ?? 30;
    const candidate: DatasetSchema = {
      fps,
      stateNames: timeline.state.names,
      actionNames: timeline.action.names,
      cameras: timeline.cameras.map((c) => ({
        name: c.name, key: `observation.images.${c.name}`, width: evenSize(c.width), height: evenSize(c.height), pixelFormat: c.pixelFormat,
      })),
    };
    if (schema) {
      const mismatch = schemaMismatch(schema, candidate);
      if (mismatch) {
        skip(entry, `does not match the dataset's first episode: ${mismatch}`);
        continue;
      }
    } else {
      schema = candidate;
    }
    const span = commonSpanNs([timeline.state.stampsNs, timeline.action.stampsNs, ...timeline.cameras.map((c) => c.stampsNs)]);
    const times = span ? frameTimesNs(span.startNs, span.endNs, fps) : [];
    if (times.length < 2) {
      skip(entry, 'its streams overlap for less than two frames');
      continue;
    }
    episodes.push({
      entry, dataPath: entry.dataPath, timeline, length: times.length,
      stateIdx: holdIndices(timeline.state.stampsNs, times),
      actionIdx: holdIndices(timeline.action.stampsNs, times),
      cameraIdx: new Map(timeline.cameras.map((c) => [c.name, nearestIndices(c.stampsNs, times)])),
      task: entry.task ?? timeline.metadata.get('episode')?.task ?? 'unspecified task',
      success: entry.label === 'success',
    });
  }
  if (!schema || episodes.length === 0) throw new UserError('export: no episode could be exported (see the warnings above)');
  return { schema, episodes };
}

function schemaMismatch(a: DatasetSchema, b: DatasetSchema): string | undefined {
  if (a.stateNames.join() !== b.stateNames.join()) return `state joints [${b.stateNames}] vs [${a.stateNames}]`;
  if (a.actionNames.join() !== b.actionNames.join()) return `action joints [${b.actionNames}] vs [${a.actionNames}]`;
  // One ffmpeg input per camera and dataset (v3 concatenates episodes): JPEG and raw recordings do not mix.
  const cams = (s: DatasetSchema): string => s.cameras.map((c) => `${c.name} ${c.width}x${c.height} ${c.pixelFormat}`).join(', ');
  if (cams(a) !== cams(b)) return `cameras [${cams(b)}] vs [${cams(a)}]`;
  return undefined;
}

/** Frame columns of one episode, in LeRobot's names. */
export interface EpisodeColumns {
  state: number[][];
  action: number[][];
  timestamp: number[];
  frameIndex: number[];
  episodeIndex: number[];
  index: number[];
  taskIndex: number[];
  done: boolean[];
  success: boolean[];
}

export function episodeColumns(ep: PreparedEpisode, fps: number, episodeIndex: number, firstIndex: number, taskIndex: number): EpisodeColumns {
  const n = ep.length;
  const state = ep.timeline.state!, action = ep.timeline.action!;
  const cols: EpisodeColumns = {
    state: new Array(n), action: new Array(n), timestamp: new Array(n), frameIndex: new Array(n),
    episodeIndex: new Array(n).fill(episodeIndex), index: new Array(n), taskIndex: new Array(n).fill(taskIndex),
    done: new Array(n).fill(false), success: new Array(n).fill(false),
  };
  for (let k = 0; k < n; k++) {
    cols.state[k] = Array.from(state.values[ep.stateIdx[k]]);
    cols.action[k] = Array.from(action.values[ep.actionIdx[k]]);
    // Rounded through float32, as it is stored, so readers compare equal values.
    cols.timestamp[k] = Math.fround(k / fps);
    cols.frameIndex[k] = k;
    cols.index[k] = firstIndex + k;
  }
  cols.done[n - 1] = true;
  cols.success[n - 1] = ep.success;
  return cols;
}

/** Stats of every non-image feature of one episode. */
export function numericStats(cols: EpisodeColumns): Record<string, FeatureStats> {
  const vector = (rows: number[][]): FeatureStats => {
    const acc = new StatsAccumulator(rows[0].length);
    for (const r of rows) acc.add(r);
    return acc.result();
  };
  return {
    'observation.state': vector(cols.state),
    action: vector(cols.action),
    timestamp: scalarStats(cols.timestamp),
    frame_index: scalarStats(cols.frameIndex),
    episode_index: scalarStats(cols.episodeIndex),
    index: scalarStats(cols.index),
    task_index: scalarStats(cols.taskIndex),
    'next.done': scalarStats(cols.done.map(Number)),
    'next.success': scalarStats(cols.success.map(Number)),
  };
}

/** info.json `features`, the same in v2.1 and v3.0 except v3's per-feature fps. */
export function datasetFeatures(schema: DatasetSchema, perFeatureFps: boolean): Record<string, Record<string, unknown>> {
  const fps = perFeatureFps ? { fps: schema.fps } : {};
  const features: Record<string, Record<string, unknown>> = {
    'observation.state': { dtype: 'float32', shape: [schema.stateNames.length], names: schema.stateNames, ...fps },
    action: { dtype: 'float32', shape: [schema.actionNames.length], names: schema.actionNames, ...fps },
  };
  for (const c of schema.cameras) {
    features[c.key] = {
      dtype: 'video', shape: [c.height, c.width, 3], names: ['height', 'width', 'channels'],
      info: {
        'video.height': c.height, 'video.width': c.width, 'video.codec': 'h264', 'video.pix_fmt': 'yuv420p',
        'video.is_depth_map': false, 'video.fps': schema.fps, 'video.channels': 3, has_audio: false,
      },
    };
  }
  const scalar = (dtype: string): Record<string, unknown> => ({ dtype, shape: [1], names: null, ...fps });
  Object.assign(features, {
    timestamp: scalar('float32'), frame_index: scalar('int64'), episode_index: scalar('int64'), index: scalar('int64'),
    task_index: scalar('int64'), 'next.done': scalar('bool'), 'next.success': scalar('bool'),
  });
  return features;
}
