import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../../runtime/errors.js';
import { intFlag, numberFlag } from '../parse-flags.js';
import { SIM_CAMERAS, runRecord, type CameraDropout, type RecordProgress } from '../record.js';
import { SIM_OBJECTS, parseSizeFlag } from '../record/record-objects.js';

interface RecordFlags {
  source: string;
  task: string;
  object: string;
  seconds: number;
  episodes: number;
  resetSeconds: number;
  fullLength?: boolean;
  out: string;
  camera: string[];
  jpeg?: boolean;
  raw?: boolean;
  operator?: string;
  seed?: number;
  quality?: number;
  category?: string;
  material?: string;
  size?: number[];
  mass?: number;
  minFree?: number;
  progressEvery: number;
  cameraDropout: CameraDropout[];
  json?: boolean;
}

function cameraList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SIM_CAMERAS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${SIM_CAMERAS.join(', ')}, got "${value}"`);
  }
  return names;
}

/** `wrist:1.5-3` (sim seconds into the episode); repeatable. */
function dropoutFlag(value: string, previous: CameraDropout[]): CameraDropout[] {
  const m = /^([a-z]+):(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!m || !(Number(m[3]) > Number(m[2]))) {
    throw new InvalidArgumentError(`expected CAMERA:FROM-TO in seconds with FROM < TO, e.g. wrist:1.5-3, got "${value}"`);
  }
  return [...previous, { camera: m[1], fromS: Number(m[2]), toS: Number(m[3]) }];
}

function sizeList(value: string): number[] {
  try {
    return parseSizeFlag(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^record: --size /, ''));
  }
}

/** One status line on stderr: rewritten in place on a terminal, every 5 s of sim time otherwise (logs, CI). */
function progressPrinter(everyS: number): { update: (p: RecordProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let last = -Infinity;
  let lastKey = '';
  return {
    update: (p) => {
      const head = p.episodes > 1 ? `episode ${p.episode + 1}/${p.episodes}: ` : '';
      const line = p.phase === 'reset'
        ? `${head}reset ${p.simS.toFixed(1)}/${p.seconds} s`
        : `${head}recording ${p.simS.toFixed(1)}/${p.seconds} s, ${p.frames} frames, ${p.dropped} dropped`;
      const key = `${p.episode}:${p.phase}`;
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
      } else if (key !== lastKey || p.simS - last >= everyS) {
        process.stderr.write(line + '\n');
        last = p.simS;
        lastKey = key;
      }
    },
    end: () => void (tty && process.stderr.write('\n')),
  };
}

/** `armstack record`: demonstration episodes from the sim with a scripted expert. */
export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('record demonstration episodes (MCAP + sidecar JSON each) from the sim with a scripted expert')
    .option('--source <source>', 'where the episodes come from (only "sim" so far)', 'sim')
    .requiredOption('--task <text>', 'the task, in words (goes into the episode metadata)')
    .option('--object <name>', `the sim task: ${SIM_OBJECTS.join(' (the cloth, towel-to-bin expert), ')} (boxes, pick-and-place)`, 'towel')
    .requiredOption('--seconds <n>', 'episode time limit in sim seconds', numberFlag(0.1, 3600))
    .option('--episodes <k>', 'episodes to record; episode k uses seed + k', intFlag(1, 10_000), 1)
    .option('--reset-seconds <s>', 'sim seconds each fresh world settles, unrecorded, before its episode', numberFlag(0, 600), 0)
    .option('--full-length', 'keep recording after the expert is done, up to --seconds')
    .requiredOption('--out <dir>', 'episode folder (created; episodes are numbered after those already there)')
    .option('--camera <names>', `cameras, comma-separated (${SIM_CAMERAS.join(', ')})`, cameraList, [...SIM_CAMERAS])
    .option('--jpeg', 'store frames as JPEG (sensor_msgs/CompressedImage); fails without OpenCV. Default: JPEG when OpenCV loads')
    .option('--raw', 'store raw frames (sensor_msgs/Image): no OpenCV needed, ~27 MB/s per camera')
    .option('--operator <name>', 'who (or what) demonstrated', 'scripted_expert')
    .option('--category <c>', 'object category: cloth, bag, cardboard or rigid (default: the sim object\'s)')
    .option('--material <text>', 'object material (default: the sim object\'s)')
    .option('--size <m>', 'approximate object size in metres, e.g. 0.3,0.3 (default: the sim object\'s)', sizeList)
    .option('--mass <kg>', 'object mass in kg (default: the sim object\'s, when known)', numberFlag(0, 1000))
    .option('--seed <n>', 'sim seed of the first episode', intFlag(0, 2 ** 31 - 1))
    .option('--quality <q>', 'JPEG quality 1-100', intFlag(1, 100))
    .option('--min-free <MiB>', 'disk guard: end the episode cleanly (incomplete) when free space falls below this', numberFlag(0, 1e7))
    .option('--camera-dropout <cam:from-to>', 'sim fault: the camera delivers nothing from..to s into each episode (repeatable)', dropoutFlag, [])
    .option('--progress-every <s>', 'without a terminal, a progress line every this many sim seconds', numberFlag(0.1, 3600), 5)
    .option('--json', 'print each sidecar as one JSON line')
    .action(async (flags: RecordFlags) => {
      if (flags.jpeg && flags.raw) throw new UserError('record: --jpeg and --raw exclude each other');
      const progress = progressPrinter(flags.progressEvery);
      // Ctrl-C ends the episode cleanly (incomplete, `shutdown`) instead of leaving a cut-short file.
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const result = await runRecord({
        signal: abort.signal,
        source: flags.source as 'sim', task: flags.task, object: flags.object, seconds: flags.seconds, outDir: flags.out,
        episodes: flags.episodes, resetSeconds: flags.resetSeconds, fullLength: flags.fullLength,
        objectFlags: { category: flags.category, material: flags.material, sizeM: flags.size, massKg: flags.mass },
        cameras: flags.camera, format: flags.raw ? 'raw' : flags.jpeg ? 'jpeg' : 'auto', operator: flags.operator, seed: flags.seed,
        jpegQuality: flags.quality,
        minFreeBytes: flags.minFree === undefined ? undefined : Math.round(flags.minFree * 1024 * 1024),
        cameraDropouts: flags.cameraDropout,
        progress: progress.update,
      }).finally(() => {
        progress.end();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      for (const { sidecar: s, mcapPath, wallS } of result.episodes) {
        if (flags.json) {
          process.stdout.write(JSON.stringify(s) + '\n');
          continue;
        }
        const frames = s.streams.filter((x) => x.role === 'camera').map((x) => `${x.topic} ${x.written}`).join(', ');
        process.stdout.write(`episode ${s.episodeIndex}: ${s.status} (${s.reason})${s.label ? `, ${s.label}` : ''}, ${s.durationS} s, ` +
          `${s.mcap.messages} messages${frames ? `; frames: ${frames}` : ''}; ${s.dropsTotal} dropped; ${mcapPath} (${wallS.toFixed(1)} s)\n`);
      }
      if (result.episodes.some((e) => !e.sidecar.complete)) process.exitCode = 1;
    });
}
